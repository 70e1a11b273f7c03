"""A moderation case made while staff move its proposals collection, its budget or its
consultation to another space ends in the new space, whichever of the two commits first
(issue #18), on PostgreSQL with real concurrent connections.

Each run pins one interleaving without sleeps: a third transaction holds a table that the
first of the two needs for its last write (LOCK TABLE ... IN EXCLUSIVE MODE: reads pass, writes
wait), so that one stays open with its other writes made; the second starts and runs until it
either ends or waits for a lock (the database says so in pg_stat_activity); then the table is
let go. Before the fix, the case kept the former space in every run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from tortoise import connections, timezone
from tortoise.transactions import in_transaction

from budgets import services as budgets
from budgets.models import Project
from consultations import services as consultations
from consultations.models import Consultation, TextReview
from consultations.models import Phase as ConsultationPhase
from meetings import services as meetings
from meetings.domain import MeetingForm
from moderation import services as moderation
from moderation.models import ModerationCase, Report
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.proposals import services as proposals
from participation.proposals.collections import services as collections
from participation.proposals.domain import ProposalState
from participation.proposals.models import ProposalEvent
from participation.settings import Settings
from participation.spaces.models import Space
from tests.budgets.factories import budget_taking_projects
from tests.conftest import create_user
from tests.consultations.factories import consultation_open
from tests.meetings.factories import meeting_next_week
from tests.participation.proposal_factories import make_proposal
from tests.proposals.factories import ideas_box
from tests.spaces.factories import space_open_with_a_vote

CANNOT_RACE = (
    "SQLite cannot hold the race: Tortoise runs each transaction on its one connection under "
    "a lock until it ends (and SQLite lets one writer at a time), so no case is made while "
    "the move's transaction is open, and there is no LOCK TABLE to pin an interleaving"
)


async def _waiting() -> int:
    """How many sessions of this database wait for a lock now."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return int(rows[0]["n"])


async def _until(done: Callable[[], Awaitable[bool]]) -> None:
    """Ask the database until `done` (each question is a round trip: no sleep)."""
    for _ in range(50_000):
        if await done():
            return
    raise AssertionError("the sessions never reached the expected state")


