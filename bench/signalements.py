"""Signalements at scale: 100,000 reports over three years on PostgreSQL.

Creates (or recreates) the database `bench_signalements`, migrates it, seeds it with COPY (six
categories, 100,000 reports spread over three years in every state, most closed, a few
thousand open), prints the plan of the 50 m duplicate lookup (it must read the composite
index), starts `participation serve` on a free port of 127.0.0.1 and measures at one
connection: the staff queue (signed in as staff), the queue filtered on overdue reports, the
public list, its filtered and deep pages, a report's page, the map (its 500 newest points), the
figures per category (median and 90th percentile computed by PostgreSQL over every report).

    .venv/bin/python bench/signalements.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
        [--name bench_signalements] [--skip-seed] [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

# this file is named like the package: import the package, not itself (as bench/consultations.py),
# and before bench/proposals.py puts bench/ first on the path
sys.path[0] = str(Path(__file__).resolve().parents[1])

from participation.accounts.services import hash_password  # noqa: E402
from participation.settings import Settings  # noqa: E402
from signalements import domain  # noqa: E402
from signalements.demo import CATEGORIES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

from bench._common import migrated_database, served  # noqa: E402
from bench.proposals import measure  # noqa: E402

REPORTS = 100_000
PASSWORD = "bench-staff-password-2026"
# (state, weight): three years of a town's reports, most of them closed
STATES = [("resolved", 80), ("rejected", 6), ("not_ours", 4), ("merged", 2), ("received", 3)]
STATES += [("taken", 3), ("planned", 2)]
DISTRICTS = ["Centre", "Les Rives", "Saint-Martin", "La Gare"]
BOX = domain.Box(47.16, -1.66, 47.30, -1.46)  # the default SIGNALEMENTS_TOWN_BOX


async def seed(admin_url: str, url: str, name: str = "bench_signalements") -> None:
    await migrated_database(admin_url, name, ROOT / "data" / "bench")
    db = await asyncpg.connect(url)
    settings = Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": "b" * 40})
    now = datetime.now(UTC)
    await db.execute(
        "INSERT INTO accounts_user (email, display_name, password_hash, role, created_at,"
        " email_confirmed_at, language, terms_version, terms_accepted_at)"
        " VALUES ($1, 'Agent', $2, 'admin', $3, $3, 'fr', 1, $3)",
        "agent@bench.invalid",
        await hash_password(settings, PASSWORD),
        now,
    )
    await db.executemany(
        "INSERT INTO territory_district (name, slug) VALUES ($1, $2)",
        [(d, d.lower().replace(" ", "-")) for d in DISTRICTS],
    )
    await db.executemany(
        "INSERT INTO signalements_category (name, icon, service, sla_days, premoderated, active)"
        " VALUES ($1, $2, $3, $4, false, true)",
        CATEGORIES,
    )
    rng = random.Random(24)
    states = [s for s, weight in STATES for _ in range(weight)]
    records = []
    for i in range(REPORTS):
        category = rng.randrange(len(CATEGORIES))
        sla = CATEGORIES[category][3]
        state = rng.choice(states)
        created = now - timedelta(days=rng.uniform(0, 3 * 365))
        if state in ("received", "taken", "planned"):  # open ones are recent
            created = now - timedelta(days=rng.uniform(0, 60))
        resolved = (
            created + timedelta(days=rng.expovariate(1 / sla)) if state == "resolved" else None
        )
        records.append(
            (
                1 + category,
                "Nid-de-poule profond devant le numéro, dangereux pour les vélos.",
                f"{rng.randint(1, 120)} rue {rng.randint(1, 400)}, Villebelle-sur-Loire",
                rng.uniform(BOX.south, BOX.north),
                rng.uniform(BOX.west, BOX.east),
                rng.choice(DISTRICTS),
                "",
                rng.choice(["online", "online", "online", "phone", "counter"]),
                state,
                "visible",
                i % 97 == 0,
                f"{i:064x}",
                created + timedelta(days=sla),
                resolved,
                created,
                resolved or created,
            )
        )
    await db.copy_records_to_table(
        "signalements_report",
        columns=[
            "category_id",
            "description",
            "address",
            "latitude",
            "longitude",
            "district",
            "email",
            "channel",
            "state",
            "moderation_state",
            "private",
            "token_hash",
            "due_at",
            "resolved_at",
            "created_at",
            "updated_at",
        ],
        records=records,
    )
    await db.execute("ANALYZE")
    await db.close()


async def explain_duplicates(url: str) -> str:
    """The plan of the duplicate lookup's query, as `queries.nearby_open` sends it."""
    box = domain.box_around(47.2184, -1.5536, domain.DUPLICATE_RADIUS_M)
    db = await asyncpg.connect(url)
    try:
        rows = await db.fetch(
            "EXPLAIN ANALYZE SELECT * FROM signalements_report WHERE category_id = 1"
            " AND state IN ('received', 'taken', 'planned') AND moderation_state = 'visible'"
            " AND latitude >= $1 AND latitude <= $2 AND longitude >= $3 AND longitude <= $4"
            " LIMIT 50",
            box.south,
            box.north,
            box.west,
            box.east,
        )
    finally:
        await db.close()
    return "\n".join(r[0] for r in rows)


