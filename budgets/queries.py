"""Reads for the budget pages: a few queries per page, aggregates in SQL, no N+1."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise import timezone
from tortoise.functions import Count

from budgets import domain
from budgets.ballot_box import KEY_REPLACEABLE_IN, digest_of_key
from budgets.ballot_services import ballot_context
from budgets.models import (
    Ballot,
    Budget,
    BudgetCategory,
    BudgetDistrict,
    BudgetTrustee,
    Channel,
    Feasibility,
    Phase,
    PhaseSwitch,
    Project,
    SealedBallot,
    TallyResult,
    VoterRegister,
)
from budgets.services import dates_of, rule_of
from budgets.services import has_ballots as services_has_ballots
from budgets.tallying import export_pabulib
from participation import features, phases, spreadsheet
from participation.accounts.models import Role, User
from participation.contributions import ModerationState, excerpt
from participation.features import CommentTarget, FeedEntry
from participation.formatting import colon
from participation.formfields import local_input_value
from participation.i18n import N_, gettext
from participation.numbers import parse_id
from participation.outcomes import latest_published
from participation.participants import Since
from participation.permissions import can_administer
from participation.residents import services as residents
from participation.richtext import markdown_of
from participation.urls import url


async def budget_list(with_preparation: bool = False) -> list[Budget]:
    """Budgets in preparation are listed for staff only."""
    query = Budget.all() if with_preparation else Budget.exclude(phase=Phase.PREPARATION)
    return await query.order_by("-created_at")


@dataclass(frozen=True)
class ProjectFilters:
    district: int | None = None
    category: int | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> ProjectFilters:
        def number(name: str) -> int | None:
            raw = params.get(name, "")
            return parse_id(raw)

        return cls(number("district"), number("category"))

    def apply(self, projects: list[Project]) -> list[Project]:
        return [
            p
            for p in projects
            if (self.district is None or p.district_id == self.district)  # type: ignore[attr-defined]
            and (self.category is None or p.category_id == self.category)  # type: ignore[attr-defined]
        ]


async def _projects(budget: Budget, feasible_only: bool, public: bool = True) -> list[Project]:
    """The budget's projects; `public`: only those moderation let through (hidden and pending
    ones are in no listing, ballot, result or export, only on the staff page)."""
    query = Project.filter(budget=budget).select_related("district", "category", "image")
    if public:
        query = query.filter(moderation_state=ModerationState.VISIBLE)
    if feasible_only:
        query = query.filter(feasibility=Feasibility.FEASIBLE)
    return await query.order_by("district_id", "title")


async def budget_page(budget: Budget, filters: ProjectFilters) -> dict[str, Any]:
    feasible_only = budget.phase in (Phase.VOTING, Phase.TALLY, Phase.RESULTS)
    projects = await _projects(budget, feasible_only)
    return {
        "budget": budget,
        "projects": filters.apply(projects),
        "project_count": len(projects),
        "districts": await BudgetDistrict.filter(budget=budget).order_by("name"),
        "categories": await BudgetCategory.filter(budget=budget).order_by("name"),
        "filters": filters,
        "dates": dates_of(budget),
        "phases": domain.PHASE_ORDER,
    }


async def project_or_none(budget_id: int, project_id: Any, viewer: Any = None) -> Project | None:
    """The project if `viewer` may see it: visible ones for everyone, pending or hidden ones
    for their author and moderators only (without `viewer`: any, for staff pages)."""
    project = await Project.get_or_none(budget_id=budget_id, id=project_id).select_related(
        "district", "category", "image"
    )
    if project is None or viewer is None or seen_by(viewer, project):
        return project
    return None


def seen_by(viewer: Any, project: Project) -> bool:
    """Whether `viewer` may see the project in its budget (not asked: whether the budget's
    phase shows it): visible ones for everyone, pending or hidden ones for their author and
    moderators only."""
    if project.moderation_state == ModerationState.VISIBLE:
        return True
    if getattr(viewer, "is_moderator", False):
        return True
    return bool(viewer.is_authenticated and project.author_id == viewer.id)


def project_comment_target(budget: Budget, project: Project) -> CommentTarget:
    """A project as the comments see it (issue #18): its page, its budget's space; it takes
    comments while moderation shows it."""
    author_id = project.author_id
    return CommentTarget(
        project.title,
        url("budgets:project", budget_id=budget.id, project_id=project.id),
        space_id=budget.space_id,
        open=project.moderation_state == ModerationState.VISIBLE,
        author_ids=(author_id,) if author_id else (),
    )


async def comment_target(viewer: Any, project_id: int) -> CommentTarget | None:
    """The project `project_id` if `viewer` may see its page (no viewer: moderation's view),
    as `project_page` decides: a budget in preparation is staff's, a hidden project its
    author's and the moderators'."""
    project = await Project.get_or_none(id=project_id).select_related("budget")
    if project is None:
        return None
    budget = project.budget
    if viewer is not None:
        if budget.phase == Phase.PREPARATION and not can_administer(viewer):
            return None
        if await project_or_none(budget.id, project.id, viewer) is None:
            return None
    return project_comment_target(budget, project)


async def picture_seen(viewer: Any, picture_id: int) -> bool:
    """Whether `viewer` may see the page of the project holding the picture (PictureOwner,
    issue #22), as `project_page` decides: a budget in preparation is staff's, a hidden
    project its author's and the moderators'."""
    project = await Project.filter(image_id=picture_id).select_related("budget").first()
    if project is None:
        return False
    if project.budget.phase == Phase.PREPARATION and not can_administer(viewer):
        return False
    return seen_by(viewer, project)


async def ballot_page(budget: Budget, voter: domain.Voter) -> dict[str, Any]:
    feasible = await _projects(budget, feasible_only=True)
    # the ballot's projects are these same rows: no second read of the projects
    rows = [(p.id, p.cost, p.adjusted_cost, p.district_id) for p in feasible]  # type: ignore[attr-defined]
    context = await ballot_context(budget, rows)
    projects = [p for p in feasible if p.district is None or p.district.name == voter.district]
    return {
        "budget": budget,
        "rule": context.rule,
        "ballot_projects": context.projects,
        "envelopes": {
            k: v for k, v in context.envelopes.items() if k is None or k == voter.district
        },
        "projects": projects,
        "districts": await BudgetDistrict.filter(budget=budget).order_by("name"),
        "categories": await BudgetCategory.filter(budget=budget).order_by("name"),
        "filters": ProjectFilters(),
        "errors": {},
        "voter": voter,
    }


def ballot_state(context: Mapping[str, Any], choices: Mapping[int, int]) -> dict[str, Any]:
    """What the budget meter shows: spending per envelope against its amount."""
    chosen = {p: v for p, v in choices.items() if p in context["ballot_projects"]}
    spent = domain.spending_by_envelope(chosen, context["ballot_projects"])
    meters = [
        {
            "envelope": envelope,
            "amount": amount,
            "spent": spent.get(envelope, 0),
            "percent": min(100, round(100 * spent.get(envelope, 0) / amount)) if amount else 0,
        }
        for envelope, amount in context["envelopes"].items()
    ]
    return {
        "choices": chosen,
        "meters": meters,
        "chosen_count": len(chosen),
        "points_used": sum(chosen.values()),
    }


async def published_ballot(budget: Budget, receipt: str) -> dict[str, Any] | None:
    if budget.phase != Phase.RESULTS:
        return None
    ballot = await Ballot.get_or_none(budget=budget, receipt=receipt)
    if ballot is None:
        return None
    choices = json.loads(ballot.choices)
    titles = dict(await Project.filter(id__in=[int(k) for k in choices]).values_list("id", "title"))
    return {
        "choices": [(titles.get(int(k), k), v) for k, v in choices.items()],
        "anonymous_id": await _anonymous_id(budget, ballot),
    }


async def _anonymous_id(budget: Budget, ballot: Ballot) -> int:
    """The ballot's voter number in the Pabulib export (ballots are exported by receipt order)."""
    return await Ballot.filter(budget=budget, receipt__lt=ballot.receipt).count() + 1


async def turnout(budget: Budget) -> dict[str, Any]:
    by_channel = dict(
        await VoterRegister.filter(budget=budget)
        .annotate(n=Count("id"))
        .group_by("channel")
        .values_list("channel", "n")
    )
    ballots = await Ballot.filter(budget=budget).count()
    ballots += await SealedBallot.filter(budget=budget).count()  # not opened yet
    eligible = await residents.census_count(budget.restricted_to_district or None)
    return {
        "ballots": ballots,
        "web": by_channel.get(Channel.WEB, 0) or (ballots if budget.imported_from else 0),
        "paper": by_channel.get(Channel.PAPER, 0),
        "eligible": eligible,
        "percent": round(100 * ballots / eligible, 1) if eligible else None,
    }


async def stored_results(budget: Budget) -> dict[str, dict[str, Any]]:
    """rule -> outcome; the official outcome of an imported file under "official"."""
    stored = {}
    for row in await TallyResult.filter(budget=budget):
        outcome = json.loads(row.outcome)
        if row.is_official and not outcome.get("published", True):
            continue  # an imported file without a `selected` column
        stored["official" if row.is_official else row.rule] = outcome
    return stored


async def results_page(budget: Budget) -> dict[str, Any]:
    results = await stored_results(budget)
    projects = {p.id: p for p in await _projects(budget, feasible_only=False)}
    selected = {rule: set(_selected_ids(outcome)) for rule, outcome in results.items()}
    main_selected = selected.get(budget.winner_rule.value, set())
    official = selected.get("official", set())
    return {
        "budget": budget,
        "results": results,
        "compare_selected": selected,
        # the projects one rule funds and the other does not, each with both explanations
        "rule_differences": domain.rule_differences(results["greedy"], results["equal-shares"])
        if "greedy" in results and "equal-shares" in results
        else [],
        "official_matches": official == main_selected,
        "official_difference": sorted(official ^ main_selected),
        "main": results.get(budget.winner_rule.value),
        "other_rule": "equal-shares" if budget.winner_rule.value == "greedy" else "greedy",
        "projects": projects,
        "turnout": await turnout(budget),
        "districts": await BudgetDistrict.filter(budget=budget).order_by("name"),
    }


RESULT_COLUMNS = (
    "project_id",
    "title",
    "district",
    "cost",
    "score",
    "selected",
    "selected_greedy",
    "selected_equal_shares",
)


async def result_rows(budget: Budget) -> list[dict[str, Any]]:
    """One row per feasible project of a budget's results (the CSV and the public API)."""
    context = await results_page(budget)
    selected = {rule: set(_selected_ids(outcome)) for rule, outcome in context["results"].items()}
    scores = _scores(context["main"] or {})
    return [
        {
            "budget_id": budget.id,
            "project_id": project.id,
            "title": project.title,
            "district": project.district.name if project.district else "",
            "cost": project.ballot_cost,
            "score": scores.get(project.id, 0),
            "selected": int(project.id in selected.get(budget.winner_rule.value, set())),
            "selected_greedy": int(project.id in selected.get("greedy", set())),
            "selected_equal_shares": int(project.id in selected.get("equal-shares", set())),
        }
        for project in context["projects"].values()
        if project.feasibility == Feasibility.FEASIBLE
    ]


async def results_csv(budget: Budget) -> str:
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, delimiter=";", licensed=True)
    writer.writerow(RESULT_COLUMNS)
    writer.writerows([row[c] for c in RESULT_COLUMNS] for row in await result_rows(budget))
    return buffer.getvalue()


def _selected_ids(outcome: Mapping[str, Any]) -> list[int]:
    return [pid for envelope in outcome.get("envelopes", []) for pid in envelope["selected"]]


def _scores(outcome: Mapping[str, Any]) -> dict[int, int]:
    return {
        int(p["id"]): p["score"]
        for envelope in outcome.get("envelopes", [])
        for p in envelope["projects"]
    }


async def pabulib_export(budget: Budget, district: str | None = None) -> str:
    return await export_pabulib(budget, district)


async def budget_form_values(budget: Budget) -> dict[str, str]:
    districts = await BudgetDistrict.filter(budget=budget).order_by("name")
    categories = await BudgetCategory.filter(budget=budget).order_by("name")
    values = {
        name: "" if getattr(budget, name) is None else str(getattr(budget, name))
        for name in (
            "title",
            "description",
            "total_amount",
            "min_choices",
            "max_choices",
            "min_spent_percent",
            "points_total",
            "points_per_project",
            "ranking_length",
            "minimum_age",
            "restricted_to_district",
        )
    }
    values["description"] = markdown_of(budget.description)  # staff write Markdown too
    values.update(
        space=str(budget.space_id or ""),
        ballot_kind=budget.ballot_kind.value,
        winner_rule=budget.winner_rule.value,
        districts="\n".join(f"{d.name}: {d.amount}" for d in districts),
        categories="\n".join(c.name for c in categories),
        **{
            name: local_input_value(getattr(budget, name))
            for name in (
                "submission_opens_at",
                "review_opens_at",
                "voting_opens_at",
                "voting_closes_at",
            )
        },
    )
    return values


async def staff_accounts(ids: list[int]) -> list[Any]:
    """The staff accounts among `ids`, in the order given."""
    found = {u.id: u for u in await User.filter(id__in=ids, role=Role.ADMIN, deleted_at=None)}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


async def ballot_box_state(budget: Budget) -> dict[str, Any]:
    """What the admin page shows of the ballot box: trustees, key, sealed ballots waiting."""
    trustees = await BudgetTrustee.filter(budget=budget).order_by("position")
    names = dict(
        await User.filter(id__in=[t.user_id for t in trustees if t.user_id]).values_list(
            "id", "display_name"
        )
    )
    due = phases.automatic_switch(
        domain.PHASE_ORDER,
        budget.phase,
        budget.phase_changed_at,
        dates_of(budget).starts(),
        timezone.now(),
    )
    kept = sum(1 for t in trustees if t.kept_at is not None)
    has_key = budget.ballot_public_key is not None
    return {
        "key_fingerprint": digest_of_key(budget.ballot_public_key)
        if budget.ballot_public_key
        else None,
        "trustees": [(t.position, names.get(t.user_id or 0, ""), t.kept_at) for t in trustees],
        "shares_kept": kept,
        # too few trustees hold their share for the ballots ever to be opened: hold it again
        "too_few_kept": has_key and kept < (budget.ballot_key_threshold or 0),
        "key_replaceable": has_key and budget.phase in KEY_REPLACEABLE_IN,
        "sealed_count": await SealedBallot.filter(budget=budget).count(),
        "staff": await User.filter(role=Role.ADMIN, deleted_at=None)
        .order_by("id")
        .values_list("id", "display_name"),
        "voting_blocked": (not has_key or kept < (budget.ballot_key_threshold or 0))
        and not budget.imported_from
        and due == Phase.VOTING,
    }


async def evaluated_projects(budget: Budget) -> list[Project]:
    """The projects the space's evaluators review: those moderation let through, as residents
    see them (budgets/evaluation.py)."""
    return await _projects(budget, feasible_only=False)


async def admin_page(budget: Budget) -> dict[str, Any]:
    return {
        "budget": budget,
        "projects": await _projects(budget, feasible_only=False, public=False),
        "switches": await PhaseSwitch.filter(budget=budget)
        .select_related("by_user")
        .order_by("-at")
        .limit(20),
        "phases": domain.PHASE_ORDER,
        "rule": rule_of(budget),
        "has_ballots": await services_has_ballots(budget.id),
        "turnout": await turnout(budget),
        "results": await stored_results(budget),
        "box": await ballot_box_state(budget),
        "key_errors": {},
        "key_values": {},
        "share_errors": {},
    }


async def feed_results(limit: int, space_id: int | None = None) -> list[FeedEntry]:
    """Published results (Feature.feeds), the newest first; of one space only when given
    (`FeedSource.space_entries`)."""
    query = Budget.filter(phase=Phase.RESULTS)
    if space_id is not None:
        query = query.filter(space_id=space_id)
    rows = await query.order_by("-results_published_at", "-id").limit(limit)
    entries = []
    for budget in rows:
        when = budget.results_published_at or budget.phase_changed_at or budget.created_at
        entries.append(
            FeedEntry(
                key=f"budget/{budget.id}/results",
                title=gettext("Results") + colon() + " " + budget.title,
                path=url("budgets:results", budget_id=budget.id),
                updated=when,
                published=when,
                summary=excerpt(budget.description),
                space_id=budget.space_id,
            )
        )
    return entries


async def space_feed_results(space_id: int, limit: int) -> list[FeedEntry]:
    return await feed_results(limit, space_id)


# What a budget says on its space's page (participation/spaces): its phase, and the date that
# ends it (the next phase's opening) when one is planned.
SPACE_STATES: dict[Phase, tuple[str, str | None]] = {
    Phase.PREPARATION: (N_("In preparation"), None),
    Phase.SUBMISSION: (N_("Projects can be submitted"), "review_opens_at"),
    Phase.REVIEW: (N_("Projects under review"), "voting_opens_at"),
    Phase.VOTING: (N_("Vote open"), "voting_closes_at"),
    Phase.TALLY: (N_("Votes being counted"), None),
    Phase.RESULTS: (N_("Results published"), None),
}


async def space_components(space_id: int) -> list[features.SpaceComponent]:
    """The budgets of a participatory space (`Feature.space_components`)."""
    found = []
    for budget in await Budget.filter(space_id=space_id).order_by("id"):
        state, ends = SPACE_STATES[budget.phase]
        found.append(
            features.SpaceComponent(
                N_("Participatory budget"),
                budget.title,
                url("budgets:detail", budget_id=budget.id),
                state,
                getattr(budget, ends) if ends else None,
                public=budget.phase != Phase.PREPARATION,
            )
        )
    return found


async def outcomes(limit: int) -> list[features.Outcome]:
    """The latest published results (`Feature.outcomes`, the home page)."""
    return await latest_published(
        Budget.all(),
        "results_published_at",
        N_("Budget results"),
        lambda b: url("budgets:results", budget_id=b.id),
        limit,
    )


async def open_participation(census_entry_id: int) -> bool:
    """Whether this census row voted in a budget whose vote is not closed (the register says
    who voted, never how: no ballot is read), one query (`Feature.open_participation`)."""
    return await VoterRegister.filter(
        census_entry_id=census_entry_id, budget__phase__in=list(domain.NOT_CLOSED)
    ).exists()


async def participants(since: Since) -> set[str]:
    """The people who voted in a budget since `since`, from the voter register (who voted, on
    which day: never a ballot), in one query: an account when the resident has one, else their
    register entry (a paper ballot), so a resident is one person whatever they did
    (participation/participants.py)."""
    rows = await VoterRegister.filter(voted_on__gte=since.day).values_list(
        "census_entry_id", "census_entry__residency__user_id"
    )
    return {f"user:{user}" if user is not None else f"census:{entry}" for entry, user in rows}


async def metrics() -> list[features.MetricSample]:
    """Ballots cast in every budget, per channel (web, paper), from the voter register (who
    voted, never how), one query (`Feature.metrics`: /metrics)."""
    rows = await (
        VoterRegister.annotate(count=Count("id")).group_by("channel").values("channel", "count")
    )
    counts = {str(row["channel"]): int(row["count"]) for row in rows}
    return [
        features.MetricSample(
            "ballots_cast",
            "Ballots cast in participatory budgets (voter register), per channel.",
            counts.get(str(channel), 0),
            {"channel": str(channel)},
        )
        for channel in Channel
    ]
