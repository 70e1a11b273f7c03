"""Ballot commands: the ballot context, casting a ballot (sealed or, for budgets whose vote
opened before sealed ballots, clear), voting state, receipts and the paper desk.

Identity rows (the voter register) and ballot rows are never written by one statement or
one transaction (docs/security.md); one ballot per keyed token is a UNIQUE constraint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from tortoise import connections, timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from budgets import ballot_box, domain, urn
from budgets.models import (
    Ballot,
    Budget,
    BudgetDistrict,
    Channel,
    Feasibility,
    Project,
    SealedBallot,
    VoterRegister,
)
from budgets.services import dates_of, rule_of
from participation import refusals
from participation.accounts.models import User
from participation.accounts.services import SessionJoin
from participation.audit import audit
from participation.contributions import ModerationState
from participation.db import database_dialect, fetch_rows, log_statement
from participation.i18n import N_
from participation.refusals import Refused, refuse
from participation.residents import services as residents
from participation.residents.models import CensusEntry, Residency
from participation.settings import Settings
from participation.spaces.audience import rule_of_columns
from participation.spaces.domain import AudienceRule


def ballot_token(settings: Settings, budget_id: int, census_entry_id: int) -> str:
    """Finds a person's ballot again (to change it); only a holder of SECRET_KEY can compute it."""
    message = f"ballot|{budget_id}|{census_entry_id}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def new_receipt() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: no 0/O, 1/I
    # one read of the system's random source (secrets.choice read it twice per character);
    # 256 is a multiple of 32, so every symbol stays equally likely
    code = "".join(alphabet[byte % 32] for byte in secrets.token_bytes(12))
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


@dataclass(frozen=True)
class BallotContext:
    rule: domain.BallotRule
    projects: dict[int, domain.BallotProject]
    envelopes: dict[str | None, int]


ProjectRow = tuple[int, int, int | None, int | None]  # id, cost, adjusted cost, district id


DistrictRow = tuple[int, str, int]  # id, name, amount


async def ballot_context(
    budget: Budget,
    project_rows: list[ProjectRow] | None = None,
    district_rows: list[DistrictRow] | None = None,
) -> BallotContext:
    # plain rows, not model instances: this runs on every ballot
    districts = (
        district_rows
        if district_rows is not None
        else await BudgetDistrict.filter(budget_id=budget.id).values_list("id", "name", "amount")
    )
    names = {district_id: name for district_id, name, _ in districts}
    rows = project_rows if project_rows is not None else await _project_rows(budget.id)
    projects = {
        project_id: domain.BallotProject(
            project_id,
            adjusted if adjusted is not None else cost,
            names.get(district_id or 0),
        )
        for project_id, cost, adjusted, district_id in rows
    }
    envelopes: dict[str | None, int] = {name: amount for _, name, amount in districts}
    envelopes[None] = budget.total_amount - sum(amount for _, _, amount in districts)
    return BallotContext(rule_of(budget), projects, envelopes)


async def _project_rows(budget_id: int) -> list[ProjectRow]:
    # feasible and let through by moderation (both frozen from the opening of the vote)
    rows = await Project.filter(
        budget_id=budget_id,
        feasibility=Feasibility.FEASIBLE,
        moderation_state=ModerationState.VISIBLE,
    ).values_list("id", "cost", "adjusted_cost", "district_id")
    return [tuple(row) for row in rows]  # type: ignore[misc]


# Once a budget has a ballot, its feasible projects and their costs can no longer change
# (review_project refuses), so each web process keeps them: one query fewer per ballot. The
# envelopes are read every time (staff may still change the amounts), and so is the rule (the
# budget row). Keyed by creation time too: a test database reuses ids.
_FROZEN_PROJECTS: dict[tuple[int, object], list[ProjectRow]] = {}


