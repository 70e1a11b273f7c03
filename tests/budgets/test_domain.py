"""Budget rules as pure functions: phases by date, eligibility, every ballot rule."""

from datetime import UTC, date, datetime, timedelta

import pytest

from budgets.domain import (
    PHASE_ORDER,
    BallotProject,
    BallotRule,
    PhaseDates,
    Voter,
    age_on,
    ballot_problems,
    dates_problems,
    eligibility_problem,
    parse_choices,
    rule_differences,
    rule_problems,
    voting_is_open,
)
from budgets.models import BallotKind, Phase
from participation import phases

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def automatic_switch(
    current: Phase, last_switch_at: datetime | None, dates: PhaseDates, now: datetime
) -> Phase | None:
    """The core's switch (participation/phases.py) with a budget's phases and dates."""
    return phases.automatic_switch(PHASE_ORDER, current, last_switch_at, dates.starts(), now)


DATES = PhaseDates(T0, T0 + timedelta(days=30), T0 + timedelta(days=60), T0 + timedelta(days=90))


@pytest.mark.parametrize(
    ("now", "current", "expected"),
    [
        (T0 - timedelta(seconds=1), Phase.PREPARATION, None),
        (T0, Phase.PREPARATION, Phase.SUBMISSION),
        (T0 + timedelta(days=45), Phase.PREPARATION, Phase.REVIEW),  # the cron was down
        (T0 + timedelta(days=61), Phase.REVIEW, Phase.VOTING),
        (T0 + timedelta(days=61), Phase.VOTING, None),
        (T0 + timedelta(days=90), Phase.VOTING, Phase.TALLY),
        (T0 + timedelta(days=200), Phase.TALLY, None),  # results are never automatic
    ],
)
def test_phases_switch_at_their_dates(
    now: datetime, current: Phase, expected: Phase | None
) -> None:
    assert automatic_switch(current, None, DATES, now) == expected


def test_a_switch_by_hand_is_not_undone_by_an_older_date() -> None:
    # staff moved the budget back to review on day 65, after the voting date had passed
    switched_back_at = T0 + timedelta(days=65)
    now = T0 + timedelta(days=66)
    assert automatic_switch(Phase.REVIEW, switched_back_at, DATES, now) is None
    # ...but the closing date, still to come, applies
    assert (
        automatic_switch(Phase.REVIEW, switched_back_at, DATES, T0 + timedelta(days=91))
        == Phase.TALLY
    )


def test_dates_out_of_order_are_refused() -> None:
    assert dates_problems(PhaseDates(T0, T0 - timedelta(days=1)))
    assert not dates_problems(DATES)
    assert not dates_problems(PhaseDates(voting_opens_at=T0))


def test_voting_closes_at_its_time_even_before_the_cron_runs() -> None:
    closing = DATES.voting_closes_at
    assert closing is not None
    assert voting_is_open(Phase.VOTING, DATES, closing - timedelta(seconds=1))
    assert not voting_is_open(Phase.VOTING, DATES, closing)
    assert not voting_is_open(Phase.REVIEW, DATES, closing - timedelta(days=10))


def test_age_counts_birthdays() -> None:
    assert age_on(date(2010, 6, 15), date(2026, 6, 14)) == 15
    assert age_on(date(2010, 6, 15), date(2026, 6, 15)) == 16


@pytest.mark.parametrize(
    ("voter", "minimum_age", "district", "refused"),
    [
        (Voter(False), 0, None, "first confirm that you live here"),
        (Voter(True, date(2012, 1, 1), "Nord"), 16, None, "aged {age} or more"),
        (Voter(True, date(2000, 1, 1), "Nord"), 16, "Sud", "residents of {district} only"),
        (Voter(True, date(2000, 1, 1), "Sud"), 16, "Sud", None),
        (Voter(True, date(2010, 1, 1), None), 16, None, None),
    ],
)
def test_eligibility(
    voter: Voter, minimum_age: int, district: str | None, refused: str | None
) -> None:
    problem = eligibility_problem(voter, minimum_age, district, date(2026, 5, 1))
    if refused is None:
        assert problem is None
    else:
        assert problem is not None and refused in problem.message


