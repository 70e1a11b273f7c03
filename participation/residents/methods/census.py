"""The census register: the council imports its file (hashed rows, `residents/census.py`); the
resident types the identifier of the town hall's letter, their birth date and postcode, and the
same hash finds their row. The row is the record's anchor; it has no expiry (a new import
updates the district)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from participation.i18n import N_


@dataclass(frozen=True)
class Census:
    name: str = "census"
    label: str = N_("Town register")
    how: str = N_(
        "Type the identifier of the town hall's letter, your birth date and your postcode."
    )
    valid_for: timedelta | None = None
    by_agent: bool = False
    knows_birth_date: bool = True


METHOD = Census()