# The context built from frozen projects, for each rule, budget amount and envelopes (~60 µs
# to build for 30 projects); nothing changes a BallotContext once built.
_CONTEXTS: dict[tuple[Any, ...], BallotContext] = {}
_CACHED_BUDGETS = 100


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Keep `value`, forgetting the oldest entry beyond `_CACHED_BUDGETS` (never all at once:
    a budget being voted on stays cached while older ones come and go)."""
    if key not in cache and len(cache) >= _CACHED_BUDGETS:
        del cache[next(iter(cache))]
    cache[key] = value


async def voting_context(
    budget: Budget, district_rows: list[DistrictRow] | None = None
) -> BallotContext:
    frozen = _FROZEN_PROJECTS.get((budget.id, budget.created_at))
    if frozen is None or district_rows is None:
        return await ballot_context(budget, frozen, district_rows)
    key = (budget.id, budget.created_at, budget.total_amount, rule_of(budget), *district_rows)
    context = _CONTEXTS.get(key)
    if context is None:
        context = await ballot_context(budget, frozen, district_rows)
        _remember(_CONTEXTS, key, context)
    return context


@dataclass(frozen=True)
class VotingState:
    """What the ballot page needs to know before anything else, read in one query."""

    budget: Budget
    voter: domain.Voter
    census_entry_id: int | None  # None: the account is not verified as a resident
    district_rows: list[DistrictRow]
    audience: AudienceRule | None = None  # the budget's space's rule (None: no space)
    voter_method: str | None = None  # how the voter was verified
    versions: RowVersions | None = None  # PostgreSQL, a verified voter: budgets/fast_cast.py


@dataclass(frozen=True)
class RowVersions:
    """What a one-statement cast checks is unchanged since the ballot page decided (PostgreSQL's
    `xmin` of each row, which any UPDATE changes: budgets/fast_cast.py): the voter's residency
    and census rows, the budget's row, its space's (None: no space) and its envelopes' rows."""

    voter: str
    census: str
    budget: str
    space: str | None
    districts: str | None


# The budget, the person's residency and census district, and the budget's districts (one row
# each, or one row of NULLs): plain SQL joined to the user "u", $2 being the budget id. The
# session lookup takes it along on the ballot's address (budgets.routes.BALLOT_PREFETCH): the
# ballot page and a cast ballot read everything they need in one round trip.
_BUDGET_COLUMNS = tuple(f"vb__{name}" for name in sorted(Budget._meta.db_fields - {"description"}))
_BUDGETS: dict[tuple[Any, ...], Budget] = {}
_BORN = Residency._meta.fields_map["birth_date"]
_EXPIRES = Residency._meta.fields_map["expires_at"]


# The budget's envelopes come as one JSON array in the person's row, not as one row each: the
# session lookup's per-person subqueries would run once per row, and the person and the budget
# would be sent and decoded once per envelope (~35 µs of CPU a ballot, web and database). The
# two databases spell the same JSON functions differently.
_ENVELOPES_SQL = (
    '(SELECT {aggregate}({array}("vd"."id", "vd"."name", "vd"."amount")) '
    'FROM "budgets_district" AS "vd" WHERE "vd"."budget_id" = "vb"."id") AS "envelopes"'
)


# The versions of the rows a ballot page's decision rests on (RowVersions), PostgreSQL only;
# the envelopes' as one text (their ids and versions in order: any insert, update or delete
# changes it). budgets/fast_cast.py compares the same expressions in its statement.
DISTRICTS_VERSION_SQL = (
    """(SELECT string_agg("vd"."id" || ':' || "vd"."xmin"::text, ',' ORDER BY "vd"."id") """
    'FROM "budgets_district" AS "vd" WHERE "vd"."budget_id" = {budget})'
)
_VERSIONS_SQL = (
    '"vr"."xmin"::text AS "voter_row_version", "vc"."xmin"::text AS "census_row_version", '
    '"vb"."xmin"::text AS "budget_row_version", "vs"."xmin"::text AS "space_row_version", '
    + DISTRICTS_VERSION_SQL.format(budget='"vb"."id"')
    + ' AS "districts_version", '
)
_NO_VERSIONS_SQL = (
    'NULL AS "voter_row_version", NULL AS "census_row_version", NULL AS "budget_row_version", '
    'NULL AS "space_row_version", NULL AS "districts_version", '
)


def _voting_join() -> SessionJoin:
    # every column but the description (long HTML, not on the ballot pages): a partial model
    budget_columns = ", ".join(f'"vb"."{name[4:]}" AS "{name}"' for name in _BUDGET_COLUMNS)
    columns = (
        f'{budget_columns}, "vr"."census_entry_id" AS "voter_census_entry_id", '
        '"vr"."birth_date" AS "voter_birth_date", "vc"."district" AS "voter_district", '
        '"vr"."revoked_at" AS "voter_revoked_at", "vr"."expires_at" AS "voter_expires_at", '
        '"vr"."method" AS "voter_method", "vs"."audience" AS "space_audience", '
        '"vs"."minimum_age" AS "space_minimum_age", "vs"."districts" AS "space_districts", '
        '"vs"."methods" AS "space_methods", '
    )
    return SessionJoin(
        columns=columns
        + _VERSIONS_SQL
        + _ENVELOPES_SQL.format(aggregate="json_agg", array="json_build_array"),
        sqlite_columns=columns
        + _NO_VERSIONS_SQL
        + _ENVELOPES_SQL.format(aggregate="json_group_array", array="json_array"),
        joins=(
            'LEFT JOIN "budgets_budget" AS "vb" ON "vb"."id" = $2 '
            'LEFT JOIN "budgets_residency" AS "vr" ON "vr"."user_id" = "u"."id" '
            'LEFT JOIN "budgets_census_entry" AS "vc" ON "vc"."id" = "vr"."census_entry_id" '
            # the space's audience rule (issue #19): one more row by primary key, same query
            'LEFT JOIN "spaces_space" AS "vs" ON "vs"."id" = "vb"."space_id"'
        ),
    )


