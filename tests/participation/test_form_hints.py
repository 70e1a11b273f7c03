"""Labels and hints of form fields are text: what they say about markup ("<strong>") is shown,
never obeyed. In a template `_()` returns markup (Jinja's i18n with autoescape): the proposal
form's hint printed a real, unclosed <strong> and <em>, and the rest of the page, footer
included, turned bold italic."""

from __future__ import annotations

import re

import httpx
from markupsafe import Markup

from participation.accounts.models import User
from participation.templating import templates
from tests.conftest import log_in


async def test_the_proposal_forms_hint_names_tags_without_opening_them(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await log_in(client, citizen)
    page = (await client.get("/proposals/new")).text
    hint = re.search(r'<p class="hint" id="body-hint">(.*?)</p>', page, re.S)
    assert hint, "the description's hint is gone"
    # residents write Markdown: the hint shows its marks, the quote's ">" escaped
    assert "**gras**, *italique*" in hint.group(1) and "commençant par &gt;" in hint.group(1)
    assert "<strong>" not in hint.group(1) and "<em>" not in hint.group(1)
    # nothing left open: every <strong> and <em> of the page is closed
    for tag in ("strong", "em"):
        assert page.count(f"<{tag}>") == page.count(f"</{tag}>"), tag


def test_the_field_macro_escapes_markup_in_labels_and_hints() -> None:
    macros = templates.env.get_template("_forms.html").module
    html = str(
        macros.field(  # type: ignore[attr-defined]
            "body",
            Markup("Texte <em>libre"),
            {},
            hint=Markup("Gras : <strong> ; R&D"),
        )
    )
    assert "Texte &lt;em&gt;libre" in html
    assert "Gras : &lt;strong&gt; ; R&amp;D" in html
    assert "<em>" not in html and "<strong>" not in html
    # plain text is escaped once, not twice
    html = str(macros.field("title", "Titre & sujet", {}, hint="Entre 10 & 150"))  # type: ignore[attr-defined]
    assert "Titre &amp; sujet" in html and "Entre 10 &amp; 150" in html
