"""The proposals' cards (issue #22): each shows its supports toward its threshold, the
collection's or else the site's, as a meter named by its text (« 12 soutiens sur 25 »), in the
list's one query (tests/participation/test_statements_per_page.py counts them)."""

from __future__ import annotations

import re

import httpx
import pytest

from participation.accounts.models import User
from tests.participation.proposal_factories import make_proposal
from tests.proposals.factories import ideas_box


def card_of(page: str, title: str) -> str:
    cards = re.findall(r'<li class="card proposal-item">(.*?)</li>', page, re.S)
    return next(card for card in cards if title in card)


@pytest.mark.settings(PROPOSAL_SUPPORT_THRESHOLD="40")
async def test_each_card_shows_its_supports_toward_its_threshold(
    client: httpx.AsyncClient, citizen: User
) -> None:
    box = await ideas_box(support_threshold=25)
    await make_proposal(citizen, title="Un banc au square", collection_id=box.id, support_count=12)
    await make_proposal(citizen, title="Une fontaine", support_count=1)  # the site's rules
    await make_proposal(citizen, title="Un potager", collection_id=box.id, support_count=31)
    page = (await client.get("/proposals", headers={"Accept-Language": "fr"})).text
    bench = card_of(page, "Un banc au square")
    assert re.search(r'<span id="supports-(\d+)">12 soutiens sur 25</span>', bench)
    number = re.search(r'id="supports-(\d+)"', bench).group(1)  # type: ignore[union-attr]
    assert (
        f'<progress class="support-progress" max="25" value="12" '
        f'aria-labelledby="supports-{number}"></progress>'
    ) in bench
    fountain = card_of(page, "Une fontaine")
    assert "1 soutien sur 40</span>" in fountain and 'max="40" value="1"' in fountain
    garden = card_of(page, "Un potager")  # beyond its threshold: the meter is full
    assert "31 soutiens sur 25</span>" in garden and 'max="25" value="25"' in garden
