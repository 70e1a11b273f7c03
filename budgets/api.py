"""Participatory budgets in the public read API and open data (participation/api.py).

What a visitor sees: budgets once out of preparation; their projects that moderation let
through (only the feasible ones from the vote on, as the budget's page); results and ballots
only once the results are published (phase "results"). The ballots are the anonymised ones the
Pabulib export already publishes (`tallying.load_input`: the voter numbers in the order of the
receipts, the choices among the projects on the ballot), nothing more: no receipt, no date, no
channel, no district of the voter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from budgets import queries, tallying
from budgets.models import BallotKind, Budget, Feasibility, Phase, Project
from participation.contributions import ModerationState
from participation.features import ApiField, ApiFilter, ApiResource, ApiRow
from participation.i18n import N_
from participation.keyset import BY_SPACE, query_resource
from participation.richtext import to_text

BUDGET_FIELDS = (
    ApiField("id", "integer", N_("Identifier (its page: /budgets/3).")),
    ApiField("title", "string", N_("Title.")),
    ApiField("description", "string", N_("Description, as plain text.")),
    ApiField("currency", "string", N_("Currency (ISO 4217).")),
    ApiField("total_amount", "integer", N_("Amount, in whole currency units.")),
    ApiField("phase", "string", N_("submission, review, voting, tally or results.")),
    ApiField("ballot_kind", "string", N_("approval, knapsack, cumulative or ranking.")),
    ApiField("winner_rule", "string", N_("greedy or equal-shares.")),
    ApiField("voting_opens_at", "datetime", N_("When the vote opens."), nullable=True),
    ApiField("voting_closes_at", "datetime", N_("When the vote closes."), nullable=True),
    ApiField("results_published_at", "datetime", N_("When results were published."), nullable=True),
    ApiField("space_id", "integer", N_("Its participatory space (null: none)."), nullable=True),
)


def budget_row(b: Budget) -> dict[str, Any]:
    return {
        "id": b.id,
        "title": b.title,
        "description": to_text(b.description),
        "currency": b.currency,
        "total_amount": b.total_amount,
        "phase": b.phase.value,
        "ballot_kind": b.ballot_kind.value,
        "winner_rule": b.winner_rule.value,
        "voting_opens_at": b.voting_opens_at,
        "voting_closes_at": b.voting_closes_at,
        "results_published_at": b.results_published_at if b.phase == Phase.RESULTS else None,
        "space_id": b.space_id,  # type: ignore[attr-defined]
    }


PROJECT_FIELDS = (
    ApiField("id", "integer", N_("Identifier.")),
    ApiField("budget_id", "integer", N_("Its budget.")),
    ApiField("title", "string", N_("Title.")),
    ApiField("description", "string", N_("Description, as plain text.")),
    ApiField("cost", "integer", N_("Cost on the ballot, in whole currency units.")),
    ApiField("district", "string", N_("District (empty: the whole town).")),
    ApiField("category", "string", N_("Category (empty: none).")),
    ApiField("location", "string", N_("Where (empty: not said).")),
    ApiField("feasibility", "string", N_("pending, feasible or infeasible.")),
)
EARLY_PHASES = (Phase.SUBMISSION, Phase.REVIEW)  # every project shown; then feasible ones only


def public_projects() -> QuerySet[Project]:
    return Project.filter(
        Q(feasibility=Feasibility.FEASIBLE) | Q(budget__phase__in=list(EARLY_PHASES)),
        moderation_state=ModerationState.VISIBLE,
    ).exclude(budget__phase=Phase.PREPARATION)


def project_row(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "budget_id": p.budget_id,  # type: ignore[attr-defined]
        "title": p.title,
        "description": to_text(p.description),
        "cost": p.ballot_cost,
        "district": p.district.name if p.district else "",
        "category": p.category.name if p.category else "",
        "location": p.location,
        "feasibility": p.feasibility.value,
    }


BY_BUDGET = ApiFilter("budget_id", "integer", N_("Only this budget's."))
# results and ballots: those of the budgets changed since (their results published)
RESULTS_UPDATED_SINCE = ApiFilter(
    "updated_since",
    "datetime",
    N_("Only those of the budgets changed at or after this moment (their updated_at)."),
)


async def _results_budgets(
    after: tuple[int, ...] | None, given: Mapping[str, Any]
) -> list[Budget]:
    query = Budget.filter(phase=Phase.RESULTS)
    if "budget_id" in given:
        query = query.filter(id=given["budget_id"])
    if "updated_since" in given:  # a budget's results and ballots change when it publishes them
        query = query.filter(updated_at__gte=given["updated_since"])
    if after:
        query = query.filter(id__gte=after[0])
    return await query.order_by("id")


RESULT_FIELDS = (
    ApiField("budget_id", "integer", N_("The budget.")),
    ApiField("project_id", "integer", N_("The project.")),
    ApiField("title", "string", N_("The project's title.")),
    ApiField("district", "string", N_("Its district (empty: the whole town).")),
    ApiField("cost", "integer", N_("Its cost, in whole currency units.")),
    ApiField("score", "integer", N_("Its score under the budget's rule (votes, points).")),
    ApiField("selected", "integer", N_("1: selected under the budget's rule, else 0.")),
    ApiField("selected_greedy", "integer", N_("1: selected by the greedy rule.")),
    ApiField("selected_equal_shares", "integer", N_("1: selected by the method of equal shares.")),
)


async def results_page(
    after: tuple[int, ...] | None, limit: int, given: Mapping[str, Any]
) -> list[ApiRow]:
    rows: list[ApiRow] = []
    for budget in await _results_budgets(after, given):
        for row in sorted(await queries.result_rows(budget), key=lambda r: r["project_id"]):
            key = (budget.id, row["project_id"])
            if after and key <= after:
                continue
            rows.append(ApiRow(key, row))
            if len(rows) == limit:
                return rows
    return rows


BALLOT_FIELDS = (
    ApiField("budget_id", "integer", N_("The budget.")),
    ApiField("voter", "integer", N_("The anonymous voter number of the Pabulib files.")),
    ApiField("choices", "integers", N_("The projects chosen (ranking: in rank order).")),
    ApiField("points", "integers", N_("Cumulative ballots: the points, in order."), nullable=True),
)


async def ballots_page(
    after: tuple[int, ...] | None, limit: int, given: Mapping[str, Any]
) -> list[ApiRow]:
    rows: list[ApiRow] = []
    for budget in await _results_budgets(after, given):
        data = await tallying.load_input(budget, await tallying.official_outcome(budget))
        on_ballot = {p.id for p in data.projects}
        for ballot in data.ballots:
            key = (budget.id, ballot.number)
            if after and key <= after:
                continue
            chosen = [(pid, v) for pid, v in ballot.choices.items() if pid in on_ballot]
            if not chosen:
                continue
            ranking = data.kind == BallotKind.RANKING
            chosen.sort(key=lambda c: (c[1], c[0]) if ranking else c)
            points = [v for _, v in chosen] if data.kind == BallotKind.CUMULATIVE else None
            item = {
                "budget_id": budget.id,
                "voter": ballot.number,
                "choices": [pid for pid, _ in chosen],
                "points": points,
            }
            rows.append(ApiRow(key, item))
            if len(rows) == limit:
                return rows
    return rows


EXAMPLE_DATE = datetime(2026, 5, 31, 20, tzinfo=UTC)
RESOURCES = (
    query_resource(
        "budgets",
        N_("Participatory budgets"),
        N_("The participatory budgets out of preparation, their amounts and dates."),
        BUDGET_FIELDS,
        lambda: Budget.exclude(phase=Phase.PREPARATION),
        budget_row,
        {
            "id": 3,
            "title": "Budget participatif 2026",
            "description": "500 000 € pour vos projets.",
            "currency": "EUR",
            "total_amount": 500000,
            "phase": "results",
            "ballot_kind": "approval",
            "winner_rule": "greedy",
            "voting_opens_at": datetime(2026, 5, 1, 8, tzinfo=UTC),
            "voting_closes_at": EXAMPLE_DATE,
            "results_published_at": EXAMPLE_DATE,
            "space_id": 1,
        },
        filters=(BY_SPACE,),
        updated=True,
    ),
    query_resource(
        "projects",
        N_("Budget projects"),
        N_("The projects of the participatory budgets, as their pages show them."),
        PROJECT_FIELDS,
        public_projects,
        project_row,
        {
            "id": 31,
            "budget_id": 3,
            "title": "Des bancs au parc Monceau",
            "description": "Dix bancs le long de l'allée centrale.",
            "cost": 15000,
            "district": "Nord",
            "category": "Cadre de vie",
            "location": "Parc Monceau",
            "feasibility": "feasible",
        },
        filters=(
            BY_BUDGET,
            ApiFilter(
                "district",
                "string",
                N_("Only this district (its name, as written)."),
                lookup="district__name",
            ),
        ),
        related=("district", "category"),
        updated=True,
    ),
    ApiResource(
        "budget_results",
        N_("Results of participatory budgets"),
        N_("One line per project of each budget whose results are published."),
        RESULT_FIELDS,
        results_page,
        {
            "budget_id": 3,
            "project_id": 31,
            "title": "Des bancs au parc Monceau",
            "district": "Nord",
            "cost": 15000,
            "score": 412,
            "selected": 1,
            "selected_greedy": 1,
            "selected_equal_shares": 1,
        },
        key=("budget_id", "project_id"),
        dataset=True,
        filters=(BY_BUDGET, RESULTS_UPDATED_SINCE),
    ),
    ApiResource(
        "ballots",
        N_("Anonymised ballots"),
        N_(
            "The anonymised ballots of each budget whose results are published, as its "
            "Pabulib files publish them."
        ),
        BALLOT_FIELDS,
        ballots_page,
        {"budget_id": 3, "voter": 1, "choices": [31, 34, 40], "points": None},
        key=("budget_id", "voter"),
        filters=(BY_BUDGET, RESULTS_UPDATED_SINCE),
    ),
)
