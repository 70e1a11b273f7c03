"""`participation backup FILE` and `participation restore FILE` (docs/operations.md).

PostgreSQL: `pg_dump --format=custom` and `pg_restore` (the client tools of the server's
version), in one transaction, into an empty database. SQLite: the online backup API (a
consistent copy while the site runs) both ways. A backup holds every personal datum of the
platform (but ANSWERS_KEY, which is not in the database): keep it encrypted, apart.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from participation.settings import Settings

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupRefused(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


def sqlite_path(database_url: str) -> Path:
    """The file of a `sqlite://` URL (its query string left out)."""
    path = urlsplit(database_url).path if database_url.startswith("sqlite:///") else ""
    return Path(path or database_url.removeprefix("sqlite://").split("?", 1)[0])


# what libpq understands in a URL's query (a Unix socket's folder, TLS...); the pool's own
# options (maxsize...) would make pg_dump refuse the URL
LIBPQ_PARAMETERS = frozenset(
    {"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "sslmode",
     "sslrootcert", "sslcert", "sslkey", "sslcrl", "application_name", "connect_timeout",
     "options", "target_session_attrs"}
)  # fmt: skip


def postgres_url(database_url: str) -> str:
    """libpq's spelling of our URL: its own query parameters kept, the pool's left out."""
    parts = urlsplit(database_url)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k in LIBPQ_PARAMETERS]
    return urlunsplit(parts._replace(scheme="postgresql", query=urlencode(kept)))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(
            f"{name} was not found: install PostgreSQL's client tools (postgresql-client)."
        )
    return found


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupRefused(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(settings: Settings, target: Path) -> None:
    if ":memory:" in settings.database_url:
        raise BackupRefused("An in-memory database has nothing to keep: DATABASE_URL is :memory:.")
    if target.exists():
        raise BackupRefused(f"{target} exists already: choose a new file name.")
    if settings.uses_sqlite:
        _copy_sqlite(sqlite_path(settings.database_url), target)
        return
    _run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            f"--dbname={postgres_url(settings.database_url)}",
        ]
    )


def restore(settings: Settings, source: Path) -> None:
    """Into the database of the settings, which must hold no table yet."""
    if not source.is_file():
        raise BackupRefused(f"{source}: no such file.")
    with source.open("rb") as file:
        header = file.read(16)
    if ":memory:" in settings.database_url:
        raise BackupRefused("Restore into a database file: DATABASE_URL is :memory:.")
    if settings.uses_sqlite:
        if not header.startswith(SQLITE_HEADER):
            raise BackupRefused(f"{source} is not a SQLite backup (DATABASE_URL is SQLite).")
        path = sqlite_path(settings.database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        if _sqlite_tables(path):
            raise BackupRefused(f"{path} already holds tables: restore into a new, empty database.")
        _copy_sqlite(source, path)
        return
    if not header.startswith(PG_DUMP_HEADER):
        raise BackupRefused(f"{source} is not a PostgreSQL backup (DATABASE_URL is PostgreSQL).")
    url = postgres_url(settings.database_url)
    _refuse_unless_empty(url)
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={url}",
            str(source),
        ]
    )


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy, even while other processes write."""
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with writing:
            reading.backup(writing)
    finally:
        writing.close()
        reading.close()


def _sqlite_tables(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return [row[0] for row in rows]
    finally:
        connection.close()


def _refuse_unless_empty(url: str) -> None:
    done = subprocess.run(
        [
            _tool("psql"),
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            f"--dbname={url}",
            "--command=SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupRefused(f"psql failed: {done.stderr.strip()[-2000:]}")
    if int(done.stdout.strip() or 0):
        raise BackupRefused("The database already holds tables: restore into a new, empty one.")
