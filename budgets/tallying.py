"""From stored ballots to stored results, with the tally engine (the `tally` package).

A budget is counted per *envelope*: the city-wide amount (total minus the districts' amounts)
over city-wide projects, and each district's amount over its own projects. Each envelope is
one election for the engine, exactly as the cities publish them in Pabulib (one file per
unit). A ballot takes part in an envelope's count when it chose at least one of its projects:
a voter who chose nothing there neither supports nor dilutes anything (under equal shares an
empty ballot would otherwise receive a share of the money that nobody can spend).

The pure part (`compute_outcome`) turns plain data into the outcome stored as JSON; the rest
loads, stores and exports. `tally_and_store` is idempotent: the input is hashed, and a result
whose hash matches is kept as it is; both rules are stored in one transaction, so a worker
killed mid-way leaves either the old results or the new ones, never half.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import tally
from budgets.models import (
    Ballot,
    BallotKind,
    Budget,
    BudgetDistrict,
    Feasibility,
    Project,
    TallyResult,
    WinnerRule,
)
from participation.contributions import ModerationState
from tally import election as engine
from tally import pabulib

ENGINE_KIND = {
    BallotKind.APPROVAL: engine.VoteType.APPROVAL,
    BallotKind.KNAPSACK: engine.VoteType.APPROVAL,  # a knapsack ballot approves its projects
    BallotKind.CUMULATIVE: engine.VoteType.CUMULATIVE,
    BallotKind.RANKING: engine.VoteType.ORDINAL,
}


@dataclass(frozen=True)
class TallyProject:
    id: int
    cost: int
    envelope: str | None  # district name, None for city-wide
    name: str = ""
    category: str = ""


@dataclass(frozen=True)
class TallyBallot:
    number: int  # the anonymous voter number, also printed in the Pabulib export
    choices: Mapping[int, int]  # project id -> 1 (approval), points, or rank (1 = first)


@dataclass(frozen=True)
class TallyInput:
    kind: BallotKind
    envelopes: Mapping[str | None, int]
    projects: tuple[TallyProject, ...]
    ballots: tuple[TallyBallot, ...]
    threshold: int | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    # ranking ballots: the points of rank 1, 2... (None: each ranked project counts 1)
    rank_points: tuple[int, ...] | None = None

    def digest(self, rule: str, options: Mapping[str, str] | None = None) -> str:
        """SHA-256 of everything the outcome depends on (not of the order of the ballots)."""
        content: dict[str, Any] = {
            "rule": rule,
            "options": sorted((options or {}).items()),
            "kind": self.kind.value,
            "threshold": self.threshold,
            "envelopes": sorted((name or "", amount) for name, amount in self.envelopes.items()),
            "projects": sorted((p.id, p.cost, p.envelope or "") for p in self.projects),
            "ballots": self.ballots_digest,
        }
        if self.rank_points is not None:
            content["rank_points"] = list(self.rank_points)
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()

    @cached_property
    def elections(self) -> dict[str | None, engine.Election]:
        """Each envelope's election, built in one pass over the ballots and once for every
        rule (`envelope_elections`)."""
        return envelope_elections(self)

    @cached_property
    def ballots_digest(self) -> str:
        """SHA-256 of the ballots in a canonical order, computed once for every rule."""
        canonical = sorted(sorted(b.choices.items()) for b in self.ballots)
        return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


def envelope_order(envelopes: Iterable[str | None]) -> list[str | None]:
    """City-wide first, then districts by name."""
    return sorted(envelopes, key=lambda name: (name is not None, name or ""))


def envelope_election(data: TallyInput, envelope: str | None) -> engine.Election:
    """The election of one envelope: its projects, and the ballots that chose one of them
    (only those choices, in project order; rankings in rank order)."""
    return data.elections[envelope]


def envelope_elections(data: TallyInput) -> dict[str | None, engine.Election]:
    """`envelope_election` of every envelope, the ballots read once (issue #23: each envelope
    read all 150,000 ballots of the big town again, and each rule did it again)."""
    envelope_of = {p.id: p.envelope for p in data.projects}
    ranking = data.kind == BallotKind.RANKING
    cumulative = data.kind == BallotKind.CUMULATIVE
    names = {pid: str(pid) for pid in envelope_of}
    chosen: dict[str | None, list[engine.Ballot]] = {name: [] for name in data.envelopes}
    new = tuple.__new__
    for ballot in data.ballots:
        parts: dict[str | None, list[tuple[int, int]]] = {}
        items = ballot.choices.items()
        # rankings in rank order; other ballots in a fixed order (the engine ignores it)
        for pid, value in sorted(items, key=_by_rank) if ranking else sorted(items):
            if pid in envelope_of:
                envelope = envelope_of[pid]
                if envelope in parts:
                    parts[envelope].append((pid, value))
                else:
                    parts[envelope] = [(pid, value)]
        voter = str(ballot.number)
        for envelope, pairs in parts.items():
            ballots = chosen.get(envelope)
            if ballots is None:  # a project of no envelope: counted nowhere
                continue
            choices = tuple(names[pid] for pid, _ in pairs)
            points = tuple(value for _, value in pairs) if cumulative else None
            ballots.append(new(engine.Ballot, (voter, choices, points)))
    elections = {}
    for envelope, ballots in chosen.items():
        meta = dict(data.meta)
        if envelope:
            meta["district"] = envelope
        elections[envelope] = engine.Election(
            projects=tuple(
                engine.Project(
                    id=str(p.id),
                    cost=p.cost,
                    name=p.name,
                    category=p.category,
                    district=envelope or "",
                )
                for p in data.projects
                if p.envelope == envelope
            ),
            ballots=tuple(ballots),
            budget=data.envelopes[envelope],
            kind=ENGINE_KIND[data.kind],
            min_project_score_threshold=data.threshold,
            meta=meta,
            name=envelope or "",
            rank_points=data.rank_points if ranking else None,
        )
    return elections


def _by_rank(choice: tuple[int, int]) -> tuple[int, int]:
    return choice[1], choice[0]


def compute_outcome(
    data: TallyInput, rule: str, options: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Run `rule` (an engine rule name) on every envelope; the JSON stored for the results."""
    envelopes = []
    for envelope in envelope_order(data.envelopes):
        election = envelope_election(data, envelope)
        if not election.projects:
            continue
        outcome = tally.tally(election, rule=rule, **dict(options or {}))
        costs = {p.id: p.cost for p in election.projects}
        envelopes.append(
            {
                "name": envelope,
                "amount": data.envelopes[envelope],
                "spent": outcome.cost,
                "voters": outcome.voters,
                "selected": [int(pid) for pid in outcome.selected],
                "projects": [
                    {
                        "id": int(e.project_id),
                        "cost": costs[e.project_id],
                        "score": e.score,
                        "rank": e.rank,
                        "selected": e.selected,
                        "reason": e.reason,
                        "order": e.order,
                        "supporters": e.supporters,
                        # exact (a fraction, for audits) and rounded (for the page)
                        "price": str(e.price) if e.price is not None else None,
                        "price_value": float(e.price) if e.price is not None else None,
                    }
                    for e in sorted(outcome.explanations, key=lambda e: (e.rank, e.project_id))
                ],
            }
        )
    result: dict[str, Any] = {"rule": rule, "options": dict(options or {}), "envelopes": envelopes}
    if data.kind == BallotKind.RANKING:  # how ranks became points, for the results page
        result["rank_points"] = list(data.rank_points) if data.rank_points is not None else None
    return result


