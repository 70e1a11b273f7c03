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
