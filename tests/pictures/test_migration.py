"""participation.0030 and budgets.0010 on a database of the release before them (issue #22):
the proposals and budget projects written before keep their rows, with no image (their pages
show their category's pattern), and may then be given one (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise

from budgets.models import Budget, Phase, Project
from participation.db import tortoise_config
from participation.migration_state import migrate
from participation.pictures import images, services
from participation.proposals.models import Proposal
from tests.conftest import create_user, empty_database, insert_as_before, upgrade
from tests.pictures.helpers import png

BEFORE = ("participation.0029_updated_at", "budgets.0009_updated_at")


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
            Budget(title="Budget 2026", total_amount=100_000, phase=Phase.VOTING)
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
        assert await services.rendition(picture.key, 400)
        await services.delete(picture.id)  # a deleted image leaves its owners without one
        assert (await Proposal.get(id=proposal.id)).image_id is None
        assert (await Project.get(id=project.id)).image_id is None
