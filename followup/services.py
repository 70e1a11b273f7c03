"""Follow-up commands: create a commitment from its source, change its status, add a milestone.

Each command is one transaction; the notifications it records are e-mailed after commit. The
commitment row is locked while it changes, so two staff members saving at once write two
changes in turn, each notified once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from budgets.models import Project, VoterRegister
from consultations.models import Consultation, Participant
from followup import domain
from followup.domain import MilestoneForm, SourceKind, StatusUpdate
from followup.models import Commitment, Milestone, StatusChange
from followup.queries import ACCEPTED_PROPOSAL_STATES, funded_project_ids
from participation import mail
from participation.audit import audit
from participation.i18n import N_
from participation.notifications import services as notifications
from participation.notifications.services import Kind
from participation.proposals.models import Proposal, ProposalCoauthor, Support
from participation.refusals import DomainError
from participation.residents.models import Residency
from participation.settings import Settings
from participation.urls import url

NOT_FOLLOWABLE = N_("This cannot be followed: it was not funded, accepted or decided.")


async def source_facts(kind: SourceKind, source_id: int) -> tuple[str, str | None] | None:
    """(title, district) of an eligible source, or None: a funded project, an accepted
    proposal, a consultation whose outcome is published."""
    if kind == SourceKind.PROJECT:
        project = await Project.get_or_none(id=source_id).select_related("district")
        if project is None or project.id not in await funded_project_ids(project.budget_id):
            return None
        return project.title, project.district.name if project.district else None
    if kind == SourceKind.PROPOSAL:
        proposal = await Proposal.get_or_none(
            id=source_id, state__in=ACCEPTED_PROPOSAL_STATES
        ).select_related("district")
        if proposal is None:
            return None
        return proposal.title, proposal.district.name if proposal.district else None
    consultation = await Consultation.get_or_none(id=source_id, outcome_published_at__isnull=False)
    if consultation is None:
        return None
    district = consultation.district if consultation.audience == "district" else None
    return consultation.title, district


async def _audit(by_user: Any, action: str, commitment_id: int, before: Any, after: Any) -> None:
    """Staff actions on commitments go to the audit log, in the action's transaction."""
    await audit(by_user, action, "commitment", commitment_id, before, after)


def _audited(commitment: Commitment) -> dict[str, Any]:
    return {
        "status": commitment.status.value,
        "progress": commitment.progress,
        "reason": commitment.reason,
    }


async def create_commitment(kind: SourceKind, source_id: int, by_user: Any = None) -> Commitment:
    """The commitment of a source; creating it twice gives back the first. `by_user` None:
    the platform (the job that follows every new source)."""
    facts = await source_facts(kind, source_id)
    if facts is None:
        raise DomainError(NOT_FOLLOWABLE)
    title, district = facts
    async with in_transaction():
        commitment, created = await Commitment.get_or_create(
            source_kind=kind, source_id=source_id, defaults={"title": title, "district": district}
        )
        if created:
            after = {"source": f"{kind.value}:{source_id}", **_audited(commitment)}
            await _audit(by_user, "commitment_created", commitment.id, "", after)
    return commitment


async def participant_ids(commitment: Commitment) -> set[int]:
    """The accounts of the people who took part in the commitment's source."""
    if commitment.source_kind == SourceKind.PROJECT:
        project = await Project.get_or_none(id=commitment.source_id)
        if project is None:  # deleted since: nobody left to tell
            return set()
        # who voted in the budget (never how): register -> census entry -> verified account
        voters = VoterRegister.filter(budget_id=project.budget_id).values("census_entry_id")
        return _ids(
            await Residency.filter(census_entry_id__in=Subquery(voters)).values_list(
                "user_id", flat=True
            )
        )
    if commitment.source_kind == SourceKind.PROPOSAL:
        proposal = await Proposal.get_or_none(id=commitment.source_id)
        if proposal is None:
            return set()
        people = {proposal.author_id}
        people |= _ids(
            await ProposalCoauthor.filter(
                proposal_id=proposal.id, user_id__isnull=False
            ).values_list("user_id", flat=True)
        )
        people |= _ids(
            await Support.filter(proposal_id=proposal.id).values_list("user_id", flat=True)
        )
        return people
    return _ids(
        await Participant.filter(consultation_id=commitment.source_id).values_list(
            "user_id", flat=True
        )
    )


def _ids(values: list[Any]) -> set[int]:
    return {int(value) for value in values}


def _link(settings: Settings, commitment_id: int) -> str:
    return settings.base_url + url("followup:detail", commitment_id=commitment_id)


async def update_status(
    settings: Settings, commitment_id: int, update: StatusUpdate, by_user: Any
) -> int:
    """Save status, progress and reason; a new status is logged and notified once to each
    participant. Returns how many people were notified."""
    emails: list[mail.OutboxEmail] = []
    async with in_transaction():
        commitment = await Commitment.filter(id=commitment_id).select_for_update().get()
        before = commitment.status
        audited_before = _audited(commitment)
        commitment.status = update.status
        commitment.progress = update.progress
        commitment.reason = update.reason
        await commitment.save()
        await _audit(
            by_user, "commitment_updated", commitment.id, audited_before, _audited(commitment)
        )
        if domain.status_changed(before, update.status):
            change = await StatusChange.create(
                commitment_id=commitment.id,
                from_status=before,
                to_status=update.status,
                reason=update.reason,
                by_user=by_user,
            )
            emails = await _notify_participants(
                settings,
                commitment,
                Kind.FOLLOWUP_STATUS,
                f"status:{change.id}",
                N_("The commitment “{title}” is now: {status}."),
                status=domain.STATUS_LABELS[update.status],
                translated=("status",),
            )
    await notifications.dispatch(emails)
    return len(emails)


async def _notify_participants(
    settings: Settings,
    commitment: Commitment,
    kind: str,
    event: str,
    message: str,
    translated: tuple[str, ...] = (),
    **params: str | date,
) -> list[mail.OutboxEmail]:
    """Notify the commitment's participants once for its `event` (see `notify_users`); the
    message may name the commitment's `{title}`."""
    return await notifications.notify_users(
        settings,
        kind,
        f"followup:{commitment.id}:{event}",
        await participant_ids(commitment),
        message,
        _link(settings, commitment.id),
        translated,
        title=commitment.title,
        **params,
    )


async def add_milestone(
    settings: Settings, commitment_id: int, form: MilestoneForm, by_user: Any
) -> int:
    """Add a dated milestone; its participants are notified once. Returns how many."""
    async with in_transaction():
        commitment = await Commitment.filter(id=commitment_id).select_for_update().get()
        milestone = await Milestone.create(
            commitment_id=commitment.id, on=form.on, text=form.text, by_user=by_user
        )
        after = {"on": form.on.isoformat(), "text": form.text}
        await _audit(by_user, "commitment_milestone", commitment.id, "", after)
        emails = await _notify_participants(
            settings,
            commitment,
            Kind.FOLLOWUP_MILESTONE,
            f"milestone:{milestone.id}",
            N_("New milestone for the commitment “{title}” ({date}): {milestone}"),
            date=form.on,
            milestone=form.text,
        )
    await notifications.dispatch(emails)
    return len(emails)
