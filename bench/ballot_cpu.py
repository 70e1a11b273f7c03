"""CPU time of one ballot POST in the web process, measured in process (no HTTP server, no
client): the whole ASGI app on PostgreSQL, called directly.

    .venv/bin/python bench/ballot_cpu.py [--voters 3000] [--concurrency 10] [--rounds 2]
        [--profile] [--database postgres://postgres@127.0.0.1:5432/bench_ballot]
        [--redis redis://127.0.0.1:6379/14]

Seeds a budget in voting as bench/ballots.py does, loads each voter's ballot page (not
counted; `--no-page-first` skips it), then casts every voter's ballot through the app (round 1:
first ballots; the next rounds: changed ballots), `--concurrency` at a time.
Prints the CPU time of this process per ballot (the app's own cost: what the web processes
pay besides the HTTP server) and of its PostgreSQL connections' server processes, with the
load average; `--profile` adds cProfile's top entries.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import tempfile
import time

from _common import server_env, service_options
from ballots import (
    backend_cpu,
    backend_cpu_since,
    ballot_form,
    fresh_database,
    load_average,
    random_ballot,
    seed,
)

from budgets.demo import DISTRICTS
from participation.app import create_app
from participation.db import close_database, init_database, run_migrations
from participation.settings import Settings

Request = tuple[str, str, bytes]  # path, session cookie, form body


async def prepare(settings: Settings, database: str, voters: int) -> list[Request]:
    await fresh_database(database)
    await run_migrations(settings)
    await init_database(settings)
    try:
        budget_id, sessions, context = await seed(settings, voters)
    finally:
        await close_database()
    rng = random.Random(1)
    requests = []
    for index, session in enumerate(sessions):
        form = ballot_form(session, random_ballot(rng, context, DISTRICTS[index % 4]))
        requests.append((f"/budgets/{budget_id}/ballot", session["cookie"], form.encode()))
    return requests


async def post(app: object, path: str, cookie: str, body: bytes) -> int:
    return (await call(app, "POST", path, cookie, body))[0]


async def call(
    app: object, method: str, path: str, cookie: str, body: bytes = b""
) -> tuple[int, str | None]:
    """The app's answer to one request: its status and the session cookie it set, if any."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"cookie", f"participation_session={cookie}".encode()),
        ],
    }
    sent, status, set_cookie = False, 0, None

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the app never waits for a disconnect here
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status, set_cookie
        if message["type"] == "http.response.start":
            status = message["status"]
            for key, value in message.get("headers", ()):
                if key == b"set-cookie" and value.startswith(b"participation_session="):
                    set_cookie = value.split(b";")[0].split(b"=", 1)[1].decode()

    await app(scope, receive, send)  # type: ignore[operator]
    return status, set_cookie


async def cast_all(settings: Settings, requests: list[Request], args: argparse.Namespace) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        for request in requests[:20]:  # warm up: statements prepared, projects kept
            await post(app, *request)
        if args.page_first:  # each voter loads the ballot page (budgets/fast_cast.py's note)
            for index, (path, cookie, body) in enumerate(requests):
                status, set_cookie = await call(app, "GET", path, cookie)
                assert status == 200, status
                requests[index] = (path, set_cookie or cookie, body)
        for round_number in range(1, args.rounds + 1):
            queue: list[Request] = list(requests[20:])
            statuses: dict[int, int] = {}

            async def voter(queue: list[Request], statuses: dict[int, int]) -> None:
                while queue:
                    status = await post(app, *queue.pop())
                    statuses[status] = statuses.get(status, 0) + 1

            # CPU time, not wall time: on a loaded machine a send may wait for a core
            profile = cProfile.Profile(time.process_time) if args.profile else None
            database_cpu = await asyncio.to_thread(backend_cpu, args.database)
            cpu, wall = time.process_time(), time.perf_counter()
            if profile:
                profile.enable()
            await asyncio.gather(*(voter(queue, statuses) for _ in range(args.concurrency)))
            if profile:
                profile.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            database_seconds, _ = await asyncio.to_thread(
                backend_cpu_since, args.database, database_cpu
            )
            count = len(requests) - 20
            name = "first ballots" if round_number == 1 else "changed ballots"
            print(
                f"{name:>16}: {count} ballots, answers {statuses}, CPU {1000 * cpu / count:.3f} "
                f"ms per ballot (PostgreSQL {1000 * database_seconds / count:.3f} ms), "
                f"wall {1000 * wall / count:.3f} ms per ballot "
                f"({args.concurrency} at a time; load average {load_average()})",
                flush=True,
            )
            if profile:
                if args.profile_out:
                    profile.dump_stats(f"{args.profile_out}.{round_number}")
                pstats.Stats(profile).sort_stats("tottime").print_stats(40)
                pstats.Stats(profile).sort_stats("cumulative").print_stats(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--no-page-first",
        dest="page_first",
        action="store_false",
        help="cast without loading the ballot page first (the ordinary two-round-trip path)",
    )
    parser.add_argument("--profile-out", help="also write each round's profile to this file.N")
    service_options(parser, "bench_ballot", redis_db=14)
    args = parser.parse_args()
    env = server_env(tempfile.mkdtemp(prefix="bench-cpu-"), args.database, args.redis, 8000)
    settings = Settings.from_env({**env, "RATE_LIMITS": "off"})
    print(f"seeding {args.voters} verified voters...", flush=True)
    requests = asyncio.run(prepare(settings, args.database, args.voters))
    asyncio.run(cast_all(settings, requests, args))


if __name__ == "__main__":
    main()
