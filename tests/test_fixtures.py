"""The suite's own fixtures: a test that breaks the shared PostgreSQL schema (a migration test
failing half-way, a dropped schema) must not fail every test after it; the models finished once
per run are what Tortoise would finish again."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from tortoise import Tortoise, connections

from participation.accounts.models import User
from participation.db import tortoise_config
from participation.settings import Settings
from tests import ormcache
from tests.conftest import _prepare_schema, create_user


async def test_the_next_test_gets_a_working_schema_after_one_dropped_it(
    app: Any, settings: Settings
) -> None:
    if settings.uses_sqlite:
        pytest.skip("each SQLite test has a database of its own")
    await create_user(settings)
    await connections.get("default").execute_script(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    )
    await _prepare_schema(settings)  # what the next test's `app` fixture runs
    assert await User.all().count() == 0
    await create_user(settings)
    assert await User.all().count() == 1


async def test_a_model_finished_once_is_what_tortoise_finishes_again(
    app: Any, settings: Settings
) -> None:
    """Each test's app starts Tortoise again, which then skips the models it finished for the
    same database before (tests/ormcache.py): their filters, columns and base query are those
    Tortoise finishes anew."""
    await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(settings))  # as the next test's app does
    models = [model for app_models in Tortoise.apps.values() for model in app_models.values()]
    assert all(ormcache._finished.get(model) == ormcache._stamp(model) for model in models)

    def comparable(value: Any) -> Any:  # PostgreSQL's search operator is a new partial each time
        if isinstance(value, functools.partial):
            return (value.func, value.args, sorted(value.keywords.items()))
        return value

    def finished() -> dict[Any, Any]:
        return {
            model: (
                {
                    key: {name: comparable(value) for name, value in info.items()}
                    for key, info in model._meta.filters.items()
                },
                sorted(model._meta.db_fields),
                str(model._meta.basequery_all_fields),
            )
            for model in models
        }

    skipped = finished()
    ormcache.TORTOISE_BUILD(Tortoise.apps)  # Tortoise's own finishing, every model again
    assert finished() == skipped
