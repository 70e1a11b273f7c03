"""Follow-up reads: the public list with its filters, a commitment's page, staff candidates."""

from __future__ import annotations

from typing import Any

from budgets.models import Budget, Phase, Project
from budgets.queries import stored_results
from consultations.models import Consultation
from followup.domain import Filters, SourceKind
from followup.models import Commitment, Milestone, StatusChange
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
        query = query.filter(source_kind=filters.kind)
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
        "source_url": await source_url(commitment),
    }


async def source_url(commitment: Commitment) -> str:
    if commitment.source_kind == SourceKind.PROPOSAL:
        return url("proposals:detail", id=commitment.source_id)
    if commitment.source_kind == SourceKind.CONSULTATION:
        return url("consultations:outcome", consultation_id=commitment.source_id)
    project = await Project.get_or_none(id=commitment.source_id)
    return (
        url("budgets:project", budget_id=project.budget_id, project_id=project.id)
        if project
        else ""
    )


async def candidates() -> list[dict[str, Any]]:
    """Sources that could be followed and are not yet: funded projects, accepted proposals,
    consultations with a published decision."""
    followed = {
        (kind, source_id)
        for kind, source_id in await Commitment.all().values_list("source_kind", "source_id")
    }
    found: list[dict[str, Any]] = []
    for budget in await Budget.filter(phase=Phase.RESULTS).order_by("-id"):
        funded = await funded_project_ids(budget.id)
        for project in await Project.filter(id__in=list(funded)).order_by("title"):
            found.append(
                {
                    "kind": SourceKind.PROJECT,
                    "id": project.id,
                    "title": project.title,
                    "context": budget.title,
                }
            )
    for proposal in await Proposal.filter(state__in=ACCEPTED_PROPOSAL_STATES).order_by("-id"):
        found.append(
            {"kind": SourceKind.PROPOSAL, "id": proposal.id, "title": proposal.title, "context": ""}
        )
    for consultation in await Consultation.filter(outcome_published_at__isnull=False).order_by(
        "-id"
    ):
        found.append(
            {
                "kind": SourceKind.CONSULTATION,
                "id": consultation.id,
                "title": consultation.title,
                "context": "",
            }
        )
    return [c for c in found if (c["kind"], c["id"]) not in followed]