PROJECTS = {
    1: BallotProject(1, 40_000, None),
    2: BallotProject(2, 30_000, None),
    3: BallotProject(3, 50_000, None),
    4: BallotProject(4, 20_000, "Nord"),
    5: BallotProject(5, 25_000, "Sud"),
}
ENVELOPES = {None: 100_000, "Nord": 30_000}


def problems(rule: BallotRule, choices: dict[int, int], district: str | None = "Nord") -> list[str]:
    return [p.message for p in ballot_problems(rule, choices, PROJECTS, ENVELOPES, district)]


def test_approval_min_and_max() -> None:
    rule = BallotRule(BallotKind.APPROVAL, min_choices=2, max_choices=3)
    assert problems(rule, {1: 1}) == ["Choose at least {n} projects (you chose {count})."]
    assert problems(rule, {1: 1, 2: 1, 3: 1, 4: 1}) == [
        "Choose at most {n} projects (you chose {count})."
    ]
    assert problems(rule, {1: 1, 2: 1}) == []
    # one project: its own sentence, never "1 projects"
    assert problems(BallotRule(BallotKind.APPROVAL, min_choices=1), {}) == [
        "Choose at least one project."
    ]
    assert problems(BallotRule(BallotKind.APPROVAL, max_choices=1), {1: 1, 2: 1}) == [
        "Choose at most one project (you chose {count})."
    ]


def test_projects_of_another_district_or_unknown_are_refused() -> None:
    rule = BallotRule(BallotKind.APPROVAL)
    assert "your district" in problems(rule, {5: 1})[0]
    assert "not on this ballot" in problems(rule, {99: 1})[0]


def test_knapsack_within_each_envelope() -> None:
    rule = BallotRule(BallotKind.KNAPSACK)
    exact = {1: 1, 2: 1, 4: 1}  # 70,000 of 100,000 city-wide; 20,000 of 30,000 in Nord
    assert problems(rule, exact) == []
    over = ballot_problems(rule, {1: 1, 2: 1, 3: 1}, PROJECTS, ENVELOPES, "Nord")
    assert len(over) == 1 and over[0].values["excess"] == 20_000
    exactly_full = {2: 1, 3: 1}  # 80,000 ... and with project 1 it would be 120,000
    assert problems(rule, exactly_full) == []


def test_knapsack_minimum_share_spent() -> None:
    rule = BallotRule(BallotKind.KNAPSACK, min_spent_percent=50)
    found = ballot_problems(rule, {2: 1, 4: 1}, PROJECTS, ENVELOPES, "Nord")
    assert [p.values.get("envelope") for p in found] == [None]  # 30 % city-wide; Nord is 66 %
    assert problems(rule, {3: 1, 4: 1}) == []  # exactly 50 % city-wide


def test_cumulative_points() -> None:
    rule = BallotRule(BallotKind.CUMULATIVE, points_total=10, points_per_project=5)
    assert problems(rule, {1: 5, 2: 5}) == []
    assert problems(rule, {1: 6}) == ["Give at most {n} points to a project."]
    assert problems(rule, {1: 5, 2: 5, 3: 1}) == [
        "You gave {used} points out of {total}: remove {excess}."
    ]
    assert problems(rule, {}) == ["Give points to at least one project."]


def test_ranking_top_k() -> None:
    rule = BallotRule(BallotKind.RANKING, ranking_length=3)
    assert problems(rule, {1: 1, 2: 2, 3: 3}) == []
    assert problems(rule, {1: 1, 3: 3}) == ["Use each rank once, from 1 without gaps (1, 2, 3...)."]
    assert problems(rule, {1: 1, 2: 1}) == ["Use each rank once, from 1 without gaps (1, 2, 3...)."]
    assert problems(rule, {1: 1, 2: 2, 3: 3, 4: 4}) == ["Rank at most {n} projects."]


