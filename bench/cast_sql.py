"""PostgreSQL's CPU for a ballot's statements, one connection, no web process: the session
lookup (plain, and joined to the ballot's reads), the ordinary cast (that lookup, then the cast
script) and the one-round-trip cast (budgets/fast_cast.py's guarded script).

    .venv/bin/python bench/cast_sql.py [--database postgres://postgres@127.0.0.1:5432/bench_ballots]
        [--casts 2000] [--rounds 2]

Runs on the database bench/ballots.py leaves (its voters, sessions and budget: run that first);
each cast changes a voter's stored ballot (their register row is there), the same voters for
each variant. Prints the backend's CPU per statement or cast (from /proc) and the wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import UTC, datetime

import _common  # noqa: F401  (the repository on sys.path)
import asyncpg

from budgets import ballot_services, fast_cast
from budgets.ballot_services import CAST_WEB_PREPARE, VOTING_JOIN, cast_web_script
from participation.accounts import services as accounts
from participation.db import close_database, init_database
from participation.settings import Settings


def backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


VOTERS_SQL = """
SELECT s."token_hash", r."census_entry_id" AS "person", r."xmin"::text AS "voter_version",
    c."xmin"::text AS "census_version", b."id" AS "budget", b."xmin"::text AS "budget_version",
    (SELECT string_agg(d."id" || ':' || d."xmin"::text, ',' ORDER BY d."id")
     FROM "budgets_district" AS d WHERE d."budget_id" = b."id") AS "districts_version"
FROM "accounts_session" AS s
JOIN "budgets_residency" AS r ON r."user_id" = s."user_id"
JOIN "budgets_census_entry" AS c ON c."id" = r."census_entry_id"
JOIN "budgets_voter_register" AS v ON v."census_entry_id" = r."census_entry_id"
JOIN "budgets_budget" AS b ON b."id" = v."budget_id" AND b."space_id" IS NULL
LIMIT $1
"""


async def main(args: argparse.Namespace) -> None:
    settings = Settings.from_env({**os.environ, "DATABASE_URL": args.database})
    await init_database(settings)  # the installed features make the statements' text
    try:
        plain = accounts._session_lookup_sql()
        joined = accounts._session_lookup_sql(VOTING_JOIN, "postgres")
        fast_prepare = fast_cast.fast_cast_prepare()
    finally:
        await close_database()
    connection = await asyncpg.connect(args.database)
    pid = await connection.fetchval("SELECT pg_backend_pid()")
    voters = await connection.fetch(VOTERS_SQL, args.casts)
    if not voters:
        raise SystemExit("no voter with a ballot: run bench/ballots.py on this database first")
    await connection.execute(";\n".join([*CAST_WEB_PREPARE.values(), *fast_prepare.values()]))
    lookup, lookup_joined = await connection.prepare(plain), await connection.prepare(joined)
    sealed, box, day = os.urandom(600), os.urandom(60), datetime.now(UTC).date()

    def token(voter: asyncpg.Record) -> str:
        return ballot_services.ballot_token(settings, voter["budget"], voter["person"])

    async def select_one() -> None:
        for voter in voters:
            await connection.fetchval("SELECT $1::text", voter["token_hash"])

    async def plain_lookup() -> None:
        for voter in voters:
            await lookup.fetch(voter["token_hash"])

    async def ballot_lookup() -> None:
        for voter in voters:
            await lookup_joined.fetch(voter["token_hash"], voter["budget"])

    async def ordinary_cast() -> None:
        for voter in voters:
            await lookup_joined.fetch(voter["token_hash"], voter["budget"])
            await connection.execute(
                cast_web_script(voter["budget"], voter["person"], day, token(voter), sealed, box)
            )

    async def one_round_trip() -> None:
        for voter in voters:
            memo = fast_cast.BudgetMemo(
                None,  # type: ignore[arg-type]  (the script needs the versions only)
                None,  # type: ignore[arg-type]
                voter["budget_version"],
                None,
                voter["districts_version"],
                "",  # the note's digest: not read by the script
            )
            values = fast_cast.FastCast(
                voter["budget"],
                voter["person"],
                datetime.now(UTC),
                voter["token_hash"],
                voter["voter_version"],
                voter["census_version"],
                memo,
            )
            status = await connection.execute(
                fast_cast.fast_cast_script(values, token(voter), sealed, box)
            )
            if status != "INSERT 0 1":
                raise SystemExit(f"the one-round-trip cast wrote nothing ({status})")

    variants = {
        "SELECT 1": select_one,
        "plain session lookup": plain_lookup,
        "ballot's session lookup": ballot_lookup,
        "ordinary cast (lookup + script)": ordinary_cast,
        "one-round-trip cast": one_round_trip,
    }
    print(f"{len(voters)} voters, one connection; PostgreSQL CPU per statement or cast")
    for _ in range(args.rounds):
        for name, run in variants.items():
            cpu, wall = backend_cpu(pid), time.perf_counter()
            await run()
            cpu, wall = backend_cpu(pid) - cpu, time.perf_counter() - wall
            print(
                f"  {name:32} {1e6 * cpu / len(voters):5.0f} µs CPU, "
                f"{1e6 * wall / len(voters):5.0f} µs wall",
                flush=True,
            )
    await connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_ballots")
    parser.add_argument("--casts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