async def deep_pages(url: str, rng: random.Random) -> list[str]:
    """50 pages anywhere in the public list: `?after=` the key of a random public report (the
    keyset pages), or `?page=N` up to 3,000 where the list had no cursors (before issue #24's
    keyset pages; its old links now answer only for the first pages)."""
    old = [f"/signalements?page={rng.randint(2, 3000)}" for _ in range(50)]
    try:
        from signalements.queries import Key, encode_cursor
    except ImportError:
        return old
    db = await asyncpg.connect(url)
    try:
        rows = await db.fetch(
            "SELECT created_at, id FROM signalements_report WHERE moderation_state = 'visible'"
            " AND state <> 'merged' ORDER BY md5(id::text) LIMIT 50"
        )
    finally:
        await db.close()
    return [f"/signalements?after={encode_cursor(Key(r['created_at'], r['id']))}" for r in rows]


async def staff_cookies(
    base: str, email: str = "agent@bench.invalid", password: str = PASSWORD
) -> httpx.Cookies:
    """The cookies of `email` signed in through the login form (also bench/bigtown.py's)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = await client.get("/account/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        response = await client.post(
            "/account/login",
            data={"email": email, "password": password, "csrf_token": token[1]},
        )
        assert response.status_code == 303, response.status_code
        return client.cookies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument(
        "--name",
        default="bench_signalements",
        help="the database's name (recreated unless --skip-seed)",
    )
    args = parser.parse_args()
    url = args.admin_url.rsplit("/", 1)[0] + "/" + args.name
    if not args.skip_seed:
        start = time.perf_counter()
        asyncio.run(seed(args.admin_url, url, args.name))
        print(f"seeded {REPORTS:,} reports in {time.perf_counter() - start:.0f} s")
    plan = asyncio.run(explain_duplicates(url))
    print("duplicate lookup (50 m), its plan:\n" + plan)
    with served(url, ROOT / "data" / "bench", "/healthz", RATE_LIMITS="off") as base:
        rng = random.Random(1)
        public = {
            "public list": ["/signalements"],
            "public list, category and state": ["/signalements?category=2&state=resolved"],
            "public list, deep pages": asyncio.run(deep_pages(url, rng)),
            "report page": [f"/signalements/{rng.randint(1, REPORTS)}" for _ in range(100)],
            "map (500 newest points)": ["/signalements/map"],
            "map, category and state": ["/signalements/map?category=2&state=resolved"],
            "figures (percentiles in SQL)": ["/signalements/figures"],
        }
        staff = {
            "staff queue": ["/admin/signalements"],
            "staff queue, service and overdue": ["/admin/signalements?service=Voirie&overdue=on"],
        }
        cookies = asyncio.run(staff_cookies(base))
        print(f"\n{args.requests} requests per scenario, 1 connection, 1 web process, cache off")
        print("| page | p50 | p99 | req/s |\n|---|---|---|---|")
        for name, paths in {**public, **staff}.items():
            jar = cookies if name in staff else None
            r = asyncio.run(measure(base, paths, args.requests, 1, jar))
            print(f"| {name} | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms | {r['req_s']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
