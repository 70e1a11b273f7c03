"""Tortoise ORM configuration: one Tortoise app per feature package, each with its migrations.

Splitting apps this way keeps each feature's migrations in its own folder (`budgets/migrations`,
...), so features evolve without renumbering each other's migrations.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.exceptions import DBConnectionError

from participation import features
from participation.migration_state import migrate
from participation.settings import Settings

CONNECT_TIMEOUT = 5  # seconds to open a connection to PostgreSQL before giving up

# The core's own models; each feature adds its own (`Feature.models`).
CORE_MODELS = [
    "participation.accounts.models",
    "participation.audit",
    "participation.mail",
    "participation.outbox",
    "participation.territory",
    "participation.residents.models",
    "participation.notifications.models",
    "participation.sitepages.models",
    "participation.spaces.models",
    "participation.pictures.models",
    "participation.sitesettings.models",
    "participation.people.models",
    "participation.counter.models",
]


def apps() -> dict[str, dict[str, Any]]:
    """Tortoise apps: the core's (`participation`, with proposals and comments, whose tables
    live there) and one per feature, each with its migrations (`<package>/migrations`)."""
    result: dict[str, dict[str, Any]] = {
        "participation": {"models": list(CORE_MODELS), "migrations": "participation.migrations"}
    }
    for feature in features.FEATURES:
        app = result.setdefault(
            feature.app_label, {"models": [], "migrations": f"{feature.package}.migrations"}
        )
        app["models"].extend(feature.models)
    return result


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """A PostgreSQL connection that goes back to the pool without asyncpg's reset query.

    Tortoise takes a connection from the pool for every statement outside a transaction, and
    asyncpg sent `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;` each
    time one came back: one more round trip per query, half of them on a ballot. Nothing here
    leaves session state behind (no session settings, notification listeners, cursors or
    advisory locks; `tests/participation/test_db.py` checks the code base never starts to), and
    an open transaction is still rolled back on release (asyncpg does that whatever this query
    is)."""

    def get_reset_query(self) -> str:
        return ""

    async def execute_prepared(self, statements: Mapping[str, str], script: str) -> str:
        """Run `script` (the simple query protocol: several statements in one round trip,
        values written in it as literals) once this session has prepared `statements` (name:
        `PREPARE name AS ...`), which `script` EXECUTEs; returns the status of its last
        statement. Prepared statements are the one state a pooled session keeps (asyncpg keeps
        its own too): each is named, the same for every request, and prepared once per
        connection (PostgreSQL parses and plans it once instead of every time)."""
        prepared = self.__dict__.setdefault("_prepared_names", set())
        missing = [sql for name, sql in statements.items() if name not in prepared]
        if missing:
            await self.execute(";\n".join(missing))
            prepared.update(statements)
        return await self.execute(script)  # type: ignore[no-any-return]


def _connection(database_url: str, uses_sqlite: bool) -> str | dict[str, Any]:
    if uses_sqlite:
        return database_url
    config = expand_db_url(database_url)
    config["credentials"]["connection_class"] = PooledConnection
    return config


def tortoise_config(settings: Settings) -> dict[str, Any]:
    database_url = settings.database_url
    if settings.uses_sqlite and "busy_timeout" not in database_url:
        # web and worker write to the same file: wait for the lock instead of failing
        database_url += ("&" if "?" in database_url else "?") + "busy_timeout=5000"
    if settings.uses_sqlite and "secure_delete" not in database_url:
        # deleted rows are overwritten with zeros, not left in free pages of the file: a copy
        # of the file must not give back the order of rows rewritten in random order (#16)
        database_url += ("&" if "?" in database_url else "?") + "secure_delete=ON"
    if not settings.uses_sqlite and "timeout=" not in database_url:
        # an unreachable server: fail a new connection after 5 s (asyncpg waits 60 s) so pages
        # answer 503 instead of hanging (participation.middleware.LanguageMiddleware)
        database_url += ("&" if "?" in database_url else "?") + f"timeout={CONNECT_TIMEOUT}"
    return {
        "connections": {"default": _connection(database_url, settings.uses_sqlite)},
        "apps": {label: {**app, "default_connection": "default"} for label, app in apps().items()},
        "use_tz": True,
        "timezone": "UTC",
    }


_SQL_LOG = logging.getLogger("tortoise.db_client")  # where Tortoise logs its statements
_PARAMETER = re.compile(r"\$(\d+)")
_PORTABLE: dict[tuple[str, str], str] = {}


def log_statement(sql: str) -> None:
    """Our plain SQL in Tortoise's statement log, at DEBUG, WITHOUT its values: on the hot paths
    they are session-token hashes, voter tokens and sealed ballots, which a log must not keep
    next to the time and the person (docs/security.md)."""
    if _SQL_LOG.isEnabledFor(logging.DEBUG):
        _SQL_LOG.debug(sql)


def database_dialect() -> str:
    """ "postgres" or "sqlite": the default connection's, for SQL that the two spell differently."""
    return str(connections.get("default").capabilities.dialect)


async def fetch_rows(sql: str, values: list[Any]) -> list[dict[str, Any]]:
    """Plain SQL for the hot paths (no query builder, no model instances): `sql` is written
    with PostgreSQL's `$1` parameters, which SQLite reads as `?1`. Rows are read by column name
    (asyncpg's records on PostgreSQL, dicts on SQLite)."""
    connection = connections.get("default")
    dialect = connection.capabilities.dialect
    key = (dialect, sql)
    text = _PORTABLE.get(key)
    if text is None:
        text = sql if dialect == "postgres" else _PARAMETER.sub(r"?\1", sql)
        _PORTABLE[key] = text
    if dialect != "postgres":
        return await connection.execute_query_dict(text, values)
    # PostgreSQL: asyncpg's own records (read by name like dicts), without Tortoise's wrapper
    # (exception translation, a dict per row): the session lookup of every signed-in request
    log_statement(text)
    async with connection.acquire_connection() as raw:
        return await raw.fetch(text, *values)  # type: ignore[no-any-return]


async def init_database(settings: Settings) -> None:
    if settings.uses_sqlite and ":memory:" not in settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Tortoise caches each table's INSERT/DELETE SQL per connection *name*, not per dialect: a
    # process that opened SQLite before PostgreSQL (the test suite: CLI tests, then the rest)
    # would send "?" placeholders to PostgreSQL. Start each initialisation with an empty cache.
    EXECUTOR_CACHE.clear()
    # The global fallback lets request tasks see the context opened by the lifespan task.
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def database_answers() -> bool:
    try:
        await asyncio.wait_for(
            connections.get("default").execute_query("SELECT 1"), CONNECT_TIMEOUT + 1
        )
    except Exception:
        return False
    return True


# What a lost database server raises: refused or reset sockets, timeouts, a connection closed
# under a query, a server starting up or shutting down.
UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    DBConnectionError,
)


def database_unreachable(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, means the database cannot be reached."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, UNREACHABLE):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


async def run_migrations(settings: Settings) -> None:
    if settings.uses_sqlite and ":memory:" not in settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        await migrate(tortoise_config(settings))
    finally:  # an open SQLite connection thread would keep the process alive after an error
        await Tortoise.close_connections()


def __getattr__(name: str) -> object:
    # `tortoise makemigrations` reads a config object by dotted path; built lazily from the env.
    if name == "TORTOISE_ORM_FOR_CLI":
        return tortoise_config(Settings.from_env())
    raise AttributeError(name)
