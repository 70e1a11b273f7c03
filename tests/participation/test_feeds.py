"""Atom feeds (participation/feeds.py): the document itself (pure, parsed with feedparser),
then each feature's entries as served at /feeds/<name>.atom and in /feeds/all.atom, the links
in page heads, and what never gets in (drafts, hidden proposals, budgets in preparation)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import feedparser
import httpx

from budgets.models import Budget, Phase
from consultations.models import Consultation
from consultations.models import Phase as ConsultationPhase
from meetings.domain import Status
from meetings.models import Meeting
from participation import features, feeds
from participation.accounts.models import User
from participation.contributions import ModerationState
from participation.features import FeedEntry
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from tests.budgets.factories import budget_without_key
from tests.consultations.factories import consultation_open
from tests.meetings.factories import meeting_next_week
from tests.participation.proposal_factories import make_proposal

HOSTILE = "<script>alert(1)</script> & « co »"
DAY = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)


def entry(key: str, updated: datetime, title: str = "Titre") -> FeedEntry:
    return FeedEntry(key, title, f"/{key}", updated, updated, "Résumé & <b>texte</b>")


def document(entries: list[FeedEntry]) -> bytes:
    return feeds.atom(
        title="Villebelle · Tout",
        feed_key="all",
        base_url="https://participer.villebelle.fr/",
        self_path="/feeds/all.atom",
        page_path="/",
        author="Villebelle",
        language="fr",
        entries=entries,
    )


def test_a_feed_is_valid_atom_with_text_escaped_not_interpreted() -> None:
    paris = timezone(timedelta(hours=1))
    raw = document([entry("proposal/1", datetime(2026, 12, 1, 10, 0, tzinfo=paris), HOSTILE)])
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert b"<script>" not in raw and b"&lt;script&gt;" in raw and b"&amp;" in raw
    (item,) = parsed.entries
    assert item.title == HOSTILE
    assert item.summary == "Résumé & <b>texte</b>"  # type="text": shown as typed
    assert item.id == "tag:participer.villebelle.fr,2026-01-01:proposal/1"
    assert item.link == "https://participer.villebelle.fr/proposal/1"
    assert b"<updated>2026-12-01T09:00:00Z</updated>" in raw  # 10:00 in Paris, in UTC
    assert parsed.feed.id == "tag:participer.villebelle.fr,2026-01-01:feeds/all"
    assert parsed.feed.updated == "2026-12-01T09:00:00Z"
    assert parsed.feed.author == "Villebelle"
    assert parsed.feed.language == "fr"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == "https://participer.villebelle.fr/feeds/all.atom"


def test_an_empty_feed_is_valid_and_the_same_at_every_request() -> None:
    assert document([]) == document([])
    assert not feedparser.parse(document([])).bozo


def test_entries_are_newest_first_ties_by_key_and_ids_never_change() -> None:
    older, newer = DAY, DAY + timedelta(hours=1)
    given = [entry("b/2", older), entry("a/1", newer), entry("c/3", newer), entry("a/0", older)]
    assert [e.key for e in feeds.ordered(given)] == ["a/1", "c/3", "a/0", "b/2"]
    assert [e.key for e in feeds.ordered(given, limit=2)] == ["a/1", "c/3"]
    renamed = [entry("a/1", newer + timedelta(days=3), "Nouveau titre")]
    assert feedparser.parse(document(renamed)).entries[0].id.endswith(":a/1")


def test_feed_names_are_unique_and_none_is_the_site_wide_one() -> None:
    names = [source.name for f in features.FEATURES for source in f.feeds]
    assert len(names) == len(set(names)) and feeds.ALL not in names
    assert {"proposals", "answers", "budgets", "consultations", "meetings", "followup"} <= set(
        names
    )


async def _parsed(client: httpx.AsyncClient, name: str) -> Any:
    response = await client.get(f"/feeds/{name}.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    for item in parsed.entries:
        assert item.id.startswith("tag:")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item.updated)
    return parsed


async def test_proposals_and_official_answers_public_ones_only(
    client: httpx.AsyncClient, citizen: User, admin: User, settings: Any
) -> None:
    from participation.proposals import services

    first = await make_proposal(citizen, title=HOSTILE)
    second = await make_proposal(citizen, title="Plus de bancs")
    await Proposal.filter(id=first.id).update(published_at=DAY)
    await Proposal.filter(id=second.id).update(published_at=DAY + timedelta(days=1))
    await make_proposal(citizen, state=ProposalState.DRAFT, title="Brouillon")
    hidden = await make_proposal(citizen, title="Masquée")
    await Proposal.filter(id=hidden.id).update(moderation_state=ModerationState.HIDDEN)
    parsed = await _parsed(client, "proposals")
    assert [e.title for e in parsed.entries] == ["Plus de bancs", HOSTILE]
    assert parsed.entries[1].link.endswith(f"/proposals/{first.id}")
    assert parsed.entries[1].published == "2026-11-03T08:30:00Z"
    await services.answer(settings, second, admin, "<p>Nous installerons des bancs.</p>", None)
    answers = await _parsed(client, "answers")
    (answer,) = answers.entries
    assert (
        answer.title.endswith("Plus de bancs") and "Nous installerons des bancs." in answer.summary
    )
    assert answer.link.endswith(f"/proposals/{second.id}#answer")
    assert answer.id != parsed.entries[0].id


async def test_results_meetings_and_the_site_wide_feed(
    client: httpx.AsyncClient, settings: Any
) -> None:
    budget, _ = await budget_without_key()  # in preparation: in no feed
    published, _ = await budget_without_key()
    await Budget.filter(id=published.id).update(
        phase=Phase.RESULTS, title="Budget publié", results_published_at=DAY
    )
    consultation, _ = await consultation_open(title="Consultation close")
    await Consultation.filter(id=consultation.id).update(
        phase=ConsultationPhase.CLOSED, phase_changed_at=DAY + timedelta(hours=2)
    )
    open_one, _ = await consultation_open(title="Consultation ouverte")  # no result yet
    meeting = await meeting_next_week(title="Réunion du quartier")
    cancelled = await meeting_next_week(title="Réunion annulée")
    await Meeting.filter(id=cancelled.id).update(status=Status.CANCELLED)

    budgets_feed = await _parsed(client, "budgets")
    assert [e.link.rsplit("/", 2)[-2] for e in budgets_feed.entries] == [str(published.id)]
    assert "Budget publié" in budgets_feed.entries[0].title
    consultations_feed = await _parsed(client, "consultations")
    assert [e.title.endswith("Consultation close") for e in consultations_feed.entries] == [True]
    meetings_feed = await _parsed(client, "meetings")
    titles = {e.title for e in meetings_feed.entries}
    assert "Réunion du quartier" in titles
    assert any(t.endswith("Réunion annulée") and t != "Réunion annulée" for t in titles)
    assert meeting.address in next(
        e.summary for e in meetings_feed.entries if e.title == "Réunion du quartier"
    )

    everything = await _parsed(client, "all")
    keys = [e.id.split(":", 2)[2] for e in everything.entries]
    assert f"budget/{published.id}/results" in keys
    assert f"consultation/{consultation.id}/results" in keys
    assert f"meeting/{meeting.id}" in keys
    assert f"budget/{budget.id}/results" not in keys
    assert f"consultation/{open_one.id}/results" not in keys
    updated = [e.updated for e in everything.entries]
    assert updated == sorted(updated, reverse=True)


async def test_pages_link_the_site_wide_feed_and_their_features_own(
    client: httpx.AsyncClient,
) -> None:
    def alternates(html: str) -> set[str]:
        return set(
            re.findall(
                r'<link rel="alternate" type="application/atom\+xml" [^>]*href="([^"]+)"', html
            )
        )

    assert alternates((await client.get("/")).text) == {"/feeds/all.atom"}
    assert alternates((await client.get("/proposals")).text) == {
        "/feeds/all.atom",
        "/feeds/proposals.atom",
        "/feeds/answers.atom",
    }
    assert "/feeds/meetings.atom" in alternates((await client.get("/meetings")).text)
    assert "/feeds/budgets.atom" in alternates((await client.get("/budgets")).text)


async def test_an_unknown_feed_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/feeds/nothing.atom")
    assert response.status_code == 404 and "Page introuvable" in response.text


async def test_feed_readers_polling_get_a_304_until_something_changes(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/feeds/all.atom")
    etag = first.headers.get("etag")
    assert etag, "a visitor's feed comes from the page cache, with an ETag"
    again = await client.get("/feeds/all.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304
