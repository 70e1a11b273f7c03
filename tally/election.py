"""The election model of the tally engine: plain frozen dataclasses (and a named tuple for the
ballots), no database.

Money is counted in whole currency units (`int`); see docs/tally.md for Pabulib files whose
budget has decimals. Scores, the tie order and the explanation codes are defined here once and
shared by every rule in `tally.rules`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

_Frozen = TypeVar("_Frozen")


def frozen_instance(cls: type[_Frozen], **fields: Any) -> _Frozen:
    """`cls(**fields)` for a frozen dataclass of the engine given every one of its fields: an
    equal instance, compared, hashed and printed the same, built with its attributes set at
    once instead of one `object.__setattr__` per field (11,000 instructions for a `Project`,
    4,000 this way; one per project of each file read and each outcome; issue #23). No
    `__post_init__` runs: the engine's dataclasses have none.
    """
    instance = object.__new__(cls)
    object.__setattr__(instance, "__dict__", fields)
    return instance


class VoteType(StrEnum):
    """How a vote is written (Pabulib's `vote_type`), not the ballot a budget offers residents
    (`budgets.models.BallotKind`: a knapsack ballot is counted as approval, a ranking as
    ordinal; see `budgets.tallying.ENGINE_KIND` and `budgets.importing.KIND_OF_VOTE_TYPE`)."""

    APPROVAL = "approval"
    CUMULATIVE = "cumulative"
    ORDINAL = "ordinal"
    CHOOSE_1 = "choose-1"


@dataclass(frozen=True)
class Project:
    id: str
    cost: int
    name: str = ""
    category: str = ""
    district: str = ""


class Ballot(NamedTuple):
    """One voter's ballot.

    Ordinal ballots list `choices` in rank order; cumulative ballots give `points` aligned with
    `choices`. Approval and choose-1 ballots have `points=None`.

    A named tuple, not a dataclass like the rest of the model: an election holds one per voter
    (131,778 in Wrocław 2015), and a frozen dataclass's `__init__` (three `object.__setattr__`)
    was a third of reading a Pabulib file (issue #23); a tuple is built in C. Immutable all the
    same; it also compares equal to a plain tuple of the same values.
    """

    voter_id: str
    choices: tuple[str, ...]
    points: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Election:
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    budget: int
    kind: VoteType = VoteType.APPROVAL
    min_project_score_threshold: int | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    name: str = ""
    # ordinal ballots: the points of rank 1, 2, 3... (ranks past the end: 0). None: every
    # ranked project counts 1, whatever its rank (as Kraków counted: its published outcomes)
    rank_points: tuple[int, ...] | None = None

    @property
    def exact_budget(self) -> Fraction:
        """The budget as an exact number.

        `budget` is an `int`; a Pabulib file may state a budget with decimals (Kraków 2024:
        1584196.52). The reader then stores the floor in `budget` and the exact text in
        `meta["budget"]`, which this property reads. With integer costs the floor changes no
        greedy outcome; equal shares divides the exact budget between voters.
        """
        text = self.meta.get("budget", "")
        if text:
            try:
                value = Fraction(text.strip())
            except (ValueError, ZeroDivisionError):
                return Fraction(self.budget)
            if int(value) == self.budget:  # floor (budgets are not negative)
                return value
        return Fraction(self.budget)


# Stable reason codes of ProjectExplanation.reason
SELECTED = "selected"
DOES_NOT_FIT = "does-not-fit"
STOPPED = "stopped"
BELOW_THRESHOLD = "below-threshold"
NOT_AFFORDABLE = "not-affordable"
COMPLETION = "completion"
NO_SUPPORT = "no-support"
REASONS = (SELECTED, DOES_NOT_FIT, STOPPED, BELOW_THRESHOLD, NOT_AFFORDABLE, COMPLETION, NO_SUPPORT)

# Options of the rules that use them (equal shares); the first one is the default
UTILITIES = ("cost", "cardinality")
COMPLETIONS = ("add1", "none")


@dataclass(frozen=True)
class ProjectExplanation:
    project_id: str
    score: int
    rank: int  # 1 = highest score (position in the tie order)
    selected: bool
    reason: str  # one of REASONS
    order: int | None = None  # position in the selection order (1-based) when selected
    price: Fraction | None = None  # equal shares: what each paying supporter paid at most
    supporters: int = 0  # voters who support it; for equal shares, the voters who paid
    budget_left: Fraction | None = None  # budget remaining after this decision


@dataclass(frozen=True)
class Outcome:
    rule: str
    selected: tuple[str, ...]
    explanations: tuple[ProjectExplanation, ...]
    cost: int
    budget: int
    voters: int
    options: Mapping[str, str]

    def explanation(self, project_id: str) -> ProjectExplanation:
        for item in self.explanations:
            if item.project_id == project_id:
                return item
        raise KeyError(project_id)


class ElectionError(ValueError):
    """An election that no rule can tally (unknown project in a ballot, bad points...)."""


BallotCounts = dict[tuple[tuple[str, ...], tuple[int, ...] | None], int]


def ballot_counts(election: Election) -> BallotCounts:
    """Identical ballots counted once: (choices, points) -> number of voters."""
    # one itemgetter of both fields (choices, points) makes each key in C, and Counter counts
    # in C: no Python loop per ballot (faster than zipping two maps, and by index than by
    # attribute name; issue #23)
    return Counter(map(itemgetter(1, 2), election.ballots))


def supported(choices: tuple[str, ...], points: tuple[int, ...] | None) -> set[str]:
    """The projects a ballot supports (a cumulative ballot: those it gives points)."""
    if points is None:
        return set(choices)
    return {c for c, pts in zip(choices, points, strict=True) if pts > 0}


def rank_points_of(ranking_length: int) -> tuple[int, ...]:
    """`n − rank + 1` points with `n` the ranking length: n for the first choice... 1 for the
    last (the platform's ranking ballots)."""
    return tuple(range(ranking_length, 0, -1))


def scores(election: Election, counts: BallotCounts | None = None) -> dict[str, int]:
    """Score of every project: approvals (approval, choose-1), points (cumulative), and for
    ordinal ballots the points of each rank (`Election.rank_points`) or, without them, one for
    every project ranked, whatever the rank.
    """
    counts = ballot_counts(election) if counts is None else counts
    result = dict.fromkeys((p.id for p in election.projects), 0)
    cumulative = election.kind == VoteType.CUMULATIVE
    by_rank = election.rank_points if election.kind == VoteType.ORDINAL else None
    for (choices, points), voters in counts.items():
        if by_rank is not None:
            for rank, choice in enumerate(dict.fromkeys(choices)):
                if rank < len(by_rank):
                    result[choice] += by_rank[rank] * voters
        elif cumulative and points is not None:
            for choice, given in zip(choices, points, strict=True):
                result[choice] += given * voters
        else:
            for choice in set(choices):
                result[choice] += voters
    return result


def supporter_counts(election: Election, counts: BallotCounts | None = None) -> dict[str, int]:
    """Voters who support each project."""
    counts = ballot_counts(election) if counts is None else counts
    result = dict.fromkeys((p.id for p in election.projects), 0)
    for (choices, points), voters in counts.items():
        for choice in supported(choices, points):
            result[choice] += voters
    return result


def id_sort_key(election: Election) -> dict[str, tuple[int, str]]:
    """Project ids compared as integers when every id is one, else as strings."""
    ids = [p.id for p in election.projects]
    if all(_is_int(i) for i in ids):
        return {i: (int(i), "") for i in ids}
    return {i: (0, i) for i in ids}


def tie_order(election: Election, score: Mapping[str, int]) -> list[Project]:
    """Projects from first to last: higher score, then lower cost, then project id."""
    ids = id_sort_key(election)
    return sorted(election.projects, key=lambda p: (-score[p.id], p.cost, ids[p.id]))


def check(election: Election, counts: BallotCounts | None = None) -> BallotCounts:
    """Raise ElectionError when a ballot names an unknown project or points do not match.

    Returns the ballot counts, which the rules use next.
    """
    counts = ballot_counts(election) if counts is None else counts
    known = {p.id for p in election.projects}
    if len(known) != len(election.projects):
        raise ElectionError("two projects have the same id")
    for project in election.projects:
        if project.cost < 0:
            raise ElectionError(f"project {project.id} has a negative cost")
    if election.budget < 0:
        raise ElectionError("the budget is negative")
    if election.rank_points is not None and any(p < 0 for p in election.rank_points):
        raise ElectionError("a rank has negative points")
    chosen = set(chain.from_iterable(map(itemgetter(0), counts)))
    unknown = chosen - known
    if unknown:
        raise ElectionError(f"a ballot chose unknown project {min(unknown)}")
    if set(map(itemgetter(1), counts)) != {None}:  # some ballots give points (or none cast)
        for choices, points in counts:
            if points is not None and len(points) != len(choices):
                raise ElectionError("a ballot's points do not match its choices")
    return counts


def _is_int(text: str) -> bool:
    digits = text[1:] if text[:1] == "-" else text
    return digits.isascii() and digits.isdigit()
