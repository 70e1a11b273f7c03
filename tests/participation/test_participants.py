""" "Participants this year" on the home page (issue #18, participation/participants.py): the
distinct people who proposed, supported, commented, answered a consultation or voted in a
budget this calendar year, each counted once; votes from the voter register, never from
ballots; one query per feature."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tortoise import timezone

from budgets.models import VoterRegister
from consultations.models import Participant
from participation import participants
from participation.accounts.models import User
from participation.proposals.models import Proposal, Support
from participation.residents.models import CensusEntry, Residency
from tests.budgets.factories import budget_in_voting, verified
from tests.conftest import create_user, logged_queries
from tests.consultations.factories import consultation_open
from tests.moderation.helpers import make_comment
from tests.participation.proposal_factories import make_proposal


def test_the_year_starts_on_1_january_in_the_towns_time_zone() -> None:
    # 31 December 23:30 UTC is already the new year in Paris
    since = participants.year_start(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "Europe/Paris")
    assert since.day.isoformat() == "2027-01-01"
    assert since.moment == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


async def _took_part(settings: Any, citizen: User) -> None:
    """The citizen proposed, supported, and voted (as a verified resident); a neighbour
    commented; someone answered a consultation; a resident without an account voted on paper;
    someone proposed last year only."""
    proposal = await make_proposal(citizen)
    await Support.create(proposal=proposal, user=citizen)
    neighbour = await create_user(settings, "voisin@example.org", display_name="Noé Voisin")
    await make_comment(proposal, neighbour)
    answerer = await create_user(settings, "avis@example.org", display_name="Ava Avis")
    consultation, _ = await consultation_open()
    await Participant.create(consultation=consultation, user=answerer, answered_on=timezone.now())
    budget, _ = await budget_in_voting()
    await verified(settings, citizen)
    residency = await Residency.get(user_id=citizen.id)
    await VoterRegister.create(
        budget=budget, census_entry_id=residency.census_entry_id, channel="web"
    )
    paper = await CensusEntry.exclude(id=residency.census_entry_id).first()
    assert paper is not None
    await VoterRegister.create(budget=budget, census_entry=paper, channel="paper")
    oldie = await create_user(settings, "ancien@example.org", display_name="Anne Ancienne")
    old = await make_proposal(oldie, title="Une idée de l’an dernier")
    last_year = timezone.now() - timedelta(days=400)
    await Proposal.filter(id=old.id).update(created_at=last_year)


async def test_each_person_counts_once_and_only_this_year(
    app: Any, settings: Any, citizen: User
) -> None:
    await _took_part(settings, citizen)
    since = participants.year_start(timezone.now(), settings.time_zone)
    with logged_queries() as queries:
        assert await participants.count_since(since) == 4  # citizen, neighbour, answerer, paper
    assert len(queries) == 4  # proposals (with supports), comments, consultations, budgets
    assert not any("ballot" in q.lower() for q in queries)  # the register, never a ballot


async def test_the_home_page_shows_the_participants_of_the_year(
    client: httpx.AsyncClient, settings: Any, citizen: User
) -> None:
    await _took_part(settings, citizen)
    year = participants.year_start(timezone.now(), settings.time_zone).day.year
    page = (await client.get("/")).text
    assert f"4 personnes ont participé en {year}." in page
    assert "jamais sur les bulletins" in page


async def test_with_nobody_yet_the_home_page_says_zero(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert "0 personne a participé en" in page