# --- database --------------------------------------------------------------------------------


def pabulib_rule(rule: str, options: Mapping[str, str]) -> str:
    """The `META.rule` naming an engine rule (greedy variants keep their names)."""
    if slot_of(rule) != WinnerRule.EQUAL_SHARES.value:
        return rule
    return "equalshares/add1" if options.get("completion", "add1") == "add1" else "equalshares"


def slot_of(rule: str) -> str:
    """The stored slot of an engine rule: greedy variants are "greedy"."""
    return WinnerRule.EQUAL_SHARES.value if rule.startswith("equal") else WinnerRule.GREEDY.value


async def official_outcome(budget: Budget) -> dict[str, Any] | None:
    """The outcome a city published, for a budget imported from a Pabulib file."""
    official = await TallyResult.get_or_none(budget=budget, is_official=True)
    return json.loads(official.outcome) if official is not None else None


async def load_input(budget: Budget, official: Mapping[str, Any] | None = None) -> TallyInput:
    """The tally's input; `official` (an import's published outcome) gives its threshold."""
    districts = await BudgetDistrict.filter(budget=budget)
    names = {d.id: d.name for d in districts}
    envelopes: dict[str | None, int] = {d.name: d.amount for d in districts}
    envelopes[None] = budget.total_amount - sum(d.amount for d in districts)
    projects = tuple(
        TallyProject(p.id, p.ballot_cost, names.get(p.district_id or 0), p.title)
        for p in await Project.filter(
            budget=budget,
            feasibility=Feasibility.FEASIBLE,
            moderation_state=ModerationState.VISIBLE,  # the ballot's projects, see ballot_context
        ).order_by("id")
    )
    rows = await Ballot.filter(budget=budget).order_by("receipt").values_list("choices", flat=True)
    ballots = tuple(
        TallyBallot(number, {int(k): int(v) for k, v in json.loads(str(choices)).items()})
        for number, choices in enumerate(rows, start=1)
    )
    threshold = official.get("threshold") if official else None
    return TallyInput(
        budget.ballot_kind,
        envelopes,
        projects,
        ballots,
        threshold,
        meta={"description": budget.title, "currency": budget.currency},
        rank_points=rank_points(budget, official),
    )


