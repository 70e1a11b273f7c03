"""Kill -9 faults against real processes on PostgreSQL; prints what it finds (`make faults`).

    .venv/bin/python bench/faults.py [--voters 300] [--kills 3] [--tally-ballots 30000]
        [--database postgres://postgres@127.0.0.1:5432/bench_faults]
        [--redis redis://127.0.0.1:6379/13]

1. **Web killed during a burst of ballots.** A budget in voting with `--voters` verified
   residents (bench/ballots.py builds it), each having loaded the ballot page once (so most
   casts take the one-round-trip path of budgets/fast_cast.py; a restarted process casts its
   first ballots the ordinary way). `participation serve` runs in its own process group;
   voters cast their ballot concurrently and, once a share of them is acknowledged (HTTP 303),
   the whole group gets SIGKILL, `--kills` times, restarting the server in between; then every
   voter votes (again) once the server is up. After each kill, in the database:
   every acknowledged ballot is there with the choices sent (its sealed ballot found by its
   keyed token, which this script can compute because it holds SECRET_KEY, and opened with
   the trustees' shares, which it holds too), no ballot without its register row, a register
   row without its ballot only for a ballot never acknowledged (killed between the two
   writes), and one register row and at most one ballot per person; after the last round,
   one of each per person.
2. **Worker killed mid-count.** Sealed ballots are stored up to `--tally-ballots`, the budget
   enters its tally, two trustees give their key shares (held in Redis) and the opening job is
   enqueued; `participation worker` starts, and gets SIGKILL once the job has started. Then:
   nothing half-written (every ballot still sealed, none opened, no result); the trustees give
   their shares again, a new worker opens and counts, every sealed ballot is opened once, and
   the stored outcome equals the engine's on the same ballots.

Exit status 1 when a check fails. Uses its own database (dropped and created) and Redis db.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

import ballots as ballot_bench
import httpx
from _common import free_port, server_on_free_port, service_options
from redis.asyncio import Redis

from budgets import ballot_box, ballot_services, services, tallying
from budgets.demo import DISTRICTS
from budgets.models import (
    Ballot,
    Budget,
    Phase,
    SealedBallot,
    TallyResult,
    VoterRegister,
)
from participation import queue
from participation.db import close_database, init_database
from participation.settings import Settings

FAILURES: list[str] = []
STARTED: list[subprocess.Popen[bytes]] = []  # killed at exit, whatever happens


@atexit.register
def _kill_leftovers() -> None:
    for process in STARTED:
        if process.poll() is None:
            kill_group(process)


def check(condition: bool, what: str) -> None:
    print(f"  {'ok  ' if condition else 'FAIL'} {what}", flush=True)
    if not condition:
        FAILURES.append(what)


def start(command: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`participation <command>` in its own process group, so SIGKILL takes every process.
    The web gets a fresh free port each time: on a shared machine another program may take
    the old one while the server is down."""
    if command == "serve":
        env["PORT"] = str(free_port())
        env["BASE_URL"] = f"https://127.0.0.1:{env['PORT']}"  # as _common.server_env
    process = subprocess.Popen(
        [sys.executable, "-m", "participation.cli", command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    STARTED.append(process)
    return process


def kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=20)


# --- 1. web killed during a burst ------------------------------------------------------------


async def burst(
    url: str,
    budget_id: int,
    sessions: list[dict[str, str]],
    context: dict,
    choices: dict[int, list[int]],
    acknowledged: dict[int, list[int]],
    in_doubt: dict[int, list[list[int]]],
    server: subprocess.Popen[bytes] | None,
    kill_after: int,
) -> dict[str, int]:
    """Every voter casts once, 20 at a time; SIGKILL the server after `kill_after` answers."""
    pending = list(range(len(sessions)))
    random.Random(len(acknowledged)).shuffle(pending)  # each round starts with other voters
    answered = {"303": 0, "other": 0, "no answer": 0}
    killed = asyncio.Event()

    async with httpx.AsyncClient(base_url=url, timeout=10) as client:

        async def voter() -> None:
            while pending and not killed.is_set():
                index = pending.pop()
                projects = choices[index]
                body = ballot_bench.ballot_form(sessions[index], projects)
                try:
                    response = await client.post(
                        f"/budgets/{budget_id}/ballot",
                        content=body,
                        headers={
                            "content-type": "application/x-www-form-urlencoded",
                            "cookie": f"participation_session={sessions[index]['cookie']}",
                        },
                    )
                except httpx.HTTPError:
                    # killed before answering: the change may or may not have been committed
                    answered["no answer"] += 1
                    in_doubt.setdefault(index, []).append(projects)
                    continue
                if response.status_code == 303:
                    answered["303"] += 1
                    acknowledged[index] = projects
                    in_doubt.pop(index, None)
                else:
                    answered["other"] += 1
                    status = str(response.status_code)
                    answered[status] = answered.get(status, 0) + 1
                    if answered[status] == 1:
                        print(f"  first {status}: {response.text[:300]!r}", flush=True)
                if server is not None and answered["303"] >= kill_after and not killed.is_set():
                    killed.set()
                    kill_group(server)

        await asyncio.gather(*(voter() for _ in range(20)))
    return answered


async def check_ballots(
    settings: Settings,
    budget_id: int,
    entries: list[int],
    acknowledged: dict[int, list[int]],
    in_doubt: dict[int, list[list[int]]],
) -> None:
    await init_database(settings)
    try:
        registered = await VoterRegister.filter(budget_id=budget_id).count()
        box = ballot_bench.opener(budget_id)  # the trustees' shares
        stored = {
            b.token: json.loads(box.open(bytes(b.sealed)).choices)
            for b in await SealedBallot.filter(budget_id=budget_id).only("token", "sealed")
        }
        register_entries = set(
            await VoterRegister.filter(budget_id=budget_id).values_list(
                "census_entry_id", flat=True
            )
        )
        tokens = {ballot_services.ballot_token(settings, budget_id, e): e for e in entries}

        def as_stored(projects: list[int]) -> dict[str, int]:
            return {str(p): 1 for p in projects}

        # the last acknowledged ballot, or a later change sent when the server died unanswered
        missing = [
            i
            for i, projects in acknowledged.items()
            if stored.get(ballot_services.ballot_token(settings, budget_id, entries[i]))
            not in [as_stored(projects), *(as_stored(c) for c in in_doubt.get(i, []))]
        ]
        check(not missing, f"every acknowledged ballot is stored as sent ({len(acknowledged)})")
        check(
            all(tokens.get(t) in register_entries for t in stored),
            "no ballot without its register row",
        )
        with_ballot = {tokens[t] for t in stored if t in tokens}
        # killed between the two writes (register, then ciphertext): a register row without
        # its ballot, for a ballot never acknowledged; the voter's retry stores it
        doubtful = {entries[i] for i in in_doubt}
        orphans = register_entries - with_ballot
        check(
            orphans <= doubtful,
            f"a register row without its ballot only for a ballot never acknowledged "
            f"({len(orphans)} such rows)",
        )
        check(
            registered == len(register_entries) and len(stored) == len(with_ballot),
            f"one register row and at most one ballot per person ({registered} voters, "
            f"{len(stored)} ballots)",
        )
    finally:
        await close_database()


async def census_entries(settings: Settings) -> list[int]:
    """The census row of each bench voter, in the order of their sessions."""
    from participation.residents.models import Residency

    await init_database(settings)
    try:
        rows = await Residency.all().order_by("user_id").values_list("census_entry_id", flat=True)
        return list(rows)
    finally:
        await close_database()


def web_killed_during_a_burst(env: dict[str, str], settings: Settings, args: argparse.Namespace):
    print(f"\n== 1. web (serve, {args.workers} processes) killed -9 during a burst of ballots")
    budget_id, sessions, context = asyncio.run(
        ballot_bench.prepare(settings, args.database, args.voters)
    )
    entries = asyncio.run(census_entries(settings))
    rng = random.Random(1)
    acknowledged: dict[int, list[int]] = {}
    in_doubt: dict[int, list[list[int]]] = {}
    for kill in range(1, args.kills + 1):
        choices = {
            i: ballot_bench.random_ballot(rng, context, DISTRICTS[i % 4])
            for i in range(len(sessions))
        }
        server = start("serve", env)
        url = f"http://127.0.0.1:{env['PORT']}"
        ballot_bench.wait_until_up(url, server)
        if kill == 1:  # each voter has seen the ballot page: casts take one round trip
            sessions = asyncio.run(ballot_bench.load_ballot_pages(url, budget_id, sessions))
        kill_after = max(1, len(sessions) // (2 * args.kills))
        answered = asyncio.run(
            burst(
                url,
                budget_id,
                sessions,
                context,
                choices,
                acknowledged,
                in_doubt,
                server,
                kill_after,
            )
        )
        print(
            f"  kill {kill}: SIGKILL after {kill_after} acknowledged ballots; answers {answered}",
            flush=True,
        )
        asyncio.run(check_ballots(settings, budget_id, entries, acknowledged, in_doubt))
    # after the last restart every voter votes (again): nobody counts twice
    server = start("serve", env)
    url = f"http://127.0.0.1:{env['PORT']}"
    ballot_bench.wait_until_up(url, server)
    choices = {
        i: ballot_bench.random_ballot(rng, context, DISTRICTS[i % 4]) for i in range(len(sessions))
    }
    answered = asyncio.run(
        burst(url, budget_id, sessions, context, choices, acknowledged, in_doubt, None, 0)
    )
    kill_group(server)
    print(f"  after restart, every voter votes once more: answers {answered}", flush=True)
    check(answered["303"] == len(sessions), "every voter could vote (again) after the restarts")
    asyncio.run(check_ballots(settings, budget_id, entries, acknowledged, in_doubt))
    return budget_id


# --- 2. worker killed mid-tally --------------------------------------------------------------


async def enter_tally(settings: Settings, budget_id: int, count: int) -> list[str]:
    """Seal ballots up to `count`, switch to the tally as the phase schedule would; returns
    the choices of every sealed ballot (opened here with the shares), to compare after."""
    await init_database(settings)
    try:
        await ballot_bench.seal_ballots(budget_id, count)
        queue.open_pool(settings.redis_url)
        await services.switch_phase(budget_id, Phase.TALLY, by_user=None)
        await queue.close_pool()
        box = ballot_bench.opener(budget_id)
        sealed = await SealedBallot.filter(budget_id=budget_id).values_list("sealed", flat=True)
        return sorted(
            json.dumps(json.loads(box.open(bytes(b)).choices), sort_keys=True) for b in sealed
        )  # type: ignore[arg-type]
    finally:
        await close_database()


async def give_shares(settings: Settings, budget_id: int, job_id: str) -> None:
    """Two trustees enter their shares (held in Redis); the opening job is enqueued."""
    await init_database(settings)
    redis = Redis.from_url(settings.redis_url)
    queue.open_pool(settings.redis_url)
    try:
        for text in ballot_bench.TRUSTEE_SHARES[budget_id][:2]:
            await ballot_box.add_share(redis, budget_id, text)
        pool = queue.get_pool()
        assert pool is not None
        await pool.enqueue_job("open_budget_ballots", budget_id, _job_id=job_id)
    finally:
        await queue.close_pool()
        await redis.aclose()
        await close_database()


async def count_state(settings: Settings, budget_id: int) -> tuple[int, int, int]:
    """(sealed ballots, opened ballots, result rows)."""
    await init_database(settings)
    try:
        return (
            await SealedBallot.filter(budget_id=budget_id).count(),
            await Ballot.filter(budget_id=budget_id).count(),
            await TallyResult.filter(budget_id=budget_id).count(),
        )
    finally:
        await close_database()


async def job_started(settings: Settings, job_id: str) -> bool:
    redis = Redis.from_url(settings.redis_url)
    try:
        return bool(await redis.exists(f"arq:in-progress:{job_id}"))
    finally:
        await redis.aclose()


async def opened_choices(settings: Settings, budget_id: int) -> list[str]:
    await init_database(settings)
    try:
        rows = await Ballot.filter(budget_id=budget_id).values_list("choices", flat=True)
        return sorted(json.dumps(json.loads(str(c)), sort_keys=True) for c in rows)
    finally:
        await close_database()


async def compare_with_engine(settings: Settings, budget_id: int) -> None:
    await init_database(settings)
    try:
        budget = await Budget.get(id=budget_id)
        data = await tallying.load_input(budget)
        expected = {
            tallying.slot_of(rule): json.loads(
                json.dumps(tallying.compute_outcome(data, rule, options))
            )
            for rule, options in tallying.rules_to_compute(budget, None)
        }
        stored = {
            r.rule: json.loads(r.outcome) for r in await TallyResult.filter(budget_id=budget_id)
        }
        check(stored == expected, "the rerun's results equal the engine's on the same ballots")
    finally:
        await close_database()


def worker_killed_mid_tally(env: dict[str, str], settings: Settings, budget_id: int, count: int):
    print(f"\n== 2. worker killed -9 while opening and counting ({count} sealed ballots)")
    expected = asyncio.run(enter_tally(settings, budget_id, count))
    total = len(expected)
    asyncio.run(give_shares(settings, budget_id, "open-1"))
    worker = start("worker", env)
    started = time.monotonic()
    while time.monotonic() - started < 120:
        if asyncio.run(job_started(settings, "open-1")):
            break
        time.sleep(0.1)
    time.sleep(0.5)  # into the opening
    kill_group(worker)
    sealed, opened, results = asyncio.run(count_state(settings, budget_id))
    print(
        f"  killed {time.monotonic() - started:.1f} s after start: {sealed} sealed, "
        f"{opened} opened, {results} result rows",
        flush=True,
    )
    check(opened == 0, "killed before the opened ballots were stored (else this proved nothing)")
    check(sealed == total and results == 0, "nothing half-written: every ballot still sealed")
    # the trustees give their shares again; the new worker opens and counts (the first job,
    # if arq runs it again, finds the ballots opened and stops)
    asyncio.run(give_shares(settings, budget_id, "open-2"))
    worker = start("worker", env)
    started = time.monotonic()
    while time.monotonic() - started < 300:
        sealed, opened, results = asyncio.run(count_state(settings, budget_id))
        if results == 2:
            break
        time.sleep(0.5)
    kill_group(worker)
    print(
        f"  rerun done in {time.monotonic() - started:.1f} s: {sealed} sealed, {opened} opened, "
        f"{results} result rows",
        flush=True,
    )
    check(sealed == 0 and opened == total and results == 2, "every ballot opened once, counted")
    check(
        asyncio.run(opened_choices(settings, budget_id)) == expected,
        "the opened ballots are the sealed ones",
    )
    asyncio.run(compare_with_engine(settings, budget_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tally-ballots", type=int, default=30_000)
    service_options(parser, "bench_faults", redis_db=13, variables="FAULTS")
    args = parser.parse_args()
    _, env = server_on_free_port(
        args, tempfile.mkdtemp(prefix="bench-faults-"), WEB_CONCURRENCY=str(args.workers)
    )
    settings = Settings.from_env(env)

    async def flush() -> None:
        redis = Redis.from_url(args.redis)
        await redis.flushdb()
        await redis.aclose()

    asyncio.run(flush())
    budget_id = web_killed_during_a_burst(env, settings, args)
    worker_killed_mid_tally(env, settings, budget_id, args.tally_ballots)
    print(f"\n{len(FAILURES)} check(s) failed" if FAILURES else "\nevery check passed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
