"""Races on spaces, at the service level: two creations with one address, two saves from one
version, a component attached while the space is deleted. Whatever the order the database
runs them in, one wins and the other is refused (never a 500, nothing half-written)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from tortoise import timezone
from tortoise.exceptions import IntegrityError

from meetings.models import Meeting
from participation.accounts.models import User
from participation.refusals import DomainError, Refused
from participation.settings import Settings
from participation.spaces import services
from participation.spaces.domain import Audience, SpaceForm
from participation.spaces.models import Space
from tests.meetings.factories import meeting_next_week

NOW = timezone.now()
FORM = SpaceForm(
    title="Budget 2027",
    slug="budget-2027",
    summary="",
    description="<p>Texte</p>",
    starts_at=NOW,
    ends_at=NOW + timedelta(days=30),
    audience=Audience.SIGNED_IN,
    minimum_age=0,
    districts=(),
    published=True,
    base_version=None,
)


async def test_two_creations_with_one_address_one_wins(settings: Settings, admin: User) -> None:
    results = await asyncio.gather(
        services.create(FORM, None, admin),
        services.create(FORM, None, admin),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(refused) == 1 and refused[0].problems[0].field == "slug"
    assert await Space.filter(slug="budget-2027").count() == 1


async def test_two_saves_from_one_version_one_is_told(settings: Settings, admin: User) -> None:
    space = await services.create(FORM, None, admin)
    first = replace(FORM, title="Premier", base_version=space.version)
    second = replace(FORM, title="Second", base_version=space.version)
    results = await asyncio.gather(
        services.update(space.id, first, None, admin),
        services.update(space.id, second, None, admin),
        return_exceptions=True,
    )
    conflicts = [r for r in results if isinstance(r, services.EditConflict)]
    saved = [r for r in results if isinstance(r, Space)]
    assert len(conflicts) == 1 and len(saved) == 1
    after = await Space.get(id=space.id)
    assert after.version == space.version + 1 and after.title == saved[0].title


async def test_a_space_holding_a_meeting_is_not_deleted(settings: Settings, admin: User) -> None:
    space = await services.create(FORM, None, admin)
    meeting = await meeting_next_week()
    await Meeting.filter(id=meeting.id).update(space_id=space.id)
    with pytest.raises(DomainError):
        await services.delete(space.id, admin)
    with pytest.raises(IntegrityError):  # the database refuses it too (ON DELETE RESTRICT)
        await Space.filter(id=space.id).delete()
    assert await Space.exists(id=space.id)
