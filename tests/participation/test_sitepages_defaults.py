"""The default texts of the content pages are package data (no docs/ at run time, issue #21)
built from the documentation, which stays their source: when docs/accessibility.md or
docs/privacy.md changes, this fails until the package data is rebuilt
(`.venv/bin/python -m participation.sitepages.fromdocs`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from participation.app import all_routes
from participation.richtext import (
    ALLOW_LIST_VERSION,
    page_again,
    page_source,
    render_page,
    sanitize_page,
    summary,
)
from participation.sitepages import fromdocs
from participation.sitepages.domain import PAGES, default_text
from participation.urls import Paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("source", fromdocs.SOURCES, ids=lambda s: f"{s.slug}.{s.language}")
def test_the_defaults_built_from_the_docs_are_up_to_date(source: fromdocs.Source) -> None:
    built = fromdocs.build(source, (ROOT / source.path).read_text(encoding="utf-8"))
    assert default_text(source.slug, source.language) == built, (
        f"{source.path} changed: run `.venv/bin/python -m participation.sitepages.fromdocs`"
    )


def test_every_page_has_a_french_default_kept_as_it_is_shown() -> None:
    """The pages show their default texts as stored, without bleach (issue #21): each file is
    what the sanitizer makes of it (tables stacking on phones). When the allow-list changes,
    this fails until `.venv/bin/python -m participation.sitepages.fromdocs` writes them again."""
    for page in PAGES:
        for language in ("fr", "en"):
            text = default_text(page.slug, language)
            assert text or language == "en", page.slug
            assert sanitize_page(text) == text.strip(), (page.slug, language)
            assert fromdocs.as_shown(text) == text


def test_the_markdown_subset_of_the_docs() -> None:
    lines = [
        "### Titre",
        "Un **gras**, une *italique* et `du_code` ;",
        "sur deux lignes.",
        "",
        "- un point",
        "  qui continue",
        "- un autre",
        "",
        "| a | b |",
        "|---|---|",
        "| `x` | <y> |",
    ]
    assert fromdocs.to_rich_text(lines) == (
        "<h2>Titre</h2>\n"
        "<p>Un <strong>gras</strong>, une <em>italique</em> et <code>du_code</code> ; "
        "sur deux lignes.</p>\n"
        "<ul><li>un point qui continue</li><li>un autre</li></ul>\n"
        '<table><thead><tr><th scope="col">a</th><th scope="col">b</th></tr></thead>'
        "<tbody><tr><td><code>x</code></td><td>&lt;y&gt;</td></tr></tbody></table>\n"
    )


def test_every_page_is_a_route_without_parameters() -> None:
    parameters = Paths(all_routes()).parameters
    assert all(parameters.get(page.route) == set() for page in PAGES)


def test_a_pages_tables_stack_on_phones_with_their_column_names() -> None:
    """Each <td> carries its column's header (`data-label`) and the table the class of the
    site's data tables (static/css/app.css); stored so (issue #21: shown as stored), computed
    again from the headers on each save, whatever was written in their place."""
    stored = sanitize_page(
        '<table><thead><tr><th scope="col">Donnée</th><th scope="col">Durée <em>légale</em></th>'
        '</tr></thead><tbody><tr><th scope="row">E-mail</th><td>3 ans</td></tr>'
        '<tr><td data-label="x" onclick="y">a</td><td>b</td><td>c</td></tr></tbody></table>'
    )
    shown = (
        '<table class="stack"><thead><tr><th scope="col">Donnée</th>'
        '<th scope="col">Durée <em>légale</em></th></tr></thead><tbody>'
        '<tr><th scope="row">E-mail</th><td data-label="Durée légale">3 ans</td></tr>'
        '<tr><td data-label="Donnée">a</td><td data-label="Durée légale">b</td><td>c</td></tr>'
        "</tbody></table>"
    )
    assert stored == shown and sanitize_page(stored) == shown
    # staff edit what they wrote; saving it again stores the same
    source = page_source(stored)
    assert "data-label" not in source and "stack" not in source
    assert sanitize_page(source) == shown
    assert str(render_page(stored, ALLOW_LIST_VERSION)) == shown
    # a row of another allow-list (or written by another path): its words only, without
    # bleach, until the migration stores it again (`page_again`) as above
    written = shown.replace("<td>c", '<td onclick="y">c')
    assert str(render_page(written, 0)).startswith("<p>Donnée</p><p>Durée légale</p>")
    assert "onclick" not in render_page(written, 0) and page_again(written) == shown


def test_a_text_gives_a_description_of_at_most_160_characters_of_words() -> None:
    """base.html's meta description (`summary`): the words of a page's text, a heading or an
    address line followed by « · », cut at a whole word with « … »; markup read as text."""
    page = "<h2>Éditeur</h2><p>Ville de Villebelle<br>1 place de la Mairie</p><p>Fin.</p>"
    assert summary(page) == "Éditeur · Ville de Villebelle · 1 place de la Mairie · Fin."
    assert summary("<p>a &lt;b&gt; &amp; c</p>") == "a <b> & c"
    long = summary("mot " * 100)
    assert len(long) <= 160 and long.endswith("mot…")
    assert summary("") == ""
