"""Postal letter: the resident enters their postal address; staff print a batch of letters,
each with a one-time code (`residents/letters.py`); the resident types the code. The code proves
they receive mail at an address in the town. The letter knows no birth date (an identity
provider's verified claim may add it). Valid three years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from participation.i18n import N_


@dataclass(frozen=True)
class Letter:
    name: str = "letter"
    label: str = N_("Postal letter")
    how: str = N_(
        "Enter your postal address: the town hall posts you a letter with a code to type here."
    )
    valid_for: timedelta | None = timedelta(days=3 * 365)
    by_agent: bool = False
    knows_birth_date: bool = False


METHOD = Letter()
