"""Meeting commands: each is one transaction; the e-mails it records are sent after commit.

Capacity lives in the database: a registration takes a seat only through one conditional
UPDATE (`confirmed = confirmed + 1 WHERE confirmed < capacity`), atomic on SQLite and on
PostgreSQL (which re-checks the condition on the row after waiting for its lock), so fifty
people registering for the last seat at once leave exactly one with it and the others on the
waiting list. The same row lock orders cancellations and promotions. One registration per
person per meeting is a UNIQUE constraint.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from consultations.models import Consultation
from meetings import domain
from meetings.domain import MeetingForm, MinutesForm, Seat, Status
from meetings.models import Meeting, Outcome, Registration
from moderation import services as moderation
from participation import formatting, mail, richtext
from participation.audit import audit
from participation.i18n import N_, gettext
from participation.notifications import services as notifications
from participation.notifications.services import speaking
from participation.pictures import services as pictures
from participation.pictures.forms import ImageChange
from participation.proposals.models import Proposal
from participation.refusals import DomainError, NotFound, refuse
from participation.settings import Settings
from participation.spaces import services as spaces

# notification kinds of this feature (declared to the core in meetings/manifest.py)
PROMOTED = "meeting_promoted"
MOVED = "meeting_moved"
CANCELLED = "meeting_cancelled"
REMINDER = "meeting_reminder"


async def _audit(by_user: Any, action: str, meeting_id: int, before: Any, after: Any) -> None:
    """Staff actions on meetings go to the audit log, in the action's transaction."""
    await audit(by_user, action, "meeting", meeting_id, before, after)


def link(settings: Settings, meeting_id: int) -> str:
    return f"{settings.base_url}/meetings/{meeting_id}"


# --- staff: create, edit (move), cancel ------------------------------------------------------


def _audited(meeting: Meeting) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "format": meeting.format.value,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "address": meeting.address,
        "capacity": meeting.capacity,
        "status": meeting.status.value,
        "space_id": meeting.space_id,
    }


async def create_meeting(
    form: MeetingForm, by_user: Any, image: ImageChange | None = None
) -> Meeting:
    """A new meeting, with its image (issue #22: `image`, stored in the same transaction)."""
    await spaces.check_choice(form.space_id)
    async with in_transaction():
        meeting = await Meeting.create(
            image_id=await pictures.apply(image, None),
            title=form.title,
            **richtext.written(
                None, Meeting.rich_text, description=richtext.from_markdown(form.description)
            ),
            format=form.format,
            starts_at=form.starts_at,
            ends_at=form.ends_at,
            address=form.address,
            accessibility=form.accessibility,
            online_url=form.online_url,
            capacity=form.capacity,
            space_id=form.space_id,
            latitude=form.latitude,
            longitude=form.longitude,
        )
        await _audit(by_user, "meeting_created", meeting.id, "", _audited(meeting))
    return meeting


async def _registered_ids(meeting_id: int) -> list[int]:
    ids: list[Any] = await Registration.filter(
        meeting_id=meeting_id, seat__in=[Seat.CONFIRMED, Seat.WAITING]
    ).values_list("user_id", flat=True)
    return [int(i) for i in ids]


EDITABLE = (
    "title",
    "description",
    "format",
    "starts_at",
    "ends_at",
    "address",
    "accessibility",
    "online_url",
    "capacity",
    "space_id",
    "latitude",
    "longitude",
)


