"""Migration budgets.0010 on a database of the release before it: the projects that exist get
version 1, and the projects table's version check (issue #22) works on them at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgets import project_services
from budgets.models import Budget, Feasibility, Project
from participation.accounts.models import User
from tests.conftest import database_at, insert_as_before, upgrade


async def test_existing_projects_start_at_version_1_and_are_edited_from_there(
    tmp_path: Path, redis_url: str
) -> None:
    async with database_at(tmp_path, redis_url, "budgets.0009_updated_at") as settings:
        budget = await insert_as_before(
            Budget(title="Budget 2026", total_amount=100_000), "sanitized_with"  # budgets.0012
        )
        project = await insert_as_before(
            Project(
                budget_id=budget.id,
                title="Jardin",
                description="<p>Des arbres</p>",
                cost=40_000,
                feasibility=Feasibility.PENDING,
            ),
            "version",
            "image_id",  # budgets.0011
        )

        await upgrade(settings)

        assert (await Project.get(id=project.id)).version == 1
        staff = await User.create(
            email="mairie@example.org", display_name="Mairie", password_hash="x"
        )
        edit = project_services.RowEdit("Jardin", "41000", "", "feasible", "", "", "1")
        saved = await project_services.edit_project_row(budget.id, project.id, edit, staff)
        assert (saved.cost, saved.version) == (41_000, 2)
        with pytest.raises(project_services.StaleEdit):  # the page of before is told
            await project_services.edit_project_row(budget.id, project.id, edit, staff)
