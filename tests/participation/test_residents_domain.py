"""The resident register's pure rules (participation/residents/domain.py): no HTTP, no database."""

from __future__ import annotations

from datetime import date

import pytest

from budgets.domain import Voter
from consultations.domain import Person
from participation.residents.domain import NOT_VERIFIED, Resident, age_on, lives_in


@pytest.mark.parametrize(
    ("resident_district", "district", "expected"),
    [
        ("Nord", "Nord", True),
        ("Nord", "Sud", False),
        (None, "Nord", False),  # the census gave no district
        ("nord", "Nord", False),  # the name as the census file wrote it
    ],
)
def test_a_resident_lives_in_the_district_of_that_name(
    resident_district: str | None, district: str, expected: bool
) -> None:
    assert lives_in(resident_district, district) is expected


def test_ages_change_on_the_birthday() -> None:
    assert age_on(date(2010, 6, 15), date(2026, 6, 14)) == 15
    assert age_on(date(2010, 6, 15), date(2026, 6, 15)) == 16
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17


def test_budgets_and_consultations_read_the_same_register() -> None:
    assert NOT_VERIFIED == Resident(verified=False)
    resident = Resident(True, date(1984, 3, 21), "Nord")
    assert Voter(True, date(1984, 3, 21), "Nord") == resident  # a voter is a resident
    person = Person(True, resident.verified, resident.district)
    assert (person.verified, person.district) == (True, "Nord")
