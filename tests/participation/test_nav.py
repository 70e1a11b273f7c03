"""The header's menu comes from the features' manifests (`Feature.nav`): the same links, in the
same order, the current page marked, moderation only for moderators."""

from __future__ import annotations

import re

import httpx

from participation.accounts.models import User
from tests.conftest import log_in

MENU = re.compile(r'<nav class="main-nav".*?<li class="nav-account">', re.S)
LINK = re.compile(r'<li><a href="([^"]+)" (aria-current="page")?\s*>([^<]+)</a></li>')


def menu(html: str) -> list[tuple[str, bool, str]]:
    match = MENU.search(html)
    assert match, "no main menu"
    return [(href, bool(current), text) for href, current, text in LINK.findall(match.group(0))]


async def test_everyone_sees_the_features_in_order(client: httpx.AsyncClient) -> None:
    assert menu((await client.get("/budgets")).text) == [
        ("/proposals", False, "Propositions"),
        ("/budgets", True, "Budgets participatifs"),
        ("/consultations", False, "Consultations"),
        ("/followup", False, "Suivi"),
        ("/meetings", False, "Réunions"),
        ("/indicators", False, "Qui participe"),
    ]


async def test_a_moderator_also_sees_moderation_last(
    client: httpx.AsyncClient, moderator: User
) -> None:
    await log_in(client, moderator)
    links = menu((await client.get("/moderation")).text)
    assert [href for href, _current, _text in links] == [
        "/proposals",
        "/budgets",
        "/consultations",
        "/followup",
        "/meetings",
        "/indicators",
        "/moderation",
    ]
    assert links[-1][1] is True


ADMIN_LIST = re.compile(r"<h1>.*?</h1>.*?<ul>(.*?)</ul>", re.S)
ADMIN_LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


async def test_the_administration_page_lists_the_features_links_in_order(
    client: httpx.AsyncClient, admin: User
) -> None:
    """From the manifests (`Feature.admin`): the same links, words and order as the page had
    when it listed them by hand."""
    await log_in(client, admin)
    match = ADMIN_LIST.search((await client.get("/admin")).text)
    assert match, "no list of sections"
    lines = [ADMIN_LINK.findall(li) for li in re.findall(r"<li>(.*?)</li>", match.group(1))]
    assert [link for line in lines for link in line] == [
        ("/budgets", "Budgets participatifs"),
        ("/admin/budgets/new", "Créer un budget"),
        ("/admin/budgets/import", "Importer un fichier Pabulib"),
        ("/admin/census", "Registre des habitants"),
        ("/admin/consultations", "Gérer les consultations"),
        ("/moderation", "Modération"),
        ("/admin/moderation/reasons", "Motifs prêts à l’emploi"),
        ("/admin/audit", "Journal d’audit"),
        ("/admin/indicators", "Tableau de bord de la participation"),
        ("/admin/followup", "Engagements"),
        ("/admin/meetings", "Réunions"),
        ("/admin/pages", "Pages d’information"),  # the core's content pages (issue #18)
    ]
    assert " · ".join(text for _href, text in lines[0]) == (
        "Budgets participatifs · Créer un budget · Importer un fichier Pabulib"
    )
