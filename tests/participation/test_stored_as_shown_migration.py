"""participation.0024 and budgets.0007 on databases holding amendments and budget projects
written before them (issue #21, "stored as shown"): each row is sanitised again, once, with
what its page showed (`richtext.stored_again`: a script or an event handler written by another
path is gone), says the current allow-list, and keeps its Markdown source for the edit forms
(SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from budgets.models import Budget, Phase, Project
from participation.proposals.models import Amendment, Proposal
from participation.richtext import ALLOW_LIST_VERSION, stored_again
from tests.conftest import create_user, database_at, insert_as_before, upgrade

WRITTEN_ELSEWHERE = (
    '<p>Des <strong>arceaux</strong> <img src=x onerror="alert(1)"></p>'
    '<script>alert(2)</script><p onclick="alert(3)">rue des Écoles</p>'
)
SOURCE = "Des **arceaux**\n\nrue des Écoles"


async def test_old_amendments_are_stored_as_shown(tmp_path: Path, redis_url: str) -> None:
    async with database_at(tmp_path, redis_url, "participation.0023_agent_role") as old:
        author = await create_user(old, "ancien@example.org")
        proposal = await insert_as_before(  # the columns of participation.0023
            Proposal(author_id=author.id, title="Des arceaux à vélo", body="<p>Vingt.</p>"),
            "collection_id",  # participation.0027
            "image_id",  # participation.0031
        )
        rows = [
            await insert_as_before(
                Amendment(
                    proposal_id=proposal.id,
                    author_id=author.id,
                    base_version=1,
                    title="Plus d'arceaux",
                    body=body,
                    body_source=source,
                ),
                "sanitized_with",
            )
            for body, source in ((WRITTEN_ELSEWHERE, SOURCE), ("<p>Déjà propre</p>", ""))
        ]
        await upgrade(old)
        again = [await Amendment.get(id=row.id) for row in rows]
        assert [a.sanitized_with for a in again] == [ALLOW_LIST_VERSION] * 2
        assert again[0].body == stored_again(WRITTEN_ELSEWHERE)
        assert "<script" not in again[0].body and "onerror" not in again[0].body
        assert "onclick" not in again[0].body and "<strong>arceaux</strong>" in again[0].body
        assert again[1].body == "<p>Déjà propre</p>"
        assert [a.body_source for a in again] == [SOURCE, ""]  # the sources stay as typed


async def test_old_budget_projects_are_stored_as_shown(tmp_path: Path, redis_url: str) -> None:
    async with database_at(tmp_path, redis_url, "budgets.0006_markdown_source") as old:
        budget = await insert_as_before(  # budgets.0009 added updated_at
            Budget(title="Budget 2026", total_amount=100_000, phase=Phase.VOTING), "updated_at"
        )
        project = await insert_as_before(
            Project(
                budget_id=budget.id,
                title="Des arceaux",
                description=WRITTEN_ELSEWHERE,
                description_source=SOURCE,
                cost=4000,
            ),
            "sanitized_with",
            "latitude",  # budgets.0008
            "longitude",
            "updated_at",  # budgets.0009
            "version",  # budgets.0010
            "image_id",  # budgets.0011
        )
        await upgrade(old)
        again = await Project.get(id=project.id)
        assert again.sanitized_with == ALLOW_LIST_VERSION
        assert again.description == stored_again(WRITTEN_ELSEWHERE)
        assert "<script" not in again.description and "onerror" not in again.description
        assert again.description_source == SOURCE
