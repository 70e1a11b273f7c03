"""Demo commitments for Villebelle-sur-Loire, in every state, written through the services as
staff would (so the history and the notifications are real). Only the demo's own sources are
followed (its 2025 budget, the proposals of its accounts, its closed consultation); a source that
is already followed is left alone, so running the demo again changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from budgets.models import Budget
from consultations import demo as consultations_demo
from consultations.models import Consultation
from followup import queries, services
from followup.domain import MilestoneForm, Status, StatusUpdate, TargetKind
from followup.models import Commitment
from participation.accounts.models import Role, User
from participation.proposals.models import Proposal
from participation.settings import Settings

# (status, progress, reason, milestones) for the funded projects of the 2025 budget, in order
PROJECT_STORIES: list[tuple[Status, int, str, list[tuple[date, str]]]] = [
    (
        Status.DONE,
        100,
        "",
        [
            (date(2026, 2, 2), "Marché public attribué à une entreprise de Villebelle."),
            (date(2026, 4, 14), "Travaux commencés."),
            (date(2026, 9, 30), "Inauguration avec les habitants du quartier."),
        ],
    ),
    (
        Status.IN_PROGRESS,
        60,
        "",
        [
            (date(2026, 3, 9), "Étude technique terminée."),
            (date(2026, 10, 5), "Travaux en cours ; fin prévue au printemps."),
        ],
    ),
    (Status.UPCOMING, 0, "", [(date(2026, 11, 2), "Cahier des charges en préparation.")]),
    (
        Status.ABANDONED,
        20,
        "Le terrain prévu s'est révélé inondable : le projet sera reproposé ailleurs au "
        "prochain budget participatif.",
        [(date(2026, 5, 20), "Étude de sol défavorable.")],
    ),
]


async def _follow(
    settings: Settings,
    staff: Any,
    kind: TargetKind,
    target_id: int,
    story: tuple[Status, int, str, list[tuple[date, str]]],
) -> None:
    if await Commitment.exists(target_kind=kind, target_id=target_id):
        return
    commitment = await services.create_commitment(kind, target_id, staff)
    status, progress, reason, milestones = story
    for on, text in milestones:
        await services.add_milestone(settings, commitment.id, MilestoneForm(on, text), staff)
    if status != Status.UPCOMING or reason:
        if status == Status.DONE:  # went through "in progress" first, as in real life
            await services.update_status(
                settings, commitment.id, StatusUpdate(Status.IN_PROGRESS, 50, ""), staff
            )
        update = StatusUpdate(status, progress, reason)
        await services.update_status(settings, commitment.id, update, staff)


async def load(settings: Settings, users: list[User]) -> None:
    staff = next(u for u in users if u.role == Role.ADMIN)
    budget = await Budget.get_or_none(title="Budget participatif 2025")
    if budget is not None:
        funded = sorted(await queries.funded_project_ids(budget.id))
        for project_id, story in zip(funded, PROJECT_STORIES, strict=False):
            await _follow(settings, staff, TargetKind.PROJECT, project_id, story)
    demo_proposals = Proposal.filter(
        state__in=queries.ACCEPTED_PROPOSAL_STATES, author_id__in=[u.id for u in users]
    )
    for proposal in await demo_proposals.order_by("id"):
        story = (
            (Status.DONE, 100, "", [(date(2026, 3, 15), "Six bancs installés.")])
            if proposal.state == "done"
            else (Status.IN_PROGRESS, 25, "", [(date(2026, 6, 1), "Devis signé.")])
        )
        await _follow(settings, staff, TargetKind.PROPOSAL, proposal.id, story)
    demo_consultations = Consultation.filter(
        title=consultations_demo.CLOSED_TITLE, outcome_published_at__isnull=False
    )
    for consultation in await demo_consultations:
        story = (
            Status.IN_PROGRESS,
            40,
            "",
            [(date(2026, 9, 1), "Nouveaux horaires testés le samedi.")],
        )
        await _follow(settings, staff, TargetKind.CONSULTATION, consultation.id, story)
