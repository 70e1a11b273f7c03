"""A moderation case made while staff move its proposals collection to another space ends in
the new space, whichever of the two commits first (issue #18), on PostgreSQL with real
concurrent connections.

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
from tests.conftest import create_user
from tests.participation.proposal_factories import make_proposal
from tests.proposals.factories import ideas_box

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