def rank_points(budget: Budget, official: Mapping[str, Any] | None) -> tuple[int, ...] | None:
    """How a ranking budget's ranks become points. A budget run here: `n − rank + 1` with n its
    ranking length (the ballot and results pages say so). An imported file: as the city
    counted, its `scoring_fn`, or without one each ranked project counts 1 (Kraków)."""
    if budget.ballot_kind != BallotKind.RANKING:
        return None
    if official is not None:
        points = official.get("rank_points")
        return tuple(points) if points is not None else None
    return engine.rank_points_of(budget.ranking_length)


def rules_to_compute(
    budget: Budget, official: Mapping[str, Any] | None
) -> list[tuple[str, dict[str, str]]]:
    """The budget's rule first, then the other family for the side-by-side comparison.

    An imported budget is recomputed with the exact rule its file names (greedy-threshold,
    equal shares without completion...).
    """
    if official is not None:
        main: tuple[str, dict[str, str]] = (official["rule"], official.get("options", {}))
    else:
        main = (budget.winner_rule.value, {})
    if slot_of(main[0]) == WinnerRule.EQUAL_SHARES.value:
        return [main, ("greedy", {})]
    return [main, ("equal-shares", {})]


async def tally_and_store(budget_id: int) -> str:
    budget = await Budget.get(id=budget_id)
    if budget.ballot_public_key is not None and budget.ballots_opened_at is None:
        return "sealed"  # the trustees open the ballots first (budgets/ballot_box.py)
    official = await official_outcome(budget)
    data = await load_input(budget, official)
    rules = rules_to_compute(budget, official)
    stored = {r.rule: r for r in await TallyResult.filter(budget=budget, is_official=False)}
    digests = {rule: data.digest(rule, options) for rule, options in rules}
    if all(
        slot_of(rule) in stored and stored[slot_of(rule)].input_digest == digests[rule]
        for rule, _ in rules
    ):
        return "unchanged"
    # CPU-bound: off the event loop, so the worker keeps its heartbeat and other jobs
    outcomes = await asyncio.to_thread(
        lambda: {rule: compute_outcome(data, rule, options) for rule, options in rules}
    )
    for attempt in range(2):  # a concurrent run may have inserted the rows first: update them
        try:
            async with in_transaction():
                for rule, outcome in outcomes.items():
                    await TallyResult.update_or_create(
                        budget_id=budget_id,
                        rule=slot_of(rule),
                        is_official=False,
                        defaults={
                            "outcome": json.dumps(outcome),
                            "ballots_count": len(data.ballots),
                            "input_digest": digests[rule],
                        },
                    )
            break
        except IntegrityError:
            if attempt:
                raise
    return "stored"


async def export_pabulib(budget: Budget, envelope: str | None = None) -> str:
    """One envelope's projects and anonymised ballots in the Pabulib format, with the outcome."""
    official = await official_outcome(budget)
    data = await load_input(budget, official)
    rule, options = rules_to_compute(budget, official)[0]
    if envelope not in data.envelopes:
        envelope = None
    election = envelope_election(data, envelope)
    stored = await TallyResult.get_or_none(
        budget=budget, rule=budget.winner_rule.value, is_official=False
    )
    selected: list[str] = []
    if stored is not None:
        for part in json.loads(stored.outcome)["envelopes"]:
            if part["name"] == envelope:
                selected = [str(pid) for pid in part["selected"]]
    meta = {
        **election.meta,
        "country": "France",
        "unit": envelope or budget.title,
        "instance": str(budget.created_at.year),
        "rule": pabulib_rule(rule, options),
    }
    election = replace(election, meta=meta)
    # voter numbers are already anonymous and shared by every envelope's file (receipt check)
    return pabulib.write(election, selected=selected, anonymise=False)
