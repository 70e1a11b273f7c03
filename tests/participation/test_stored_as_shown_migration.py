"""participation.0024 and budgets.0007 on databases holding amendments and budget projects
written before them, and consultations.0006, meetings.0007, budgets.0012 and participation.0034
on consultations, meetings, budgets and spaces, and consultations.0008 on the free-text answers
that staff review (issue #21, "stored as shown"): each row is
sanitised again, once, with what its page showed (`richtext.stored_again`: a script or an
event handler written by another path is gone), says the current allow-list, and keeps its
Markdown source for the edit forms (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tortoise import timezone

from budgets.models import Budget, Phase, Project
from consultations.models import Consultation, Question, QuestionKind, TextReview
from consultations.texts import text_digest
from meetings.domain import Format
from meetings.models import Meeting
from participation.contributions import ModerationState
from participation.proposals.models import Amendment, Proposal
from participation.richtext import ALLOW_LIST_VERSION, stored_again
from participation.spaces.models import Space
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
            Budget(title="Budget 2026", total_amount=100_000, phase=Phase.VOTING),
            "updated_at",
            "sanitized_with",  # budgets.0012
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


async def test_old_consultations_are_stored_as_shown(tmp_path: Path, redis_url: str) -> None:
    """consultations.0006: the context, the outcome's texts and the questions' decisions."""
    async with database_at(tmp_path, redis_url, "consultations.0005_updated_at") as old:
        consultation = await insert_as_before(
            Consultation(
                title="Le parc",
                context=WRITTEN_ELSEWHERE,
                outcome_heard="<p>Entendu</p>",
                outcome_decided=WRITTEN_ELSEWHERE,
            ),
            "sanitized_with",
        )
        question = await insert_as_before(
            Question(
                consultation_id=consultation.id,
                position=1,
                kind=QuestionKind.SHORT_TEXT,
                text="Pourquoi ?",
                decision=WRITTEN_ELSEWHERE,
            ),
            "sanitized_with",
        )
        await upgrade(old)
        again = await Consultation.get(id=consultation.id)
        assert again.sanitized_with == ALLOW_LIST_VERSION
        assert again.context == again.outcome_decided == stored_again(WRITTEN_ELSEWHERE)
        assert "<script" not in again.context and again.outcome_heard == "<p>Entendu</p>"
        decided = await Question.get(id=question.id)
        assert decided.sanitized_with == ALLOW_LIST_VERSION
        assert decided.decision == stored_again(WRITTEN_ELSEWHERE)


async def test_old_meetings_are_stored_as_shown(tmp_path: Path, redis_url: str) -> None:
    """meetings.0007: the description and the minutes."""
    async with database_at(tmp_path, redis_url, "meetings.0006_image") as old:
        start = timezone.now()
        meeting = await insert_as_before(
            Meeting(
                title="Réunion",
                description=WRITTEN_ELSEWHERE,
                minutes="<p>Compte rendu <strong>court</strong></p><script>x()</script>",
                format=Format.IN_PERSON,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
            ),
            "sanitized_with",
        )
        await upgrade(old)
        again = await Meeting.get(id=meeting.id)
        assert again.sanitized_with == ALLOW_LIST_VERSION
        assert again.description == stored_again(WRITTEN_ELSEWHERE)
        assert again.minutes == "<p>Compte rendu <strong>court</strong></p>x()"


async def test_old_budgets_are_stored_as_shown(tmp_path: Path, redis_url: str) -> None:
    """budgets.0012: a budget's description (its projects': budgets.0007, above)."""
    async with database_at(tmp_path, redis_url, "budgets.0011_pictures") as old:
        budget = await insert_as_before(
            Budget(title="Budget 2027", description=WRITTEN_ELSEWHERE, total_amount=100_000),
            "sanitized_with",
        )
        await upgrade(old)
        again = await Budget.get(id=budget.id)
        assert again.sanitized_with == ALLOW_LIST_VERSION
        assert again.description == stored_again(WRITTEN_ELSEWHERE)
        assert "onerror" not in again.description


async def test_old_spaces_are_stored_as_shown(tmp_path: Path, redis_url: str) -> None:
    """participation.0034: a participatory space's description."""
    async with database_at(tmp_path, redis_url, "participation.0033_space_pictures") as old:
        space = await insert_as_before(
            Space(
                title="Budget 2027",
                slug="budget-2027",
                description=WRITTEN_ELSEWHERE,
                starts_at=timezone.now(),
                ends_at=timezone.now() + timedelta(days=30),
            ),
            "sanitized_with",
        )
        await upgrade(old)
        again = await Space.get(id=space.id)
        assert again.sanitized_with == ALLOW_LIST_VERSION
        assert again.description == stored_again(WRITTEN_ELSEWHERE)


async def test_old_text_reviews_are_stored_as_shown(tmp_path: Path, redis_url: str) -> None:
    """consultations.0008: the free-text answers that staff review (`TextReview.text`), stored
    as the results show them, each keeping its digest (of the text as answered) and its state;
    the texts page then shows them without bleach."""
    async with database_at(tmp_path, redis_url, "consultations.0007_results_sanitized") as old:
        consultation = await insert_as_before(Consultation(title="Le parc"))
        question = await insert_as_before(
            Question(
                consultation_id=consultation.id,
                position=1,
                kind=QuestionKind.LONG_TEXT,
                text="Pourquoi ?",
            )
        )
        rows = [
            TextReview(
                question_id=question.id,
                text_digest=text_digest(text),
                text=text,
                moderation_state=state,
                created_on=date(2026, 3, 10),
            )
            for text, state in (
                (WRITTEN_ELSEWHERE, ModerationState.PENDING),
                ("<p>Plus d’ombre</p>", ModerationState.VISIBLE),
            )
        ]
        for row in rows:
            await insert_as_before(row, "sanitized_with")
        await upgrade(old)
        for row in rows:
            again = await TextReview.get(id=row.id)
            assert again.sanitized_with == ALLOW_LIST_VERSION
            assert again.text == stored_again(row.text)
            assert (again.text_digest, again.moderation_state) == (
                text_digest(row.text),
                row.moderation_state,
            )
        assert "<script" not in (await TextReview.get(id=rows[0].id)).text
