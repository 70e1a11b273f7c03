"""Indicators at scale: one million participations on PostgreSQL.

Creates (or recreates) the database `bench_indicators`, migrates it, seeds with COPY a town of
400,000 census entries and 300,000 accounts (two in three verified), then:
- 2 budgets: 300,000 + 200,000 voters (1 in 8 on paper), over 4 weeks;
- 2 consultations: 150,000 + 100,000 answers by accounts, + 20,000 by visitors;
- the proposals space: 200 proposals, 200,000 supports, 30,000 comments;
- 20,000 moderation cases, 19,000 of them decided.
That is 1,000,000 participations. It times the indicators job (`compute_indicators`), then the
dashboard pages served from the stored figures (in process, through the ASGI app, signed in as
an admin, one request at a time).

    .venv/bin/python bench/indicators.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # this file is named like the package: import the package, not itself

CENSUS = 400_000
ACCOUNTS = 300_000
VERIFIED = 200_000
BUDGET_VOTERS = (300_000, 200_000)
CONSULTATION_ANSWERS = (150_000, 100_000)
VISITORS = 20_000
PROPOSALS = 200
SUPPORTS = 200_000
COMMENTS = 30_000
CASES = 20_000
DISTRICTS = ("Centre", "Gare", "Port", "Plateau", "Rives", "Saint-Martin", "Vignes", "Zone nord")
PASSWORD = "Banc-d-essai-indicateurs-2026"


def _birth_year(rng: random.Random) -> int:
    return 2026 - min(99, max(0, int(rng.gauss(44, 22))))


async def seed(url: str) -> dict[str, list[int]]:
    rng = random.Random(9)
    now = datetime.now(UTC)
    start = now - timedelta(days=28)
    connection = await asyncpg.connect(url)
    copy = connection.copy_records_to_table

    await copy(
        "budgets_census_entry",
        records=[
            (i, f"h{i}", DISTRICTS[(i * 7) % len(DISTRICTS)], _birth_year(rng), now)
            for i in range(1, CENSUS + 1)
        ],
        columns=["id", "lookup_hash", "district", "birth_year", "imported_at"],
    )
    await copy(
        "accounts_user",
        records=[
            (i, f"p{i}@bench.invalid", f"P {i}", "x", "citizen", now, now)
            for i in range(1, ACCOUNTS + 1)
        ],
        columns=[
            "id",
            "email",
            "display_name",
            "password_hash",
            "role",
            "email_confirmed_at",
            "created_at",
        ],
    )
    # accounts 1..VERIFIED are verified against census entries 1..VERIFIED
    await copy(
        "budgets_residency",
        records=[(i, i, i, date(1980, 1, 1), now) for i in range(1, VERIFIED + 1)],
        columns=["id", "user_id", "census_entry_id", "birth_date", "verified_at"],
    )

    budget_ids = []
    register_id = 0
    for number, voters in enumerate(BUDGET_VOTERS, start=1):
        budget_id = await connection.fetchval(
            "INSERT INTO budgets_budget (title, description, currency, total_amount, phase, "
            "ballot_kind, min_choices, min_spent_percent, points_total, points_per_project, "
            "ranking_length, winner_rule, minimum_age, created_at) VALUES ($1, '', 'EUR', "
            "1000000, 'voting', 'approval', 1, 0, 10, 5, 3, 'greedy', 0, $2) RETURNING id",
            f"Budget {number}",
            now,
        )
        budget_ids.append(budget_id)
        entries = rng.sample(range(1, CENSUS + 1), voters)
        records = []
        for entry in entries:
            register_id += 1
            channel = "paper" if register_id % 8 == 0 else "web"
            records.append(
                (
                    register_id,
                    budget_id,
                    entry,
                    channel,
                    (start + timedelta(seconds=rng.randrange(28 * 86400))).date(),
                )
            )
        await copy(
            "budgets_voter_register",
            records=records,
            columns=["id", "budget_id", "census_entry_id", "channel", "voted_on"],
        )

    consultation_ids = []
    for number, answers in enumerate(CONSULTATION_ANSWERS, start=1):
        consultation_id = await connection.fetchval(
            "INSERT INTO consultations_consultation (title, context, phase, audience, anonymous, "
            "results_visible_while_open, outcome_heard, outcome_decided, created_at) "
            "VALUES ($1, '', 'open', 'everyone', true, false, '', '', $2) RETURNING id",
            f"Consultation {number}",
            now,
        )
        consultation_ids.append(consultation_id)
        people = rng.sample(range(1, ACCOUNTS + 1), answers)
        days = [(start + timedelta(days=rng.randrange(28))).date() for _ in people]
        await copy(
            "consultations_participant",
            records=list(zip([consultation_id] * answers, people, days, strict=True)),
            columns=["consultation_id", "user_id", "answered_on"],
        )
        visitors = VISITORS if number == 1 else 0
        await copy(
            "consultations_response",
            records=[
                (uuid.uuid4(), consultation_id, uuid.uuid4().hex, "{}", day)
                for day in days + days[:visitors]
            ],
            columns=["id", "consultation_id", "token", "answers", "submitted_on"],
        )

    await copy(
        "proposals_proposal",
        records=[
            (
                i,
                rng.randrange(1, ACCOUNTS + 1),
                f"Proposition {i}",
                "<p>.</p>",
                "published",
                "visible",
                now - timedelta(days=rng.randrange(60)),
                now,
                now,
                "",
                1,
                0,
                0,
                "",
                "",
            )
            for i in range(1, PROPOSALS + 1)
        ],
        columns=[
            "id",
            "author_id",
            "title",
            "body",
            "state",
            "moderation_state",
            "published_at",
            "created_at",
            "updated_at",
            "address",
            "version",
            "support_count",
            "comment_count",
            "search_text",
            "answer_body",
        ],
    )
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < SUPPORTS:
        pairs.add((rng.randrange(1, PROPOSALS + 1), rng.randrange(1, ACCOUNTS + 1)))
    await copy(
        "proposals_support",
        records=[(p, u, start + timedelta(seconds=rng.randrange(28 * 86400))) for p, u in pairs],
        columns=["proposal_id", "user_id", "created_at"],
    )
    await copy(
        "comments_comment",
        records=[
            (
                rng.randrange(1, PROPOSALS + 1),
                rng.randrange(1, ACCOUNTS + 1),
                "<p>.</p>",
                "neutral",
                "visible",
                start + timedelta(seconds=rng.randrange(28 * 86400)),
                0,
                0,
                0,
            )
            for _ in range(COMMENTS)
        ],
        columns=[
            "proposal_id",
            "author_id",
            "body",
            "stance",
            "moderation_state",
            "created_at",
            "depth",
            "upvotes",
            "downvotes",
        ],
    )
    cases = []
    for i in range(1, CASES + 1):
        opened = start + timedelta(seconds=rng.randrange(27 * 86400))
        closed = opened + timedelta(hours=rng.expovariate(1 / 20)) if i % 20 else None
        cases.append(
            (
                "comment" if i % 3 else "proposal",
                i,
                "closed" if closed else "open",
                "reported",
                opened,
                closed,
                0,
            )
        )
    await copy(
        "moderation_case",
        records=cases,
        columns=[
            "content_type",
            "content_id",
            "status",
            "kind",
            "opened_at",
            "closed_at",
            "open_reports",
        ],
    )
    for table in (
        "accounts_user",
        "budgets_census_entry",
        "budgets_residency",
        "budgets_voter_register",
        "proposals_proposal",
    ):
        await connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )
    await connection.execute("ANALYZE")
    await connection.close()
    return {"budgets": budget_ids, "consultations": consultation_ids}


async def main(admin_url: str) -> None:
    from tortoise import Tortoise

    from indicators import jobs
    from participation.accounts.models import Role, User
    from participation.accounts.services import hash_password
    from participation.app import create_app
    from participation.db import close_database, init_database, run_migrations
    from participation.settings import Settings

    url = admin_url.rsplit("/", 1)[0] + "/bench_indicators"
    admin = await asyncpg.connect(admin_url)
    await admin.execute("DROP DATABASE IF EXISTS bench_indicators")
    await admin.execute("CREATE DATABASE bench_indicators")
    await admin.close()
    data_dir = Path(tempfile.mkdtemp())
    settings = Settings.from_env(
        {"DATABASE_URL": url, "DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    )
    await run_migrations(settings)
    started = time.perf_counter()
    processes = await seed(url)
    total = sum(BUDGET_VOTERS) + sum(CONSULTATION_ANSWERS) + VISITORS + SUPPORTS + COMMENTS
    print(f"seeded {total:,} participations with COPY in {time.perf_counter() - started:.1f} s")

    await init_database(settings)
    await User.create(
        email="mairie@bench.invalid",
        display_name="Mairie",
        role=Role.ADMIN,
        password_hash=await hash_password(settings, PASSWORD),
    )
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        stored = await jobs.compute_indicators({})
        timings.append(time.perf_counter() - started)
    print(
        f"indicators job ({stored} processes): "
        + ", ".join(f"{t:.2f} s" for t in timings)
        + " (3 runs)"
    )
    await close_database()
    await Tortoise.close_connections()

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            page = await client.get("/account/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            login = await client.post(
                "/account/login",
                data={
                    "email": "mairie@bench.invalid",
                    "password": PASSWORD,
                    "csrf_token": token.group(1),
                },
            )
            assert login.status_code == 303, login.text
            first_budget = processes["budgets"][0]
            pages = {
                "dashboard (/admin/indicators)": "/admin/indicators",
                "one budget": f"/admin/indicators/budget/{first_budget}",
                "public summary (/indicators)": "/indicators",
            }
            for name, path in pages.items():
                assert (await client.get(path)).status_code == 200
                latencies = []
                for _ in range(200):
                    started = time.perf_counter()
                    response = await client.get(path)
                    latencies.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                latencies.sort()
                print(
                    f"{name}: p50 {statistics.median(latencies):.1f} ms, "
                    f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms (200 requests)"
                )


if __name__ == "__main__":
    from participation.redis import stop_embedded_redis

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    try:
        asyncio.run(main(parser.parse_args().admin_url))
    finally:  # the app's embedded Redis (no REDIS_URL) would outlive the script
        stop_embedded_redis()