async def update_meeting(
    settings: Settings,
    meeting_id: int,
    form: MeetingForm,
    by_user: Any,
    image: ImageChange | None = None,
) -> int:
    """Save the staff form (`image`: the change of its image, participation/pictures). A new
    date, time or place notifies every registered person once (per new date and place); more
    seats move people up from the waiting list. Returns how many people were notified."""
    emails: list[mail.OutboxEmail] = []
    await spaces.check_choice(form.space_id)
    async with in_transaction():
        meeting = await Meeting.filter(id=meeting_id).select_for_update().get_or_none()
        if meeting is None:
            raise NotFound()
        if meeting.status == Status.CANCELLED:
            raise DomainError(N_("This meeting is cancelled; it can no longer be changed."))
        if form.capacity is not None and form.capacity < meeting.confirmed:
            raise refuse(
                N_("{count} people already hold a seat: give at least that many seats."),
                "capacity",
                count=meeting.confirmed,
            )
        before = _audited(meeting)
        former_space = meeting.space_id
        moved = (meeting.starts_at, meeting.ends_at, meeting.address) != (
            form.starts_at,
            form.ends_at,
            form.address,
        )
        for name in EDITABLE:
            setattr(meeting, name, getattr(form, name))
        texts = richtext.written(
            meeting, Meeting.rich_text, description=richtext.from_markdown(form.description)
        )
        for name, value in texts.items():
            setattr(meeting, name, value)
        meeting.sequence += 1 if moved else 0
        meeting.image_id = await pictures.apply(image, meeting.image_id)
        # never `confirmed`: seats change only through their conditional UPDATEs
        await meeting.save(
            update_fields=[
                *EDITABLE,
                "sanitized_with",
                "minutes",
                "sequence",
                "updated_at",
                "image_id",
            ]
        )
        if meeting.space_id != former_space:
            # the cases of its comments follow it to the new space's moderators; its row is
            # locked above, the lock a case being made on them reads the space with
            # (queries.locked_spaces): it waits and reads the new space, or is moved here
            await moderation.move_cases("meeting", [meeting.id], meeting.space_id)
        await _audit(by_user, "meeting_updated", meeting.id, before, _audited(meeting))
        emails += await _fill_seats(settings, meeting.id)
        if moved:
            emails += await notifications.notify_users(
                settings,
                MOVED,
                _moved_key(meeting.id, form),
                await _registered_ids(meeting.id),
                N_("The meeting “{title}” has moved: it now takes place on {when}{place}."),
                link(settings, meeting.id),
                title=meeting.title,
                when=form.starts_at,
                place=f", {form.address}" if form.address else "",
            )
    await notifications.dispatch(emails)
    return len(emails)


def _moved_key(meeting_id: int, form: MeetingForm) -> str:
    """One notification per new date and place (the key fits the 80 characters of its column)."""
    where = f"{form.starts_at.isoformat()}|{form.ends_at.isoformat()}|{form.address}"
    return f"meeting:{meeting_id}:moved:{hashlib.sha256(where.encode()).hexdigest()[:20]}"


async def cancel_meeting(settings: Settings, meeting_id: int, by_user: Any) -> int:
    """Cancel the meeting; every registered person is notified once. Returns how many."""
    async with in_transaction():
        changed = await Meeting.filter(id=meeting_id, status=Status.SCHEDULED).update(
            status=Status.CANCELLED, sequence=F("sequence") + 1
        )
        if not changed:  # already cancelled (a second click): nobody is told twice
            if not await Meeting.exists(id=meeting_id):
                raise NotFound()
            return 0
        meeting = await Meeting.get(id=meeting_id)
        await _audit(by_user, "meeting_cancelled", meeting.id, "scheduled", "cancelled")
        emails = await notifications.notify_users(
            settings,
            CANCELLED,
            f"meeting:{meeting.id}:cancelled",
            await _registered_ids(meeting.id),
            N_("The meeting “{title}” planned on {when} is cancelled."),
            link(settings, meeting.id),
            title=meeting.title,
            when=meeting.starts_at,
        )
    await notifications.dispatch(emails)
    return len(emails)


# --- residents: register, cancel; the waiting list --------------------------------------------


@dataclass(frozen=True)
class Registered:
    seat: Seat
    code: str


async def _take_seat(meeting_id: int) -> bool:
    """One seat, if one is free: a single conditional UPDATE (also the meeting's row lock)."""
    taken = await Meeting.filter(id=meeting_id, capacity__isnull=True).update(
        confirmed=F("confirmed") + 1
    )
    if taken:
        return True
    return bool(
        await Meeting.filter(id=meeting_id, confirmed__lt=F("capacity")).update(
            confirmed=F("confirmed") + 1
        )
    )


async def _unique_code(meeting_id: int) -> str:
    while True:
        code = domain.new_code()
        if not await Registration.exists(meeting_id=meeting_id, code=code):
            return code


async def register(settings: Settings, meeting_id: int, user: Any) -> Registered:
    """A seat while one is free, else the waiting list, never over capacity. The code is
    e-mailed with the confirmation."""
    now = timezone.now()
    try:
        async with in_transaction():
            meeting = await Meeting.get_or_none(id=meeting_id)
            if meeting is None:
                raise NotFound()
            if not domain.registration_open(meeting.facts(), now):
                raise DomainError(domain.NOT_OPEN)
            existing = await Registration.get_or_none(meeting_id=meeting_id, user_id=user.id)
            if existing is not None and existing.seat != Seat.CANCELLED:
                raise DomainError(domain.ALREADY)
            seat = Seat.CONFIRMED if await _take_seat(meeting_id) else Seat.WAITING
            if existing is None:
                registration = await Registration.create(
                    meeting_id=meeting_id,
                    user_id=user.id,
                    seat=seat,
                    code=await _unique_code(meeting_id),
                    joined_at=now,
                )
            else:  # registering again after cancelling: the end of the waiting list
                registration = existing
                registration.seat, registration.joined_at = seat, now
                await registration.save(update_fields=["seat", "joined_at"])
            email = await _confirmation(settings, meeting, registration, user)
    except IntegrityError:  # the same person twice at once: the other request registered
        raise DomainError(domain.ALREADY) from None
    await mail.dispatch(email)
    return Registered(seat, registration.code)