VOTING_JOIN = _voting_join()


@cache
def _voting_state_sql(dialect: str) -> str:
    columns = VOTING_JOIN.columns_for(dialect)
    return f'SELECT {columns} FROM "accounts_user" AS "u" {VOTING_JOIN.joins} WHERE "u"."id" = $1'


async def voting_state(budget_id: int, user_id: int) -> VotingState | None:
    """The budget (None if there is none), the person as a voter and the envelopes, in one
    query (when the session lookup has not read them already: `voting_state_of`)."""
    sql = _voting_state_sql(database_dialect())
    return voting_state_of(await fetch_rows(sql, [user_id, budget_id]))


def voting_state_of(rows: list[dict[str, Any]]) -> VotingState | None:
    """The rows of VOTING_JOIN as a VotingState; None when the budget does not exist."""
    if not rows or rows[0]["vb__id"] is None:
        return None
    first = rows[0]
    # the same columns give the same Budget: built once per process for each version of the
    # row (a partial model costs ~50 µs to build); read-only for the ballot pages
    values = tuple(first[name] for name in _BUDGET_COLUMNS)
    budget = _BUDGETS.get(values)
    if budget is None:
        if len(_BUDGETS) >= 100:
            _BUDGETS.clear()
        budget = _BUDGETS[values] = Budget._init_from_db(
            **{name[4:]: value for name, value in zip(_BUDGET_COLUMNS, values, strict=True)}
        )
    census_entry_id = first["voter_census_entry_id"]
    if census_entry_id is not None and (
        first["voter_revoked_at"] is not None
        or (
            first["voter_expires_at"] is not None
            and _EXPIRES.to_python_value(first["voter_expires_at"]) <= timezone.now()
        )
    ):
        census_entry_id = None  # a revoked or expired record: not verified (one row, no query)
    if census_entry_id is None:
        voter = domain.Voter(verified=False)
    else:
        born = _BORN.to_python_value(first["voter_birth_date"])
        voter = domain.Voter(True, born, first["voter_district"])
    districts = sorted(
        (district_id, name, int(amount))
        for district_id, name, amount in json.loads(first["envelopes"] or "[]")
    )
    audience = rule_of_columns(
        first["space_audience"],
        first["space_minimum_age"],
        first["space_districts"],
        first["space_methods"],
    )
    method = first["voter_method"] if census_entry_id is not None else None
    versions = None
    if census_entry_id is not None and first["voter_row_version"] is not None:
        versions = RowVersions(
            first["voter_row_version"],
            first["census_row_version"],
            first["budget_row_version"],
            first["space_row_version"],
            first["districts_version"],
        )
    return VotingState(budget, voter, census_entry_id, districts, audience, method, versions)


def projects_frozen(budget: Budget) -> bool:
    """Whether this process keeps the budget's frozen projects (a ballot was stored here)."""
    return (budget.id, budget.created_at) in _FROZEN_PROJECTS


async def _freeze(budget: Budget) -> None:
    key = (budget.id, budget.created_at)
    if key in _FROZEN_PROJECTS:
        return
    # read again after our ballot is committed: a review that committed between our first read
    # and our ballot is in it, and none can commit after (it would see the ballot)
    _remember(_FROZEN_PROJECTS, key, await _project_rows(budget.id))


async def cast_ballot(
    settings: Settings,
    budget_id: int,
    census_entry: CensusEntry | int,
    voter: domain.Voter,
    choices: dict[int, int],
    channel: Channel = Channel.WEB,
    budget: Budget | None = None,
    recorded_by: User | None = None,
    district_rows: list[DistrictRow] | None = None,
    receipt_key: bytes | None = None,
) -> str:
    """Record or replace a person's ballot; returns the new receipt code.

    A budget with a ballot box key (every budget whose vote opened since sealed ballots exist)
    stores the ballot sealed (`_cast_sealed`): who voted and the ciphertext are written by two
    separate statements, never one transaction. A budget whose vote opened before keeps its
    clear ballots to the end (`_cast_clear`, docs/security.md).

    `district_rows` (id, name, amount) are the budget's envelopes when the caller has already
    read them (`voting_state`); `receipt_key` (from the voter's session) encrypts the receipt
    kept next to the sealed ballot, for the receipt page.
    """
    census_entry_id = census_entry if isinstance(census_entry, int) else census_entry.id
    if budget is None or budget.id != budget_id:
        budget = await Budget.get(id=budget_id)
    now = timezone.now()
    if not domain.voting_is_open(budget.phase, dates_of(budget), now):
        raise refuse(N_("Voting is closed for this budget."))
    if problem := domain.eligibility_problem(
        voter, budget.minimum_age, budget.restricted_to_district, now.date()
    ):
        raise Refused([problem])
    context = await voting_context(budget, district_rows)
    problems = domain.ballot_problems(
        context.rule, choices, context.projects, context.envelopes, voter.district
    )
    if problems:
        raise Refused(problems)
    receipt = new_receipt()
    if budget.ballot_public_key is not None:
        await _cast_sealed(
            settings,
            budget,
            census_entry_id,
            voter,
            choices,
            channel,
            receipt,
            now,
            len(context.projects),
            recorded_by,
            receipt_key,
        )
    else:
        await _cast_clear(
            settings,
            budget_id,
            census_entry_id,
            voter,
            choices,
            channel,
            receipt,
            now,
            recorded_by,
        )
    await _freeze(budget)  # a ballot is stored: the context cannot change any more
    return receipt


