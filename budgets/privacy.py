"""A person's residency, submitted projects and participation in votes in their copy of their
data, and what deleting their account changes here (docs/privacy.md). Ballots are never part
of it: nobody can link one to a person (docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from budgets.models import Project, VoterRegister
from participation.accounts.privacy import plain, rows
from participation.i18n import N_
from participation.pictures import services as pictures
from participation.residents.models import Residency

BALLOT_NOTE = N_(
    "How you voted in a participatory budget is not in this file, because nobody can link a "
    "ballot to a person: ballots are stored apart from the register of voters, without your "
    "name or account. The register only records that you voted."
)


async def export(user: Any, translate: Callable[[str], str]) -> dict[str, Any]:
    residency = await Residency.get_or_none(user=user).prefetch_related("census_entry")
    voted_in: list[dict[str, Any]] = []
    if residency is not None:
        voted_in = rows(
            await VoterRegister.filter(census_entry_id=residency.census_entry_id).values(
                budget_id="budget__id", budget="budget__title", channel="channel", on="voted_on"
            )
        )
    held = await Project.filter(author=user, image_id__isnull=False).values_list("id", "image_id")
    described = await pictures.exported([image_id for _, image_id in held])
    return {
        "residency": None
        if residency is None
        else {
            "verified_at": plain(residency.verified_at),
            "birth_date": plain(residency.birth_date),
            "district": residency.census_entry.district,
        },
        "budgets": {
            "projects_submitted": rows(
                await Project.filter(author=user).values(
                    "id", "budget_id", "title", "description", "cost", "location"
                )
            ),
            # the images of their projects (issue #22): re-encoded, without metadata
            "project_images": [
                {"project_id": project_id, **described[image_id]}
                for project_id, image_id in held
                if image_id in described
            ],
            "voted_in": voted_in,
            "note": translate(BALLOT_NOTE),
        },
    }


async def erase(user: Any) -> None:
    """The exact birth date goes: the year is all the census itself keeps. The residency row
    and the register of voters stay (one person, one vote); projects stay, attributed to
    "Former participant"; their images go (issue #22), through the core's service."""
    await pictures.take_from(Project.filter(author=user))
    residency = await Residency.get_or_none(user=user).prefetch_related("census_entry")
    if residency is not None:
        year = residency.census_entry.birth_year
        residency.birth_date = date(year, 1, 1) if year is not None else None
        await residency.save(update_fields=["birth_date"])
