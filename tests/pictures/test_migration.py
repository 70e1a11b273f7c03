"""participation.0031, budgets.0011 and meetings.0006 on a database of the release before them
(issue #22): the proposals, budget projects and meetings written before keep their rows, with
no image (their pages show a pattern), and may then be given one (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tortoise import Tortoise, timezone

from budgets.models import Budget, Phase, Project
from meetings.domain import Format
from meetings.models import Meeting
from participation.db import tortoise_config
from participation.migration_state import migrate
from participation.pictures import images, services
from participation.proposals.models import Proposal
from tests.conftest import create_user, empty_database, insert_as_before, upgrade
from tests.pictures.helpers import png

BEFORE = ("participation.0030_proposal_search", "budgets.0010_project_version")


async def test_rows_written_before_have_no_image_then_take_one(
    tmp_path: Path, redis_url: str
) -> None:
    async with empty_database(tmp_path, redis_url) as settings:
        config = tortoise_config(settings)
        for target in BEFORE:
            await migrate(config=config, target=target)
            await Tortoise.close_connections()
        await Tortoise.init(config=config)
        author = await create_user(settings, "ancien@example.org")
        proposal = await insert_as_before(
            Proposal(author_id=author.id, title="Des arceaux à vélo", body="<p>Vingt.</p>"),
            "image_id",
        )
        budget = await insert_as_before(
            Budget(title="Budget 2026", total_amount=100_000, phase=Phase.VOTING),
            "sanitized_with",  # budgets.0012
        )
        project = await insert_as_before(
            Project(budget_id=budget.id, title="Un jardin", description="<p>Oui</p>", cost=10),
            "image_id",
        )

        await upgrade(settings)

        again = await Proposal.get(id=proposal.id)
        assert (again.title, again.image_id) == ("Des arceaux à vélo", None)
        assert (await Project.get(id=project.id)).image_id is None
        picture = await services.store(images.prepare(png(500, 250)), "Un dessin")
        await Proposal.filter(id=proposal.id).update(image_id=picture.id)
        await Project.filter(id=project.id).update(image_id=picture.id)
        assert (await Proposal.get(id=proposal.id)).image_id == picture.id
        found = await services.found(picture.key, 400)
        assert found is not None and found.held_by == {"proposal", "budget_project"}
        assert (await services.rendition(found.rendition_id)).width == 400
        await services.delete(picture.id)  # a deleted image leaves its owners without one
        assert (await Proposal.get(id=proposal.id)).image_id is None
        assert (await Project.get(id=project.id)).image_id is None


async def test_meetings_written_before_have_no_image(tmp_path: Path, redis_url: str) -> None:
    """meetings.0006: a meeting of before keeps its row, without an image."""
    async with empty_database(tmp_path, redis_url) as settings:
        config = tortoise_config(settings)
        for target in ("participation.0029_updated_at", "meetings.0005_updated_at"):
            await migrate(config=config, target=target)
            await Tortoise.close_connections()
        await Tortoise.init(config=config)
        start = timezone.now() + timedelta(days=3)
        meeting = await insert_as_before(
            Meeting(
                title="Réunion publique", format=Format.IN_PERSON, starts_at=start, ends_at=start
            ),
            "image_id",
            "sanitized_with",  # meetings.0007
        )

        await upgrade(settings)

        again = await Meeting.get(id=meeting.id)
        assert (again.title, again.image_id) == ("Réunion publique", None)
