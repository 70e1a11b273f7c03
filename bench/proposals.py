"""Proposals at scale: 100,000 proposals and 1,000,000 supports on PostgreSQL.

Creates (or recreates) the database `bench_proposals`, migrates it, seeds it with COPY, starts
`participation serve` on a free port of 127.0.0.1 and measures the list and detail pages.

    .venv/bin/python bench/proposals.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _common import migrated_database, served  # noqa: E402

PROPOSALS, SUPPORTS, USERS = 100_000, 1_000_000, 20_000
STATES = ["published"] * 6 + ["threshold_reached", "under_analysis", "accepted", "refused", "done"]
WORDS = "vélo arbre école rue parc jardin éclairage banc piscine marché loire quartier".split()


async def seed(admin_url: str, url: str) -> None:
    await migrated_database(admin_url, "bench_proposals", ROOT / "data" / "bench")
    db = await asyncpg.connect(url)
    rng = random.Random(5)
    now = datetime.now(UTC)
    await db.copy_records_to_table(
        "accounts_user",
        columns=[
            "email",
            "display_name",
            "password_hash",
            "role",
            "created_at",
            "email_confirmed_at",
        ],
        records=[
            (f"u{i}@bench.invalid", f"Habitant {i}", "x", "citizen", now, now) for i in range(USERS)
        ],
    )
    await db.execute(
        "INSERT INTO territory_category (name, slug) VALUES ('Mobilité', 'mobilite'),"
        " ('Environnement', 'environnement')"
    )
    await db.execute(
        "INSERT INTO territory_district (name, slug) VALUES ('Centre', 'centre'),"
        " ('Les Rives', 'les-rives')"
    )
    records = []
    for i in range(PROPOSALS):
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        title = f"Proposition {i} : {words[:60]}"
        records.append(
            (
                1 + i % USERS,
                title,
                f"<p>{words}</p>",
                1 + i % 2,
                1 + (i // 2) % 2,
                rng.choice(STATES),
                "visible",
                1,
                0,
                0,
                f"proposition {i} {words}",
                "",
                "",
                now,
                now,
                now,
            )
        )
    await db.copy_records_to_table(
        "proposals_proposal",
        columns=[
            "author_id",
            "title",
            "body",
            "category_id",
            "district_id",
            "state",
            "moderation_state",
            "version",
            "support_count",
            "comment_count",
            "search_text",
            "answer_body",
            "address",
            "created_at",
            "published_at",
            "updated_at",
        ],
        records=records,
    )
    # 1,000,000 distinct (proposal, user) pairs: every user supports 50 proposals
    pairs = (
        (1 + (u * 7919 + k * 104_729) % PROPOSALS, 1 + u, now)
        for u in range(USERS)
        for k in range(SUPPORTS // USERS)
    )
    await db.copy_records_to_table(
        "proposals_support", columns=["proposal_id", "user_id", "created_at"], records=pairs
    )
    await db.execute(
        "UPDATE proposals_proposal p SET support_count = s.n FROM "
        "(SELECT proposal_id, COUNT(*) AS n FROM proposals_support GROUP BY proposal_id) s "
        "WHERE s.proposal_id = p.id"
    )
    await db.execute("ANALYZE")
    await db.close()


async def measure(
    base: str,
    paths: list[str],
    requests: int,
    concurrency: int,
    cookies: httpx.Cookies | None = None,
) -> dict[str, float]:
    latencies: list[float] = []
    queue = [paths[i % len(paths)] for i in range(requests)]

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            path = queue.pop()
            start = time.perf_counter()
            response = await client.get(path)
            latencies.append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)

    async with httpx.AsyncClient(base_url=base, timeout=30, cookies=cookies) as client:
        await client.get(paths[0])  # warm up
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "req_s": len(latencies) / elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()
    url = args.admin_url.rsplit("/", 1)[0] + "/bench_proposals"
    if not args.skip_seed:
        start = time.perf_counter()
        asyncio.run(seed(args.admin_url, url))
        print(
            f"seeded {PROPOSALS:,} proposals and {SUPPORTS:,} supports "
            f"in {time.perf_counter() - start:.0f} s"
        )
    with served(url, ROOT / "data" / "bench", "/proposals") as base:
        rng = random.Random(1)
        scenarios = {
            "list, recent": ["/proposals"],
            "list, deep pages": [f"/proposals?page={rng.randint(2, 500)}" for _ in range(50)],
            "list, most supported": ["/proposals?sort=supported"],
            "list, random": ["/proposals?sort=random"],
            "list, search + filter": ["/proposals?q=velo+ecole&district=centre"],
            "list, search, a plural": ["/proposals?q=jardins"],
            "list, search, two words": ["/proposals?q=eclairage+parc"],
            "detail": [f"/proposals/{rng.randint(1, PROPOSALS)}" for _ in range(200)],
        }
        print(
            f"{args.requests} requests per scenario, {args.concurrency} at a time, "
            f"1 web process, page cache off"
        )
        print("| page | p50 | p99 | req/s |\n|---|---|---|---|")
        for name, paths in scenarios.items():
            r = asyncio.run(measure(base, paths, args.requests, args.concurrency))
            print(f"| {name} | {r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['req_s']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
