"""Proposals collections by scenario."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise import timezone

from participation.proposals.models import ProposalCollection
from participation.spaces.models import Space


async def ideas_box(space: Space | None = None, **fields: Any) -> ProposalCollection:
    """An open collection (threshold 2, not pre-moderated, amendments open) in `space`, by
    default a published ongoing space « Boîte à idées »."""
    if space is None:
        space = await Space.create(
            title="Boîte à idées",
            slug=fields.pop("slug", "boite-a-idees"),
            starts_at=timezone.now() - timedelta(days=30),
            published=True,
        )
    values: dict[str, Any] = {
        "title": "Idées pour la ville",
        "support_threshold": 2,
        "premoderated": False,
        "amendments_open": True,
        "accepting": True,
        **fields,
    }
    return await ProposalCollection.create(space=space, **values)
