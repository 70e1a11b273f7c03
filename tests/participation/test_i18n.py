"""French first, English second: negotiation, the switch, and a complete French catalog."""

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from participation.i18n import (
    catalog_dirs,
    current_language,
    gettext,
    negotiate_language,
    ngettext,
    translations,
)
from tests.conftest import post_form

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", "fr"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9", "fr"),
        ("de,en;q=0.5,fr;q=0.8", "fr"),
        ("en;q=0.9,fr;q=0.4", "en"),
        ("en;q=nonsense", "fr"),
    ],
)
def test_accept_language_negotiation(header: str, expected: str) -> None:
    assert negotiate_language(header, "fr") == expected


async def test_pages_are_french_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert '<html lang="fr">' in response.text
    assert "Propositions" in response.text and "Budgets participatifs" in response.text


async def test_browser_language_english(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in response.text
    assert "Participatory budgets" in response.text


async def test_language_switch_is_remembered(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/language", {"language": "en", "next": "/budgets"})
    assert response.status_code == 303 and response.headers["location"] == "/budgets"
    page = await client.get("/budgets")
    assert '<html lang="en">' in page.text and "No participatory budget yet." in page.text
    await post_form(client, "/language", {"language": "fr", "next": "/"})
    assert '<html lang="fr">' in (await client.get("/")).text


async def test_language_switch_ignores_foreign_redirects(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/language", {"language": "en", "next": "//evil.example"})
    assert response.headers["location"] == "/"


CATALOG = ROOT / "participation/locale/fr/LC_MESSAGES/messages.po"  # the core's, read first
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _extracted(tmp_path: Path) -> Catalog:
    """The messages of the code and templates, extracted as `make translations` does."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-o",
            str(template),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as f:
        return read_po(f)


def _catalogs() -> list[Catalog]:
    """The core's French catalog, then each installed feature's (participation.i18n's order)."""
    catalogs = []
    for folder in catalog_dirs():
        with (folder / "fr/LC_MESSAGES/messages.po").open("rb") as f:
            catalogs.append(read_po(f, locale="fr"))
    return catalogs


def _french() -> Catalog:
    """Every French catalog as one, as participation.i18n merges them (each message once)."""
    catalogs = _catalogs()
    merged = catalogs[0]
    for catalog in catalogs[1:]:
        for message in catalog:
            if message.id and merged.get(_forms(message.id)[0], message.context) is None:
                merged[message.id] = message
    return merged


def _forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_every_message_has_a_french_translation(tmp_path: Path) -> None:
    """No msgid of the code missing from the catalog, no empty msgstr (nor plural form), no
    fuzzy entry (a fuzzy header makes `pybabel compile` skip the whole catalog)."""
    wanted = [m for m in _extracted(tmp_path) if m.id]
    catalog = _french()
    missing = [(m.context, m.id) for m in wanted if catalog.get(_forms(m.id)[0], m.context) is None]
    assert missing == [], "add these to the French catalog"
    entries = [m for m in catalog if m.id]
    assert [m.id for m in entries if not all(_forms(m.string))] == [], "translate these"
    assert not catalog.fuzzy, "remove '#, fuzzy' from the catalog's header"
    assert [m.id for m in entries if m.fuzzy] == [], "review these fuzzy entries"
    for m in wanted:  # a plural in the code is a plural in the catalog, with the same words
        entry = catalog.get(_forms(m.id)[0], m.context)
        assert entry is not None and isinstance(entry.id, tuple) == isinstance(m.id, tuple), m.id
    mismatched = [
        m.id
        for m in entries
        for form in _forms(m.string)
        if set(PLACEHOLDER.findall(_forms(m.id)[-1])) != set(PLACEHOLDER.findall(form))
        and set(PLACEHOLDER.findall(_forms(m.id)[0])) != set(PLACEHOLDER.findall(form))
    ]
    assert mismatched == [], "the translation must keep the placeholders of its msgid"


QUOTED = re.compile(r"«[^»]*»")  # an example of what to type ("« Centre-ville: 50000 »")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_templates_translate_as_jinja_does(language: str) -> None:
    """`_()` and `gettext` in templates (participation.templating._gettext: called directly,
    a message without variables translated once per catalog, issue #23) give what jinja2.ext's
    newstyle gettext gives: Markup, %-formatted even without variables, the variables escaped,
    in the current language, the second time as the first."""
    from jinja2 import Environment

    from participation.templating import templates

    jinja = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    jinja.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    source = (
        '{{ _("Results") }}|{{ gettext("Reply") }}|{{ _("100%% <sure>") }}|'
        '{{ _("Reply to %(name)s", name="<b>Zoé</b> & co") }}|{% trans %}Results{% endtrans %}|'
        "{% set t = _('Results') %}{{ t ~ '<' }}"
    )
    token = current_language.set(language)
    try:
        expected = jinja.from_string(source).render()
        ours = templates.env.from_string(source)
        assert ours.render() == expected
        assert ours.render() == expected
    finally:
        current_language.reset(token)
    if language == "fr":
        assert expected.startswith("Résultats|Répondre|100% <sure>|Répondre à &lt;b&gt;Zoé")


def test_french_punctuation_and_plurals() -> None:
    """French: a no-break space before : ; ! ? and inside « », no "(s)" plurals (ngettext), no
    middle-dot inclusive writing (« connecté·e »: docs/i18n.md says what instead).
    English msgids: no space before those signs ("Results:" not "Results :"), “quotes”."""
    problems = []
    for m in _french():
        if not m.id:
            continue
        for english in _forms(m.id):
            if re.search(r"\s[:;!?]", english) or "(s)" in english or "«" in english:
                problems.append(("msgid", english))
        for french in _forms(m.string):
            if re.search(r" [:;!?»]|« ", french) or "(s)" in french:
                problems.append(("msgstr", french))
            elif re.search(r"\w·\w", french):  # « connecté·e », « modérateur·rice »
                problems.append(("msgstr", french))
            elif re.search(r"[^\W\d][:;!?](\s|$)", QUOTED.sub("", french)):
                problems.append(("msgstr", french))  # "haineux: texte"
    assert problems == []


async def test_french_filters_agree_with_their_noun_and_buttons_are_verbs(
    client: httpx.AsyncClient,
) -> None:
    from tests.budgets.factories import budget_in_voting

    budget, _ = await budget_in_voting()
    page = (await client.get(f"/budgets/{budget.id}")).text
    district = page[page.index('id="filter-district"') :]
    assert district.split("</option>")[0].endswith(">Tous")  # Quartier : Tous
    category = page[page.index('id="filter-category"') :]
    assert category.split("</option>")[0].endswith(">Toutes")  # Catégorie : Toutes
    assert f'/budgets/{budget.id}/ballot">Voter</a>' in page
    assert "Phase en cours\u00a0:" in page
    english = (await client.get(f"/budgets/{budget.id}", headers={"Accept-Language": "en"})).text
    assert f'/budgets/{budget.id}/ballot">Vote</a>' in english
    assert "Current phase:" in english and "\u00a0:" not in english


def test_each_feature_catalog_is_found_and_agrees_with_the_others() -> None:
    """The core's catalog and every feature's (`<package>/locale`) are read; a message in two
    catalogs has one translation (the merge's order then decides nothing), and a feature's
    catalog is not a copy: most of its messages are in no other catalog."""
    folders = catalog_dirs()
    assert folders[0] == CATALOG.parents[2]
    on_disk = set(ROOT.glob("*/locale"))
    assert set(folders) == on_disk, "a catalog of a package that is no installed feature"
    catalogs = _catalogs()
    seen: dict[tuple[str | None, str], tuple[str, ...]] = {}
    disagreeing = []
    for catalog in catalogs:
        for m in catalog:
            if not m.id:
                continue
            key = (m.context, _forms(m.id)[0])
            if key in seen and seen[key] != _forms(m.string):
                disagreeing.append(key)
            seen.setdefault(key, _forms(m.string))
    assert disagreeing == []
    core = {(m.context, _forms(m.id)[0]) for m in catalogs[0] if m.id}
    for catalog in catalogs[1:]:
        own = [m for m in catalog if m.id and (m.context, _forms(m.id)[0]) not in core]
        assert len(own) > len([m for m in catalog if m.id]) / 2


def test_the_translations_are_every_catalog_merged() -> None:
    """What the pages translate with: each compiled catalog's messages (.mo), the core's first."""
    french = translations("fr")
    for catalog in _catalogs():
        for m in catalog:
            if m.id and not isinstance(m.id, tuple) and m.context is None:
                assert french.gettext(m.id) == m.string, m.id


def test_make_translations_appends_what_a_catalog_lacks_and_keeps_its_order() -> None:
    """`make translations` (tests/catalogs.py): a new string goes at the end, untranslated,
    unless another catalog already has it; the catalog's own order is left alone."""
    from babel.messages.catalog import Catalog

    from tests.catalogs import entry, missing_and_unused

    template, catalog = Catalog(), Catalog(locale="fr")
    for message_id in ["Vote", "New string", ("{n} vote", "{n} votes"), "Shared"]:
        template.add(message_id)
    catalog.add("Old string", "Ancienne chaîne")
    catalog.add("Vote", "Voter")

    missing, unused = missing_and_unused(template, catalog, elsewhere={"Shared"})

    assert missing == ["New string", ("{n} vote", "{n} votes")]
    assert unused == ["Old string"]
    assert entry('Say "hi"') == 'msgid "Say \\"hi\\""\nmsgstr ""\n'
    assert entry(("{n} vote", "{n} votes")).splitlines() == [
        'msgid "{n} vote"',
        'msgid_plural "{n} votes"',
        'msgstr[0] ""',
        'msgstr[1] ""',
    ]


def test_no_catalog_lists_a_message_twice() -> None:
    """Babel keeps one of two entries of the same msgid (and `msgfmt -c` refuses the file): a
    second entry, added by hand at the end, could silently lose its translation."""
    repeated = []
    for path in sorted(ROOT.glob("*/locale/*/LC_MESSAGES/messages.po")):
        seen: set[tuple[str, str]] = set()
        context = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("msgctxt "):
                context = line
            elif line.startswith("msgid "):
                key = (context, line)
                if key in seen and line != 'msgid ""':
                    repeated.append(f"{path.relative_to(ROOT)}: {line}")
                seen.add(key)
                context = ""
    assert repeated == []