# --- sealed ballots (budgets/urn.py, budgets/ballot_box.py) ----------------------------------

# The register row, in a statement (a transaction) of its own; with the channel of the row
# that was already there, if any (NULL when a concurrent first ballot of the same person
# committed after this statement began: the caller reads it again).
# Its commit does not wait for the disk (`synchronous_commit` off for this transaction only):
# the sealed ballot's commit, which always follows and does wait, flushes the log up to itself,
# so up to the register row's commit written before it. An acknowledged ballot has both on
# disk, as before; a server crash between the two can lose the register row with the ballot
# (nothing acknowledged). One wait for the disk per first ballot instead of two.
REGISTER_SQL = """
WITH inserted AS (
    INSERT INTO "budgets_voter_register" ("budget_id", "census_entry_id", "channel", "voted_on")
    VALUES ($1, $2, $3, $4)
    ON CONFLICT ("budget_id", "census_entry_id") DO NOTHING
    RETURNING 1
)
SELECT set_config('synchronous_commit', 'off', true) AS "commit",
    (SELECT COUNT(*) FROM inserted) AS "new",
    (SELECT "channel" FROM "budgets_voter_register"
     WHERE "budget_id" = $1 AND "census_entry_id" = $2) AS "existing"
"""

# The ciphertext, in a statement of its own: a first ballot, a changed one (same token), or a
# retry after a failure between the two statements.
STORE_SEALED_SQL = """
INSERT INTO "budgets_sealed_ballot" ("id", "budget_id", "token", "sealed", "receipt_box")
VALUES ({marks})
ON CONFLICT ("token") DO UPDATE SET "sealed" = excluded."sealed",
    "receipt_box" = excluded."receipt_box"
"""
STORE_SEALED_POSTGRES = STORE_SEALED_SQL.format(marks="$1, $2, $3, $4, $5")
STORE_SEALED_SQLITE = STORE_SEALED_SQL.format(marks="?, ?, ?, ?, ?")


def paper_token(settings: Settings, budget_id: int, census_entry_id: int) -> str:
    """A paper ballot's key before the count: not the web token, so it cannot be changed
    online; it lets staff retry a desk ballot whose ciphertext failed to be written."""
    message = f"paper|{budget_id}|{census_entry_id}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


