"""Pure rules of participatory budgets: phases by date, eligibility, ballot validity.

Plain data in, plain data out: no database, no HTTP. Messages are English msgids (marked N_)
with `{placeholders}`, translated and formatted where they are shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from budgets.models import BallotKind, Phase
from participation import refusals
from participation.i18n import N_
from participation.numbers import is_whole_number
from participation.phases import (
    Action,
    Phases,
    phase_allows_moderation,
    phase_allows_participation,
)
from participation.residents.domain import Resident, age_on, lives_in

PHASE_ORDER = [
    Phase.PREPARATION,
    Phase.SUBMISSION,
    Phase.REVIEW,
    Phase.VOTING,
    Phase.TALLY,
    Phase.RESULTS,
]
# What each phase allows (participation/phases.py). Results are never published automatically:
# staff review the tally first (no date starts the results phase).
PHASES = Phases(
    order=tuple(PHASE_ORDER),
    allows={
        Phase.PREPARATION: frozenset({Action.MODERATE}),
        Phase.SUBMISSION: frozenset({Action.VIEW, Action.SUBMIT, Action.MODERATE}),
        Phase.REVIEW: frozenset({Action.VIEW, Action.MODERATE}),
        Phase.VOTING: frozenset({Action.VIEW, Action.PARTICIPATE}),
        Phase.TALLY: frozenset({Action.VIEW}),
        Phase.RESULTS: frozenset({Action.VIEW, Action.RESULTS}),
    },
)


@dataclass(frozen=True)
class Problem(refusals.Problem):
    field: str = "ballot"  # most problems here are about the ballot form


# --- phases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseDates:
    submission_opens_at: datetime | None = None
    review_opens_at: datetime | None = None
    voting_opens_at: datetime | None = None
    voting_closes_at: datetime | None = None

    def starts(self) -> list[tuple[Phase, datetime]]:
        """(phase, the moment it starts), for the phases that start at a date."""
        pairs = [
            (Phase.SUBMISSION, self.submission_opens_at),
            (Phase.REVIEW, self.review_opens_at),
            (Phase.VOTING, self.voting_opens_at),
            (Phase.TALLY, self.voting_closes_at),
        ]
        return [(phase, moment) for phase, moment in pairs if moment is not None]


def dates_problems(dates: PhaseDates) -> list[Problem]:
    moments = [moment for _phase, moment in dates.starts()]
    if moments != sorted(moments):
        return [Problem(N_("The phase dates must follow each other in order."), field="dates")]
    return []


def sealing_problem(
    target: Phase,
    has_key: bool,
    imported: bool,
    opened: bool,
    shares_kept: int = 0,
    shares_needed: int = 0,
) -> Problem | None:
    """Why a budget cannot switch to `target` because of its ballot box (None: it can).

    Voting opens only with the ballot box key (the key ceremony, budgets/ballot_box.py) and
    once at least `shares_needed` trustees hold their share (`shares_kept`): ballots sealed to a
    key that too few people can rebuild could never be counted. Once the trustees have opened
    the ballots, voting cannot open again; results are published only once the ballots are
    opened. Imported budgets have no ballot box (their ballots are public data)."""
    if imported:
        return None
    if target == Phase.RESULTS and has_key and not opened:
        return Problem(
            N_(
                "The ballots are still sealed: the trustees enter their key shares on this page "
                "to open and count them before the results are published."
            ),
            field="form",
        )
    if target != Phase.VOTING:
        return None
    if not has_key:
        return Problem(
            N_(
                "Voting cannot open: the ballot box has no key yet. Designate the trustees "
                "and generate the key on the budget's page first."
            ),
            field="form",
        )
    if opened:
        return Problem(
            N_("The ballots are already opened: voting cannot open again."), field="form"
        )
    if shares_kept < shares_needed:
        return Problem(
            N_(
                "Voting cannot open: key shares held by trustees, {kept} of the {needed} "
                "needed. Hold the key ceremony again on the budget's page, and have each trustee "
                "show their share within 15 minutes."
            ),
            field="form",
            values={"kept": shares_kept, "needed": shares_needed},
        )
    return None


def voting_is_open(phase: Phase, dates: PhaseDates, now: datetime) -> bool:
    """Voting phase, and the closing time has not passed (even if the cron has not run yet)."""
    return phase_allows_participation(PHASES, phase, dates.voting_closes_at, now)


def vote_not_closed(phase: Phase) -> bool:
    """Whether a budget's vote is not closed: up to and including the voting phase (its
    closing time passed but the phase not yet switched to the count counts as open). A
    person whose census row is in such a budget's register is not moved to another row (one
    person, one vote: participation/residents/services.py)."""
    return PHASE_ORDER.index(phase) <= PHASE_ORDER.index(Phase.VOTING)


NOT_CLOSED = tuple(phase for phase in PHASE_ORDER if vote_not_closed(phase))


def moderation_frozen(phase: Phase) -> bool:
    """Once voting opens, which projects are public is fixed: ballots were cast on them and the
    tally counts them. Moderators can no longer hide, reject or approve a project (its case
    stays in the queue); staff correct its text instead, with an audit entry."""
    return not phase_allows_moderation(PHASES, phase)


def reviews_own_project(author_id: int | None, reviewer_id: int) -> bool:
    """An evaluator does not review a project they submitted (a conflict of interest): another
    evaluator of the space or the council staff do."""
    return author_id is not None and author_id == reviewer_id


def feasibility_frozen(phase: Phase, has_ballots: bool) -> bool:
    """Once voting opens, the feasibility review of the projects is closed, for staff and for
    the space's evaluators alike: the ballot offers the feasible projects at their (adjusted)
    cost, and each web process keeps them from the first ballot on. A budget taken back to an
    earlier phase after ballots were cast stays closed."""
    return has_ballots or moderation_frozen(phase)


# --- eligibility ---------------------------------------------------------------------------


# What eligibility needs to know of a person: what the resident register says of them.
Voter = Resident


def eligibility_problem(
    voter: Voter, minimum_age: int, restricted_to_district: str | None, today: date
) -> Problem | None:
    if not voter.verified:
        return Problem(N_("To vote, first confirm that you live here (resident register)."))
    born = voter.birth_date
    if minimum_age and born is None:  # a method that knows no birth date
        return Problem(
            N_(
                "This vote is open to residents aged {age} or more: your verification does not "
                "give your birth date. Log in with FranceConnect once, or come to the town hall."
            ),
            {"age": minimum_age},
        )
    if minimum_age and born is not None and age_on(born, today) < minimum_age:
        return Problem(
            N_("This vote is open to residents aged {age} or more."), {"age": minimum_age}
        )
    if restricted_to_district and not lives_in(voter.district, restricted_to_district):
        return Problem(
            N_("This vote is open to the residents of {district} only."),
            {"district": restricted_to_district},
        )
    return None


# Every budget takes paper ballots at the town-hall desk while its vote is open (the paper
# desk, /admin/budgets/{id}/paper-ballot, has no per-budget switch): `letter_record_problem`
# is given this for `takes_paper` until a budget can turn its desk off.
TAKES_PAPER_BALLOTS = True

# The methods whose record is an anchor row that nothing links to the census file: a letter
# proves a postal address, not who the person is on the register (issue #19).
UNLINKED_METHODS = frozenset({"letter"})


def letter_record_problem(
    method: str | None, census_loaded: bool, takes_paper: bool
) -> Problem | None:
    """One person, one vote (issue #19). A person verified by postal letter has an anchor row
    of their own; if they are also on the town's census file, the paper desk finds them by
    their census row: online through the anchor and on paper through the census row would be
    two votes. So, when the town has a census file and the budget takes paper ballots keyed on
    it, a letter record does not vote (online nor at the paper desk through the record): the
    person verifies with the town-hall letter's identifier or at the desk, which links them to
    their census row or records that they are not on it."""
    if method in UNLINKED_METHODS and census_loaded and takes_paper:
        return Problem(
            N_(
                "Your verification by postal letter cannot say whether you are on the town's "
                "register, and this vote also takes paper ballots at the town hall, which rely "
                "on that register. To vote, get verified with the identifier of your town-hall "
                "letter (Town register) or at the town hall's counter."
            )
        )
    return None


# --- ballots -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotRule:
    kind: BallotKind
    min_choices: int = 1
    max_choices: int | None = None
    min_spent_percent: int = 0
    points_total: int = 10
    points_per_project: int = 5
    ranking_length: int = 3


@dataclass(frozen=True)
class BallotProject:
    id: int
    cost: int
    district: str | None  # None: city-wide


def rule_problems(rule: BallotRule) -> list[Problem]:
    """A rule staff can choose: the numbers make sense together."""
    problems = []
    if rule.min_choices < 0 or (
        rule.max_choices is not None and rule.max_choices < rule.min_choices
    ):
        problems.append(
            Problem(
                N_("The maximum number of projects must be at least the minimum."),
                field="max_choices",
            )
        )
    if not 0 <= rule.min_spent_percent <= 100:
        problems.append(
            Problem(
                N_("The minimum share to spend is a percentage from 0 to 100."),
                field="min_spent_percent",
            )
        )
    if rule.kind == BallotKind.CUMULATIVE and not 1 <= rule.points_per_project <= rule.points_total:
        problems.append(
            Problem(
                N_("Points per project must be between 1 and the total points."),
                field="points_per_project",
            )
        )
    if rule.kind == BallotKind.RANKING and rule.ranking_length < 1:
        problems.append(
            Problem(N_("Voters must rank at least one project."), field="ranking_length")
        )
    return problems


def envelope_of(project: BallotProject) -> str | None:
    return project.district


def spending_by_envelope(
    choices: Mapping[int, int], projects: Mapping[int, BallotProject]
) -> dict[str | None, int]:
    totals: dict[str | None, int] = {}
    for project_id in choices:
        project = projects[project_id]
        totals[envelope_of(project)] = totals.get(envelope_of(project), 0) + project.cost
    return totals


def ballot_problems(
    rule: BallotRule,
    choices: Mapping[int, int],
    projects: Mapping[int, BallotProject],
    envelopes: Mapping[str | None, int],
    voter_district: str | None,
) -> list[Problem]:
    """Everything wrong with a ballot, each with what to do about it.

    `choices`: project id -> 1 (approval, knapsack), points (cumulative) or rank (1 = best).
    `envelopes`: the amount of each envelope: None for city-wide projects, else the district.
    A voter may choose city-wide projects and those of their own district.
    """
    problems: list[Problem] = []
    unknown = [p for p in choices if p not in projects]
    if unknown:
        return [Problem(N_("Some of the chosen projects are not on this ballot."))]
    foreign = [p for p in choices if projects[p].district not in (None, voter_district)]
    if foreign:
        return [Problem(N_("You can only choose city-wide projects and those of your district."))]
    count = len(choices)
    if rule.kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        if any(value != 1 for value in choices.values()):
            return [Problem(N_("Tick the projects you support."))]
        if count < rule.min_choices:
            problems.append(
                Problem(
                    N_("Choose at least one project.")
                    if rule.min_choices == 1  # no "1 projets": one msgid per number form
                    else N_("Choose at least {n} projects (you chose {count})."),
                    {"n": rule.min_choices, "count": count},
                )
            )
        if rule.max_choices is not None and count > rule.max_choices:
            problems.append(
                Problem(
                    N_("Choose at most one project (you chose {count}).")
                    if rule.max_choices == 1
                    else N_("Choose at most {n} projects (you chose {count})."),
                    {"n": rule.max_choices, "count": count},
                )
            )
    if rule.kind == BallotKind.KNAPSACK:
        problems += _knapsack_problems(rule, choices, projects, envelopes)
    elif rule.kind == BallotKind.CUMULATIVE:
        problems += _cumulative_problems(rule, choices)
    elif rule.kind == BallotKind.RANKING:
        problems += _ranking_problems(rule, choices)
    return problems


def _knapsack_problems(
    rule: BallotRule,
    choices: Mapping[int, int],
    projects: Mapping[int, BallotProject],
    envelopes: Mapping[str | None, int],
) -> list[Problem]:
    problems = []
    spent = spending_by_envelope(choices, projects)
    for envelope, amount in envelopes.items():
        total = spent.get(envelope, 0)
        if total > amount:
            problems.append(
                Problem(
                    N_(
                        "Your choices cost {total}, more than the {amount} available: remove "
                        "{excess} worth of projects."
                    ),
                    {
                        "total": total,
                        "amount": amount,
                        "excess": total - amount,
                        "envelope": envelope,
                    },
                )
            )
        elif rule.min_spent_percent and total * 100 < amount * rule.min_spent_percent:
            problems.append(
                Problem(
                    N_(
                        "Spend at least {percent} of the {amount} available (your choices cost "
                        "{total})."
                    ),
                    {
                        "percent": rule.min_spent_percent,  # points, written by the route
                        "amount": amount,
                        "total": total,
                        "envelope": envelope,
                    },
                )
            )
    return problems


def _cumulative_problems(rule: BallotRule, choices: Mapping[int, int]) -> list[Problem]:
    problems = []
    if any(points < 1 for points in choices.values()):
        problems.append(Problem(N_("Give each chosen project at least 1 point.")))
    over = [p for p, points in choices.items() if points > rule.points_per_project]
    if over:
        problems.append(
            Problem(N_("Give at most {n} points to a project."), {"n": rule.points_per_project})
        )
    used = sum(choices.values())
    if used > rule.points_total:
        problems.append(
            Problem(
                N_("You gave {used} points out of {total}: remove {excess}."),
                {"used": used, "total": rule.points_total, "excess": used - rule.points_total},
            )
        )
    if not choices:
        problems.append(Problem(N_("Give points to at least one project.")))
    return problems


def _ranking_problems(rule: BallotRule, choices: Mapping[int, int]) -> list[Problem]:
    ranks = sorted(choices.values())
    if not ranks:
        return [Problem(N_("Rank at least one project."))]
    if len(ranks) > rule.ranking_length:
        return [Problem(N_("Rank at most {n} projects."), {"n": rule.ranking_length})]
    if ranks != list(range(1, len(ranks) + 1)):
        return [Problem(N_("Use each rank once, from 1 without gaps (1, 2, 3...)."))]
    return []


def parse_choices(
    kind: BallotKind, form: Mapping[str, str | list[str]]
) -> tuple[dict[int, int], list[Problem]]:
    """Read a submitted ballot form: `project` (ticked ids) or `points-<id>` / `rank-<id>`."""
    choices: dict[int, int] = {}
    if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        ticked = form.get("project", [])
        for value in [ticked] if isinstance(ticked, str) else ticked:
            if not is_whole_number(value):
                return {}, [Problem(N_("Some of the chosen projects are not on this ballot."))]
            choices[int(value)] = 1
        return choices, []
    prefix = "points-" if kind == BallotKind.CUMULATIVE else "rank-"
    for name, raw in form.items():
        if not name.startswith(prefix) or not isinstance(raw, str):
            continue
        text = raw.strip()
        if not text or text == "0":
            continue
        if not is_whole_number(text) or not is_whole_number(name.removeprefix(prefix)):
            return {}, [Problem(N_("Enter whole numbers only."), field=name)]
        choices[int(name.removeprefix(prefix))] = int(text)
    return choices, []


# --- the two rules side by side (the results page, issue #22) ---------------------------------


@dataclass(frozen=True)
class RuleDifference:
    """A project one rule funds and the other does not, with each rule's explanation of it (the
    stored outcome's entry: `reason`, `supporters`, `price_value`...; None when the rule's
    outcome does not list it)."""

    project_id: int
    greedy: Mapping[str, Any] | None
    equal_shares: Mapping[str, Any] | None


def rule_differences(
    greedy: Mapping[str, Any], equal_shares: Mapping[str, Any]
) -> list[RuleDifference]:
    """What changes between the two stored outcomes: only the projects in the symmetric
    difference of their selections (a project both fund, or neither, tells nothing about the
    rules), in the order of the greedy count (envelope, then rank)."""

    def entries(outcome: Mapping[str, Any]) -> dict[int, Mapping[str, Any]]:
        return {
            int(p["id"]): p
            for envelope in outcome.get("envelopes", [])
            for p in envelope["projects"]
        }

    def selected(outcome: Mapping[str, Any]) -> set[int]:
        return {
            int(pid) for envelope in outcome.get("envelopes", []) for pid in envelope["selected"]
        }

    by_greedy, by_equal = entries(greedy), entries(equal_shares)
    differ = selected(greedy) ^ selected(equal_shares)
    order = [pid for pid in by_greedy if pid in differ]
    order += sorted(differ - set(order))
    return [RuleDifference(pid, by_greedy.get(pid), by_equal.get(pid)) for pid in order]
