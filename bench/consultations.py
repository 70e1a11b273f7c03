"""Consultations at scale: 100,000 responses to 20 questions on PostgreSQL.

Creates (or recreates) the database `bench_consultations`, migrates it, seeds the responses with
COPY, times the results job (`services.compute_results`), then the results page served from
the stored aggregate (in process, through the ASGI app, one request at a time).

    .venv/bin/python bench/consultations.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
                                            [--database bench_consultations]

`--database` names the database to recreate (several people benchmarking on one server each
use their own).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # this file is named like the package: import the package, not itself
RESPONSES = 100_000


def answers_for(rng: random.Random, questions: list[tuple[int, str, list[int]]]) -> str:
    stored: dict[str, object] = {}
    for question_id, kind, options in questions:
        key = str(question_id)
        if kind == "single":
            stored[key] = [rng.choice(options)]
        elif kind == "multiple":
            stored[key] = rng.sample(options, rng.randint(1, 2))
        elif kind == "ranking":
            stored[key] = rng.sample(options, len(options))
        elif kind == "majority":
            stored[key] = {str(o): rng.randint(0, 6) for o in options}
        elif kind == "scale":
            stored[key] = rng.randint(1, 5)
        elif kind == "number":
            stored[key] = rng.randint(0, 100)
        else:
            stored[key] = f"<p>idée {rng.randint(1, 500)}</p>"
    return json.dumps(stored, sort_keys=True)


async def main(admin_url: str, database: str) -> None:
    from tortoise import Tortoise

    from consultations import services
    from consultations.models import Audience, Option, Phase, QuestionKind
    from participation.app import create_app
    from participation.db import close_database, init_database, run_migrations
    from participation.settings import Settings

    if not database.replace("_", "").isalnum():
        raise SystemExit(f"--database: letters, digits and _ only, not {database!r}")
    url = admin_url.rsplit("/", 1)[0] + "/" + database
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f"DROP DATABASE IF EXISTS {database}")
    await admin.execute(f"CREATE DATABASE {database}")
    await admin.close()
    data_dir = Path(tempfile.mkdtemp())
    settings = Settings.from_env(
        {"DATABASE_URL": url, "DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    )
    await run_migrations(settings)
    await init_database(settings)
    kinds = (
        ["single"] * 4
        + ["multiple"] * 3
        + ["ranking"] * 3
        + ["scale"] * 3
        + ["majority"] * 3
        + ["number"] * 2
        + ["short-text"] * 2
    )
    consultation_id = await services.save_consultation(
        services.ConsultationForm("Banc d'essai", audience=Audience.EVERYONE)
    )
    questions = []
    for n, kind in enumerate(kinds, start=1):
        options = ("Un", "Deux", "Trois", "Quatre") if kind != "majority" else ("A", "B", "C")
        form = services.QuestionForm(QuestionKind(kind), f"Question {n}", options=options)
        question_id = await services.save_question(consultation_id, form)
        ids = [o.id for o in await Option.filter(question_id=question_id).order_by("position")]
        questions.append((question_id, kind, ids))
    rng = random.Random(6)
    started = time.perf_counter()
    rows = [
        (uuid.uuid4(), consultation_id, uuid.uuid4().hex, answers_for(rng, questions), date.today())
        for _ in range(RESPONSES)
    ]
    connection = await asyncpg.connect(url)
    await connection.copy_records_to_table(
        "consultations_response",
        records=rows,
        columns=["id", "consultation_id", "token", "answers", "submitted_on"],
    )
    await connection.close()
    print(
        f"seeded {RESPONSES:,} responses x {len(kinds)} questions in "
        f"{time.perf_counter() - started:.1f} s"
    )
    await services.switch_phase(consultation_id, Phase.CLOSED, None)

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        await services.compute_results(consultation_id)
        timings.append(time.perf_counter() - started)
    print("results job: " + ", ".join(f"{t:.2f} s" for t in timings) + " (3 runs)")
    await close_database()
    await Tortoise.close_connections()

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            page = f"/consultations/{consultation_id}/results"
            assert (await client.get(page)).status_code == 200
            latencies = []
            for _ in range(200):
                started = time.perf_counter()
                response = await client.get(page)
                latencies.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
    latencies.sort()
    print(
        f"results page: p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms (200 requests, in process)"
    )


if __name__ == "__main__":
    from participation.redis import stop_embedded_redis

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="bench_consultations")
    arguments = parser.parse_args()
    try:
        asyncio.run(main(arguments.admin_url, arguments.database))
    finally:  # the app's embedded Redis (no REDIS_URL) would outlive the script
        stop_embedded_redis()
