"""A web ballot in one round trip to PostgreSQL (issues #16 and #23: ballots per second).

The ordinary cast takes two round trips: the session lookup (the person, their residency, the
budget, its envelopes: budgets.routes.BALLOT_PREFETCH), then the cast script. Here the ballot
page's own decision is reused instead of the lookup, and checked again inside the cast's
statements:

- When the ballot page (GET, or a POST that took the ordinary path) finds that the person may
  vote, it keeps in their session cookie (signed with SECRET_KEY: nobody else can make or
  change it) the budget, their census row, their district and the versions (`xmin`) of their
  residency and census rows, and a digest of the versions of the budget's, its space's and
  its envelopes' rows: `remember`. Each web process keeps, per budget whose projects
  are frozen (a ballot exists), the budget's row, envelopes and the versions of its rows.
- The POST takes the process's budget only when its versions are the note's (the page
  decided on that budget: its age, district and audience rules, which are not checked again
  here), then checks the choices in Python against those, seals the ballot, and sends
  `BEGIN; register; COMMIT; store` as today, each statement writing only if the session is
  one the lookup would accept (not expired, its person not blocked), its person's residency
  is the same row version with the same census row (not revoked, not expired), and the
  budget, its space and its envelopes are the row versions the decision was made on, with
  voting not closed.
- Anything else (no cookie note, no budget in this process, a choice refused, a row changed,
  a desk voter, the database answering "0 rows") sends nothing back: the request takes the
  ordinary path, which answers as it always did (and writes a fresh note). So this path only
  ever accepts what the ordinary one would, never refuses anything itself.

Nothing new is stored: the same register row and sealed ballot, in two transactions
(docs/security.md). The cookie note holds no ballot; only its holder's census row id and
district, which their own browser already shows them.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from tortoise import connections, timezone

from budgets import ballot_box, domain
from budgets.ballot_services import (
    DISTRICTS_VERSION_SQL,
    HEX_TOKEN,
    BallotContext,
    VotingState,
    ballot_token,
    new_receipt,
    projects_frozen,
    seal_ballot,
    voting_context,
    write_bytea,
)
from budgets.forms import ballot_fields
from budgets.models import Budget, Channel
from budgets.services import dates_of
from participation.accounts.services import session_write_guard, token_hash
from participation.db import log_statement
from participation.settings import Settings

NOTE_KEY = "cast"  # the session's note: [budget id, census row id, district, versions...]


def budget_digest(budget: str, space: str | None, districts: str | None) -> str:
    """The versions of the budget's, its space's and its envelopes' rows, short enough for the
    session cookie (the envelopes' alone grow with the districts)."""
    versions = f"{budget}|{space or ''}|{districts or ''}".encode()
    return hashlib.sha256(versions).hexdigest()[:16]


@dataclass(frozen=True)
class BudgetMemo:
    """What a process keeps of a budget whose projects are frozen, with its rows' versions."""

    budget: Budget
    context: BallotContext
    budget_version: str
    space_version: str | None
    districts_version: str | None

    digest: str  # budget_digest of the three versions: what a note must have decided on


_BUDGETS: dict[int, BudgetMemo] = {}
_MAX_BUDGETS = 100


async def remember(session: MutableMapping[str, Any], state: VotingState) -> None:
    """After the ballot page found that the person may vote: the note in their session (written
    only when it changes: the cookie is not sent again on every page) and the budget in this
    process, once its projects are frozen."""
    versions = state.versions
    if (
        versions is None  # SQLite, or not a verified resident
        or state.census_entry_id is None
        or state.budget.ballot_public_key is None  # clear ballots: the ordinary path
        or state.voter_method in domain.UNLINKED_METHODS  # decided on the census file's state
    ):
        if NOTE_KEY in session:
            del session[NOTE_KEY]
        return
    budget = state.budget
    # the budget's versions too: the page's decision (age, district, the space's audience)
    # holds for that budget only, whatever budget this process keeps later
    decided_on = budget_digest(versions.budget, versions.space, versions.districts)
    note = [
        budget.id,
        state.census_entry_id,
        state.voter.district,
        versions.voter,
        versions.census,
        decided_on,
    ]
    if session.get(NOTE_KEY) != note:
        session[NOTE_KEY] = note
    memo = _BUDGETS.get(budget.id)
    if memo is not None and memo.digest == decided_on:
        return
    if not projects_frozen(budget):
        return
    context = await voting_context(budget, state.district_rows)
    if budget.id not in _BUDGETS and len(_BUDGETS) >= _MAX_BUDGETS:
        del _BUDGETS[next(iter(_BUDGETS))]
    _BUDGETS[budget.id] = BudgetMemo(
        budget, context, versions.budget, versions.space, versions.districts, decided_on
    )


async def cast(
    settings: Settings,
    session: MutableMapping[str, Any],
    login_token: str,
    budget_id: int,
    form: Any,
) -> str | None:
    """The receipt of the ballot stored in one round trip; None: nothing was written, and the
    ordinary path must answer (see the module's docstring)."""
    note = session.get(NOTE_KEY)
    memo = _BUDGETS.get(budget_id)
    if memo is None or not isinstance(note, list) or len(note) != 6 or note[0] != budget_id:
        return None
    _, census_entry_id, district, voter_version, census_version, decided_on = note
    if decided_on != memo.digest:  # the page decided on another version of the budget
        return None
    submitted = ballot_fields(form)
    if submitted.get("action", "cast") != "cast":
        return None
    budget, context = memo.budget, memo.context
    choices, problems = domain.parse_choices(budget.ballot_kind, submitted)  # type: ignore[arg-type]
    if problems or domain.ballot_problems(
        context.rule, choices, context.projects, context.envelopes, district
    ):
        return None  # the ordinary path says why
    now = timezone.now()
    if not domain.voting_is_open(budget.phase, dates_of(budget), now):
        return None
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        return None
    receipt = new_receipt()
    sealed = seal_ballot(budget, choices, Channel.WEB, receipt, len(context.projects))
    token = ballot_token(settings, budget_id, int(census_entry_id))
    box = ballot_box.box_receipt(ballot_box.receipt_key(login_token, budget_id), receipt)
    script = fast_cast_script(
        FastCast(
            budget_id,
            int(census_entry_id),
            now,
            token_hash(login_token),
            str(voter_version),
            str(census_version),
            memo,
        ),
        token,
        sealed,
        box,
    )
    async with connection.acquire_connection() as raw:
        if raw.is_in_transaction():  # inside a caller's transaction: never here
            return None
        log_statement(FAST_CAST_SCRIPT)  # without its values
        if await raw.execute_prepared(fast_cast_prepare(), script) != "INSERT 0 1":
            return None
    return receipt


# --- the statements ----------------------------------------------------------------------

# Every condition of the ordinary path that may have changed since the ballot page decided, in
# SQL: {session} is participation.accounts.services.session_write_guard; the rest compares the
# versions the page decided on. Residency expiry, the session's and the vote's closing time
# are compared with the request's time, as the ordinary path does in Python.
_GUARD = (
    'EXISTS (SELECT 1 FROM "accounts_session" '
    'JOIN "budgets_residency" AS "fr" ON "fr"."user_id" = "accounts_session"."user_id" '
    'JOIN "budgets_census_entry" AS "fc" ON "fc"."id" = "fr"."census_entry_id" '
    'JOIN "budgets_budget" AS "vb" ON "vb"."id" = {budget} '
    'LEFT JOIN "spaces_space" AS "fs" ON "fs"."id" = "vb"."space_id" '
    'WHERE {session} AND "fr"."census_entry_id" = {person} '
    'AND "fr"."xmin"::text = {voter_version} AND "fc"."xmin"::text = {census_version} '
    'AND "fr"."revoked_at" IS NULL AND ("fr"."expires_at" IS NULL OR "fr"."expires_at" > {now}) '
    'AND "vb"."xmin"::text = {budget_version} '
    'AND "fs"."xmin"::text IS NOT DISTINCT FROM {space_version} '
    "AND {districts} IS NOT DISTINCT FROM {districts_version} "
    'AND ("vb"."voting_closes_at" IS NULL OR {now} < "vb"."voting_closes_at"))'
)


def _guard(first: int) -> str:
    """The guard with its parameters numbered from `first`: budget, person, session token
    hash, now, then the five versions."""
    names = (
        "budget",
        "person",
        "token_hash",
        "now",
        "voter_version",
        "census_version",
        "budget_version",
        "space_version",
        "districts_version",
    )
    marks = {name: f"${first + index}" for index, name in enumerate(names)}
    return _GUARD.format(
        session=session_write_guard(marks["token_hash"], marks["now"]),
        districts=DISTRICTS_VERSION_SQL.format(budget=marks["budget"]),
        **marks,
    )


_GUARD_TYPES = "integer, integer, character varying, timestamptz, text, text, text, text, text"


# As ballot_services.CAST_WEB_PREPARE (one register row in a transaction of its own, whose
# commit does not wait for the disk; then the sealed ballot, only next to a web register row),
# each statement guarded.
@cache  # built on first use: the guard asks the installed features (moderation's blocks)
def fast_cast_prepare() -> dict[str, str]:
    return {
        "budgets_register_fast": f"""PREPARE budgets_register_fast (date, {_GUARD_TYPES}) AS
WITH inserted AS (
    INSERT INTO "budgets_voter_register" ("budget_id", "census_entry_id", "channel", "voted_on")
    SELECT $2, $3, 'web', $1 WHERE {_guard(2)}
    ON CONFLICT ("budget_id", "census_entry_id") DO NOTHING
)
SELECT set_config('synchronous_commit', 'off', true)""",
        "budgets_store_fast": f"""PREPARE budgets_store_fast
    (uuid, character varying, bytea, bytea, {_GUARD_TYPES}) AS
INSERT INTO "budgets_sealed_ballot" ("id", "budget_id", "token", "sealed", "receipt_box")
SELECT $1, $5, $2, $3, $4
WHERE EXISTS (SELECT 1 FROM "budgets_voter_register"
    WHERE "budget_id" = $5 AND "census_entry_id" = $6 AND "channel" = 'web')
    AND {_guard(5)}
ON CONFLICT ("token") DO UPDATE SET "sealed" = excluded."sealed",
    "receipt_box" = excluded."receipt_box"
""",
    }


FAST_CAST_SCRIPT = (
    "BEGIN; EXECUTE budgets_register_fast('{day}', {guard}); COMMIT; "
    "EXECUTE budgets_store_fast('{id}', '{token}', {sealed}, {box}, {guard})"
)


@dataclass(frozen=True)
class FastCast:
    """The guard's values: who, when, and the versions the ballot page decided on."""

    budget_id: int
    census_entry_id: int
    now: datetime
    session_hash: str
    voter_version: str
    census_version: str
    memo: BudgetMemo


_VERSION = re.compile(r"[0-9]+")
_VERSIONS = re.compile(r"[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*")


def fast_cast_script(values: FastCast, token: str, sealed: bytes, box: bytes | None) -> str:
    """FAST_CAST_SCRIPT with its values as literals, each made from its type or checked to be
    digits (no quoting to get wrong: digits, ISO dates and times, a UUID, hex)."""
    memo = values.memo
    for version in (values.voter_version, values.census_version, memo.budget_version):
        if not _VERSION.fullmatch(version):
            raise ValueError("a row version is digits")
    if memo.space_version is not None and not _VERSION.fullmatch(memo.space_version):
        raise ValueError("a row version is digits")
    if memo.districts_version is not None and not _VERSIONS.fullmatch(memo.districts_version):
        raise ValueError("the envelopes' versions are id:version pairs")
    for hexadecimal in (token, values.session_hash):
        if not HEX_TOKEN.fullmatch(hexadecimal):
            raise ValueError("a token is 64 hex digits")
    guard = ", ".join(
        (
            str(int(values.budget_id)),
            str(int(values.census_entry_id)),
            f"'{values.session_hash}'",
            f"'{datetime.isoformat(values.now)}'",
            f"'{values.voter_version}'",
            f"'{values.census_version}'",
            f"'{memo.budget_version}'",
            "NULL" if memo.space_version is None else f"'{memo.space_version}'",
            "NULL" if memo.districts_version is None else f"'{memo.districts_version}'",
        )
    )
    return FAST_CAST_SCRIPT.format(
        day=date.isoformat(values.now.date()),
        guard=guard,
        id=uuid.uuid4(),
        token=token,
        sealed=write_bytea(sealed),
        box="NULL" if box is None else write_bytea(box),
    )
