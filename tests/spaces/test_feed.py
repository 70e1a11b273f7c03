"""A participatory space's Atom feed (/demarches/<slug>/feed.atom): the entries of the features'
feeds that belong to that space and no other, valid Atom (feedparser), linked in the space page's
head; none for an archived, unpublished or unknown space."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import httpx
import pytest
from tortoise import timezone

from budgets.models import Budget, Phase
from consultations.models import Consultation
from consultations.models import Phase as ConsultationPhase
from participation import feeds
from participation.features import FeedEntry, FeedSource
from participation.spaces.models import Space
from tests.meetings.factories import meeting_next_week
from tests.spaces.factories import space_open_with_a_vote

DAY = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> & « co »"


def keys(parsed: Any) -> list[str]:
    return [e.id.split(":", 2)[2] for e in parsed.entries]


async def _parsed(client: httpx.AsyncClient, path: str) -> Any:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


async def test_a_space_feed_holds_what_its_features_published_in_it_and_nothing_else(
    client: httpx.AsyncClient,
) -> None:
    space = await space_open_with_a_vote(title=HOSTILE)
    other = await space_open_with_a_vote(title="Une autre démarche", slug="autre")
    results = await Budget.create(
        title="Budget du quartier",
        total_amount=1000,
        space=space,
        phase=Phase.RESULTS,
        results_published_at=DAY,
    )
    await Budget.create(title="Budget en préparation", total_amount=1000, space=space)
    theirs = await Budget.create(
        title="Budget d'ailleurs",
        total_amount=1000,
        space=other,
        phase=Phase.RESULTS,
        results_published_at=DAY,
    )
    closed = await Consultation.create(
        title="Consultation close",
        space=space,
        phase=ConsultationPhase.CLOSED,
        phase_changed_at=DAY + timedelta(hours=2),
        outcome_published_at=DAY + timedelta(days=1),
    )
    await Consultation.create(title="Consultation ouverte", space=space)
    here = await meeting_next_week(title="Réunion de la démarche", space=space)
    elsewhere = await meeting_next_week(title="Réunion d'ailleurs", space=other)
    nowhere = await meeting_next_week(title="Réunion sans démarche")

    path = f"/demarches/{space.slug}/feed.atom"
    parsed = await _parsed(client, path)
    assert sorted(keys(parsed)) == sorted(
        [
            f"budget/{results.id}/results",
            f"consultation/{closed.id}/results",
            f"consultation/{closed.id}/outcome",
            f"meeting/{here.id}",
        ]
    )
    updated = [e.updated for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert parsed.feed.title.endswith(HOSTILE)  # text, escaped by the serializer
    assert parsed.feed.id.endswith(f":feeds/space/{space.id}")
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"].endswith(path)
    assert links["alternate"].endswith(f"/demarches/{space.slug}")

    assert sorted(keys(await _parsed(client, f"/demarches/{other.slug}/feed.atom"))) == sorted(
        [f"budget/{theirs.id}/results", f"meeting/{elsewhere.id}"]
    )
    site = keys(await _parsed(client, "/feeds/all.atom"))
    assert {f"meeting/{here.id}", f"meeting/{elsewhere.id}", f"meeting/{nowhere.id}"} <= set(site)

    page = (await client.get(f"/demarches/{space.slug}")).text
    alternates = re.findall(
        r'<link rel="alternate" type="application/atom\+xml" [^>]*href="([^"]+)"', page
    )
    assert alternates == ["/feeds/all.atom", path]
    assert f'<a href="{path}" type="application/atom+xml">' in page


async def test_an_entry_that_says_another_space_never_gets_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A feature's read of a space that returned another space's entry, or one of no space, by
    mistake: the core leaves it out (`FeedEntry.space_id`)."""
    entries = [
        FeedEntry("x/1", "Ailleurs", "/x/1", DAY, DAY, space_id=8),
        FeedEntry("x/2", "Ici", "/x/2", DAY, DAY, space_id=7),
        FeedEntry("x/3", "Nulle part", "/x/3", DAY + timedelta(days=1), DAY),
    ]

    async def everything(limit: int) -> list[FeedEntry]:
        return entries

    async def of_space(space_id: int, limit: int) -> list[FeedEntry]:
        return entries

    source = FeedSource("essai", "Essai", everything, space_entries=of_space)
    monkeypatch.setattr(feeds, "sources", lambda: [source])
    assert [e.key for e in await feeds.space_entries(7)] == ["x/2"]


async def test_archived_unpublished_and_unknown_spaces_have_no_feed(
    client: httpx.AsyncClient,
) -> None:
    archived = await space_open_with_a_vote(slug="archivee", archived_at=timezone.now())
    draft = await space_open_with_a_vote(slug="brouillon", published=False)
    await meeting_next_week(title="Réunion archivée", space=archived)
    for slug in (archived.slug, draft.slug, "inconnue", "x" * 300):
        response = await client.get(f"/demarches/{slug}/feed.atom")
        assert response.status_code == 404 and "Page introuvable" in response.text
    page = await client.get(f"/demarches/{archived.slug}")
    assert page.status_code == 200  # kept for the record, without a feed
    assert "feed.atom" not in page.text
    assert await Space.filter(id=archived.id).exists()
