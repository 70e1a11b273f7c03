"""Pure rules of the resident register: plain data in, plain data out (no database, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Resident:
    """What the register says of a person: verified or not, and if so their birth date and
    district name (None: the census gave none)."""

    verified: bool
    birth_date: date | None = None
    district: str | None = None
    method: str | None = None  # the verification method (residents/methods); None: not verified


NOT_VERIFIED = Resident(verified=False)


def lives_in(resident_district: str | None, district: str | None) -> bool:
    """Whether a resident of `resident_district` belongs to `district` (both district names,
    see participation/residents/models.py): the same name, as the census file wrote it."""
    return resident_district == district


def age_on(birth_date: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def record_is_valid(
    revoked_at: datetime | None, expires_at: datetime | None, now: datetime
) -> bool:
    """Whether a verified-resident record counts at `now`: not revoked and not expired."""
    return revoked_at is None and (expires_at is None or now < expires_at)


def verification_state(
    exists: bool, revoked_at: datetime | None, expires_at: datetime | None, now: datetime
) -> str:
    """What a person's record says, for their page and for staff: "none", "verified",
    "revoked" or "expired"."""
    if not exists:
        return "none"
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and now >= expires_at:
        return "expired"
    return "verified"


def may_record_over(
    exists: bool, revoked_at: datetime | None, expires_at: datetime | None, now: datetime
) -> bool:
    """Whether a new verification may replace the person's record: there is none, or it no
    longer counts (one person, one record: a valid record is never overwritten)."""
    return not exists or not record_is_valid(revoked_at, expires_at, now)


def may_move_record(current_row: int | None, new_row: int | None, holds_open_vote: bool) -> bool:
    """Whether a new verification may point the person's record at `new_row` (None: an anchor
    row not made yet) when their record points at `current_row` (None: no record). Moving a
    person to another census row while their current row holds a vote still open (a register
    row of a budget whose vote is not closed, `holds_open_vote`) would let them vote a second
    time in that vote through the new row: refused until it closes. Staying on the same row,
    or having no record yet, always may."""
    if current_row is None or current_row == new_row:
        return True
    return not holds_open_vote
