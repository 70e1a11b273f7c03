"""The spaces' migrations on a database of the release before them: the budgets and meetings
that exist go into "Démarche générale" (their URLs do not change); a database without content
gets no default space (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tortoise import Tortoise, timezone

from budgets.models import Budget
from consultations.models import Consultation
from meetings.domain import Format
from meetings.models import Meeting
from participation.db import tortoise_config
from participation.migration_state import migrate
from participation.spaces.models import Space
from tests.conftest import empty_database, insert_as_before, upgrade

BEFORE = (  # the last migration of each app before spaces
    "participation.0009_site_pages",
    "budgets.0004_trustee_kept",
    "consultations.0003_sealed_answers",
    "meetings.0002_target_kind",
)


async def _before_spaces(settings: object) -> None:
    config = tortoise_config(settings)  # type: ignore[arg-type]
    for target in BEFORE:
        await migrate(config=config, target=target)
        await Tortoise.close_connections()
    await Tortoise.init(config=config)


async def test_existing_content_goes_into_the_default_space(tmp_path: Path, redis_url: str) -> None:
    async with empty_database(tmp_path, redis_url) as settings:
        await _before_spaces(settings)
        budget = await insert_as_before(
            Budget(title="Budget 2025", total_amount=1000),
            "space_id",
            "updated_at",
            "sanitized_with",  # budgets.0012
        )
        start = timezone.now() + timedelta(days=3)
        meeting = await insert_as_before(
            Meeting(title="Réunion", format=Format.IN_PERSON, starts_at=start, ends_at=start),
            "space_id",
            "latitude",  # meetings.0004
            "longitude",
            "image_id",  # meetings.0006
            "sanitized_with",  # meetings.0007
        )

        await upgrade(settings)

        [space] = await Space.all()
        assert (space.title, space.slug, space.published) == (
            "Démarche générale",
            "demarche-generale",
            True,
        )
        assert (await Budget.get(id=budget.id)).space_id == space.id
        assert (await Meeting.get(id=meeting.id)).space_id == space.id
        assert await Consultation.all().count() == 0


async def test_a_database_without_content_gets_no_default_space(
    tmp_path: Path, redis_url: str
) -> None:
    async with empty_database(tmp_path, redis_url) as settings:
        await _before_spaces(settings)
        await upgrade(settings)
        assert await Space.all().count() == 0
