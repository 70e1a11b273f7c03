"""Issue #17's one name for (kind, id), on a database that holds rows written before it: the
columns and constraints stay as they were (state-only renames), and the one stored value spelled
differently, followup's `budget-project`, becomes `budget_project` (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise, connections
from tortoise.exceptions import IntegrityError

from followup.domain import TargetKind
from followup.models import Commitment
from indicators.models import IndicatorSet
from indicators.models import TargetKind as Process
from moderation.models import ModerationCase
from participation.audit import AuditLogEntry
from participation.db import run_migrations, tortoise_config
from participation.migration_state import migrate
from tests.conftest import empty_database, insert_as_before
from tests.participation.test_core_migration import CORE_MOVE, _schema

BEFORE = (  # the last migration of each app before the renames (reverting them: no SQL)
    "participation.0007_core_models",
    "moderation.0002_reason_templates",
    "indicators.0001_initial",
    "followup.0001_initial",
)

TABLES = {  # the tables whose (kind, id) columns got one name in Python
    "followup_commitment",
    "moderation_case",
    "moderation_report",
    "moderation_decision",
    "indicators_set",
    "moderation_auditlog",
}


def _renamed(schema: dict[str, Any]) -> dict[str, list[Any]]:
    """The columns, indexes and constraints of TABLES (each row names its table first, but
    SQLite's, which name it third)."""
    shape = schema["shape"]
    if "objects" in shape:
        return {"objects": [row for row in shape["objects"] if row[2] in TABLES]}
    return {key: [row for row in rows if row[0] in TABLES] for key, rows in shape.items()}


async def test_old_rows_keep_their_columns_and_budget_projects_change_spelling(
    tmp_path: Path, redis_url: str
) -> None:
    async with empty_database(tmp_path, redis_url) as settings:
        config = tortoise_config(settings)
        # up to the names of before, forward only (reverting moderation.0004 on SQLite rebuilds
        # the case's table without its UNIQUE: Tortoise's RemoveField)
        for target in BEFORE:
            await migrate(config=config, target=target)
            await Tortoise.close_connections()
        postgres = not settings.uses_sqlite
        await Tortoise.init(config=config)
        client = connections.get("default")
        marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, 9))
        now = datetime(2026, 11, 2, 9, tzinfo=UTC)
        for kind, row_id, title in (("budget-project", 7, "Kiosque"), ("proposal", 7, "Jardin")):
            await client.execute_query(  # the columns of followup.0001, the spelling of then
                'INSERT INTO "followup_commitment" ("source_kind", "source_id", "title", '
                f'"status", "progress", "reason", "created_at", "updated_at") VALUES ({marks})',
                [kind, row_id, title, "upcoming", 0, "", now, now],
            )
        # the other renamed tables: the same columns, so today's models write them (but the
        # case's space and whether it was looked for, added by moderation.0004 and 0005 since,
        # and how and by whom it was last closed, moderation.0006)
        await insert_as_before(
            ModerationCase(target_kind="budget_project", target_id=7, opened_at=now),
            "space_id",
            "space_examined",
            "closing",
            "closed_by_id",
        )
        await IndicatorSet.create(
            target_kind=Process.BUDGET, target_id=3, title="BP", content="{}", computed_at=now
        )
        await AuditLogEntry.create(action="budget_phase", target_kind="budget", target_id=3)
        before = await _schema(postgres)
        await Tortoise.close_connections()

        for target in CORE_MOVE:  # the renames alone: later migrations may change the tables
            await migrate(config=config, target=target)
            await Tortoise.close_connections()
        await Tortoise.init(config=config)
        after = await _schema(postgres)
        assert _renamed(after) == _renamed(before)  # no column, index or constraint changed
        await Tortoise.close_connections()

        await run_migrations(settings)  # then the rest (moderation.0004 adds the case's space)
        await Tortoise.init(config=config)
        followed = {(c.target_kind, c.target_id, c.title) for c in await Commitment.all()}
        assert followed == {(TargetKind.PROJECT, 7, "Kiosque"), (TargetKind.PROPOSAL, 7, "Jardin")}
        _, raw = await connections.get("default").execute_query(
            'SELECT "source_kind" FROM "followup_commitment" ORDER BY "source_kind"'
        )
        assert [row["source_kind"] for row in raw] == ["budget_project", "proposal"]
        assert await Commitment.filter(target_kind=TargetKind.PROJECT).count() == 1
        with pytest.raises(IntegrityError):  # still one commitment per followed thing
            await Commitment.create(target_kind=TargetKind.PROJECT, target_id=7, title="Doublon")
        case = await ModerationCase.get(target_kind="budget_project")
        assert case.target_id == 7
        with pytest.raises(IntegrityError):  # still one case per content
            await ModerationCase.create(target_kind="budget_project", target_id=7, opened_at=now)
        indicators = await IndicatorSet.get(target_kind=Process.BUDGET)
        assert (indicators.target_id, indicators.title) == (3, "BP")
        entry = await AuditLogEntry.get(action="budget_phase")
        assert (entry.target_kind, entry.target_id) == ("budget", 3)
