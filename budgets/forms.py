"""Reading the budget admin form: plain strings in, a BudgetForm (or field problems) out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from budgets import domain
from budgets.models import BallotKind, Budget, BudgetCategory, BudgetDistrict, WinnerRule
from budgets.services import BudgetForm
from participation.formfields import bounded_text, column_length, local_moment, too_long
from participation.i18n import N_
from participation.numbers import is_whole_number
from participation.refusals import Problem
from participation.spaces.domain import parse_space_choice


def _number(
    data: Mapping[str, str], name: str, default: int | None, problems: list[Problem]
) -> int | None:
    raw = data.get(name, "").strip().replace(" ", "")
    if not raw:
        return default
    if not is_whole_number(raw):
        problems.append(domain.Problem(N_("Enter a whole number."), field=name))
        return default
    return int(raw)


TITLE_LENGTH = column_length(Budget, "title")
DISTRICT_LENGTH = column_length(BudgetDistrict, "name")
CATEGORY_LENGTH = column_length(BudgetCategory, "name")


def parse_districts(text: str, problems: list[Problem]) -> dict[str, int]:
    """One district per line: `Name: amount`."""
    districts: dict[str, int] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, amount = line.rpartition(":")
        amount = amount.strip().replace(" ", "")
        if not name.strip() or not is_whole_number(amount):
            problems.append(
                domain.Problem(
                    N_("Write one district per line, like “Centre-ville: 50000”."),
                    field="districts",
                )
            )
            return {}
        if len(name.strip()) > DISTRICT_LENGTH:
            problems.append(too_long("districts", DISTRICT_LENGTH))
            return {}
        districts[name.strip()] = int(amount)
    return districts


def parse_budget_form(data: Mapping[str, str]) -> tuple[BudgetForm, list[Problem]]:
    problems: list[Problem] = []
    kind_raw = data.get("ballot_kind", BallotKind.APPROVAL.value)
    kind = (
        BallotKind(kind_raw) if kind_raw in BallotKind._value2member_map_ else BallotKind.APPROVAL
    )
    winner_raw = data.get("winner_rule", WinnerRule.GREEDY.value)
    winner = (
        WinnerRule(winner_raw) if winner_raw in WinnerRule._value2member_map_ else WinnerRule.GREEDY
    )
    rule = domain.BallotRule(
        kind=kind,
        min_choices=_number(data, "min_choices", 1, problems) or 0,
        max_choices=_number(data, "max_choices", None, problems),
        min_spent_percent=_number(data, "min_spent_percent", 0, problems) or 0,
        points_total=_number(data, "points_total", 10, problems) or 0,
        points_per_project=_number(data, "points_per_project", 5, problems) or 0,
        ranking_length=_number(data, "ranking_length", 3, problems) or 0,
    )
    form = BudgetForm(
        title=bounded_text(data, "title", TITLE_LENGTH, problems),
        description=data.get("description", ""),
        total_amount=_number(data, "total_amount", 0, problems) or 0,
        districts=parse_districts(data.get("districts", ""), problems),
        categories=_categories(data.get("categories", ""), problems),
        dates=domain.PhaseDates(
            local_moment(data, "submission_opens_at", problems),
            local_moment(data, "review_opens_at", problems),
            local_moment(data, "voting_opens_at", problems),
            local_moment(data, "voting_closes_at", problems),
        ),
        rule=rule,
        winner_rule=winner,
        minimum_age=_number(data, "minimum_age", 0, problems) or 0,
        restricted_to_district=bounded_text(
            data, "restricted_to_district", DISTRICT_LENGTH, problems
        )
        or None,
        space_id=parse_space_choice(data.get("space", ""), problems),
    )
    return form, problems


def _categories(text: str, problems: list[Problem]) -> tuple[str, ...]:
    names = tuple(c.strip() for c in text.splitlines() if c.strip())
    if any(len(name) > CATEGORY_LENGTH for name in names):
        problems.append(too_long("categories", CATEGORY_LENGTH))
        return ()
    return names


def ballot_fields(form: Any) -> dict[str, Any]:
    """A submitted ballot form as `domain.parse_choices` reads it: every field's value, the
    chosen projects (`project`, repeated) as a list."""
    return {k: (form.getlist(k) if k == "project" else form[k]) for k in form}
