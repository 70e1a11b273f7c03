"""The latest outcomes a feature published, as the home page lists them (`Feature.outcomes`):
one reading of « the newest rows whose publication moment is set » for every feature."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from participation.features import Outcome


async def latest_published(
    rows: Any, published: str, kind: str, page: Callable[[Any], str], limit: int
) -> list[Outcome]:
    """The `limit` newest of `rows` (a query of models with a `title`) whose `published`
    moment is set, newest first (then by id), as `Outcome`s of `kind` (a msgid) leading to
    `page(row)`."""
    found = (
        await rows.filter(**{f"{published}__isnull": False})
        .order_by(f"-{published}", "-id")
        .limit(limit)
    )
    return [Outcome(kind, row.title, page(row), getattr(row, published)) for row in found]