async def _confirmation(
    settings: Settings, meeting: Meeting, registration: Registration, user: Any
) -> mail.OutboxEmail:
    with speaking(user.language or settings.default_language):
        if registration.seat == Seat.CONFIRMED:
            subject = gettext("Your registration for a meeting")
            text = gettext(
                "You are registered for the meeting “{title}” on {when}.\n"
                "Your registration code: {code}"
            )
        else:
            subject = gettext("You are on the waiting list of a meeting")
            text = gettext(
                "The meeting “{title}” on {when} is full: you are on its waiting list. If a "
                "seat frees up, it is yours and we tell you.\nYour registration code: {code}"
            )
        body = gettext("Hello {name},\n\n{text}\n\n{link}").format(
            name=user.display_name,
            text=text.format(
                title=meeting.title,
                when=formatting.format_datetime(meeting.starts_at),
                code=registration.code,
            ),
            link=link(settings, meeting.id),
        )
    return await mail.queue_email(user.email, f"[{settings.site_name}] {subject}", body)


async def cancel_registration(settings: Settings, meeting_id: int, user: Any) -> int:
    """The person gives up their seat or their place on the waiting list; a freed seat goes to
    the first on the waiting list, who is notified. Returns how many people moved up."""
    emails: list[mail.OutboxEmail] = []
    async with in_transaction():
        # the meeting's row lock first, as registrations take it: one order, no deadlock
        await Meeting.filter(id=meeting_id).update(confirmed=F("confirmed"))
        meeting = await Meeting.get_or_none(id=meeting_id)
        registration = await Registration.get_or_none(meeting_id=meeting_id, user_id=user.id)
        if meeting is None:
            raise NotFound()
        seat = registration.seat if registration else None
        if registration is None or seat == Seat.CANCELLED:
            raise DomainError(domain.NOT_REGISTERED)
        if not domain.can_cancel(meeting.facts(), seat, timezone.now()):
            raise DomainError(domain.NOT_OPEN)
        await Registration.filter(id=registration.id).update(seat=Seat.CANCELLED)
        if seat == Seat.CONFIRMED:
            await Meeting.filter(id=meeting_id).update(confirmed=F("confirmed") - 1)
            emails = await _fill_seats(settings, meeting_id)
    await notifications.dispatch(emails)
    return len(emails)


async def _fill_seats(settings: Settings, meeting_id: int) -> list[mail.OutboxEmail]:
    """Move people up from the waiting list while seats are free, first come first served;
    each is notified once. Inside the caller's transaction, which holds the meeting's row."""
    waiting = await Registration.filter(meeting_id=meeting_id, seat=Seat.WAITING).values_list(
        "joined_at", "id"
    )
    moved_up: list[int] = []
    for registration_id in domain.promotion_order(waiting):
        if not await _take_seat(meeting_id):
            break
        await Registration.filter(id=registration_id).update(seat=Seat.CONFIRMED)
        moved_up.append(registration_id)
    if not moved_up:
        return []
    meeting = await Meeting.get(id=meeting_id)
    emails = []
    for registration in await Registration.filter(id__in=moved_up):
        emails += await notifications.notify_users(
            settings,
            PROMOTED,
            f"meeting:{meeting_id}:seat:{registration.id}:{registration.joined_at.isoformat()}",
            [registration.user_id],
            N_(
                "A seat freed up: you are now registered for the meeting “{title}” on {when}. "
                "Your registration code: {code}"
            ),
            link(settings, meeting_id),
            title=meeting.title,
            when=meeting.starts_at,
            code=registration.code,
        )
    return emails


async def fill_seats(settings: Settings, meeting_id: int) -> int:
    """Move the waiting list up where seats are free; returns how many people moved up."""
    async with in_transaction():
        await Meeting.filter(id=meeting_id).update(confirmed=F("confirmed"))  # the row lock
        emails = await _fill_seats(settings, meeting_id)
    await notifications.dispatch(emails)
    return len(emails)


# --- staff: attendance, minutes ------------------------------------------------------------------


