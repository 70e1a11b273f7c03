"""Meetings (réunions publiques): pure rules over plain data, no HTTP, no database.

A meeting takes place in person, online or both (hybrid). People register; beyond its capacity
they join a waiting list, and the first on it takes a seat as soon as one frees up. Each
registration has a short code, shown and e-mailed, that staff read at the door. The online link
is shown only to people holding a seat, from shortly before the start until the end.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from participation.formfields import bounded_text, local_moment
from participation.i18n import N_
from participation.numbers import is_whole_number, parse_id
from participation.refusals import Problem, Refused
from participation.spaces.domain import parse_space_choice
from participation.territory import Box, point_of, point_problems

LINK_LEAD = timedelta(minutes=30)  # the online link shows this long before the start
REMINDER_LEAD = timedelta(days=1)  # the reminder goes out the day before
TITLE_MAX, ADDRESS_MAX, LINK_MAX = 200, 300, 500
TEXT_MAX = 20_000
CAPACITY_MAX = 100_000
# registration codes: no 0/O, 1/I/L, so that a code read aloud at the door is never ambiguous
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class Format(StrEnum):
    IN_PERSON = "in-person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Status(StrEnum):  # of a meeting
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Seat(StrEnum):  # of a registration
    CONFIRMED = "confirmed"  # holds a seat
    WAITING = "waiting"  # on the waiting list
    CANCELLED = "cancelled"  # cancelled by the person (the row stays: one per person)


FORMAT_LABELS = {
    Format.IN_PERSON: N_("In person"),
    Format.ONLINE: N_("Online"),
    Format.HYBRID: N_("In person and online"),
}
SEAT_LABELS = {
    Seat.CONFIRMED: N_("Registered"),
    Seat.WAITING: N_("On the waiting list"),
    Seat.CANCELLED: N_("Registration cancelled"),
}

NOT_OPEN = N_("Registration for this meeting is closed.")
ALREADY = N_("You are already registered for this meeting.")
NOT_REGISTERED = N_("You are not registered for this meeting.")
NOT_OVER = N_("Minutes can be published only once the meeting has started.")


@dataclass(frozen=True)
class MeetingFacts:
    """What the rules need to know about a meeting."""

    format: Format
    status: Status
    starts_at: datetime
    ends_at: datetime
    capacity: int | None  # None: no limit


def has_place(meeting: MeetingFacts) -> bool:
    return meeting.format in (Format.IN_PERSON, Format.HYBRID)


def is_online(meeting: MeetingFacts) -> bool:
    return meeting.format in (Format.ONLINE, Format.HYBRID)


def registration_open(meeting: MeetingFacts, now: datetime) -> bool:
    """People may register (and join the waiting list) until the meeting starts."""
    return meeting.status == Status.SCHEDULED and now < meeting.starts_at


def can_cancel(meeting: MeetingFacts, seat: Seat | None, now: datetime) -> bool:
    """A person cancels their own registration until the meeting starts."""
    return seat in (Seat.CONFIRMED, Seat.WAITING) and registration_open(meeting, now)


def placement(capacity: int | None, confirmed: int) -> Seat:
    """Where a new registration goes: a seat while some are free, else the waiting list."""
    if capacity is None or confirmed < capacity:
        return Seat.CONFIRMED
    return Seat.WAITING


def promotion_order(waiting: Sequence[tuple[datetime, int]]) -> list[int]:
    """The waiting list, first come first served: (joined at, registration id) pairs, the id
    breaking ties between equal moments. Returns the ids in the order they get a seat."""
    return [registration_id for _at, registration_id in sorted(waiting)]


def seats_to_fill(capacity: int | None, confirmed: int, waiting: int) -> int:
    """How many people move up from the waiting list (after a cancellation or more seats)."""
    if capacity is None:
        return waiting
    return max(0, min(waiting, capacity - confirmed))


def online_link_visible(meeting: MeetingFacts, seat: Seat | None, now: datetime) -> bool:
    """The online link is for people holding a seat, from LINK_LEAD before the start until
    the end; never for a cancelled meeting."""
    return (
        is_online(meeting)
        and meeting.status == Status.SCHEDULED
        and seat == Seat.CONFIRMED
        and meeting.starts_at - LINK_LEAD <= now <= meeting.ends_at
    )


def reminder_due(meeting: MeetingFacts, now: datetime) -> bool:
    """The day before: from REMINDER_LEAD before the start until it starts."""
    return (
        meeting.status == Status.SCHEDULED
        and meeting.starts_at - REMINDER_LEAD <= now < meeting.starts_at
    )


def can_publish_minutes(meeting: MeetingFacts, now: datetime) -> bool:
    return meeting.status == Status.SCHEDULED and now >= meeting.starts_at


def new_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A registration code like "K7QM-R2XD": 8 characters of an unambiguous alphabet."""
    raw = "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalised_code(typed: str) -> str | None:
    """A code as staff type it (lower case, spaces, no dash) in its stored form; None when
    what was typed cannot be a code (too short, too long)."""
    raw = "".join(c for c in typed[:100].upper() if c.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == CODE_LENGTH else None


@dataclass(frozen=True)
class MeetingForm:
    title: str
    description: str  # rich text, sanitised by the service
    format: Format
    starts_at: datetime
    ends_at: datetime
    address: str
    accessibility: str
    online_url: str
    capacity: int | None
    space_id: int | None = None  # its participatory space (participation/spaces)
    latitude: float | None = None  # its point on the town's map (issue #20), optional
    longitude: float | None = None


def parse_meeting(data: Mapping[str, str], town: Box | None = None) -> MeetingForm:
    """The staff form: a title, a format, a start before the end, an address when people come
    in person, an https link when online, an optional capacity (a whole number from 1), an
    optional point inside `town` (None: not checked, a test's shortcut; the routes pass the
    town's box). Raises `Refused` with every problem of the form at once."""
    problems: list[Problem] = []
    title = bounded_text(data, "title", TITLE_MAX, problems)
    if not title:
        problems.append(Problem(N_("Give the meeting a title."), field="title"))
    try:
        format_ = Format(data.get("format", ""))
    except ValueError:
        problems.append(Problem(N_("Choose how people take part."), field="format"))
        format_ = Format.IN_PERSON
    starts_at = local_moment(data, "starts_at", problems)
    ends_at = local_moment(data, "ends_at", problems)
    if starts_at is None and not any(p.field == "starts_at" for p in problems):
        problems.append(Problem(N_("Give the date and time it starts."), field="starts_at"))
    if ends_at is None and not any(p.field == "ends_at" for p in problems):
        problems.append(Problem(N_("Give the date and time it ends."), field="ends_at"))
    if starts_at and ends_at and ends_at <= starts_at:
        problems.append(Problem(N_("The end must come after the start."), field="ends_at"))
    address = bounded_text(data, "address", ADDRESS_MAX, problems)
    if format_ in (Format.IN_PERSON, Format.HYBRID) and not address:
        problems.append(Problem(N_("Give the address where people meet."), field="address"))
    accessibility = bounded_text(data, "accessibility", TEXT_MAX, problems)
    online_url = bounded_text(data, "online_url", LINK_MAX, problems)
    if format_ in (Format.ONLINE, Format.HYBRID) and not online_url.startswith("https://"):
        problems.append(
            Problem(N_("Give the online link, starting with https://."), field="online_url")
        )
    raw_capacity = data.get("capacity", "").strip()
    capacity: int | None = None
    if raw_capacity:
        if is_whole_number(raw_capacity) and 1 <= int(raw_capacity) <= CAPACITY_MAX:
            capacity = int(raw_capacity)
        else:
            problems.append(
                Problem(
                    N_("Give the number of seats as a whole number from 1, or leave it empty."),
                    field="capacity",
                )
            )
    description = data.get("description", "")
    if len(description) > TEXT_MAX:
        problems.append(
            Problem(N_("Write at most {max} characters here."), {"max": TEXT_MAX}, "description")
        )
    space_id = parse_space_choice(data.get("space", ""), problems)
    raw_point = (data.get("latitude", ""), data.get("longitude", ""))
    if town is not None:
        problems += [
            Problem(message, field=name)
            for name, message in point_problems(*raw_point, town).items()
        ]
    latitude, longitude = point_of(*raw_point) if town is not None else (None, None)
    if problems or starts_at is None or ends_at is None:
        raise Refused(problems)
    return MeetingForm(
        title=title,
        description=description,
        format=format_,
        starts_at=starts_at,
        ends_at=ends_at,
        address=address,
        accessibility=accessibility,
        online_url=online_url if format_ != Format.IN_PERSON else "",
        capacity=capacity,
        space_id=space_id,
        latitude=latitude,
        longitude=longitude,
    )


@dataclass(frozen=True)
class MinutesForm:
    text: str  # rich text, sanitised by the service
    proposal_ids: tuple[int, ...]
    consultation_ids: tuple[int, ...]


def _ids(raw: str, field: str, problems: list[Problem]) -> tuple[int, ...]:
    """Numbers separated by commas or spaces ("12, 15")."""
    ids = []
    for part in raw.replace(",", " ").split():
        number = parse_id(part.lstrip("#"))
        if number is None:
            problems.append(
                Problem(N_("Give numbers separated by commas, like 12, 15."), field=field)
            )
            return ()
        ids.append(number)
    return tuple(dict.fromkeys(ids))


def parse_minutes(data: Mapping[str, str]) -> MinutesForm:
    """The minutes and the ids of what the meeting produced; raises `Refused`."""
    problems: list[Problem] = []
    text = data.get("minutes", "").strip()
    if not text:
        problems.append(Problem(N_("Write the minutes."), field="minutes"))
    elif len(text) > TEXT_MAX:
        problems.append(
            Problem(N_("Write at most {max} characters here."), {"max": TEXT_MAX}, "minutes")
        )
    proposals = _ids(data.get("proposals", ""), "proposals", problems)
    consultations = _ids(data.get("consultations", ""), "consultations", problems)
    if problems:
        raise Refused(problems)
    return MinutesForm(text, proposals, consultations)
