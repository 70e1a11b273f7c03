"""meetings.0002 on a database that holds outcomes written before it: `Outcome.kind` is
`target_kind` in Python, its column, UNIQUE constraint and index stay as they were (a
state-only rename, like the others of issue #17), and the rows read the same (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections, timezone
from tortoise.exceptions import IntegrityError

from meetings.domain import Format
from meetings.models import Meeting, Outcome
from tests.conftest import database_at, insert_as_before, upgrade
from tests.participation.test_core_migration import _schema


def _outcome_table(schema: dict[str, Any]) -> dict[str, list[Any]]:
    """The columns, indexes and constraints of meetings_outcome (SQLite's rows name it third)."""
    shape = schema["shape"]
    if "objects" in shape:
        return {"objects": [row for row in shape["objects"] if row[2] == "meetings_outcome"]}
    return {key: [r for r in rows if r[0] == "meetings_outcome"] for key, rows in shape.items()}


async def test_old_outcomes_keep_their_column_and_read_as_target_kind(
    tmp_path: Path, redis_url: str
) -> None:
    async with database_at(tmp_path, redis_url, "meetings.0001_initial") as settings:
        postgres = not settings.uses_sqlite
        start = timezone.now() - timedelta(minutes=10)
        meeting = await insert_as_before(  # the columns of meetings.0001 (no space yet)
            Meeting(title="Réunion", format=Format.HYBRID, starts_at=start, ends_at=start),
            "space_id",
            "latitude",  # meetings.0004
            "longitude",
            "image_id",  # meetings.0006
            "sanitized_with",  # meetings.0007
        )
        marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, 4))
        for kind, target_id in (("proposal", 7), ("consultation", 3)):
            await connections.get("default").execute_query(  # the columns of meetings.0001
                f'INSERT INTO "meetings_outcome" ("meeting_id", "kind", "target_id") '
                f"VALUES ({marks})",
                [meeting.id, kind, target_id],
            )
        before = await _schema(postgres)

        await upgrade(settings)

        after = await _schema(postgres)
        assert _outcome_table(after) == _outcome_table(before)  # no column, index or constraint
        assert _outcome_table(after) != {key: [] for key in _outcome_table(after)}
        rows = await Outcome.filter(meeting_id=meeting.id).order_by("target_id")
        read = [(o.target_kind, o.target_id) for o in rows]
        assert read == [("consultation", 3), ("proposal", 7)]
        with pytest.raises(IntegrityError):  # still one outcome per (meeting, kind, id)
            await Outcome.create(meeting_id=meeting.id, target_kind="proposal", target_id=7)
