"""The suite's own fixtures: a test that breaks the shared PostgreSQL schema (a migration test
failing half-way, a dropped schema) must not fail every test after it."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections

from participation.accounts.models import User
from participation.settings import Settings
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
