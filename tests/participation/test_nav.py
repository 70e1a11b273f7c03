"""The header's menu comes from the features' manifests (`Feature.nav`): each role sees the same
links, in the same order, with their French words, the current page marked, moderation only for
moderators; the Administration page lists the features' lines (`Feature.admin`) by position.

The expected menus are worked out here from `features.FEATURES` alone, not with the code that
renders them (`participation.templating`): the header fails these tests when it drops, adds,
reorders or mislabels a link. The French words come from the catalogs, and are those that each
feature's tests say (`menu_words` in tests/<name>/walks.py); a feature's tests may also say, in
French, where its links are (tests/meetings/test_pages.py).
"""

from __future__ import annotations

import re

import httpx

from participation import features
from participation.accounts.models import User
from participation.i18n import translations
from participation.urls import url as url_path
from tests.conftest import log_in
from tests.security.walks import merged

MENU = re.compile(r'<nav class="main-nav".*?</nav>', re.S)
LINK = re.compile(r'<li><a href="([^"]+)" (aria-current="page")?\s*>([^<]+)</a></li>')
ADMIN_LIST = re.compile(r"<h1>.*?</h1>.*?<ul[^>]*>(.*?)</ul>", re.S)
ADMIN_LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


def words_of_features() -> dict[str, str]:
    """Route name -> what its link reads in French, as each feature's tests say it
    (`menu_words` in tests/<name>/walks.py)."""
    return merged({}, lambda walks: walks.menu_words)


def menu(html: str) -> list[tuple[str, bool, str]]:
    """The header's links: (path, marked as the current page, words)."""
    match = MENU.search(html)
    assert match, "no main menu"
    return [(href, bool(current), text) for href, current, text in LINK.findall(match.group(0))]


def admin_items(html: str) -> list[str]:
    """The Administration page's lines, as HTML."""
    match = ADMIN_LIST.search(html)
    assert match, "no list of sections"
    return re.findall(r"<li>(.*?)</li>", match.group(1), re.S)


def admin_links(html: str) -> list[list[tuple[str, str]]]:
    """The Administration page's lines, each a list of (path, words)."""
    return [ADMIN_LINK.findall(li) for li in admin_items(html)]


def french(link: features.NavLink) -> str:
    words = translations("fr").gettext(link.label)
    assert words_of_features().get(link.route, words) == words, f"{link.route} reads {words!r}"
    return words


def expected_menu(roles: set[str], current: str) -> list[tuple[str, bool, str]]:
    """Everyone's links in the order of `INSTALLED`, then those of the person's roles, then
    Administration for an administrator; `current` is the page's path."""
    links = [link for f in features.FEATURES for link in f.nav]
    shown = [link for link in links if not link.role]
    shown += [link for link in links if link.role and link.role in roles]
    items = [(url_path(link.route), french(link)) for link in shown]
    if "admin" in roles:
        items.append((url_path("admin:index"), "Administration"))
    return [(href, current.startswith(href), words) for href, words in items]


def feature_paths(role: str = "") -> list[str]:
    return [url_path(link.route) for f in features.FEATURES for link in f.nav if link.role == role]


async def test_everyone_sees_the_features_in_order(client: httpx.AsyncClient) -> None:
    assert len(feature_paths()) >= 2  # an order to keep
    for path in feature_paths():  # each feature's page marks its own link
        assert menu((await client.get(path)).text) == expected_menu(set(), path)


async def test_a_moderator_also_sees_moderation_last(
    client: httpx.AsyncClient, moderator: User
) -> None:
    await log_in(client, moderator)
    (gated,) = feature_paths("moderator")
    links = menu((await client.get(gated)).text)
    assert links == expected_menu({"moderator"}, gated)
    assert links[-1] == (gated, True, words_of_features()["moderation:index"])


async def test_an_administrator_sees_administration_after_the_features(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    path = feature_paths()[0]
    assert menu((await client.get(path)).text) == expected_menu({"moderator", "admin"}, path)


async def test_the_administration_page_lists_the_features_links_in_order(
    client: httpx.AsyncClient, admin: User
) -> None:
    """From the manifests (`Feature.admin`), by position, ties in the order of `INSTALLED`: the
    same links, words and order as the page had when it listed them by hand."""
    await log_in(client, admin)
    admin_html = (await client.get(url_path("admin:index"))).text
    lines = admin_links(admin_html)
    declared = [line for f in features.FEATURES for line in f.admin]
    declared.sort(key=lambda line: line.position)  # stable: ties keep the features' order
    from_features = [
        [(url_path(link.route), french(link)) for link in line.links] for line in declared
    ]
    core = [  # the core's own pages, after the features' (issue #18)
        [(url_path("people:index"), "Personnes et rôles")],
        [
            (url_path("residents:index"), "Habitants vérifiés"),
            (url_path("residents:letters"), "Courriers de vérification"),
            (url_path("residents:census"), "Registre des habitants"),
        ],
        [(url_path("counter:index"), "Contributions recueillies pour les habitants")],
        [(url_path("auditlog:index"), "Journal d’audit")],
        [(url_path("sitesettings:edit"), "Paramètres du site")],
        [(url_path("sitepages:admin_index"), "Pages d’information")],
        [(url_path("spaces:admin_index"), "Démarches participatives")],
    ]
    assert lines == [*from_features, *core]
    shown = [re.sub(r"<[^>]+>", "", li).strip() for li in admin_items(admin_html)]
    features_shown = [" · ".join(words for _href, words in line) for line in from_features]
    assert shown[: -len(core)] == features_shown