async def record_attendance(meeting_id: int, present: set[int], by_user: Any) -> int:
    """Mark who came among the registrations with a seat (ids of registrations); the others
    are marked absent. Returns how many came."""
    async with in_transaction():
        meeting = await Meeting.filter(id=meeting_id).select_for_update().get_or_none()
        if meeting is None:
            raise NotFound()
        seated = Registration.filter(meeting_id=meeting_id, seat=Seat.CONFIRMED)
        came = await seated.filter(id__in=list(present) or [0]).update(attended=True)
        await seated.exclude(id__in=list(present) or [0]).update(attended=False)
        await _audit(by_user, "meeting_attendance", meeting_id, "", {"present": came})
    return came


async def attendance_by_code(meeting_id: int, typed: str, by_user: Any) -> Registration:
    """Staff type the code a person shows at the door: marked present."""
    code = domain.normalised_code(typed)
    async with in_transaction():
        registration = None
        if code is not None:
            registration = await Registration.get_or_none(
                meeting_id=meeting_id, code=code, seat=Seat.CONFIRMED
            ).select_related("user")
        if registration is None:
            raise refuse(N_("No seat has this code for this meeting."), "code")
        registration.attended = True
        await registration.save(update_fields=["attended"])
        await _audit(by_user, "meeting_attendance", meeting_id, "", {"code": code})
    return registration


async def publish_minutes(meeting_id: int, form: MinutesForm, by_user: Any) -> Meeting:
    """Publish (or correct) the minutes and the proposals and consultations the meeting
    produced; each of those pages then links back to the meeting."""
    problems = []
    proposals = set(
        await Proposal.filter(id__in=list(form.proposal_ids) or [0]).values_list("id", flat=True)
    )
    if missing := [i for i in form.proposal_ids if i not in proposals]:
        problems.append(("proposals", missing))
    consultations = set(
        await Consultation.filter(id__in=list(form.consultation_ids) or [0]).values_list(
            "id", flat=True
        )
    )
    if missing := [i for i in form.consultation_ids if i not in consultations]:
        problems.append(("consultations", missing))
    if problems:
        field, missing = problems[0]
        raise refuse(N_("No such number: {ids}."), field, ids=", ".join(str(i) for i in missing))
    async with in_transaction():
        meeting = await Meeting.filter(id=meeting_id).select_for_update().get_or_none()
        if meeting is None:
            raise NotFound()
        if not domain.can_publish_minutes(meeting.facts(), timezone.now()):
            raise DomainError(domain.NOT_OVER)
        minutes = richtext.from_markdown(form.text)
        texts = richtext.written(meeting, Meeting.rich_text, minutes=minutes)
        for name, value in texts.items():
            setattr(meeting, name, value)
        meeting.minutes_published_at = meeting.minutes_published_at or timezone.now()
        await meeting.save(update_fields=[*texts, "minutes_published_at", "updated_at"])
        await Outcome.filter(meeting_id=meeting_id).delete()
        await Outcome.bulk_create(
            [
                Outcome(meeting_id=meeting_id, target_kind="proposal", target_id=i)
                for i in form.proposal_ids
            ]
            + [
                Outcome(meeting_id=meeting_id, target_kind="consultation", target_id=i)
                for i in form.consultation_ids
            ]
        )
        after = {"proposals": form.proposal_ids, "consultations": form.consultation_ids}
        await _audit(by_user, "meeting_minutes", meeting_id, "", after)
    return meeting


# --- the reminder -----------------------------------------------------------------------------


async def send_reminder(settings: Settings, meeting_id: int) -> int:
    """Remind every person holding a seat, once per start date: the meeting's row is claimed
    by a conditional UPDATE, so a second run (a cron running twice, two workers) finds it
    claimed and sends nothing. Returns how many people were reminded."""
    async with in_transaction():
        meeting = await Meeting.get_or_none(id=meeting_id)
        if meeting is None or not domain.reminder_due(meeting.facts(), timezone.now()):
            return 0
        claimed = await Meeting.filter(
            Q(reminded_for__isnull=True) | Q(reminded_for__not=meeting.starts_at),
            id=meeting_id,
            status=Status.SCHEDULED,
            starts_at=meeting.starts_at,
        ).update(reminded_for=meeting.starts_at)
        if not claimed:
            return 0
        seated: list[Any] = await Registration.filter(
            meeting_id=meeting_id, seat=Seat.CONFIRMED
        ).values_list("user_id", flat=True)
        emails = await notifications.notify_users(
            settings,
            REMINDER,
            f"meeting:{meeting_id}:reminder:{meeting.starts_at.isoformat()}",
            seated,
            N_("Reminder: the meeting “{title}” takes place on {when}{place}."),
            link(settings, meeting_id),
            title=meeting.title,
            when=meeting.starts_at,
            place=f", {meeting.address}" if meeting.address else "",
        )
    await notifications.dispatch(emails)
    return len(emails)