async def _register(
    budget_id: int, census_entry_id: int, channel: Channel, today: date
) -> Channel | None:
    """Write the register row; the channel of the one already there (None: a new row)."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        _, rows = await connection.execute_query(
            REGISTER_SQL, [budget_id, census_entry_id, channel.value, today]
        )
        if rows[0]["new"]:
            return None
        if rows[0]["existing"] is not None:
            return Channel(rows[0]["existing"])
    else:
        try:
            await VoterRegister.create(
                budget_id=budget_id,
                census_entry_id=census_entry_id,
                channel=channel,
                voted_on=today,
            )
            return None
        except IntegrityError:
            pass
    existing = await VoterRegister.get(budget_id=budget_id, census_entry_id=census_entry_id)
    return existing.channel


def seal_ballot(
    budget: Budget, choices: dict[int, int], channel: Channel, receipt: str, project_count: int
) -> bytes:
    """The ballot as stored: its receipt, channel and choices sealed with the budget's ballot
    box key, padded to the size of a ballot of every project (urn.padded_size)."""
    assert budget.ballot_public_key is not None
    content = urn.BallotContent(
        receipt, channel.value, json.dumps({str(k): v for k, v in sorted(choices.items())})
    )
    return urn.seal(budget.ballot_public_key, content, urn.padded_size(project_count))


async def _cast_sealed(
    settings: Settings,
    budget: Budget,
    census_entry_id: int,
    voter: domain.Voter,
    choices: dict[int, int],
    channel: Channel,
    receipt: str,
    now: datetime,
    project_count: int,
    recorded_by: User | None,
    receipt_key: bytes | None,
) -> None:
    """Register first, then the ciphertext keyed by the voter's token, each in its own
    transaction. A failure between the two leaves a register row and no ballot: the retry
    passes the register (already there, same channel) and stores the ciphertext. One person
    keeps one ballot (one token), and nothing acknowledged is lost (both written first)."""
    sealed = seal_ballot(budget, choices, channel, receipt, project_count)
    if channel == Channel.WEB:
        token = ballot_token(settings, budget.id, census_entry_id)
    else:
        token = paper_token(settings, budget.id, census_entry_id)
    today = now.date()
    box = ballot_box.box_receipt(receipt_key, receipt) if channel == Channel.WEB else None
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    if postgres and recorded_by is None and channel == Channel.WEB:
        # the hot path: both transactions in one round trip (CAST_WEB_SCRIPT); never inside a
        # caller's transaction, which its COMMIT would end (the two-step path below then)
        async with connection.acquire_connection() as raw:
            pipelined = not raw.is_in_transaction()
            if pipelined:
                log_statement(CAST_WEB_SCRIPT)  # without its values
                script = cast_web_script(budget.id, census_entry_id, today, token, sealed, box)
                if await raw.execute_prepared(CAST_WEB_PREPARE, script) == "INSERT 0 1":
                    return
                existing = await raw.fetchval(REGISTER_CHANNEL_SQL, budget.id, census_entry_id)
        if pipelined:
            # not stored: the person voted at a desk (refused here), or their register row
            # went away in between (erased with their census entry): the two-step path below
            _refuse_second_ballot(channel, Channel(existing) if existing else None, False)
    if postgres and recorded_by is None:
        # both statements on one pooled connection, each its own transaction
        async with connection.acquire_connection() as raw:
            log_statement(REGISTER_SQL)
            row = await raw.fetchrow(REGISTER_SQL, budget.id, census_entry_id, channel.value, today)
            existing = None if row["new"] else row["existing"]
            if not row["new"] and existing is None:  # a concurrent first ballot, just committed
                existing = await raw.fetchval(REGISTER_CHANNEL_SQL, budget.id, census_entry_id)
            stored = channel == Channel.PAPER and existing is not None
            if stored:
                stored = await raw.fetchval(SEALED_EXISTS_SQL, token)
            _refuse_second_ballot(channel, Channel(existing) if existing else None, stored)
            log_statement(STORE_SEALED_POSTGRES)
            await raw.execute(STORE_SEALED_POSTGRES, uuid.uuid4(), budget.id, token, sealed, box)
        return
    if recorded_by is not None:
        async with in_transaction():  # who recorded a desk ballot, never its content
            registered = await _register(budget.id, census_entry_id, channel, today)
            if registered is None:
                await audit(recorded_by, "budget_paper_ballot", "budget", budget.id)
    else:
        registered = await _register(budget.id, census_entry_id, channel, today)
    stored = (
        registered is not None
        and channel == Channel.PAPER
        and await SealedBallot.filter(token=token).exists()
    )
    _refuse_second_ballot(channel, registered, stored)
    await connection.execute_query(
        STORE_SEALED_POSTGRES if postgres else STORE_SEALED_SQLITE,
        [uuid.uuid4() if postgres else str(uuid.uuid4()), budget.id, token, sealed, box],
    )


REGISTER_CHANNEL_SQL = (
    'SELECT "channel" FROM "budgets_voter_register" WHERE "budget_id" = $1 '
    'AND "census_entry_id" = $2'
)
SEALED_EXISTS_SQL = 'SELECT EXISTS (SELECT 1 FROM "budgets_sealed_ballot" WHERE "token" = $1)'

# A web ballot on PostgreSQL: the register row and the sealed ballot in ONE round trip, still
# TWO transactions (never one: docs/security.md). One simple-query message, `BEGIN; register;
# COMMIT; store`: PostgreSQL commits the register's transaction at its COMMIT, then runs the
# store in an implicit transaction of its own, committed at the end of the message (a failure
# of the store leaves the register row committed, as a failure between two round trips did).
# asyncpg cannot send two parameterised statements in one round trip, so both are prepared
# once per connection (`PooledConnection.execute_prepared`) and EXECUTEd with literal values,
# all made here from typed values (integers, a date, a UUID, a hex token, bytes as hex):
# nothing a person typed. The store only writes when the register row it follows is a web one
# (the register is read, never written, in the ballot's transaction): a person who voted at a
# desk gets no web ballot, "INSERT 0 0", and is refused. The register's commit does not wait
# for the disk (REGISTER_SQL explains why the ballot's commit covers it).
CAST_WEB_PREPARE = {
    "budgets_register_web": """PREPARE budgets_register_web (integer, integer, date) AS
