"""`participation backup` then `participation restore` into a new database: every table comes
back with every row (the demo town: accounts, proposals, budgets with sealed ballots,
consultations, meetings...), on the database the suite runs on. A restore never writes over a
database that holds tables, nor takes a file of the other kind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tortoise import Tortoise, connections

from participation import backup, demo
from participation.db import run_migrations, tortoise_config
from participation.settings import Settings
from tests.conftest import DATABASE_URL, empty_database, make_settings


async def _contents(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the migration log's timestamps, in a stable order."""
    await Tortoise.init(config=tortoise_config(settings))
    try:
        client = connections.get("default")
        if settings.uses_sqlite:
            rows = await client.execute_query_dict(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            tables = sorted(row["name"] for row in rows)
        else:
            rows = await client.execute_query_dict(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
            tables = sorted(row["tablename"] for row in rows)
        contents = {}
        for table in tables:
            found = await client.execute_query_dict(f'SELECT * FROM "{table}"')
            contents[table] = sorted(tuple(map(repr, row.values())) for row in found)
        return contents
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def new_database(tmp_path: Path, redis_url: str) -> AsyncIterator[Settings]:
    """Settings for a database of its own, empty: a new file, or a new PostgreSQL database."""
    if DATABASE_URL.startswith("sqlite"):
        url = f"sqlite://{tmp_path / 'restored.db'}"
        yield make_settings(tmp_path / "new", redis_url, DATABASE_URL=url)
        return
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/") + "_restored"
    admin = await asyncpg.connect(DATABASE_URL.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(parts._replace(path=f"/{name}"))
        yield make_settings(tmp_path / "new", redis_url, DATABASE_URL=url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_a_backup_restores_every_row_into_a_new_database(
    tmp_path: Path, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with empty_database(tmp_path, redis_url) as source:
        await run_migrations(source)
        await demo.load(source)
        capsys.readouterr()
        saved = await _contents(source)
        assert len(saved) > 30 and sum(map(len, saved.values())) > 500  # a populated town
        file = tmp_path / "villebelle.backup"
        await asyncio.to_thread(backup.backup, source, file)
        with pytest.raises(backup.BackupRefused, match="exists already"):
            await asyncio.to_thread(backup.backup, source, file)  # never over an older one
        with pytest.raises(backup.BackupRefused, match="already holds tables"):
            await asyncio.to_thread(backup.restore, source, file)  # never over a database

        async with new_database(tmp_path, redis_url) as target:
            wrong_kind = tmp_path / "other.backup"
            wrong_kind.write_bytes(b"PGDMP" if target.uses_sqlite else b"SQLite format 3\x00")
            with pytest.raises(backup.BackupRefused, match="is not a"):
                await asyncio.to_thread(backup.restore, target, wrong_kind)
            await asyncio.to_thread(backup.restore, target, file)
            restored = await _contents(target)
            assert restored == saved  # every table, every row, every value
            await run_migrations(target)  # the restored database is up to date already


@pytest.mark.parametrize(
    ("ours", "libpq"),
    [
        ("postgres://u:p@db:5432/town", "postgresql://u:p@db:5432/town"),
        (  # a Unix socket's folder and TLS are kept; the pool's options are not
            "postgres://u@/town?host=/var/run/postgresql&maxsize=20&sslmode=require",
            "postgresql://u@/town?host=%2Fvar%2Frun%2Fpostgresql&sslmode=require",
        ),
    ],
)
def test_the_backup_tools_reach_the_database_the_site_uses(ours: str, libpq: str) -> None:
    assert backup.postgres_url(ours) == libpq
