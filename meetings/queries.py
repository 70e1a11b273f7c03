"""Meeting reads: the public lists, one meeting's page, the staff's lists, what links back."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import timezone
from tortoise.expressions import F, Q

from consultations.models import Consultation, Phase
from meetings import domain
from meetings.domain import Seat, Status
from meetings.models import Meeting, Outcome, Registration
from participation import features, formatting, spreadsheet
from participation.features import CommentTarget, FeedEntry
from participation.i18n import N_, gettext
from participation.proposals.domain import PUBLIC_STATES
from participation.proposals.models import Proposal
from participation.related import RelatedLink
from participation.templating import public_name
from participation.urls import url


async def upcoming(now: datetime | None = None) -> list[Meeting]:
    """Meetings not over yet (cancelled ones too, marked, so nobody comes for nothing)."""
    return (
        await Meeting.filter(ends_at__gte=now or timezone.now())
        .select_related("image")
        .order_by("starts_at", "id")
    )


async def past(now: datetime | None = None, limit: int = 50) -> list[Meeting]:
    return (
        await Meeting.filter(ends_at__lt=now or timezone.now())
        .select_related("image")
        .order_by("-starts_at", "-id")
        .limit(limit)
    )


async def feed_meetings(space_id: int | None = None) -> list[Meeting]:
    """What the calendar feed carries: everything but what ended more than a year ago; the
    meetings of one participatory space when `space_id` is given."""
    since = timezone.now().replace(year=timezone.now().year - 1)
    found = Meeting.filter(ends_at__gte=since)
    if space_id is not None:
        found = found.filter(space_id=space_id)
    return await found.order_by("starts_at", "id")


async def seat_of(meeting_id: int, user: Any) -> Registration | None:
    if not user.is_authenticated:
        return None
    return await Registration.get_or_none(meeting_id=meeting_id, user_id=user.id)


async def waiting_position(registration: Registration) -> int:
    """1 for the first on the waiting list."""
    ahead = await Registration.filter(
        meeting_id=registration.meeting_id,
        seat=Seat.WAITING,
        joined_at__lt=registration.joined_at,
    ).count()
    ties = await Registration.filter(
        meeting_id=registration.meeting_id,
        seat=Seat.WAITING,
        joined_at=registration.joined_at,
        id__lt=registration.id,
    ).count()
    return ahead + ties + 1


async def waiting_count(meeting_id: int) -> int:
    return await Registration.filter(meeting_id=meeting_id, seat=Seat.WAITING).count()


@dataclass
class Produced:
    proposals: list[Proposal]
    consultations: list[Consultation]


async def produced(meeting_id: int) -> Produced:
    """The public proposals and consultations the meeting's minutes link to."""
    outcomes = await Outcome.filter(meeting_id=meeting_id).values_list("target_kind", "target_id")
    proposal_ids = [i for kind, i in outcomes if kind == "proposal"]
    consultation_ids = [i for kind, i in outcomes if kind == "consultation"]
    return Produced(
        await Proposal.filter(
            id__in=proposal_ids or [0], state__in=list(PUBLIC_STATES), moderation_state="visible"
        ).order_by("id"),
        await Consultation.filter(id__in=consultation_ids or [0])
        .exclude(phase=Phase.PREPARATION)
        .order_by("id"),
    )


async def registrations(meeting_id: int) -> list[Registration]:
    """The staff's list: seats, then the waiting list in its order, with each person."""
    rows = await Registration.filter(meeting_id=meeting_id).select_related("user")
    order = {Seat.CONFIRMED: 0, Seat.WAITING: 1, Seat.CANCELLED: 2}
    return sorted(rows, key=lambda r: (order[r.seat], r.joined_at, r.id))


def registrations_csv(meeting: Meeting, rows: list[Registration]) -> str:
    """The staff's list at the door (the one CSV writer: formulas neutralised), in the reader's
    language: person, code, registration, registered at, came."""
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(
        [
            gettext("Person"),
            gettext("Code"),
            gettext("Registration"),
            gettext("Registered at"),
            gettext("Came"),
        ]
    )
    came = {True: gettext("Yes"), False: gettext("No"), None: ""}
    writer.writerows(
        [
            public_name(r.user),
            r.code,
            gettext(domain.SEAT_LABELS[r.seat]),
            formatting.format_datetime(r.joined_at),
            came[r.attended],
        ]
        for r in rows
    )
    return out.getvalue()


async def reminders_due(now: datetime | None = None) -> list[int]:
    """Meetings starting within a day whose reminder was not sent for their start."""
    now = now or timezone.now()
    rows = await Meeting.filter(
        status=Status.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + domain.REMINDER_LEAD,
    ).values_list("id", "starts_at", "reminded_for")
    return [meeting_id for meeting_id, starts, reminded in rows if reminded != starts]