def test_rules_staff_cannot_choose() -> None:
    assert rule_problems(BallotRule(BallotKind.APPROVAL, min_choices=3, max_choices=2))
    assert rule_problems(BallotRule(BallotKind.KNAPSACK, min_spent_percent=120))
    assert rule_problems(BallotRule(BallotKind.CUMULATIVE, points_total=3, points_per_project=5))
    assert not rule_problems(BallotRule(BallotKind.RANKING, ranking_length=5))


def test_parse_choices_from_forms() -> None:
    assert parse_choices(BallotKind.APPROVAL, {"project": ["1", "4"]}) == ({1: 1, 4: 1}, [])
    assert parse_choices(BallotKind.APPROVAL, {"project": "2"}) == ({2: 1}, [])
    assert parse_choices(BallotKind.APPROVAL, {"project": ["1 OR 1=1"]})[1]
    assert parse_choices(BallotKind.CUMULATIVE, {"points-1": "3", "points-2": "", "x": "y"}) == (
        {1: 3},
        [],
    )
    assert parse_choices(BallotKind.CUMULATIVE, {"points-1": "-3"})[1]
    assert parse_choices(BallotKind.RANKING, {"rank-3": "1", "rank-1": "2"}) == ({3: 1, 1: 2}, [])


@pytest.mark.parametrize(
    ("target", "has_key", "imported", "opened", "kept", "refused"),
    [
        (Phase.VOTING, False, False, False, (0, 0), "no key yet"),
        (Phase.VOTING, True, False, False, (2, 2), None),
        (Phase.VOTING, True, False, False, (3, 2), None),
        (Phase.VOTING, True, False, False, (1, 2), "held by trustees, {kept} of the {needed}"),
        (Phase.VOTING, True, False, True, (2, 2), "already opened"),
        (Phase.VOTING, False, True, False, (0, 0), None),  # an import has no ballot box
        (Phase.TALLY, False, False, False, (0, 0), None),
        (Phase.TALLY, True, False, False, (0, 2), None),  # counted with the shares kept
        (Phase.RESULTS, True, False, False, (2, 2), "still sealed"),
        (Phase.RESULTS, True, False, True, (2, 2), None),
        (Phase.RESULTS, False, False, False, (0, 0), None),  # a vote that opened in clear
        (Phase.REVIEW, False, False, False, (0, 0), None),
        (Phase.REVIEW, True, False, False, (0, 2), None),  # shares may still be shown
    ],
)
def test_the_ballot_box_decides_when_voting_opens_and_results_are_published(
    target: Phase,
    has_key: bool,
    imported: bool,
    opened: bool,
    kept: tuple[int, int],
    refused: str | None,
) -> None:
    from budgets.domain import sealing_problem

    problem = sealing_problem(target, has_key, imported, opened, *kept)
    if refused is None:
        assert problem is None
    else:
        assert problem is not None and refused in problem.message


def test_the_rules_differ_only_by_the_symmetric_difference_of_their_selections() -> None:
    def outcome(selected: list[int], reasons: dict[int, str]) -> dict[str, object]:
        projects = [{"id": pid, "reason": reason} for pid, reason in reasons.items()]
        return {"envelopes": [{"selected": selected, "projects": projects}]}

    greedy = outcome([1, 2], {1: "selected", 2: "selected", 3: "does-not-fit"})
    shares = outcome([1, 3], {1: "selected", 3: "selected", 2: "not-affordable"})
    found = rule_differences(greedy, shares)
    assert [d.project_id for d in found] == [2, 3]  # 1, funded by both, tells nothing
    assert found[0].greedy == {"id": 2, "reason": "selected"}
    assert found[0].equal_shares == {"id": 2, "reason": "not-affordable"}
    assert rule_differences(greedy, greedy) == []
