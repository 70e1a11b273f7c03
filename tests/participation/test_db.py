"""The connection pool: statements without asyncpg's reset round trip, and nothing that would
need it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tortoise import connections

from participation.db import PooledConnection
from tests.conftest import DATABASE_URL

ROOT = Path(__file__).resolve().parents[2]
# every package of the repository, the core and each feature (found like the Makefile's lint)
PACKAGES = sorted(
    path.parent.name
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name not in ("tests", "bench")
)
# what a connection given back to the pool without RESET ALL / UNLISTEN / CLOSE ALL /
# pg_advisory_unlock_all would carry over to the next request
SESSION_STATE = re.compile(
    r"\b(SET\s+(SESSION\s+)?[a-z_]+\s*(=|TO)\b|LISTEN\b|DECLARE\s+\w+\s+CURSOR|pg_advisory_lock)",
    re.IGNORECASE,
)


def test_no_code_leaves_session_state_on_a_pooled_connection() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if SESSION_STATE.search(line) and "SESSION_STATE" not in line
    ]
    assert found == []


@pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="PostgreSQL only")
async def test_pooled_connections_go_back_without_a_reset_query(app: object) -> None:
    client = connections.get("default")
    async with client.acquire_connection() as connection:
        assert isinstance(connection, PooledConnection)
        assert connection.get_reset_query() == ""
        await connection.execute("BEGIN")  # left open by mistake: rolled back on release
    async with client.acquire_connection() as connection:
        assert not connection.is_in_transaction()
