"""Spaces by scenario."""

from __future__ import annotations

from datetime import timedelta

from tortoise import timezone

from participation.spaces.models import Space, SpaceStep


async def space_open_with_a_vote(**fields: object) -> Space:
    """Published, open since last month; its vote step ends in ten days at 18:00 UTC."""
    now = timezone.now()
    values: dict[str, object] = {
        "title": "Budget participatif 2027",
        "slug": "budget-2027",
        "summary": "Proposez, votez\u00a0: 500\u00a0000\u00a0€ pour vos quartiers.",
        "starts_at": now - timedelta(days=30),
        "ends_at": now + timedelta(days=60),
        "published": True,
        **fields,
    }
    space = await Space.create(**values)
    await SpaceStep.create(
        space=space,
        title="Dépôt des idées",
        position=1,
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=5),
    )
    deadline = (now + timedelta(days=10)).replace(hour=16, minute=0, second=0, microsecond=0)
    await SpaceStep.create(
        space=space, title="Vote", position=2, starts_at=now - timedelta(days=5), ends_at=deadline
    )
    await SpaceStep.create(
        space=space, title="Résultats", position=3, starts_at=deadline + timedelta(days=5)
    )
    return space
