"""Web CPU per request of the signalements pages, in process (no HTTP server, no client
process): the whole ASGI app on the PostgreSQL database bench/signalements.py seeded, called
through httpx.ASGITransport one request at a time. On a shared machine the p99 of an HTTP
bench is other people's load; the CPU time this process spends per request is the app's own
cost (templates, rows made into objects, the database driver), and it hardly moves with load.

    .venv/bin/python bench/signalements.py --name bench_signalements_x   # seeds, measures HTTP
    .venv/bin/python bench/signalements_cpu.py --name bench_signalements_x [--requests 200]

Prints per page: CPU ms per request (median of 5 batches), wall p50, SQL statements per request.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from participation.app import create_app  # noqa: E402
from participation.settings import Settings  # noqa: E402

PASSWORD = "bench-staff-password-2026"  # bench/signalements.py's staff account


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def statements(client: httpx.AsyncClient, path: str) -> int:
    logger, counter = logging.getLogger("tortoise.db_client"), _Counter()
    logger.addHandler(counter)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        await client.get(path)
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
    return counter.count


async def deep_page(url: str) -> str:
    """The page after the 45,000th public report: by its cursor, or `?page=1501` (OFFSET
    45,000) where the list had no cursors (before issue #24's keyset pages)."""
    try:
        from signalements.queries import Key, encode_cursor
    except ImportError:
        return "/signalements?page=1501"
    db = await asyncpg.connect(url)
    try:
        row = await db.fetchrow(
            "SELECT created_at, id FROM signalements_report WHERE moderation_state = 'visible'"
            " AND state <> 'merged' ORDER BY created_at DESC, id DESC OFFSET 44999 LIMIT 1"
        )
    finally:
        await db.close()
    return f"/signalements?after={encode_cursor(Key(row['created_at'], row['id']))}"


async def log_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/account/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    response = await client.post(
        "/account/login",
        data={"email": "agent@bench.invalid", "password": PASSWORD, "csrf_token": token[1]},
    )
    assert response.status_code == 303, response.status_code


async def measure(client: httpx.AsyncClient, paths: list[str], n: int) -> dict[str, float]:
    for path in paths[:5]:  # warm up
        assert (await client.get(path)).status_code == 200, path
    batches, walls = [], []
    per = max(1, n // 5)
    for batch in range(5):
        cpu = time.process_time()
        for i in range(per):
            start = time.perf_counter()
            response = await client.get(paths[(batch * per + i) % len(paths)])
            walls.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        batches.append((time.process_time() - cpu) / per)
    return {
        "cpu_ms": 1000 * statistics.median(batches),
        "p50_ms": 1000 * statistics.median(walls),
        "sql": await statements(client, paths[0]),
    }


async def run(url: str, n: int) -> None:
    settings = Settings.from_env(
        {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
            "PAGE_CACHE_SECONDS": "0",
            "RATE_LIMITS": "off",
            "LOG_LEVEL": "WARNING",
            "DATA_DIR": str(ROOT / "data" / "bench"),
        }
    )
    app = create_app(settings)
    rng = random.Random(1)
    ids = [rng.randint(1, 100_000) for _ in range(100)]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            first = await client.get("/signalements")
            following = re.search(r'<a href="([^"]+)" rel="next"', first.text)
            second = following[1].replace("&amp;", "&") if following else "/signalements?page=2"
            public = {
                "public list": ["/signalements"],
                "public list, page 2 (its next link)": [second],
                "public list, category and state": ["/signalements?category=2&state=resolved"],
                "public list, after 45,000 reports": [await deep_page(url)],
                "report page": [f"/signalements/{i}" for i in ids],
                "map (500 newest points)": ["/signalements/map"],
                "map, category and state": ["/signalements/map?category=2&state=resolved"],
            }
            print("| page | web CPU per request | wall p50 | SQL statements |\n|---|---|---|---|")
            for name, paths in public.items():
                r = await measure(client, paths, n)
                print(f"| {name} | {r['cpu_ms']:.1f} ms | {r['p50_ms']:.1f} ms | {r['sql']:.0f} |")
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as staff:
            await log_in(staff)
            for name, paths in {
                "staff queue": ["/admin/signalements"],
                "staff queue, service and overdue": [
                    "/admin/signalements?service=Voirie&overdue=on"
                ],
            }.items():
                r = await measure(staff, paths, n)
                print(f"| {name} | {r['cpu_ms']:.1f} ms | {r['p50_ms']:.1f} ms | {r['sql']:.0f} |")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--name", default="bench_signalements")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.admin_url.rsplit("/", 1)[0] + "/" + args.name, args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