PRODUCED_AT = N_("Discussed at the public meeting")


async def related_links(kind: str, target_id: int) -> list[RelatedLink]:
    """The meetings whose published minutes link to this proposal or consultation
    (the provider this feature registers with participation.related)."""
    meetings = await Meeting.filter(
        outcomes__target_kind=kind,
        outcomes__target_id=target_id,
        minutes_published_at__isnull=False,
    ).order_by("starts_at", "id")
    return [
        RelatedLink(PRODUCED_AT, m.title, url("meetings:detail", meeting_id=m.id), m.starts_at)
        for m in meetings
    ]


async def free_seats_and_waiting() -> list[int]:
    """Upcoming meetings with a free seat and somebody on the waiting list."""
    ids: list[Any] = (
        await Meeting.filter(
            Q(capacity__isnull=True) | Q(confirmed__lt=F("capacity")),
            status=Status.SCHEDULED,
            starts_at__gt=timezone.now(),
            registrations__seat=Seat.WAITING,
        )
        .distinct()
        .values_list("id", flat=True)
    )
    return [int(i) for i in ids]


async def feed_entries(limit: int, space_id: int | None = None) -> list[FeedEntry]:
    """The meetings, the latest planned, moved, cancelled or given minutes first
    (Feature.feeds): when and where in the summary; of one space only when given
    (`FeedSource.space_entries`)."""
    query = Meeting.all() if space_id is None else Meeting.filter(space_id=space_id)
    rows = await query.order_by("-updated_at", "-id").limit(limit)
    entries = []
    for m in rows:
        title = m.title
        if m.status == Status.CANCELLED:
            title = gettext("Cancelled") + formatting.colon() + " " + title
        when = formatting.format_datetime(m.starts_at)
        entries.append(
            FeedEntry(
                key=f"meeting/{m.id}",
                title=title,
                path=url("meetings:detail", meeting_id=m.id),
                updated=m.updated_at,
                published=m.created_at,
                summary=" · ".join(part for part in (when, m.address) if part),
                space_id=m.space_id,
            )
        )
    return entries


async def space_feed_entries(space_id: int, limit: int) -> list[FeedEntry]:
    return await feed_entries(limit, space_id)


async def space_components(space_id: int) -> list[features.SpaceComponent]:
    """The meetings of a participatory space (`Feature.space_components`), by date."""
    found = []
    for m in await Meeting.filter(space_id=space_id).order_by("starts_at", "id"):
        if m.status == Status.CANCELLED:
            state = N_("Cancelled")
        elif m.minutes_published_at:
            state = N_("Minutes published")
        else:
            state = N_("Planned")
        found.append(
            features.SpaceComponent(
                N_("Public meeting"),
                m.title,
                url("meetings:detail", meeting_id=m.id),
                state,
                at=m.starts_at,
                calendar=url("meetings:feed", query={"space": space_id}),
            )
        )
    return found


def meeting_comment_target(meeting: Meeting) -> CommentTarget:
    """A meeting as the comments see it (issue #18): its page, its space; a cancelled meeting
    takes no comments (nor shows them)."""
    return CommentTarget(
        meeting.title,
        url("meetings:detail", meeting_id=meeting.id),
        space_id=meeting.space_id,
        open=meeting.status != Status.CANCELLED,
    )


async def locked_spaces(meeting_ids: list[int]) -> dict[int, int]:
    """The spaces of these meetings (those in one), read with a row lock (FOR NO KEY UPDATE;
    SQLite has none and needs none) held until the caller's transaction ends, the one that
    inserts a moderation case on a comment on the meeting: a case made while staff move the
    meeting to another space (services.update_meeting, which locks the row first) waits for
    the move and reads the new space, or the move waits for it and then moves it (issue #18).
    Rows, not values_list: Tortoise drops FOR UPDATE from a values query."""
    locked = (
        await Meeting.filter(id__in=sorted(set(meeting_ids)))
        .order_by("id")  # one order for every locker: no deadlock between two of them
        .select_for_update(no_key=True)
    )
    return {m.id: m.space_id for m in locked if m.space_id is not None}


async def picture_seen(viewer: Any, picture_id: int) -> bool:
    """Whether the meeting holding the picture may be seen (PictureOwner, issue #22): every
    meeting's page is public, a cancelled one too (it says so)."""
    return await Meeting.filter(image_id=picture_id).exists()


async def comment_target(viewer: Any, meeting_id: int) -> CommentTarget | None:
    """The meeting (every meeting's page is public)."""
    meeting = await Meeting.get_or_none(id=meeting_id)
    return meeting_comment_target(meeting) if meeting is not None else None