WITH inserted AS (
    INSERT INTO "budgets_voter_register" ("budget_id", "census_entry_id", "channel", "voted_on")
    VALUES ($1, $2, 'web', $3)
    ON CONFLICT ("budget_id", "census_entry_id") DO NOTHING
)
SELECT set_config('synchronous_commit', 'off', true)""",
    "budgets_store_web": """PREPARE budgets_store_web
    (uuid, integer, character varying, bytea, bytea, integer) AS
INSERT INTO "budgets_sealed_ballot" ("id", "budget_id", "token", "sealed", "receipt_box")
SELECT $1, $2, $3, $4, $5
WHERE EXISTS (SELECT 1 FROM "budgets_voter_register"
    WHERE "budget_id" = $2 AND "census_entry_id" = $6 AND "channel" = 'web')
ON CONFLICT ("token") DO UPDATE SET "sealed" = excluded."sealed",
    "receipt_box" = excluded."receipt_box"
""",
}
CAST_WEB_SCRIPT = (
    "BEGIN; EXECUTE budgets_register_web({budget}, {person}, '{day}'); COMMIT; "
    "EXECUTE budgets_store_web('{id}', {budget}, '{token}', {sealed}, {box}, {person})"
)
HEX_TOKEN = re.compile(r"[0-9a-f]{64}")


def cast_web_script(
    budget_id: int, census_entry_id: int, day: date, token: str, sealed: bytes, box: bytes | None
) -> str:
    """CAST_WEB_SCRIPT with its values as literals, each made from its type (no quoting to get
    wrong: digits, an ISO date, a UUID, hex)."""
    if not HEX_TOKEN.fullmatch(token):
        raise ValueError("a voter token is 64 hex digits")
    return CAST_WEB_SCRIPT.format(
        budget=int(budget_id),
        person=int(census_entry_id),
        day=date.isoformat(day),
        id=uuid.uuid4(),
        token=token,
        sealed=write_bytea(sealed),
        box="NULL" if box is None else write_bytea(box),
    )


def write_bytea(value: bytes) -> str:
    return f"decode('{bytes(value).hex()}', 'hex')"


def _refuse_second_ballot(channel: Channel, registered: Channel | None, stored: bool) -> None:
    """A person already in the register through the other channel, or a paper ballot already
    stored, is refused; a web voter already registered replaces their ballot (or stores it, if
    a failure between the two writes lost it); so does a desk retry after such a failure."""
    if registered is not None and registered != channel:
        if channel == Channel.PAPER:
            raise refuse(N_("This resident has already voted."))
        raise refuse(N_("You have already voted at a town-hall desk."))
    if stored:
        raise refuse(N_("This resident has already voted."))


async def held_receipt(
    settings: Settings, budget_id: int, census_entry_id: int, receipt_key: bytes | None
) -> str | None:
    """The receipt of the person's stored ballot, when their session holds its key (sealed
    ballots), or from the clear ballot (budgets whose vote opened before sealed ballots)."""
    token = ballot_token(settings, budget_id, census_entry_id)
    # one plain statement for both (the receipt page, on every visit: issue #23), the sealed
    # ballot first
    rows = await fetch_rows(HELD_RECEIPT_SQL, [token])
    if not rows:
        return None
    if rows[0]["sealed"]:
        return ballot_box.unbox_receipt(receipt_key, rows[0]["receipt_box"])
    return rows[0]["receipt"]  # type: ignore[no-any-return]


HELD_RECEIPT_SQL = (
    'SELECT 1 AS "sealed", "receipt_box", NULL AS "receipt" FROM "budgets_sealed_ballot" '
    'WHERE "token" = $1 '
    'UNION ALL SELECT 0, NULL, "receipt" FROM "budgets_ballot" WHERE "token" = $1 '
    'ORDER BY "sealed" DESC'
)


# --- clear ballots (budgets whose vote opened before sealed ballots) -------------------------


async def _cast_clear(
    settings: Settings,
    budget_id: int,
    census_entry_id: int,
    voter: domain.Voter,
    choices: dict[int, int],
    channel: Channel,
    receipt: str,
    now: datetime,
    recorded_by: User | None,
) -> None:
    """The clear path, kept for the votes that opened before sealed ballots existed (no key):
    register row and ballot together (one statement on PostgreSQL, one transaction on SQLite);
    if the person already voted (UNIQUE register row), replace the ballot found by its keyed
    token (one UPDATE)."""
    token = ballot_token(settings, budget_id, census_entry_id)
    content = json.dumps({str(k): v for k, v in sorted(choices.items())})
    ballot = Ballot(
        id=uuid.uuid4(),
        budget_id=budget_id,
        token=token if channel == Channel.WEB else None,  # a paper ballot cannot be changed online
        receipt=receipt,
        district=voter.district,
        channel=channel,
        choices=content,
        cast_on=now.date(),
    )
    try:
        if channel == Channel.WEB:
            if await _cast_or_change(budget_id, census_entry_id, ballot, now):
                return
        if recorded_by is None:
            await _register_and_store(budget_id, census_entry_id, ballot, now)
        else:
            async with in_transaction():  # a paper ballot: who recorded it, never its content
                await _register_and_store(budget_id, census_entry_id, ballot, now)
                await audit(recorded_by, "budget_paper_ballot", "budget", budget_id)
    except IntegrityError:
        if channel == Channel.PAPER:
            raise refuse(N_("This resident has already voted.")) from None
        # one statement: atomic on its own
        updated = await Ballot.filter(token=token, budget_id=budget_id).update(
            choices=content, receipt=receipt, cast_on=now.date()
        )
        if not updated:  # voted on paper: that ballot cannot be changed online
            raise refuse(N_("You have already voted at a town-hall desk.")) from None


# PostgreSQL: the register row and the ballot in one statement, which is one transaction (the
# UNIQUE register row failing fails the ballot too) and one round trip instead of four.
REGISTER_AND_STORE_SQL = """
WITH registered AS (
    INSERT INTO "budgets_voter_register" ("budget_id", "census_entry_id", "channel", "voted_on")
    VALUES ($1, $2, $3, $4) RETURNING "budget_id"
)
INSERT INTO "budgets_ballot"
    ("id", "budget_id", "token", "receipt", "district", "channel", "choices", "cast_on")
