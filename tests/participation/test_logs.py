"""Log lines say when (UTC), how bad, where and for which request; JSON in production; an
access line per request on demand, without query strings; a job's lines carry the id of the
request that enqueued it."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from participation import logs, queue
from participation.app import create_app
from participation.settings import Settings
from participation.worker import worker_job
from tests import conftest
from tests.conftest import make_settings


class Lines(logging.Handler):
    """What our formatter writes, line by line (the handler `logs.configure` installs writes to
    stderr; this one borrows its formatter and filter)."""

    def __init__(self, installed: logging.Handler) -> None:
        super().__init__()
        self.setFormatter(installed.formatter)
        for each in installed.filters:
            self.addFilter(each)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def capture(settings: Settings) -> Lines:
    logs.configure(settings)
    [installed] = [h for h in logging.getLogger().handlers if h.get_name() == "participation"]
    lines = Lines(installed)
    logging.getLogger().addHandler(lines)
    return lines


@pytest.fixture
def json_lines(tmp_path: Path, redis_url: str) -> Any:
    settings = make_settings(tmp_path, redis_url, LOG_FORMAT="json", ACCESS_LOG="on")
    lines = capture(settings)
    yield settings, lines
    logging.getLogger().removeHandler(lines)


async def test_access_lines_are_json_with_time_and_request_id_and_no_query(
    json_lines: Any,
) -> None:
    settings, lines = json_lines
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await conftest._prepare_schema(settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            mine = await client.get(
                "/proposals?q=Camille+Martin", headers={"X-Request-ID": "proxy-1234abcd"}
            )
            forged = await client.get("/proposals", headers={"X-Request-ID": "<script>x"})
    assert mine.headers["x-request-id"] == "proxy-1234abcd"  # followed from the proxy's log
    assert forged.headers["x-request-id"] != "<script>x"  # one of ours instead
    access = [json.loads(line) for line in lines.lines if '"participation.access"' in line]
    first, second = access[-2:]
    assert first["request_id"] == "proxy-1234abcd" and first["path"] == "/proposals"
    assert first["method"] == "GET" and first["status"] == 200 and first["duration_ms"] >= 0
    assert second["request_id"] == forged.headers["x-request-id"]
    assert datetime.fromisoformat(first["time"]).utcoffset() is not None  # UTC, ISO 8601
    assert first["level"] == "INFO"
    assert not any("Camille" in line for line in lines.lines)  # no query string, no names


async def test_a_job_logs_with_the_id_of_the_request_that_enqueued_it(
    json_lines: Any, redis_url: str
) -> None:
    settings, lines = json_lines
    seen: list[str] = []

    async def some_job(ctx: dict[str, Any], item: int) -> None:
        logging.getLogger("participation.test").warning("working on %s", item)
        seen.append(logs.REQUEST_ID.get())

    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    previous = queue.get_pool()
    queue.open_pool(redis_url)
    token = logs.REQUEST_ID.set("req-from-a-form-post")  # as in a request's handling
    try:
        assert await queue.enqueue("some_job", 7)
        logs.REQUEST_ID.reset(token)
        pool = queue.get_pool()
        assert pool is not None
        [queued] = [job for job in await pool.queued_jobs() if job.function == "some_job"]
        await worker_job(some_job)({"redis": redis}, *queued.args, **queued.kwargs)
    finally:
        await queue.close_pool()
        queue.set_pool(previous)
        await redis.aclose()
    assert seen == ["req-from-a-form-post"]
    [line] = [json.loads(line) for line in lines.lines if "working on 7" in line]
    assert line["request_id"] == "req-from-a-form-post" and line["level"] == "WARNING"


def test_text_lines_for_people_outside_production(tmp_path: Path, redis_url: str) -> None:
    settings = make_settings(tmp_path, redis_url)
    assert settings.log_format == "text" and not settings.access_log
    lines = capture(settings)
    try:
        logging.getLogger("participation.test").warning("la file d’attente est vide")
    finally:
        logging.getLogger().removeHandler(lines)
    moment, level, name, *_ = lines.lines[-1].split(" ")
    assert datetime.fromisoformat(moment).utcoffset() is not None
    assert (level, name) == ("WARNING", "participation.test:")
    production = {"ENVIRONMENT": "production", "DATA_DIR": str(tmp_path)}
    from participation.settings import _log_format

    assert _log_format({"LOG_FORMAT": "", **production}, "production") == "json"


def test_a_proxy_request_id_is_taken_whole_or_not_at_all() -> None:
    """A header value ending in a line break (which `$` would accept) is not written into the
    access lines: a new id is made instead."""
    def given(value: bytes) -> str:
        return logs.request_id_of({"headers": [(b"x-request-id", value)]})

    assert given(b"proxy-1234abcd") == "proxy-1234abcd"
    for forged in (b"proxy-1234abcd\n", b"proxy-1234abcd\r\nX: y", b"short", b"a" * 65):
        assert given(forged) != forged.decode("latin-1")
