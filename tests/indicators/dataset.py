"""A small town whose indicators are computed by hand in tests/indicators/test_indicators.py.

Census (405 people; ages reached this year):
    Nord: 100 aged 20 (18–24), 100 aged 70 (65+)
    Sud:  100 aged 40 (35–49), 100 aged 70 (65+)
    Est:    5 aged 40 (35–49)
Budget "Budget 2026" (voting), 163 voters, 13 of them on paper:
    Nord 18–24: 20, Nord 65+: 50, Sud 35–49: 40, Sud 65+: 50, Est 35–49: 3
    12 voted two weeks ago, the others this week.
Consultation "Avenir du parc" (open, everyone), 31 responses:
    12 verified accounts (Nord, 18–24), 15 unverified accounts, 4 visitors without account.
Proposals space: one published proposal by a verified person (Nord, 18–24), supported by
    5 verified people (the author among them) and 6 unverified ones: 11 people.
Moderation: 12 comment cases decided after 1, 2, ... 12 hours; 10 proposal cases still open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tortoise import timezone

from budgets.models import Budget, Channel, Phase, VoterRegister
from consultations.models import Audience, Consultation, Participant, Response
from consultations.models import Phase as ConsultationPhase
from moderation.models import CaseKind, CaseStatus, ModerationCase
from participation.accounts.models import User
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal, Support
from participation.residents.models import CensusEntry, Residency


@dataclass
class Town:
    year: int
    budget: Budget
    consultation: Consultation
    census: dict[tuple[str, int], list[CensusEntry]] = field(default_factory=dict)
    verified: list[User] = field(default_factory=list)
    unverified: list[User] = field(default_factory=list)


async def _census(year: int) -> dict[tuple[str, int], list[CensusEntry]]:
    groups = {
        ("Nord", 20): 100,
        ("Nord", 70): 100,
        ("Sud", 40): 100,
        ("Sud", 70): 100,
        ("Est", 40): 5,
    }
    census = {}
    for (district, age), n in groups.items():
        await CensusEntry.bulk_create(
            [
                CensusEntry(
                    lookup_hash=f"{district}-{age}-{i}", district=district, birth_year=year - age
                )
                for i in range(n)
            ]
        )
        census[(district, age)] = list(
            await CensusEntry.filter(lookup_hash__startswith=f"{district}-{age}-").order_by("id")
        )
    return census


async def _person(name: str, entry: CensusEntry | None = None) -> User:
    user = await User.create(
        email=f"{name}@example.org",
        display_name=f"Personne {name}",
        password_hash="not-a-real-hash",
        email_confirmed_at=timezone.now(),
    )
    if entry is not None:
        await Residency.create(
            user=user, census_entry=entry, birth_date=date(entry.birth_year, 6, 1)
        )
    return user


async def seed() -> Town:
    now = timezone.now()
    year = now.year
    census = await _census(year)

    budget = await Budget.create(title="Budget 2026", total_amount=100_000, phase=Phase.VOTING)
    voters = (
        census[("Nord", 20)][:20]
        + census[("Nord", 70)][:50]
        + census[("Sud", 40)][:40]
        + census[("Sud", 70)][:50]
        + census[("Est", 40)][:3]
    )
    paper = {entry.id for entry in census[("Sud", 70)][:13]}
    await VoterRegister.bulk_create(
        [
            VoterRegister(
                budget=budget,
                census_entry=entry,
                channel=Channel.PAPER if entry.id in paper else Channel.WEB,
            )
            for entry in voters
        ]
    )
    early = [entry.id for entry in census[("Sud", 40)][:12]]
    await VoterRegister.filter(budget=budget).update(voted_on=now.date())
    await VoterRegister.filter(budget=budget, census_entry_id__in=early).update(
        voted_on=(now - timedelta(days=14)).date()
    )

    consultation = await Consultation.create(
        title="Avenir du parc", phase=ConsultationPhase.OPEN, audience=Audience.EVERYONE
    )
    town = Town(year, budget, consultation, census)
    for i, entry in enumerate(census[("Nord", 20)][:12]):  # voters too: that changes nothing
        town.verified.append(await _person(f"verified{i}", entry))
    for i in range(15):
        town.unverified.append(await _person(f"unverified{i}"))
    today = now.date()
    for i, user in enumerate(town.verified + town.unverified):
        await Participant.create(consultation=consultation, user=user, answered_on=today)
        await Response.create(
            id=uuid.uuid4(),
            consultation=consultation,
            token=f"t{i}",
            user=None,
            answers="{}",
            submitted_on=today,
        )
    for i in range(4):  # visitors without an account
        await Response.create(
            id=uuid.uuid4(),
            consultation=consultation,
            token=f"visitor{i}",
            answers="{}",
            submitted_on=today,
        )

    author = town.verified[0]
    proposal = await Proposal.create(
        author=author,
        title="Des bancs au parc",
        body="<p>Oui</p>",
        state=ProposalState.PUBLISHED,
        published_at=now,
    )
    for user in town.verified[:5] + town.unverified[:6]:
        await Support.create(proposal=proposal, user=user)

    for hours in range(1, 13):
        await ModerationCase.create(
            content_type="comment",
            content_id=hours,
            status=CaseStatus.CLOSED,
            kind=CaseKind.REPORTED,
            opened_at=now - timedelta(hours=hours),
            closed_at=now,
        )
    for i in range(10):
        await ModerationCase.create(
            content_type="proposal", content_id=100 + i, kind=CaseKind.PENDING, opened_at=now
        )
    return town


def by_key(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in rows}