SELECT $5, "budget_id", $6, $7, $8, $3, $9, $10 FROM registered
"""


# PostgreSQL, a web ballot: the first one (register row + ballot) or a changed one (the ballot
# found by its token, only when the register row already exists), in one statement.
CAST_OR_CHANGE_SQL = """
WITH registered AS (
    INSERT INTO "budgets_voter_register" ("budget_id", "census_entry_id", "channel", "voted_on")
    VALUES ($1, $2, $3, $4)
    ON CONFLICT ("budget_id", "census_entry_id") DO NOTHING
    RETURNING "budget_id"
), stored AS (
    INSERT INTO "budgets_ballot"
        ("id", "budget_id", "token", "receipt", "district", "channel", "choices", "cast_on")
    SELECT $5, "budget_id", $6, $7, $8, $3, $9, $10 FROM registered
    RETURNING 1
), changed AS (
    UPDATE "budgets_ballot" SET "choices" = $9, "receipt" = $7, "cast_on" = $10
    WHERE "token" = $6 AND "budget_id" = $1 AND NOT EXISTS (SELECT 1 FROM registered)
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM stored) + (SELECT COUNT(*) FROM changed) AS "done"
"""


def _ballot_parameters(
    budget_id: int, census_entry_id: int, ballot: Ballot, now: datetime
) -> list[Any]:
    """$1 to $10 of CAST_OR_CHANGE_SQL and REGISTER_AND_STORE_SQL (the same numbering)."""
    return [
        budget_id,
        census_entry_id,
        ballot.channel.value,
        now.date(),
        ballot.id,
        ballot.token,
        ballot.receipt,
        ballot.district,
        ballot.choices,
        ballot.cast_on,
    ]


async def _cast_or_change(
    budget_id: int, census_entry_id: int, ballot: Ballot, now: datetime
) -> bool:
    """True when the ballot is stored or replaced. False on SQLite, and when the register row
    of a concurrent first ballot by the same person committed after this statement began (its
    ballot was not visible to it yet): the caller then takes the two-step path, which sees it.
    """
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        return False
    _, rows = await connection.execute_query(
        CAST_OR_CHANGE_SQL, _ballot_parameters(budget_id, census_entry_id, ballot, now)
    )
    return bool(rows[0]["done"])


async def _register_and_store(
    budget_id: int, census_entry_id: int, ballot: Ballot, now: datetime
) -> None:
    """Who voted (the register) and how (the ballot), together or not at all."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query(
            REGISTER_AND_STORE_SQL, _ballot_parameters(budget_id, census_entry_id, ballot, now)
        )
        return
    async with in_transaction():  # SQLite has no INSERT inside WITH
        await VoterRegister.create(
            budget_id=budget_id,
            census_entry_id=census_entry_id,
            channel=ballot.channel,
            voted_on=now.date(),
        )
        await ballot.save(force_create=True)


async def current_choices(
    settings: Settings, budget_id: int, census_entry_id: int
) -> dict[int, int] | None:
    """A clear ballot's choices (votes opened before sealed ballots); None otherwise: a sealed
    ballot cannot be read back, not even for its voter (`has_voted` says whether it exists)."""
    ballot = await Ballot.get_or_none(token=ballot_token(settings, budget_id, census_entry_id))
    if ballot is None:
        return None
    return {int(k): int(v) for k, v in json.loads(ballot.choices).items()}