@asynccontextmanager
async def _held(model: Any) -> AsyncIterator[None]:
    """Another transaction holds `model`'s table against writes until the block ends."""
    locked, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with in_transaction() as connection:
            table = model._meta.db_table
            await connection.execute_script(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            locked.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await locked.wait()
    try:
        yield
    finally:
        release.set()
        await holder


async def _situation(settings: Settings, kind: str) -> tuple[Any, int, str, int, Any]:
    """A collection, what a case is made on (`kind`), the way it is made and the table that
    way writes after the case (the one held to keep it open), and the space to move to."""
    collection = await ideas_box(premoderated=True)
    there = await Space.create(
        title="Quartier du port", slug="port", starts_at=timezone.now(), published=True
    )
    author = await create_user(settings, "autrice@example.org")
    reporter = await create_user(settings, "voisin@example.org")
    if kind == "submission":  # a draft published in a pre-moderated collection: queued
        draft = await make_proposal(author, ProposalState.DRAFT, collection_id=collection.id)

        async def submit() -> None:
            await proposals.change_state(settings, draft, ProposalState.PUBLISHED, author)

        return collection, draft.id, "proposal", there.id, (submit, ProposalEvent)
    proposal = await make_proposal(author, collection_id=collection.id)
    target_id = proposal.id
    if kind == "comment":
        comment = await Comment.create(
            proposal_id=proposal.id, target_kind="proposal", target_id=proposal.id,
            author_id=author.id, body="<p>Un avis</p>", moderation_state=ModerationState.VISIBLE,
        )  # fmt: skip
        target_id = comment.id
    target_kind = "comment" if kind == "comment" else "proposal"

    async def report() -> None:
        await moderation.report(settings, reporter, target_kind, target_id, "spam", "")

    return collection, target_id, target_kind, there.id, (report, Report)


@pytest.mark.parametrize("kind", ["report", "comment", "submission"])
@pytest.mark.parametrize("first", ["move", "case"])
async def test_a_case_made_during_a_move_ends_in_the_new_space(
    app: Any, settings: Settings, admin: User, kind: str, first: str
) -> None:
    """`report`: a report on one of its proposals; `comment`: a report on a comment on one;
    `submission`: a proposal published under pre-moderation. `first`: whose transaction is
    held open while the other runs (the move's, or the case's)."""
    if settings.uses_sqlite:
        pytest.skip(CANNOT_RACE)
    collection, target_id, target_kind, there, (make_case, case_writes_after) = await _situation(
        settings, kind
    )

    async def move() -> None:
        await collections.move(collection.id, there, admin)

    # the move's last write is its audit entry; the case's, its report or the proposal's event
    held, second = (AuditLogEntry, make_case) if first == "move" else (case_writes_after, move)
    opener = move if first == "move" else make_case
    async with _held(held):
        opening = asyncio.create_task(opener())
        await _until(lambda: _at_least(1))  # it waits for the held table, the rest written
        following = asyncio.create_task(second())

        async def settled() -> bool:  # ended (no lock in its way) or waiting for one
            return following.done() or await _at_least(2)

        await _until(settled)
    await asyncio.gather(opening, following)
    case = await ModerationCase.get(target_kind=target_kind, target_id=target_id)
    assert case.space_id == there


async def _at_least(n: int) -> bool:
    return await _waiting() >= n


async def _component_situation(
    settings: Settings, admin: User, kind: str
) -> tuple[Callable[[], Awaitable[None]], str, int, int, Callable[[], Awaitable[None]]]:
    """A budget, a consultation or a meeting in a space, what is reported under it (`kind`),
    how staff move it to another space in its edit form's command, the report, and that
    space."""
    here = await space_open_with_a_vote()
    there = await space_open_with_a_vote(title="Quartier du port", slug="port")
    author = await create_user(settings, "autrice@example.org")
    reporter = await create_user(settings, "voisin@example.org")
    if kind.startswith("budget"):
        budget = await budget_taking_projects()
        budget.space_id = here.id
        await budget.save(update_fields=["space_id"])
        project = await Project.create(
            budget_id=budget.id, title="Une cale", description="<p>Au port.</p>", cost=1000,
            author=author, moderation_state=ModerationState.VISIBLE,
        )  # fmt: skip
        target_kind, target_id = "budget_project", project.id
        form = budgets.BudgetForm(
            title=budget.title, description=budget.description,
            total_amount=budget.total_amount, dates=budgets.dates_of(budget),
            rule=budgets.rule_of(budget), winner_rule=budget.winner_rule, space_id=there.id,
        )  # fmt: skip

        async def move() -> None:
            await budgets.save_budget(form, budget.id, admin)

    elif kind == "meeting_comment":
        meeting = await meeting_next_week(space_id=here.id)
        target_kind, target_id = "meeting", meeting.id
        meeting_form = MeetingForm(
            title=meeting.title, description=meeting.description, format=meeting.format,
            starts_at=meeting.starts_at, ends_at=meeting.ends_at, address=meeting.address,
            accessibility=meeting.accessibility, online_url=meeting.online_url,
            capacity=meeting.capacity, space_id=there.id,
        )  # fmt: skip

        async def move() -> None:
            await meetings.update_meeting(settings, meeting.id, meeting_form, admin)

    else:
        consultation, questions = await consultation_open()
        await Consultation.filter(id=consultation.id).update(
            space_id=here.id, phase=ConsultationPhase.CLOSED, outcome_published_at=timezone.now()
        )
        review = await TextReview.create(
            question_id=questions["short"].id, text_digest="0" * 64, text="Des bancs",
            moderation_state=ModerationState.VISIBLE, created_on=timezone.now().date(),
        )  # fmt: skip
        target_kind, target_id = (
            ("consultation_answer", review.id)
            if kind == "answer"
            else ("consultation_outcome", consultation.id)
        )
        consultation_form = consultations.ConsultationForm(
            title=consultation.title, closes_at=consultation.closes_at, space_id=there.id
        )

        async def move() -> None:
            await consultations.save_consultation(consultation_form, consultation.id, admin)

    if kind in ("budget_comment", "outcome_comment", "meeting_comment"):
        comment = await Comment.create(
            target_kind=target_kind, target_id=target_id, author_id=author.id,
            body="<p>Un avis</p>", moderation_state=ModerationState.VISIBLE,
        )  # fmt: skip
        target_kind, target_id = "comment", comment.id

    async def report() -> None:
        await moderation.report(settings, reporter, target_kind, target_id, "spam", "")

    return move, target_kind, target_id, there.id, report


@pytest.mark.parametrize(
    "kind", ["budget_project", "budget_comment", "answer", "outcome_comment", "meeting_comment"]
)
@pytest.mark.parametrize("first", ["move", "case"])
async def test_a_case_made_while_its_budget_consultation_or_meeting_moves_ends_in_the_new_space(
    app: Any, settings: Settings, admin: User, kind: str, first: str
) -> None:
    """A report on a budget's project, on a comment on one, on a consultation's free-text
    answer, on a comment on its outcome or on a meeting, made while staff save the budget,
    consultation or meeting with another space (its row locked first, the lock that the
    kinds' `spaces_of` read the space with)."""
    if settings.uses_sqlite:
        pytest.skip(CANNOT_RACE)
    move, target_kind, target_id, there, report = await _component_situation(settings, admin, kind)
    held, second = (AuditLogEntry, report) if first == "move" else (Report, move)
    opener = move if first == "move" else report
    async with _held(held):
        opening = asyncio.create_task(opener())
        await _until(lambda: _at_least(1))
        following = asyncio.create_task(second())

        async def settled() -> bool:
            return following.done() or await _at_least(2)

        await _until(settled)
    await asyncio.gather(opening, following)
    case = await ModerationCase.get(target_kind=target_kind, target_id=target_id)
    assert case.space_id == there
