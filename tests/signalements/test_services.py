"""Signalement commands under concurrency, on the real database (SQLite and PostgreSQL): fifty
"Moi aussi" at once, one person pressing fifty times, two staff changing the state at once,
merging; and the moderation of descriptions (pre-moderated categories, the queue)."""

from __future__ import annotations

import asyncio
from typing import Any

from participation.accounts.models import User
from participation.contributions import ModerationState, content_kinds
from participation.mail import OutboxEmail
from participation.notifications.models import Notification
from participation.refusals import DomainError
from participation.settings import Settings
from signalements import services
from signalements.domain import Change, Channel, Place, ReportForm, State
from signalements.models import Follower, Report, ReportEvent
from tests.conftest import create_user
from tests.signalements.factories import HERE, open_report, pothole_category


async def test_fifty_residents_pressing_moi_aussi_at_once_make_fifty_followers_one_report(
    app: Any, settings: Settings
) -> None:
    category = await pothole_category()
    report = await open_report(category)
    crowd = [
        await create_user(settings, f"voisin{i}@example.org", display_name=f"V{i}")
        for i in range(25)
    ]
    accounts = [services.follow(report.id, person, "") for person in crowd]
    addresses = [services.follow(report.id, None, f"adresse{i}@example.org") for i in range(25)]
    results = await asyncio.gather(*accounts, *addresses)
    assert all(results)
    assert await Follower.filter(report_id=report.id).count() == 50
    assert await Report.all().count() == 1


async def test_one_person_pressing_fifty_times_at_once_follows_once(
    app: Any, settings: Settings, citizen: User
) -> None:
    category = await pothole_category()
    report = await open_report(category)
    await asyncio.gather(*(services.follow(report.id, citizen, "") for _ in range(50)))
    await asyncio.gather(
        *(services.follow(report.id, None, "Meme@Example.org ") for _ in range(50))
    )
    assert await Follower.filter(report_id=report.id).count() == 2


async def test_two_staff_changing_the_state_at_once_change_it_once(
    app: Any, settings: Settings, admin: User, citizen: User
) -> None:
    category = await pothole_category()
    report = await open_report(category)
    await Follower.create(report=report, key=f"u:{citizen.id}", user_id=citizen.id)
    change = Change(State.TAKEN, "Transmis au service voirie.", "")

    async def attempt() -> str:
        try:
            await services.change_state(settings, report.id, change, None, admin)
        except DomainError:
            return "refused"
        return "changed"

    outcomes = await asyncio.gather(*(attempt() for _ in range(10)))
    assert outcomes.count("changed") == 1
    assert await ReportEvent.filter(report_id=report.id, kind="state").count() == 1
    assert await Notification.filter(user_id=citizen.id).count() == 1
    assert await OutboxEmail.filter(recipient=citizen.email).count() == 1


async def test_merges_in_opposite_directions_at_once_leave_one_open_report(
    app: Any, settings: Settings, admin: User
) -> None:
    category = await pothole_category()
    a, b = await open_report(category), await open_report(category)

    async def merge(source: int, target: int) -> str:
        try:
            await services.merge(settings, source, target, admin)
        except DomainError:
            return "refused"
        return "merged"

    outcomes = await asyncio.gather(merge(a.id, b.id), merge(b.id, a.id))
    assert sorted(outcomes) == ["merged", "refused"]
    states = sorted([(await Report.get(id=a.id)).state, (await Report.get(id=b.id)).state])
    assert states == sorted([State.MERGED, State.RECEIVED])


def _form(category_id: int, text: str, email: str = "") -> ReportForm:
    return ReportForm(
        Place(category_id, "12 rue de la Loire", *HERE), text, email, False, Channel.ONLINE
    )


async def test_a_premoderated_category_waits_in_the_moderation_queue(
    app: Any, settings: Settings, citizen: User
) -> None:
    category = await pothole_category(premoderated=True)
    created = await services.create_report(
        settings, _form(category.id, "Tag injurieux sur le mur de l’école."), [], citizen
    )
    report = await Report.get(id=created.report.id)
    assert report.moderation_state == ModerationState.PENDING
    item = (await content_kinds()["signalement"].load([report.id]))[report.id]
    assert item.state == ModerationState.PENDING and "Tag injurieux" in item.text
    # the same text twice within a day is refused (moderation's rules)
    try:
        await services.create_report(
            settings, _form(category.id, "Tag injurieux sur le mur de l’école."), [], citizen
        )
    except Exception as refused:  # Refused
        assert "already posted" in str(getattr(refused, "problems", refused))
    else:
        raise AssertionError("a duplicate text went through")
    # links from a visitor without an account are refused like a new account's
    try:
        await services.create_report(
            settings,
            _form(category.id, "Voir http://a.example http://b.example http://c.example"),
            [],
            None,
        )
    except Exception as refused:
        assert getattr(refused, "problems", None)
    else:
        raise AssertionError("links from a visitor went through")