async def has_voted(budget_id: int, census_entry_id: int) -> bool:
    return await VoterRegister.filter(budget_id=budget_id, census_entry_id=census_entry_id).exists()


async def ballot_on_visit(
    settings: Settings, budget_id: int, census_entry_id: int
) -> tuple[dict[int, int] | None, bool]:
    """What the ballot page shows of the voter's own ballot on every visit: `current_choices`
    and whether they voted (their clear ballot has choices, or `has_voted`), in one plain
    statement where the models read two (issue #23)."""
    token = ballot_token(settings, budget_id, census_entry_id)
    row = (await fetch_rows(BALLOT_ON_VISIT_SQL, [token, budget_id, census_entry_id]))[0]
    if row["choices"] is None:
        return None, bool(row["voted"])
    choices = {int(k): int(v) for k, v in json.loads(row["choices"]).items()}
    return choices, bool(choices) or bool(row["voted"])


BALLOT_ON_VISIT_SQL = (
    'SELECT (SELECT "choices" FROM "budgets_ballot" WHERE "token" = $1) AS "choices", '
    'EXISTS (SELECT 1 FROM "budgets_voter_register" '
    'WHERE "budget_id" = $2 AND "census_entry_id" = $3) AS "voted"'
)


@dataclass(frozen=True)
class DeskVoter:
    """A resident checked in at a town-hall desk: what the choices screen needs, no name."""

    census_entry_id: int
    birth_date: date | None  # None: found by a record whose method knows none (the letter)
    district: str | None

    def voter(self) -> domain.Voter:
        return domain.Voter(True, self.birth_date, self.district)


async def check_in_at_desk(
    settings: Settings, budget_id: int, identifier: str, birth_date: str, postcode: str
) -> DeskVoter:
    """The desk's first screen: the person is on the resident register, may vote in this
    budget, and has not voted yet (on paper or online)."""
    entry, born = await residents.find_census_entry(settings, identifier, birth_date, postcode)
    budget = await Budget.get(id=budget_id)
    now = timezone.now()
    if not domain.voting_is_open(budget.phase, dates_of(budget), now):
        raise refuse(N_("Voting is closed for this budget."))
    voter = domain.Voter(True, born, entry.district)
    if problem := domain.eligibility_problem(
        voter, budget.minimum_age, budget.restricted_to_district, now.date()
    ):
        raise Refused([problem])
    if await has_voted(budget_id, entry.id):
        raise refuse(N_("This resident has already voted."))
    return DeskVoter(entry.id, born, entry.district)


async def unlinked_record_problem(method: str | None) -> refusals.Problem | None:
    """`domain.letter_record_problem` for a voter verified by `method`: the census file is
    probed (`residents.census_loaded`, one query) only for a method that nothing links to it
    (the letter), so the ballot of everyone else costs no query more."""
    if method not in domain.UNLINKED_METHODS:
        return None
    return domain.letter_record_problem(
        method, await residents.census_loaded(), domain.TAKES_PAPER_BALLOTS
    )


async def check_in_by_record(settings: Settings, budget_id: int, user_id: int) -> DeskVoter:
    """The desk's other way in (issue #19): a person found by name or e-mail address, by
    their verified-resident record. The vote keys on the record's row (their census row, or
    the anchor of an account verified at the desk or by a letter), the same row as online:
    one person, one vote. Age and district from the record."""
    record = await Residency.get_or_none(user_id=user_id).select_related("census_entry")
    if record is None or not residents.valid_record(record):
        raise refuse(
            N_(
                "This person is not a verified resident: verify them first (Verified "
                "residents), or check them in with the register's details."
            ),
            "person",
        )
    if await unlinked_record_problem(record.method) is not None:
        raise refuse(
            N_(
                "Verified by postal letter, which cannot say whether this person is on the "
                "town's register: check them in with the register's details, or, if they are "
                "not on it, withdraw the letter's verification and verify them at the desk."
            ),
            "person",
        )
    budget = await Budget.get(id=budget_id)
    now = timezone.now()
    if not domain.voting_is_open(budget.phase, dates_of(budget), now):
        raise refuse(N_("Voting is closed for this budget."))
    district = record.census_entry.district
    voter = domain.Voter(True, record.birth_date, district)
    if problem := domain.eligibility_problem(
        voter, budget.minimum_age, budget.restricted_to_district, now.date()
    ):
        raise Refused([refusals.Problem(problem.message, problem.values, "person")])
    if await has_voted(budget_id, record.census_entry_id):
        raise refuse(N_("This resident has already voted."), "person")
    return DeskVoter(record.census_entry_id, record.birth_date, district)
