"""Demo indicators for Villebelle-sur-Loire: real-looking figures on the dashboard.

The budgets demo spreads its ballots over the voting weeks; here, once and deterministically,
three demo residents out of four are verified against the census (the rest stay "unknown"), the
demo residents support the demo's open proposals, and the indicators are computed once, as the
job would (then the job keeps them up to date). Only demo accounts and demo proposals are
touched: what people created is left alone, however often the demo runs (`make run`).
"""

from __future__ import annotations

from datetime import date

from indicators import services
from indicators.models import IndicatorSet
from participation.accounts.models import User
from participation.proposals import services as proposals_services
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal, Support
from participation.residents.models import CensusEntry, Residency
from participation.settings import Settings

DEMO_DOMAIN = "@demo.villebelle.fr"  # every demo account's address ends so


async def _verify_residents() -> None:
    """Three demo residents out of four verified against census rows that no account uses,
    older people and the town centre first: who answers consultations, as in most towns."""
    taken = set(await Residency.all().values_list("census_entry_id", flat=True))
    verified = set(await Residency.all().values_list("user_id", flat=True))
    free = [
        entry
        # rows of the council's file (an anchor made by another method may lack a birth year)
        for entry in await CensusEntry.filter(source="census", birth_year__isnull=False)
        .order_by("-id")
        .limit(200)
        if entry.id not in taken and entry.birth_year is not None
    ]
    # popped from the end: the oldest first, Centre-ville counting as 15 years older
    free.sort(key=lambda e: (15 if e.district == "Centre-ville" else 0) - (e.birth_year or 0))
    residents = await _demo_residents()
    for person in residents:
        if person.id in verified or person.id % 4 == 3 or not free:
            continue
        entry = free.pop()
        await Residency.create(
            user=person, census_entry=entry, birth_date=date(entry.birth_year or 1970, 6, 15)
        )


async def _demo_residents() -> list[User]:
    return await User.filter(
        email__startswith="habitant", email__endswith=DEMO_DOMAIN, deleted_at__isnull=True
    ).order_by("id")


async def _supports(settings: Settings) -> None:
    """The demo residents support two or three of the demo's open proposals each, once, so the
    proposals space has people to count. Proposals of real accounts are never supported."""
    residents = await _demo_residents()
    if await Support.filter(user_id__in=[p.id for p in residents]).exists():
        return  # done by an earlier run
    proposals = await Proposal.filter(
        state__in=[ProposalState.PUBLISHED, ProposalState.THRESHOLD_REACHED],
        moderation_state="visible",
        author__email__endswith=DEMO_DOMAIN,
    ).order_by("id")
    if not proposals:
        return
    for person in residents:
        for step in range(2 + person.id % 2):
            proposal = proposals[(person.id + step * 3) % len(proposals)]
            if proposal.author_id != person.id:
                await proposals_services.support(settings, proposal, person)


async def load(settings: Settings) -> int:
    await _verify_residents()
    await _supports(settings)
    if await IndicatorSet.exists():  # computed by an earlier run; the job keeps them fresh
        return 0
    return await services.compute_all()
