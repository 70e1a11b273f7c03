"""Pure rules of the resident register: plain data in, plain data out (no database, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Resident:
    """What the register says of a person: verified or not, and if so their birth date and
    district name (None: the census gave none)."""

    verified: bool
    birth_date: date | None = None
    district: str | None = None


NOT_VERIFIED = Resident(verified=False)


def lives_in(resident_district: str | None, district: str | None) -> bool:
    """Whether a resident of `resident_district` belongs to `district` (both district names,
    see participation/residents/models.py): the same name, as the census file wrote it."""
    return resident_district == district


def age_on(birth_date: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday
