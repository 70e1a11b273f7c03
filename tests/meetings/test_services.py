"""Registration under load and the waiting list, on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from tortoise import timezone

from meetings import jobs, services
from meetings.domain import Seat
from meetings.models import Meeting, Registration
from participation.accounts.models import User
from participation.mail import OutboxEmail
from participation.notifications.models import Notification
from participation.refusals import DomainError
from participation.settings import Settings
from tests.conftest import create_user
from tests.meetings.factories import meeting_next_week


async def people(settings: Settings, count: int) -> list[User]:
    return [
        await create_user(settings, f"p{i}@example.org", display_name=f"P{i}") for i in range(count)
    ]


async def registered(settings: Settings, meeting: Meeting, count: int) -> list[User]:
    """`count` people (`people`) registered for `meeting`, in that order."""
    persons = await people(settings, count)
    for person in persons:
        await services.register(settings, meeting.id, person)
    return persons


async def test_fifty_people_for_the_last_seat_exactly_one_gets_it(
    app: Any, settings: Settings
) -> None:
    meeting = await meeting_next_week(capacity=3)
    await registered(settings, meeting, 2)  # two early
    crowd = [
        await create_user(settings, f"crowd{i}@example.org", display_name=f"C{i}")
        for i in range(50)
    ]
    results = await asyncio.gather(*(services.register(settings, meeting.id, p) for p in crowd))
    assert sum(r.seat == Seat.CONFIRMED for r in results) == 1
    assert sum(r.seat == Seat.WAITING for r in results) == 49
    assert await Registration.filter(meeting=meeting, seat=Seat.CONFIRMED).count() == 3
    assert (await Meeting.get(id=meeting.id)).confirmed == 3
    assert len({r.code for r in results}) == 50


async def test_one_person_registering_fifty_times_at_once_has_one_registration(
    app: Any, settings: Settings, citizen: User
) -> None:
    meeting = await meeting_next_week(capacity=10)

    async def attempt() -> str:
        try:
            await services.register(settings, meeting.id, citizen)
        except DomainError:
            return "refused"
        return "registered"

    outcomes = await asyncio.gather(*(attempt() for _ in range(50)))
    assert outcomes.count("registered") == 1
    assert await Registration.filter(meeting=meeting).count() == 1
    assert (await Meeting.get(id=meeting.id)).confirmed == 1


async def test_a_cancellation_moves_the_first_waiting_person_up_and_notifies_them_once(
    app: Any, settings: Settings
) -> None:
    meeting = await meeting_next_week(capacity=1)
    holder, first, second = await registered(settings, meeting, 3)
    before = await OutboxEmail.filter(recipient=first.email).count()
    assert await services.cancel_registration(settings, meeting.id, holder) == 1
    seats = dict(await Registration.filter(meeting=meeting).values_list("user_id", "seat"))
    assert seats == {holder.id: Seat.CANCELLED, first.id: Seat.CONFIRMED, second.id: Seat.WAITING}
    assert await Notification.filter(user=first, kind=services.PROMOTED).count() == 1
    assert await Notification.filter(user=second).count() == 0
    assert await OutboxEmail.filter(recipient=first.email).count() == before + 1
    # a waiting person cancelling frees no seat and moves nobody
    assert await services.cancel_registration(settings, meeting.id, second) == 0
    assert (await Meeting.get(id=meeting.id)).confirmed == 1
    with pytest.raises(DomainError):
        await services.cancel_registration(settings, meeting.id, second)


async def test_registering_again_after_cancelling_goes_to_the_end_of_the_list(
    app: Any, settings: Settings
) -> None:
    meeting = await meeting_next_week(capacity=1)
    holder, back, waiting = await registered(settings, meeting, 3)
    await services.cancel_registration(settings, meeting.id, back)
    again = await services.register(settings, meeting.id, back)
    assert again.seat == Seat.WAITING
    await services.cancel_registration(settings, meeting.id, holder)
    assert (await Registration.get(meeting=meeting, user=waiting)).seat == Seat.CONFIRMED


async def test_moving_and_cancelling_notify_every_registered_person_once(
    app: Any, settings: Settings, admin: User
) -> None:
    from meetings import domain

    meeting = await meeting_next_week(capacity=1)
    holder, waiting = await registered(settings, meeting, 2)
    bystander = await create_user(settings, "bystander@example.org")
    moved = domain.parse_meeting(
        {
            "title": meeting.title,
            "format": "hybrid",
            "starts_at": "2031-05-04T18:30",
            "ends_at": "2031-05-04T20:00",
            "address": meeting.address,
            "online_url": meeting.online_url,
            "capacity": "1",
        }
    )
    assert isinstance(moved, domain.MeetingForm)
    assert await services.update_meeting(settings, meeting.id, moved, admin) == 2
    assert await services.update_meeting(settings, meeting.id, moved, admin) == 0  # same again
    assert await services.cancel_meeting(settings, meeting.id, admin) == 2
    assert await services.cancel_meeting(settings, meeting.id, admin) == 0
    for person in (holder, waiting):
        kinds = await Notification.filter(user=person).values_list("kind", flat=True)
        assert sorted(kinds) == sorted([services.MOVED, services.CANCELLED])
    assert await Notification.filter(user=bystander).count() == 0
    assert (await Meeting.get(id=meeting.id)).sequence == 2


async def test_more_seats_move_the_waiting_list_up(
    app: Any, settings: Settings, admin: User
) -> None:
    from meetings import domain

    meeting = await meeting_next_week(capacity=1)
    await registered(settings, meeting, 3)
    data = {
        "title": meeting.title,
        "format": "in-person",
        "starts_at": "2031-05-04T18:30",
        "ends_at": "2031-05-04T20:00",
        "address": meeting.address,
        "capacity": "2",
    }
    form = domain.parse_meeting(data)
    assert isinstance(form, domain.MeetingForm)
    await services.update_meeting(settings, meeting.id, form, admin)
    seats = await Registration.filter(meeting=meeting).order_by("id").values_list("seat", flat=True)
    assert list(seats) == [Seat.CONFIRMED, Seat.CONFIRMED, Seat.WAITING]


async def test_the_reminder_is_sent_once_even_when_the_cron_runs_twice_at_once(
    app: Any, settings: Settings
) -> None:
    start = timezone.now() + timedelta(hours=20)
    meeting = await meeting_next_week(
        capacity=1, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    later = await meeting_next_week(capacity=None)  # in a week: not yet
    holder, waiting = await registered(settings, meeting, 2)
    await services.register(settings, later.id, holder)
    before = await OutboxEmail.all().count()
    ctx = {"settings": settings}
    counts = await asyncio.gather(jobs.send_reminders(ctx), jobs.send_reminders(ctx))
    assert sorted(counts) == [0, 1]
    assert await jobs.send_reminders(ctx) == 0
    assert await Notification.filter(kind=services.REMINDER).count() == 1
    assert await Notification.filter(kind=services.REMINDER, user=holder).count() == 1
    assert await OutboxEmail.all().count() == before + 1


async def test_registrations_are_in_the_data_export_and_erased_with_the_account(
    app: Any, settings: Settings
) -> None:
    from participation.accounts.privacy import delete_account, export_personal_data
    from tests.meetings.factories import meeting_started

    upcoming = await meeting_next_week(capacity=1)
    past = await meeting_started()
    leaving, waiting = await people(settings, 2)
    done = await services.register(settings, upcoming.id, leaving)
    await services.register(settings, upcoming.id, waiting)
    await Registration.create(
        meeting=past, user=leaving, seat=Seat.CONFIRMED, code="PAST-CAME", joined_at=timezone.now()
    )
    exported = await export_personal_data(leaving, lambda text: text)
    codes = {row["code"] for row in exported["meetings"]}
    assert codes == {done.code, "PAST-CAME"}
    assert {row["meeting"] for row in exported["meetings"]} == {upcoming.title, past.title}
    await delete_account(leaving)
    assert (await Registration.get(meeting=upcoming, user=leaving)).seat == Seat.CANCELLED
    assert (await Registration.get(meeting=past, user=leaving)).seat == Seat.CONFIRMED
    assert (await Meeting.get(id=upcoming.id)).confirmed == 0
    # the freed seat goes to the waiting list with the next cron run, notified
    await jobs.send_reminders({"settings": settings})
    assert (await Registration.get(meeting=upcoming, user=waiting)).seat == Seat.CONFIRMED
    assert await Notification.filter(user=waiting, kind=services.PROMOTED).count() == 1


async def test_the_notification_list_leads_to_the_meeting(app: Any, settings: Settings) -> None:
    from participation.notifications.services import describe, link_of, recent

    meeting = await meeting_next_week(capacity=1)
    holder, waiting = await registered(settings, meeting, 2)
    await services.cancel_registration(settings, meeting.id, holder)
    [notification] = await recent(waiting.id)
    assert link_of(notification) == f"/meetings/{meeting.id}"
    assert meeting.title in describe(notification)


async def test_fewer_seats_than_people_holding_one_is_refused(
    app: Any, settings: Settings, admin: User
) -> None:
    from meetings import domain
    from participation.refusals import Refused

    meeting = await meeting_next_week(capacity=2)
    for person in await people(settings, 2):
        await services.register(settings, meeting.id, person)
    form = domain.parse_meeting(
        {
            "title": meeting.title,
            "format": "in-person",
            "starts_at": "2031-05-04T18:30",
            "ends_at": "2031-05-04T20:00",
            "address": meeting.address,
            "capacity": "1",
        }
    )
    assert isinstance(form, domain.MeetingForm)
    with pytest.raises(Refused) as refused:
        await services.update_meeting(settings, meeting.id, form, admin)
    assert [p.field for p in refused.value.problems] == ["capacity"]
    stored = await Meeting.get(id=meeting.id)
    assert (stored.capacity, stored.confirmed) == (2, 2)
