"""Tortoise ORM configuration: one Tortoise app per feature package, each with its migrations.

Splitting apps this way keeps each feature's migrations in its own folder (`budgets/migrations`,
...), so features evolve without renumbering each other's migrations.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.exceptions import DBConnectionError

from participation.settings import Settings

CONNECT_TIMEOUT = 5  # seconds to open a connection to PostgreSQL before giving up

# label -> model modules; the label is also the package that holds `migrations/`.
APPS: dict[str, list[str]] = {
    "participation": [
        "participation.accounts.models",
        "participation.mail",
        "participation.outbox",
        "participation.territory",
        "participation.proposals.models",
        "participation.comments.models",
        "participation.notifications.models",
    ],
    "budgets": ["budgets.models"],
    "consultations": ["consultations.models"],
    "moderation": ["moderation.models"],
    "indicators": ["indicators.models"],
    "followup": ["followup.models"],
}


def tortoise_config(settings: Settings) -> dict[str, Any]:
    database_url = settings.database_url
    if settings.uses_sqlite and "busy_timeout" not in database_url:
        # web and worker write to the same file: wait for the lock instead of failing
        database_url += ("&" if "?" in database_url else "?") + "busy_timeout=5000"
    if not settings.uses_sqlite and "timeout=" not in database_url:
        # an unreachable server: fail a new connection after 5 s (asyncpg waits 60 s) so pages
        # answer 503 instead of hanging (participation.middleware.DatabaseUnavailableMiddleware)
        database_url += ("&" if "?" in database_url else "?") + f"timeout={CONNECT_TIMEOUT}"
    return {
        "connections": {"default": database_url},
        "apps": {
            label: {
                "models": modules,
                "default_connection": "default",
                "migrations": f"{label}.migrations",
            }
            for label, modules in APPS.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


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
    from tortoise.migrations.api import migrate

    if settings.uses_sqlite and ":memory:" not in settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        await migrate(config=tortoise_config(settings))
    finally:  # an open SQLite connection thread would keep the process alive after an error
        await Tortoise.close_connections()


def __getattr__(name: str) -> object:
    # `tortoise makemigrations` reads a config object by dotted path; built lazily from the env.
    if name == "TORTOISE_ORM_FOR_CLI":
        return tortoise_config(Settings.from_env())
    raise AttributeError(name)
