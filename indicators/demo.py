"""Demo indicators for Villebelle-sur-Loire: real-looking figures on the dashboard.

The other demos cast every ballot at load time and leave their residents unverified; here,
deterministically and idempotently, the 2025 and 2026 votes are spread over their voting weeks,
three demo residents out of four are verified against the census (the rest stay "unknown"),
and the indicators are computed once, as the job would.
"""

from __future__ import annotations

from datetime import date, timedelta

from tortoise import timezone

from budgets.models import Budget, CensusEntry, Residency, VoterRegister
from indicators import services
from participation.accounts.models import User
from participation.proposals import services as proposals_services
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.settings import Settings


async def _spread_votes(title: str, days: int, ends_days_ago: int) -> None:
    budget = await Budget.get_or_none(title=title)
    if budget is None:
        return
    ids = await VoterRegister.filter(budget=budget).order_by("id").values_list("id", flat=True)
    end = timezone.now() - timedelta(days=ends_days_ago)
    by_day: dict[int, list[int]] = {}
    for index, register_id in enumerate(ids):
        # a third of the votes in the first three days, as in real campaigns
        day = (index * 7919) % days
        day = day if index % 3 else min(day, 2)
        by_day.setdefault(day, []).append(register_id)  # type: ignore[arg-type]
    for day, day_ids in by_day.items():
        await VoterRegister.filter(id__in=day_ids).update(
            voted_on=(end - timedelta(days=days - 1 - day)).date()
        )


async def _verify_residents() -> None:
    """Three demo residents out of four verified against census rows that no account uses,
    older people and the town centre first: who answers consultations, as in most towns."""
    taken = set(await Residency.all().values_list("census_entry_id", flat=True))
    verified = set(await Residency.all().values_list("user_id", flat=True))
    free = [
        entry
        for entry in await CensusEntry.all().order_by("-id").limit(200)
        if entry.id not in taken
    ]
    # popped from the end: the oldest first, Centre-ville counting as 15 years older
    free.sort(key=lambda e: (15 if e.district == "Centre-ville" else 0) - e.birth_year)
    residents = await User.filter(email__startswith="habitant").order_by("id")
    for person in residents:
        if person.id in verified or person.id % 4 == 3 or not free:
            continue
        entry = free.pop()
        await Residency.create(
            user=person, census_entry=entry, birth_date=date(entry.birth_year, 6, 15)
        )


async def _supports(settings: Settings) -> None:
    """The demo residents support two or three open proposals each (once: the service says no
    to a second support), so the proposals space has people to count."""
    residents = await User.filter(email__startswith="habitant").order_by("id")
    proposals = await Proposal.filter(
        state__in=[ProposalState.PUBLISHED, ProposalState.THRESHOLD_REACHED],
        moderation_state="visible",
    ).order_by("id")
    if not proposals:
        return
    for person in residents:
        for step in range(2 + person.id % 2):
            proposal = proposals[(person.id + step * 3) % len(proposals)]
            if proposal.author_id != person.id:
                await proposals_services.support(settings, proposal, person)


async def load(settings: Settings) -> int:
    await _spread_votes("Budget participatif 2025", days=30, ends_days_ago=270)
    await _spread_votes("Budget participatif 2026", days=4, ends_days_ago=0)
    await _verify_residents()
    await _supports(settings)
    return await services.compute_all()
