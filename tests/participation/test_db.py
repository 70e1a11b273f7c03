"""The connection pool: statements without asyncpg's reset round trip, and nothing that would
need it."""

from __future__ import annotations

import logging
import re

import pytest
from tortoise import connections

from participation.db import PooledConnection, fetch_rows
from tests.conftest import DATABASE_URL
from tests.sources import ROOT, source_files

# what a connection given back to the pool without RESET ALL / UNLISTEN / CLOSE ALL /
# pg_advisory_unlock_all would carry over to the next request
SESSION_STATE = re.compile(
    r"\b(SET\s+(SESSION\s+)?[a-z_]+\s*(=|TO)\b|LISTEN\b|DECLARE\s+\w+\s+CURSOR|pg_advisory_lock)",
    re.IGNORECASE,
)


def test_no_code_leaves_session_state_on_a_pooled_connection() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in source_files(migrations=False)
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


@pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="PostgreSQL only")
async def test_the_hot_path_statement_log_keeps_no_values(
    app: object, caplog: pytest.LogCaptureFixture
) -> None:
    """The session lookup and the ballot log their SQL at DEBUG, never the values (token
    hashes, voter tokens, sealed ballots): a log kept beside a copy of the database must not
    tie them to a time."""
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        rows = await fetch_rows("SELECT $1::text AS secret", ["a-session-token-hash"])
    assert rows[0]["secret"] == "a-session-token-hash"
    assert "SELECT $1::text AS secret" in caplog.text  # the statement is logged
    assert "a-session-token-hash" not in caplog.text
