"""Follow-up reads: the public list with its filters, a commitment's page, staff candidates."""

from __future__ import annotations

from typing import Any

from budgets.models import Budget, Phase, Project
from budgets.queries import stored_results
from consultations.models import Consultation
from followup.domain import STATUS_LABELS, Filters, Status, TargetKind
from followup.models import Commitment, Milestone, StatusChange
from participation import formatting
from participation.features import FeedEntry, Outcome
from participation.i18n import N_, gettext
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.urls import url

ACCEPTED_PROPOSAL_STATES = (ProposalState.ACCEPTED, ProposalState.DONE)


async def funded_project_ids(budget_id: int) -> set[int]:
    """Projects selected by a budget whose results are out: the official outcome of an import,
    else the budget's own rule."""
    budget = await Budget.get_or_none(id=budget_id)
    if budget is None or budget.phase != Phase.RESULTS:
        return set()
    results = await stored_results(budget)
    outcome = results.get("official") or results.get(budget.winner_rule.value) or {}
    return {pid for envelope in outcome.get("envelopes", []) for pid in envelope["selected"]}


async def public_list(filters: Filters) -> list[Commitment]:
    query = Commitment.all()
    if filters.status is not None:
        query = query.filter(status=filters.status)
    if filters.kind is not None:
        query = query.filter(target_kind=filters.kind)
    if filters.district is not None:
        query = query.filter(district=filters.district)
    return await query.order_by("-updated_at", "-id")


async def districts() -> list[str]:
    names = (
        await Commitment.filter(district__isnull=False)
        .distinct()
        .values_list("district", flat=True)
    )
    return sorted(str(name) for name in names)


async def commitment_page(commitment_id: int) -> dict[str, Any] | None:
    commitment = await Commitment.get_or_none(id=commitment_id)
    if commitment is None:
        return None
    return {
        "commitment": commitment,
        "milestones": await Milestone.filter(commitment_id=commitment.id).order_by("on", "id"),
        "changes": await StatusChange.filter(commitment_id=commitment.id).order_by("at", "id"),
        "target_url": await target_url(commitment),
    }


async def target_url(commitment: Commitment) -> str:
    if commitment.target_kind == TargetKind.PROPOSAL:
        return url("proposals:detail", id=commitment.target_id)
    if commitment.target_kind == TargetKind.CONSULTATION:
        return url("consultations:outcome", consultation_id=commitment.target_id)
    project = await Project.get_or_none(id=commitment.target_id)
    return (
        url("budgets:project", budget_id=project.budget_id, project_id=project.id)
        if project
        else ""
    )


async def candidates() -> list[dict[str, Any]]:
    """Sources that could be followed and are not yet: funded projects, accepted proposals,
    consultations with a published decision."""
    followed = {
        (kind, target_id)
        for kind, target_id in await Commitment.all().values_list("target_kind", "target_id")
    }
    found: list[dict[str, Any]] = []
    for budget in await Budget.filter(phase=Phase.RESULTS).order_by("-id"):
        funded = await funded_project_ids(budget.id)
        for project in await Project.filter(id__in=list(funded)).order_by("title"):
            found.append(
                {
                    "kind": TargetKind.PROJECT,
                    "id": project.id,
                    "title": project.title,
                    "context": budget.title,
                }
            )
    for proposal in await Proposal.filter(state__in=ACCEPTED_PROPOSAL_STATES).order_by("-id"):
        found.append(
            {"kind": TargetKind.PROPOSAL, "id": proposal.id, "title": proposal.title, "context": ""}
        )
    for consultation in await Consultation.filter(outcome_published_at__isnull=False).order_by(
        "-id"
    ):
        found.append(
            {
                "kind": TargetKind.CONSULTATION,
                "id": consultation.id,
                "title": consultation.title,
                "context": "",
            }
        )
    return [c for c in found if (c["kind"], c["id"]) not in followed]


async def feed_commitments(limit: int) -> list[FeedEntry]:
    """The commitments, the latest changed first (Feature.feeds): their status in the summary."""
    rows = await Commitment.all().order_by("-updated_at", "-id").limit(limit)
    return [
        FeedEntry(
            key=f"commitment/{c.id}",
            title=c.title,
            path=url("followup:detail", commitment_id=c.id),
            updated=c.updated_at,
            published=c.created_at,
            summary=gettext(STATUS_LABELS[c.status])
            + (formatting.colon() + " " + c.reason if c.reason else ""),
        )
        for c in rows
    ]


async def outcomes(limit: int) -> list[Outcome]:
    """The commitments done, the latest first, dated by their change to done (Feature.outcomes:
    the home page's latest outcomes). One that was reopened since is not done: not listed."""
    changes = (
        await StatusChange.filter(to_status=Status.DONE, commitment__status=Status.DONE)
        .order_by("-at", "-id")
        .limit(limit)
        .values("commitment_id", "commitment__title", "at")
    )
    latest: dict[int, Outcome] = {}
    for change in changes:  # a commitment done twice (reopened between) once, its last
        latest.setdefault(
            change["commitment_id"],
            Outcome(
                N_("Commitment done"),
                change["commitment__title"],
                url("followup:detail", commitment_id=change["commitment_id"]),
                change["at"],
            ),
        )
    return list(latest.values())
