"""The page's head kept per what it shows (participation/templating.py `head_links`,
`head_scripts`, issue #23): each kept head is the one its template renders for that page."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from participation import assets, i18n, richtext, templating
from participation.assets import Needs

NEEDS = [
    Needs(htmx=False, staff_css=False),
    Needs(htmx=True, staff_css=False),
    Needs(htmx=True, staff_css=True, leaflet=True),
]
# the site-wide feed only, the proposals' feeds, a page of the proposals, pages of neither
PATHS = ["/", "/proposals", "/proposals/12", "/budgets/1/ballot", "/proposalsx", "/account"]


def _rendered(template: str, **context: Any) -> str:
    return templating.templates.env.get_template(template).render(context)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_kept_head_links_are_those_rendered_for_the_page(language: str) -> None:
    token = i18n.current_language.set(language)
    try:
        for _ in range(2):  # rendered, then kept
            for path in PATHS:
                for needs in NEEDS:
                    fresh = _rendered(
                        "_head_links.html", needs=needs, feeds=templating.feed_links(path)
                    )
                    assert templating.head_links(needs, path) == fresh
    finally:
        i18n.current_language.reset(token)
    # a path with other feeds, another language: another head (the key is not blind to them)
    assert templating.head_links(NEEDS[0], "/proposals") != templating.head_links(NEEDS[0], "/")
    token = i18n.current_language.set("en")
    try:
        english = templating.head_links(NEEDS[0], "/proposals")
    finally:
        i18n.current_language.reset(token)
    assert english != templating.head_links(NEEDS[0], "/proposals")


def test_the_kept_head_scripts_are_those_rendered_for_the_site_and_needs() -> None:
    sites = [
        None,
        SimpleNamespace(version=0),
        SimpleNamespace(version=3),
        SimpleNamespace(version=4),
    ]
    for _ in range(2):
        for site in sites:
            for needs in NEEDS:
                fresh = _rendered("_head_scripts.html", needs=needs, site=site)
                assert templating.head_scripts(needs, site) == fresh
    assert "?v=3" in templating.head_scripts(NEEDS[0], sites[2])
    assert "?v=4" in templating.head_scripts(NEEDS[0], sites[3])


def test_nothing_is_kept_while_the_files_are_watched() -> None:
    assets.watch(True)
    try:
        templating._HEAD.values.clear()
        assert templating.head_links(NEEDS[1], "/proposals") == _rendered(
            "_head_links.html", needs=NEEDS[1], feeds=templating.feed_links("/proposals")
        )
        assert templating.head_scripts(NEEDS[1], None) == _rendered(
            "_head_scripts.html", needs=NEEDS[1], site=None
        )
        assert not templating._HEAD.values
    finally:
        assets.watch(False)


def test_a_summary_kept_is_the_summary_worked_out() -> None:
    text = "<h2>Un titre</h2><p>" + "Des mots, encore des mots. " * 12 + "</p>"
    first = richtext.summary(text)
    assert richtext.summary(text) == first == richtext._summary.__wrapped__(text, 160)
    assert richtext.summary(text, 40) != first  # the length is in the key
    assert len(richtext.summary(text, 40)) <= 40
