"""Ballots over HTTP against a real `participation serve` on PostgreSQL, then the tally.

    .venv/bin/python bench/ballots.py [--voters 8000] [--concurrency 50] [--connections 100]
        [--rate 500] [--workers 2] [--tally-ballots 100000]
        [--database postgres://postgres@127.0.0.1:5432/bench_ballots]

1. Builds a fresh database: a budget in voting (30 projects, knapsack ballots, 4 districts),
   `--voters` verified residents, each with an open session (signed cookies are made here, as
   the server would make them, so the benchmark measures voting, not argon2 log-ins).
2. Starts `participation serve` (`--workers` processes); each voter's browser loads the ballot
   page (as before any real ballot: the session's note of budgets/fast_cast.py; not counted,
   `--no-page-first` skips it); then casts every voter's ballot over
   HTTP with bench/httpload.py (a client light enough not to be what is measured), each voter
   once per round: first ballots with `--concurrency` concurrent voters, then changed ballots
   the same way, then changed again with `--connections` concurrent voters, then changed at
   a fixed `--rate` over `--connections` connections (latency counted from when each ballot
   was due). Prints ballots/s, p50/p99/max latency, errors (anything but the redirect to the
   receipt) and the CPU per ballot of the web processes, of their PostgreSQL connections' server
   processes and of the client, for each round.
3. Counts what the database holds (one sealed ballot and one register row per voter).
4. Seals ballots directly up to `--tally-ballots`, computes the outcome the clear count would
   give on the same ballots (opened here with the trustees' shares), then times the trustees'
   count (`ballot_box.open_ballots`: rebuild the key, open every ballot in a random order on
   two threads, store them anonymised and shuffled, delete the sealed ones, then
   `tally_and_store`, both rules, every envelope) and checks its outcome is the same.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
import httpload
import httpx
from _common import SECRET, server_on_free_port, service_options
from itsdangerous import TimestampSigner
from tortoise import Tortoise, timezone

from budgets import ballot_box, ballot_services, domain, services, tallying, urn
from budgets.demo import DISTRICTS, PROJECTS_2026
from budgets.models import (
    Ballot,
    BallotKind,
    Budget,
    Feasibility,
    Phase,
    Project,
    SealedBallot,
    TallyResult,
    VoterRegister,
    WinnerRule,
)
from participation.accounts.models import Role, User
from participation.accounts.services import start_session
from participation.db import close_database, init_database, run_migrations
from participation.residents.models import CensusEntry, Residency
from participation.settings import Settings

# the trustees' key shares of each bench budget (2 of 3), kept in this process only
TRUSTEE_SHARES: dict[int, list[str]] = {}


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU time of a process and its children (the web processes), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    family, total = {root_pid}, 0
    for _ in range(3):  # children, grandchildren
        family |= {pid for pid, (parent, _) in stats.items() if parent in family}
    total = sum(stats[pid][1] for pid in family if pid in stats)
    return total / ticks


def backend_cpu(database: str) -> dict[int, float]:
    """CPU seconds (user + system, from /proc) of each PostgreSQL server process serving
    `database` now: the database's share of a ballot, on a local server (the WAL writer and
    checkpointer are not counted)."""
    name = database_name(database)

    async def pids() -> list[int]:
        connection = await asyncpg.connect(asyncpg_url(database))
        try:
            rows = await connection.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        finally:
            await connection.close()
        return [row["pid"] for row in rows]

    cpu = {}
    for pid in asyncio.run(pids()):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return cpu


def backend_cpu_since(database: str, before: dict[int, float]) -> tuple[float, int]:
    """CPU seconds the server processes of `database` used since `before` (those opened
    since count whole), and how many there are."""
    after = backend_cpu(database)
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items()), len(after)


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    """Return once `url` answers /healthz; stop the bench if the server died or never came up."""
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit("the web server stopped at start")
        try:
            httpx.get(url + "/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the web server did not start")


def database_name(url: str) -> str:
    """The database of a PostgreSQL URL: its path, whatever follows it (the Unix socket form,
    `postgres://postgres@/name?host=/var/run/postgresql`, ends with the socket's folder)."""
    return urlsplit(url).path.lstrip("/")


def asyncpg_url(url: str, database: str | None = None) -> str:
    """`url` as asyncpg reads it (postgresql://), on `database` if given (query string kept)."""
    parts = urlsplit(url)
    path = parts.path if database is None else f"/{database}"
    return urlunsplit(parts._replace(scheme="postgresql", path=path))


async def fresh_database(url: str) -> None:
    name = database_name(url)
    connection = await asyncpg.connect(asyncpg_url(url, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


COOKIE = "participation_session"


def session_cookie(data: dict[str, Any]) -> str:
    """What Starlette's SessionMiddleware would set for this session."""
    payload = base64.b64encode(json.dumps(data).encode())
    return TimestampSigner(SECRET).sign(payload).decode()


async def seed(settings: Settings, voters: int) -> tuple[int, list[dict[str, str]], dict]:
    form = services.BudgetForm(
        title="Budget participatif (banc d'essai)",
        description="Banc d'essai",
        total_amount=800_000,
        districts=dict.fromkeys(DISTRICTS, 80_000),
        rule=domain.BallotRule(BallotKind.KNAPSACK),
        winner_rule=WinnerRule.EQUAL_SHARES,
    )
    budget = await services.save_budget(form)
    districts = {d.name: d for d in await budget.districts.all()}
    for name, cost, district, _category in PROJECTS_2026:
        await Project.create(
            budget=budget,
            title=name,
            description="",
            cost=cost,
            district=districts[district] if district else None,
            feasibility=Feasibility.FEASIBLE,
        )
    await Budget.filter(id=budget.id).update(voting_closes_at=timezone.now() + timedelta(days=1))
    shares = await ballot_box.generate_key(budget.id, [None, None, None], 2)
    TRUSTEE_SHARES[budget.id] = [share.text() for _, share in shares]
    await services.switch_phase(budget.id, Phase.VOTING, by_user=None)
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$x"  # never used to log in
    await User.bulk_create(
        [
            User(
                email=f"votant{n}@bench.invalid",
                display_name=f"Votant {n}",
                role=Role.CITIZEN,
                password_hash=password_hash,
                email_confirmed_at=timezone.now(),
            )
            for n in range(voters)
        ],
        batch_size=1000,
    )
    users = await User.filter(email__endswith="@bench.invalid").order_by("id")
    hashes = [secrets.token_hex(32) for _ in range(voters)]
    await CensusEntry.bulk_create(
        [
            CensusEntry(lookup_hash=lookup_hash, district=DISTRICTS[n % 4], birth_year=1980)
            for n, lookup_hash in enumerate(hashes)
        ],
        batch_size=1000,
    )
    # only this benchmark's entries: bench/load.py seeds them next to the demo town's register
    by_hash = {e.lookup_hash: e for e in await CensusEntry.filter(lookup_hash__in=hashes)}
    entries = [by_hash[lookup_hash] for lookup_hash in hashes]
    born = timezone.now().date().replace(year=1980)
    await Residency.bulk_create(
        [
            Residency(user=user, census_entry=entry, birth_date=born)
            for user, entry in zip(users, entries, strict=True)
        ],
        batch_size=1000,
    )
    sessions = []
    for user in users:
        token = await start_session(user)
        csrf = secrets.token_urlsafe(32)
        sessions.append({"cookie": session_cookie({"auth": token, "csrf": csrf}), "csrf": csrf})
    context = await ballot_services.ballot_context(budget)
    return budget.id, sessions, {"projects": context.projects, "envelopes": context.envelopes}


def random_ballot(rng: random.Random, context: dict, district: str) -> list[int]:
    spent: dict[str | None, int] = {}
    chosen = []
    candidates = [p for p in context["projects"].values() if p.district in (None, district)]
    rng.shuffle(candidates)
    for project in candidates[: rng.randint(1, 6)]:
        if spent.get(project.district, 0) + project.cost <= context["envelopes"][project.district]:
            spent[project.district] = spent.get(project.district, 0) + project.cost
            chosen.append(project.id)
    return chosen


async def load_ballot_pages(
    url: str, budget_id: int, sessions: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Each voter's browser loads the ballot page, as before any real ballot; the session
    cookie it answers with (the ballot page's note: budgets/fast_cast.py) replaces theirs."""
    path = f"{url}/budgets/{budget_id}/ballot"
    loaded = list(sessions)
    queue = asyncio.Queue[int]()
    for index in range(len(sessions)):
        queue.put_nowait(index)

    async def browser(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            index = queue.get_nowait()
            session = sessions[index]
            headers = {"Cookie": f"{COOKIE}={session['cookie']}"}
            response = await client.get(path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"the ballot page answered {response.status_code}")
            cookie = response.cookies.get(COOKIE)
            loaded[index] = {**session, "cookie": cookie} if cookie else session

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(browser(client) for _ in range(20)))
    return loaded


def ballot_form(session: dict[str, str], projects: list[int]) -> str:
    """The ballot form as the browser sends it without JavaScript (URL-encoded)."""
    fields = [("csrf_token", session["csrf"]), ("action", "cast")]
    return urlencode([*fields, *(("project", str(p)) for p in projects)])


def ballot_post(port: int, path: str, cookie: str, form: str) -> bytes:
    """One voter's ballot POST, as bytes for bench/httpload.py."""
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{COOKIE}={cookie}",
    }
    return httpload.build_request("POST", path, f"127.0.0.1:{port}", headers, form.encode())


def ballot_requests(
    port: int, budget_id: int, sessions: list[dict[str, str]], context: dict, seed: int
) -> list[bytes]:
    """Each voter's ballot POST, built beforehand: a random valid ballot of their district,
    drawn with `seed`."""
    rng = random.Random(seed)
    path = f"/budgets/{budget_id}/ballot"
    return [
        ballot_post(
            port,
            path,
            session["cookie"],
            ballot_form(session, random_ballot(rng, context, DISTRICTS[index % 4])),
        )
        for index, session in enumerate(sessions)
    ]


def rejected(figures: httpload.Figures, ballot_path: str) -> int:
    """Ballots not acknowledged: failed, or answered otherwise than by the redirect to the
    receipt (a refused ballot is a 422 with the form, or a 303 elsewhere)."""
    receipt = f"{ballot_path}/receipt"
    acknowledged = sum(
        1
        for answer in figures.answers
        if answer is not None
        and answer.status == 303
        and answer.headers.get("location", "").endswith(receipt)
    )
    return len(figures.answers) - acknowledged


@dataclass(frozen=True)
class Round:
    name: str
    connections: int
    rate: float | None = None  # None: closed loop (as fast as the server answers)


def rounds_of(args: argparse.Namespace) -> list[Round]:
    rounds = [
        Round("first ballots", args.concurrency),
        Round("changed ballots", args.concurrency),
    ]
    if args.connections:
        rounds.append(Round("changed ballots", args.connections))
        if args.rate:
            rounds.append(Round("changed ballots", args.connections, args.rate))
    return rounds


def cast_round(port: int, requests: list[bytes], round_: Round) -> httpload.Figures:
    if round_.rate is None:
        coroutine = httpload.closed_loop("127.0.0.1", port, requests, round_.connections)
    else:
        coroutine = httpload.open_loop("127.0.0.1", port, requests, round_.connections, round_.rate)
    return httpload.run(coroutine)


async def stored_ballots(settings: Settings, budget_id: int) -> dict[str, int]:
    """What the database holds after the rounds: one register row and one sealed ballot per
    voter."""
    await init_database(settings)
    try:
        return {
            "ballots": await SealedBallot.filter(budget_id=budget_id).count(),
            "register": await VoterRegister.filter(budget_id=budget_id).count(),
            "tokens": len(
                set(await SealedBallot.filter(budget_id=budget_id).values_list("token", flat=True))
            ),
        }
    finally:
        await close_database()


def opener(budget_id: int) -> urn.Opener:
    """The trustees' key, rebuilt from their shares (as `open_ballots` does)."""
    return urn.Opener(urn.combine([urn.parse_share(t) for t in TRUSTEE_SHARES[budget_id]][:2]))


async def seal_ballots(budget_id: int, count: int, seed: int = 7) -> int:
    """Seal ballots as the web would, up to `count` in the budget; returns how many."""
    budget = await Budget.get(id=budget_id)
    context = await ballot_services.ballot_context(budget)
    assert budget.ballot_public_key is not None
    size = urn.padded_size(len(context.projects))
    rng = random.Random(seed)
    existing = await SealedBallot.filter(budget_id=budget_id).count()
    rows = []
    for n in range(existing, count):
        district = DISTRICTS[n % 4]
        projects = random_ballot(
            rng, {"projects": context.projects, "envelopes": context.envelopes}, district
        )
        content = urn.BallotContent(
            ballot_services.new_receipt(), "web", json.dumps({str(p): 1 for p in sorted(projects)})
        )
        rows.append(
            SealedBallot(
                id=uuid.uuid4(),
                budget_id=budget_id,
                token=secrets.token_hex(32),
                sealed=urn.seal(budget.ballot_public_key, content, size),
            )
        )
    await SealedBallot.bulk_create(rows, batch_size=5000)
    return count - existing


async def clear_outcomes(budget_id: int) -> dict[str, object]:
    """The outcome the clear count (`load_input` + `compute_outcome`) gives on the same
    ballots, opened here: what the trustees' count must reproduce."""
    budget = await Budget.get(id=budget_id)
    box = opener(budget_id)
    sealed = await SealedBallot.filter(budget_id=budget_id).values_list("sealed", flat=True)
    opened = [box.open(bytes(s)) for s in sealed]  # type: ignore[arg-type]
    data = await tallying.load_input(budget)
    data = tallying.TallyInput(
        data.kind,
        data.envelopes,
        data.projects,
        tuple(
            tallying.TallyBallot(n, {int(k): int(v) for k, v in json.loads(o.choices).items()})
            for n, o in enumerate(opened, start=1)
        ),
        data.threshold,
        data.meta,
    )
    return {
        tallying.slot_of(rule): json.loads(json.dumps(tallying.compute_outcome(data, rule, o)))
        for rule, o in tallying.rules_to_compute(budget, None)
    }


async def bench_tally(budget_id: int, count: int) -> dict[str, float]:
    await seal_ballots(budget_id, count)
    expected = await clear_outcomes(budget_id)
    await services.switch_phase(budget_id, Phase.TALLY, by_user=None)
    started, cpu = time.perf_counter(), time.process_time()
    opened = await ballot_box.open_ballots(budget_id, TRUSTEE_SHARES[budget_id][1:])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    stored = {r.rule: json.loads(r.outcome) for r in await TallyResult.filter(budget_id=budget_id)}
    return {
        "ballots": opened,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "same": float(
            stored == expected and await Ballot.filter(budget_id=budget_id).count() == opened
        ),
    }


async def prepare(settings: Settings, database: str, voters: int) -> tuple[int, list, dict]:
    await fresh_database(database)
    await run_migrations(settings)
    await init_database(settings)
    try:
        print(f"seeding {voters} verified voters...", flush=True)
        return await seed(settings, voters)
    finally:
        await close_database()


async def tally_phase(settings: Settings, budget_id: int, count: int) -> None:
    await init_database(settings)
    try:
        figures = await bench_tally(budget_id, count)
        print(
            f"{'tally':>16}: {figures['ballots']:.0f} sealed ballots opened with 2 of 3 shares, "
            f"stored anonymised and counted (both rules, every envelope): "
            f"{figures['seconds']:.2f} s (CPU of this process {figures['cpu_seconds']:.2f} s); "
            f"outcome {'the same as the clear count' if figures['same'] else 'DIFFERENT'}; "
            f"load average {load_average()}"
        )
    finally:
        await close_database()
        await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--voters", type=int, default=8000)
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent voters")
    parser.add_argument(
        "--connections", type=int, default=100, help="a third round at this many (0: none)"
    )
    parser.add_argument(
        "--rate", type=float, default=500, help="a fourth round at this rate (0: none)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-page-first",
        dest="page_first",
        action="store_false",
        help="cast without loading the ballot page first (the ordinary two-round-trip path)",
    )
    parser.add_argument("--tally-ballots", type=int, default=100_000)
    service_options(parser, "bench_ballots", redis_db=14)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-ballots-"))
    port, env = server_on_free_port(args, str(data_dir), WEB_CONCURRENCY=str(args.workers))
    settings = Settings.from_env(env)
    budget_id, sessions, context = asyncio.run(prepare(settings, args.database, args.voters))

    server = subprocess.Popen(
        [sys.executable, "-m", "participation.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    first_acknowledged = 0
    try:
        wait_until_up(url, server)
        # warm up: each process prepares its statements and keeps the budget's projects
        warm = ballot_requests(port, budget_id, sessions[:200], context, seed=0)
        cast_round(port, warm, Round("warm-up", 10))
        if args.page_first:
            started = time.perf_counter()
            sessions = asyncio.run(load_ballot_pages(url, budget_id, sessions))
            took = time.perf_counter() - started
            print(
                f"each voter loaded the ballot page first ({len(sessions) / took:.0f} pages/s, "
                "not in the figures below)",
                flush=True,
            )
        print(
            f"{args.workers} web processes; each voter casts one ballot per round; "
            f"load average before: {load_average()}",
            flush=True,
        )
        for number, round_ in enumerate(rounds_of(args), start=1):
            requests = ballot_requests(port, budget_id, sessions, context, seed=number)
            web_cpu = cpu_seconds(server.pid)
            database_cpu = backend_cpu(args.database)
            figures = cast_round(port, requests, round_)
            web_cpu = 1000 * (cpu_seconds(server.pid) - web_cpu) / len(requests)
            database_seconds, backends = backend_cpu_since(args.database, database_cpu)
            database_ms = 1000 * database_seconds / len(requests)
            errors = rejected(figures, f"/budgets/{budget_id}/ballot")
            if number == 1:
                first_acknowledged = len(requests) - errors
            how = (
                f"{round_.connections} concurrent voters"
                if round_.rate is None
                else f"{round_.rate:.0f}/s offered over {round_.connections} connections"
            )
            print(
                f"{round_.name:>16}: {len(requests)} ballots, {figures.per_second:.0f} ballots/s, "
                f"p50 {figures.p50_ms:.1f} ms, p99 {figures.percentile_ms(0.99):.1f} ms, "
                f"max {figures.percentile_ms(1.0):.1f} ms, errors {errors} ({how}); "
                f"CPU per ballot: web {web_cpu:.2f} ms, PostgreSQL {database_ms:.2f} ms "
                f"({backends} connections), this client "
                f"{1000 * figures.cpu / len(requests):.2f} ms; load average {load_average()}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    stored = asyncio.run(stored_ballots(settings, budget_id))
    print(
        f"{'stored':>16}: {stored['ballots']} ballots, {stored['register']} register rows, "
        f"{stored['tokens']} distinct voter tokens for {first_acknowledged} acknowledged "
        f"first ballots: {'consistent' if len(set(stored.values())) == 1 else 'INCONSISTENT'}",
        flush=True,
    )
    asyncio.run(tally_phase(settings, budget_id, args.tally_ballots))


if __name__ == "__main__":
    main()
