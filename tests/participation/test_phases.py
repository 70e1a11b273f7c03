"""The core's phase rules as pure functions (participation/phases.py): the generic automatic
switch and the `phase_allows_*` predicates of every feature's phases, as a table before, during
and after each phase. No HTTP, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest

from budgets import domain as budgets
from budgets.models import Phase as B
from consultations import domain as consultations
from consultations.models import Phase as C
from participation.phases import (
    Action,
    Phases,
    automatic_switch,
    phase_allows_moderation,
    phase_allows_participation,
    phase_allows_results,
    phase_allows_submission,
    phase_allows_view,
)

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Step(StrEnum):
    ONE = "one"
    TWO = "two"
    THREE = "three"


ORDER = (Step.ONE, Step.TWO, Step.THREE)


@pytest.mark.parametrize(
    ("current", "last_switch_at", "two_at", "three_at", "expected"),
    [
        (Step.ONE, None, NOW + HOUR, None, None),  # not yet
        (Step.ONE, None, NOW, None, Step.TWO),  # at the very moment
        (Step.ONE, None, NOW - 2 * HOUR, NOW - HOUR, Step.THREE),  # the cron was down
        (Step.TWO, None, NOW - HOUR, None, None),  # already there
        (Step.THREE, None, NOW - HOUR, None, None),  # never backwards
        (Step.ONE, None, None, None, None),  # no dates
        (Step.TWO, NOW - HOUR, NOW - 2 * HOUR, NOW - 3 * HOUR, None),  # by hand, after the dates
        (Step.ONE, NOW - 2 * HOUR, NOW - 3 * HOUR, NOW - HOUR, Step.THREE),  # a later date applies
    ],
)
def test_the_automatic_switch_follows_dates_since_the_last_switch(
    current: Step,
    last_switch_at: datetime | None,
    two_at: datetime | None,
    three_at: datetime | None,
    expected: Step | None,
) -> None:
    starts = [(Step.TWO, two_at), (Step.THREE, three_at)]
    assert automatic_switch(ORDER, current, last_switch_at, starts, NOW) == expected


# phase -> (view, submission, moderation, participation before closing, results)
BUDGET_TABLE = {
    B.PREPARATION: (False, False, True, False, False),
    B.SUBMISSION: (True, True, True, False, False),
    B.REVIEW: (True, False, True, False, False),
    B.VOTING: (True, False, False, True, False),
    B.TALLY: (True, False, False, False, False),
    B.RESULTS: (True, False, False, False, True),
}
CONSULTATION_TABLE = {
    C.PREPARATION: (False, False, False, False, False),
    C.OPEN: (True, False, False, True, False),
    C.CLOSED: (True, False, False, False, True),
}
CASES = [(budgets.PHASES, phase, row) for phase, row in BUDGET_TABLE.items()] + [
    (consultations.PHASES, phase, row) for phase, row in CONSULTATION_TABLE.items()
]


@pytest.mark.parametrize(("phases", "phase", "row"), CASES, ids=lambda v: str(v))
def test_what_each_phase_allows(
    phases: Phases[StrEnum], phase: StrEnum, row: tuple[bool, ...]
) -> None:
    view, submission, moderation, participation, results = row
    assert phase_allows_view(phases, phase) is view
    assert phase_allows_submission(phases, phase) is submission
    assert phase_allows_moderation(phases, phase) is moderation
    assert phase_allows_participation(phases, phase, None, NOW) is participation
    assert phase_allows_participation(phases, phase, NOW + HOUR, NOW) is participation
    # the closing time has passed: nobody votes or answers, even before the cron switches
    assert phase_allows_participation(phases, phase, NOW, NOW) is False
    assert phase_allows_results(phases, phase) is results


def test_every_phase_of_every_feature_is_in_the_table() -> None:
    assert set(BUDGET_TABLE) == set(budgets.PHASES.order) == set(B)
    assert set(CONSULTATION_TABLE) == set(consultations.PHASES.order) == set(C)


def test_a_phase_missing_from_the_declaration_allows_nothing() -> None:
    phases = Phases(order=ORDER, allows={Step.TWO: frozenset({Action.PARTICIPATE})})
    assert not any(phases.allow(Step.ONE, action) for action in Action)
    assert phase_allows_participation(phases, Step.TWO, None, NOW)
