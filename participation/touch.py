"""`updated_at` that is true whoever writes the row (issue #21: the public API's `updated_since`).

The API's rows are written by many hands: services with queryset `.update()` (moderation,
state changes, counters, edits), generic code that knows no model (`contributions.py` moving a
moderation state, `phases.py` switching a phase), raw SQL (`richtext.resanitize`, migrations),
`save(update_fields=...)`. Tortoise's `auto_now` is applied by `save()` alone, so a row moved by
any of the others kept its old `updated_at`, and a re-user asking "what changed since" missed it.

One database trigger per table does it instead, created by the table's migration, on SQLite and
PostgreSQL: when an UPDATE changes one of the columns the public sees (`touched_by`, the
columns' names in the database), the row's `updated_at` becomes the database's clock (UTC).
Why a trigger rather than `updated_at=now` added to every writer: the writers are some thirty
statements in ten modules, several of them generic or raw SQL, and the next one written would
have to remember; a trigger sees every UPDATE, today's and tomorrow's, including SQL typed by
hand in production. Why a list of columns rather than any change: a column nobody reads from
the API (a meeting's count of seats taken, a comment's votes, `search_text`, `sanitized_with`)
moves often, and would make a re-user fetch rows that did not change for them (and a meeting's
feed entry and calendar stamp, which read `updated_at` too, would move at each registration).

The clock: PostgreSQL's `clock_timestamp()` (the moment of the statement's row, not the start of
its transaction); SQLite's `strftime(... 'now')`, which knows the millisecond only, rounded up
(`.123999`: a change is never stamped before it happened, so a reading that started before it
is never told "nothing since"), written as Tortoise writes a datetime there
(`2026-05-01 08:00:00.123999+00:00`) so that comparisons, which are textual on SQLite, order it
among the others. INSERTs are left to Tortoise (`auto_now`).

The tests build their tables from the models, not the migrations: `install_all` creates the
same triggers from the models' `touched_by` (tests/conftest.py), and
tests/participation/test_migrations.py checks that the migrations leave every one of them in
place (a migration that rebuilds a table on SQLite drops its triggers: it must create it again).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

FUNCTION = "participation_touch_updated_at"
COLUMN = "updated_at"


def trigger_name(table: str) -> str:
    return f"{table}_touch"


def _quoted(column: str) -> str:
    if not column.replace("_", "").isalnum():
        raise ValueError(f"not a column name: {column!r}")
    return f'"{column}"'


def sqlite_sql(table: str, columns: Sequence[str]) -> str:
    """The SQLite trigger (AFTER UPDATE: SQLite cannot change NEW; the second UPDATE sets only
    `updated_at`, which is not in the list, so it does not fire the trigger again, and it is not
    counted in the rows the first statement reports)."""
    listed = ", ".join(_quoted(c) for c in columns)
    changed = " OR ".join(f"OLD.{_quoted(c)} IS NOT NEW.{_quoted(c)}" for c in columns)
    name = trigger_name(table)
    return (
        f'DROP TRIGGER IF EXISTS "{name}";\n'
        f'CREATE TRIGGER "{name}" AFTER UPDATE OF {listed} ON "{table}" FOR EACH ROW '
        f"WHEN {changed} BEGIN "
        f'UPDATE "{table}" SET "{COLUMN}" = '
        f"strftime('%Y-%m-%d %H:%M:%f999+00:00', 'now') "
        f'WHERE "id" = NEW."id"; END;'
    )


def postgres_sql(table: str, columns: Sequence[str]) -> str:
    listed = ", ".join(_quoted(c) for c in columns)
    old = ", ".join(f"OLD.{_quoted(c)}" for c in columns)
    new = ", ".join(f"NEW.{_quoted(c)}" for c in columns)
    name = trigger_name(table)
    return (
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $touch$ "
        f'BEGIN NEW."{COLUMN}" := clock_timestamp(); RETURN NEW; END $touch$;\n'
        f'DROP TRIGGER IF EXISTS "{name}" ON "{table}";\n'
        f'CREATE TRIGGER "{name}" BEFORE UPDATE OF {listed} ON "{table}" FOR EACH ROW '
        f"WHEN (ROW({old}) IS DISTINCT FROM ROW({new})) EXECUTE FUNCTION {FUNCTION}();"
    )


def sql(dialect: str, table: str, columns: Sequence[str]) -> str:
    return (postgres_sql if dialect == "postgres" else sqlite_sql)(table, columns)


async def install(client: Any, table: str, columns: Sequence[str]) -> None:
    """Create (or replace) `table`'s trigger: a migration's step, on either database."""
    await client.execute_script(sql(client.capabilities.dialect, table, columns))


async def drop(client: Any, table: str) -> None:
    name = trigger_name(table)
    if client.capabilities.dialect == "postgres":
        await client.execute_script(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}";')
    else:
        await client.execute_script(f'DROP TRIGGER IF EXISTS "{name}";')


def touched_models(models: Iterable[Any]) -> list[Any]:
    """The models that declare `touched_by` (their table has a trigger)."""
    return [m for m in models if getattr(m, "touched_by", None)]


def script(dialect: str, models: Iterable[Any]) -> str:
    """Every trigger the models declare, as one script (the tests' tables, built from the
    models)."""
    return "\n".join(sql(dialect, m._meta.db_table, m.touched_by) for m in touched_models(models))


async def installed(client: Any, table: str) -> bool:
    """Whether `table` has its trigger."""
    name = trigger_name(table)
    if client.capabilities.dialect == "postgres":
        query = "SELECT 1 FROM pg_trigger WHERE tgname = $1 AND NOT tgisinternal"
    else:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?"
    _, rows = await client.execute_query(query, [name])
    return bool(rows)
