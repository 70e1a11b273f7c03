"""Budget commands: they take ids and plain data, own their transaction and return a result.

Integrity lives in the database: one register row per person and budget (UNIQUE), one ballot
per keyed token (UNIQUE), one residency per account and per census row (UNIQUE).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from tortoise import timezone
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from budgets import domain
from budgets.models import (
    Ballot,
    BallotKind,
    Budget,
    BudgetCategory,
    BudgetDistrict,
    BudgetTrustee,
    Phase,
    PhaseSwitch,
    Project,
    SealedBallot,
    WinnerRule,
)
from moderation import services as moderation
from participation import outbox, phases
from participation.accounts.models import User
from participation.audit import audit
from participation.i18n import N_
from participation.refusals import Refused, refuse
from participation.richtext import from_markdown, written
from participation.spaces import services as spaces

AUDITED_BUDGET_FIELDS = (
    "title",
    "total_amount",
    "currency",
    "submission_opens_at",
    "review_opens_at",
    "voting_opens_at",
    "voting_closes_at",
    "minimum_age",
    "restricted_to_district",
    "ballot_kind",
    "winner_rule",
    "space_id",
)


def audited_fields(row: object, names: tuple[str, ...]) -> dict[str, object]:
    """The fields of `row` that the audit log records before and after a change."""
    return {name: getattr(row, name, None) for name in names}


TALLY_JOB = "tally_budget"  # budgets.jobs.tally_budget, run through participation.outbox

# --- budgets and phases ----------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetForm:
    title: str
    description: str
    total_amount: int
    currency: str = "EUR"
    districts: Mapping[str, int] | None = None  # name -> amount
    categories: tuple[str, ...] = ()
    dates: domain.PhaseDates = domain.PhaseDates()
    rule: domain.BallotRule = domain.BallotRule(BallotKind.APPROVAL)
    winner_rule: WinnerRule = WinnerRule.GREEDY
    minimum_age: int = 0
    restricted_to_district: str | None = None
    space_id: int | None = None  # its participatory space (participation/spaces)


def budget_form_problems(form: BudgetForm) -> list[domain.Problem]:
    problems = []
    if not form.title.strip():
        problems.append(domain.Problem(N_("Enter a title."), field="title"))
    if form.total_amount <= 0:
        problems.append(
            domain.Problem(N_("The amount must be a positive whole number."), field="total_amount")
        )
    districts_total = sum((form.districts or {}).values())
    if districts_total > form.total_amount:
        problems.append(
            domain.Problem(
                N_("The districts' amounts add up to {sum}, more than the total {total}."),
                {"sum": districts_total, "total": form.total_amount},
                "districts",
            )
        )
    return problems + domain.dates_problems(form.dates) + domain.rule_problems(form.rule)


def _rule_fields(form: BudgetForm) -> dict[str, object]:
    rule = form.rule
    return {
        "ballot_kind": rule.kind,
        "min_choices": rule.min_choices,
        "max_choices": rule.max_choices,
        "min_spent_percent": rule.min_spent_percent,
        "points_total": rule.points_total,
        "points_per_project": rule.points_per_project,
        "ranking_length": rule.ranking_length,
        "winner_rule": form.winner_rule,
    }


def rule_of(budget: Budget) -> domain.BallotRule:
    return domain.BallotRule(
        kind=budget.ballot_kind,
        min_choices=budget.min_choices,
        max_choices=budget.max_choices,
        min_spent_percent=budget.min_spent_percent,
        points_total=budget.points_total,
        points_per_project=budget.points_per_project,
        ranking_length=budget.ranking_length,
    )


def dates_of(budget: Budget) -> domain.PhaseDates:
    return domain.PhaseDates(
        budget.submission_opens_at,
        budget.review_opens_at,
        budget.voting_opens_at,
        budget.voting_closes_at,
    )


async def save_budget(
    form: BudgetForm, budget_id: int | None = None, by_user: User | None = None
) -> Budget:
    """Create a budget, or update one; the rules cannot change once a ballot exists."""
    problems = budget_form_problems(form)
    if problems:
        raise Refused(problems)
    await spaces.check_choice(form.space_id)
    fields = {
        "title": form.title.strip(),
        **written(None, Budget.rich_text, description=from_markdown(form.description)),
        "currency": form.currency,
        "total_amount": form.total_amount,
        "submission_opens_at": form.dates.submission_opens_at,
        "review_opens_at": form.dates.review_opens_at,
        "voting_opens_at": form.dates.voting_opens_at,
        "voting_closes_at": form.dates.voting_closes_at,
        "minimum_age": form.minimum_age,
        "restricted_to_district": form.restricted_to_district or None,
        "space_id": form.space_id,
        **_rule_fields(form),
    }
    async with in_transaction():
        before: dict[str, object] = {}
        if budget_id is None:
            budget = await Budget.create(**fields)  # type: ignore[arg-type]
        else:
            budget = await Budget.filter(id=budget_id).select_for_update().get()
            if await has_ballots(budget_id):
                locked = _rule_fields(form)
                if any(getattr(budget, name) != value for name, value in locked.items()):
                    raise refuse(
                        N_("The voting rules are locked: ballots have been cast."),
                        field="ballot_kind",
                    )
            before = audited_fields(budget, AUDITED_BUDGET_FIELDS)
            moved_from = budget.space_id
            await budget.update_from_dict(fields).save()
            if budget.space_id != moved_from:
                # its projects' cases and their comments' follow it to the new space's
                # moderators; the budget's row is locked above (select_for_update), the lock
                # a case being made on them reads the space with (BudgetProjectKind.spaces_of):
                # such a case waits and reads the new space, or committed first and moves here
                projects = Project.filter(budget_id=budget.id).values("id")
                await moderation.move_cases("budget_project", Subquery(projects), budget.space_id)
        await _sync_districts(budget, form.districts or {})
        await _sync_categories(budget, form.categories)
        after = audited_fields(budget, AUDITED_BUDGET_FIELDS)
        action = "budget_created" if budget_id is None else "budget_updated"
        await audit(by_user, action, "budget", budget.id, before, after)
    return budget


async def _sync_districts(budget: Budget, districts: Mapping[str, int]) -> None:
    existing = {d.name: d for d in await BudgetDistrict.filter(budget=budget)}
    for name, amount in districts.items():
        if name in existing:
            if existing[name].amount != amount:
                existing[name].amount = amount
                await existing[name].save(update_fields=["amount"])
        else:
            await BudgetDistrict.create(budget=budget, name=name, amount=amount)
    for name, district in existing.items():
        if name not in districts and not await Project.filter(district=district).exists():
            await district.delete()


async def has_ballots(budget_id: int) -> bool:
    """Whether a ballot exists, sealed or clear: the rules and projects are then locked."""
    return (
        await SealedBallot.filter(budget_id=budget_id).exists()
        or await Ballot.filter(budget_id=budget_id).exists()
    )


async def _sync_categories(budget: Budget, categories: tuple[str, ...]) -> None:
    existing = {c.name for c in await BudgetCategory.filter(budget=budget)}
    for name in categories:
        if name not in existing:
            await BudgetCategory.create(budget=budget, name=name)


async def switch_phase(budget_id: int, target: Phase, by_user: User | None) -> bool:
    """Move a budget to `target` and log it; entering the tally enqueues it after commit."""
    async with in_transaction():
        budget = await Budget.get(id=budget_id)
        if budget.phase == target:
            return False
        if target == Phase.RESULTS and budget.phase != Phase.TALLY:
            raise refuse(N_("Results are published from the tally phase, once reviewed."))
        kept = await BudgetTrustee.filter(budget_id=budget_id, kept_at__isnull=False).count()
        if refusal := domain.sealing_problem(
            target,
            has_key=budget.ballot_public_key is not None,
            imported=bool(budget.imported_from),
            opened=budget.ballots_opened_at is not None,
            shares_kept=kept,
            shares_needed=budget.ballot_key_threshold or 0,
        ):
            raise Refused([refusal])
        switched = await phases.switch_phase(
            Budget,
            PhaseSwitch,
            budget_id,
            budget.phase,
            target,
            by_user,
            # the sealing checks above read these: a key ceremony or an opening of the ballots
            # that commits first makes this switch do nothing
            still={
                **(
                    {"ballot_public_key__isnull": True}
                    if budget.ballot_public_key is None
                    else {"ballot_public_key": budget.ballot_public_key}  # not replaced since
                ),
                "ballots_opened_at__isnull": budget.ballots_opened_at is None,
            },
            also={"results_published_at": timezone.now()} if target == Phase.RESULTS else None,
        )
        if not switched:
            return False  # another switch came first
        before, after = {"phase": str(budget.phase)}, {"phase": str(target)}
        reason = "" if by_user is not None else "phase dates"  # the schedule switched it
        await audit(by_user, "budget_phase", "budget", budget_id, before, after, reason)
        # recorded with the switch: a Redis restart cannot lose the tally (participation/outbox)
        tally = await outbox.record(TALLY_JOB, budget_id) if target == Phase.TALLY else None
    if tally is not None:
        await outbox.dispatch(tally)
    return True


async def apply_phase_schedule(now: datetime) -> list[int]:
    """Switch every budget whose phase date has come (the arq cron calls it every minute)."""
    switched = []
    active = [Phase.PREPARATION, Phase.SUBMISSION, Phase.REVIEW, Phase.VOTING]
    for budget in await Budget.filter(phase__in=active, imported_from=None):
        target = phases.automatic_switch(
            domain.PHASE_ORDER,
            budget.phase,
            budget.phase_changed_at,
            dates_of(budget).starts(),
            now,
        )
        try:
            if target is not None and await switch_phase(budget.id, target, by_user=None):
                switched.append(budget.id)
        except Refused:
            continue  # no ballot box key yet: the admin page tells staff (queries.admin_page)
    return switched


async def request_tally(budget_id: int, by_user: User | None = None) -> None:
    """Record and enqueue the tally; asked by staff, it is audited (the phase switch logs its
    own)."""
    if by_user is not None:
        await audit(by_user, "budget_tally_requested", "budget", budget_id)
    await outbox.defer(TALLY_JOB, budget_id)
