"""Tortoise's models finished once per run, not once per test.

Each test's app starts Tortoise (`Tortoise.init`), which finishes every model class again: its
filters (~30 per field), columns and base query. The classes are the same ones from test to
test, and so is the database dialect: that work, ~40 % of a test that sends one request, gave
the same result each time. `Apps._build_initial_querysets` here skips a model already finished
for the same kind of database client, table and fields; anything else (another dialect, a
model class made by a migration test) is finished as Tortoise does. A deployment starts
Tortoise once per process: this lives in the tests only (tests/test_fixtures.py checks that a
model finished once is what Tortoise would finish again).
"""

from __future__ import annotations

import weakref
from typing import Any, cast

from pypika_tortoise import Query, Table
from tortoise.apps import Apps
from tortoise.models import Model

TORTOISE_BUILD = Apps._build_initial_querysets
_finished: weakref.WeakKeyDictionary[type[Model], tuple[Any, ...]] = weakref.WeakKeyDictionary()


def _stamp(model: type[Model]) -> tuple[Any, ...]:
    meta = model._meta
    return (type(meta.db), meta.db_table, meta.schema, len(meta.fields_map), len(meta._filters))


def finish(model: type[Model]) -> None:
    """What `Apps._build_initial_querysets` does for one model (Tortoise 1.1)."""
    meta = model._meta
    meta.finalise_model()
    meta.basetable = Table(name=meta.db_table, schema=meta.schema)
    basequery = meta.db.query_class.from_(meta.basetable)
    meta.basequery = cast(Query, basequery)
    meta.basequery_all_fields = cast(Query, basequery.select(*meta.db_fields))


def _build_initial_querysets(self: Apps) -> None:
    for app in self.apps.values():
        for model in app.values():
            stamp = _stamp(model)
            if _finished.get(model) != stamp:
                finish(model)
                _finished[model] = stamp


def install() -> None:
    Apps._build_initial_querysets = _build_initial_querysets  # type: ignore[method-assign]
