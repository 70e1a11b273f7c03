"""Consultations at scale: 100,000 responses to 20 questions on PostgreSQL.

Creates (or recreates) the database `bench_consultations`, migrates it, seeds the responses with
COPY (a moderator approves one text of each text question, so the results list about 200
answers each), times the results job (`services.compute_results`, 3 runs: the second and third
must store nothing new), then the results page served from the stored aggregate (in process,
through the ASGI app, one request at a time): with the page cache off (every request renders the
page) and, as an anonymous visitor, with it on.

    .venv/bin/python bench/consultations.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
                                            [--database bench_consultations] [--redis URL]
                                            [--responses 100000] [--requests 200]

`--database` names the database to recreate (several people benchmarking on one server each
use their own); `--redis` a Redis database to use instead of an embedded server (it is not
emptied). Every figure comes with the load average (`os.getloadavg`) and the CPU time of this
process (the job and the web app run in it; PostgreSQL's CPU is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

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


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class QueryCounter(logging.Handler):
    """Counts the SQL statements Tortoise logs (as tests/conftest.py does)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def page_figures(app: Any, page: str, requests: int) -> tuple[str, int]:
    """p50 / p99 of `requests` GETs of `page`, one at a time, and the queries of one request."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        assert (await client.get(page)).status_code == 200  # warm: templates, first render
        logger, counter = logging.getLogger("tortoise.db_client"), QueryCounter()
        logger.addHandler(counter)
        level, propagate = logger.level, logger.propagate
        logger.setLevel(logging.DEBUG)
        logger.propagate = False  # counted, not printed
        assert (await client.get(page)).status_code == 200
        logger.removeHandler(counter)
        logger.setLevel(level)
        logger.propagate = propagate
        latencies = []
        before, cpu = load(), time.process_time()
        for _ in range(requests):
            started = time.perf_counter()
            response = await client.get(page)
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        cpu = (time.process_time() - cpu) * 1000 / requests
    latencies.sort()
    return (
        f"p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms, "
        f"CPU {cpu:.2f} ms/request ({requests} requests, in process; {before} -> {load()})",
        counter.count,
    )


async def main(
    admin_url: str, database: str, redis: str, responses: int, requests: int, in_clear: bool
) -> None:
    from tortoise import Tortoise

    from consultations import services
    from consultations.models import Audience, Option, Phase, QuestionKind, Result
    from consultations.texts import text_digest
    from participation import sealing
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
        {"DATABASE_URL": url, "DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING", "REDIS_URL": redis}
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
    # anonymous (the default): sealed as submit_response seals them; --in-clear: as before #16
    key = sealing.public_key(settings.answers_key, consultation_id)
    rows = []
    for _ in range(responses):
        answers = answers_for(rng, questions)
        sealed = None if in_clear else sealing.seal(key, answers.encode())
        answers = answers if in_clear else ""
        rows.append(
            (uuid.uuid4(), consultation_id, uuid.uuid4().hex, answers, sealed, date.today())
        )
    connection = await asyncpg.connect(url)
    await connection.copy_records_to_table(
        "consultations_response",
        records=rows,
        columns=["id", "consultation_id", "token", "answers", "sealed", "submitted_on"],
    )
    await connection.close()
    del rows
    print(
        f"seeded {responses:,} {'clear' if in_clear else 'sealed'} responses x {len(kinds)} "
        f"questions in {time.perf_counter() - started:.1f} s"
    )
    # a moderator approved one text, given by 1 in 500: known by its digest once the results
    # job has read the answers (the only writer of text rows, never at submission)
    await services.compute_results(settings, consultation_id)
    for question_id, kind, _ids in questions:
        if kind == "short-text":
            assert await services.review_text(question_id, text_digest("<p>idée 1</p>"), True)
    await services.switch_phase(consultation_id, Phase.CLOSED, None)

    digests, contents = set(), set()
    for run in range(1, 4):
        before, cpu = load(), time.process_time()
        started = time.perf_counter()
        digests.add(await services.compute_results(settings, consultation_id))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        stored = await Result.get(consultation_id=consultation_id)
        contents.add((stored.content, stored.computed_at))
        print(f"results job run {run}: {wall:.2f} s, CPU {cpu:.2f} s ({before} -> {load()})")
    # idempotent: the same input digest, and the stored row untouched by the second and third run
    print(f"results job idempotent: {len(digests) == 1 and len(contents) == 1}")
    await close_database()
    await Tortoise.close_connections()

    page = f"/consultations/{consultation_id}/results"
    for label, seconds in (("page cache off", 0), ("anonymous, page cache on", 10)):
        app = create_app(dataclasses.replace(settings, page_cache_seconds=seconds))
        async with app.router.lifespan_context(app):
            figures, queries = await page_figures(app, page, requests)
        print(f"results page, {label}: {figures}; {queries} SQL queries per request")


if __name__ == "__main__":
    from participation.redis import stop_embedded_redis

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="bench_consultations")
    parser.add_argument("--redis", default="", help="a Redis URL (default: an embedded server)")
    parser.add_argument("--responses", type=int, default=RESPONSES)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--in-clear", action="store_true", help="responses stored in clear, as before issue #16"
    )
    arguments = parser.parse_args()
    try:
        asyncio.run(
            main(
                arguments.admin_url,
                arguments.database,
                arguments.redis,
                arguments.responses,
                arguments.requests,
                arguments.in_clear,
            )
        )
    finally:  # the app's embedded Redis (no REDIS_URL) would outlive the script
        stop_embedded_redis()
