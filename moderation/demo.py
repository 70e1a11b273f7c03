"""Demo moderation for Villebelle-sur-Loire: items waiting in the queue (a pre-moderated
proposal and comment) and a reported comment. Idempotent: nothing is added twice."""

from __future__ import annotations

from typing import Any

from tortoise import timezone
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from moderation.domain import DEFAULT_REASON_TEMPLATES, CaseKind, CaseStatus, ReportReason
from moderation.models import ModerationCase, ReasonTemplate, Report
from moderation.services import open_pending_case
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.richtext import ALLOW_LIST_VERSION, normalize_for_search, sanitize
from participation.settings import Settings

PENDING_TITLE = "Un marché de producteurs le dimanche matin"
PENDING_BODY = (
    "Un petit marché de producteurs locaux sur la place de la Mairie, le dimanche matin, "
    "ferait vivre le centre-ville et soutiendrait les fermes des environs."
)
PENDING_COMMENT = "Je propose d'y ajouter un stand de réparation de vélos, tenu par des bénévoles."
REPORTED_COMMENT = "Encore une idée de bobos, ceux qui proposent ça ne connaissent rien à rien."


async def load(settings: Settings, users: list[Any]) -> None:
    """`users`: the demo accounts (resident, moderator, staff)."""
    resident, moderator, staff = users
    author = resident  # she sees her pending contributions marked as such
    target = (
        await Proposal.filter(  # one of the demo's own: people's proposals are left alone
            moderation_state=ModerationState.VISIBLE,
            state=ProposalState.PUBLISHED,
            author_id=resident.id,
        )
        .order_by("id")
        .first()
    )
    async with in_transaction():
        if not await ReasonTemplate.exists():  # a migrated database has them already
            await ReasonTemplate.bulk_create(
                [
                    ReasonTemplate(text_fr=fr, text_en=en, position=n)
                    for n, (fr, en) in enumerate(DEFAULT_REASON_TEMPLATES, start=1)
                ]
            )
        if not await Proposal.exists(title=PENDING_TITLE):
            body = sanitize(PENDING_BODY)
            proposal = await Proposal.create(
                author_id=author.id,
                title=PENDING_TITLE,
                body=body,
                state=ProposalState.PENDING,
                moderation_state=ModerationState.PENDING,
                sanitized_with=ALLOW_LIST_VERSION,  # stored as shown (issue #21)
                search_text=normalize_for_search(f"{PENDING_TITLE} {PENDING_BODY}"),
            )
            await open_pending_case("proposal", proposal.id, author.id)
        if target is None:
            return
        if not await Comment.exists(body=sanitize(PENDING_COMMENT)):
            comment = await Comment.create(
                proposal_id=target.id,
                author_id=author.id,
                body=sanitize(PENDING_COMMENT),
                moderation_state=ModerationState.PENDING,
                sanitized_with=ALLOW_LIST_VERSION,
            )
            await open_pending_case("comment", comment.id, author.id)
        if not await Comment.exists(body=sanitize(REPORTED_COMMENT)):
            comment = await Comment.create(
                proposal_id=target.id,
                author_id=author.id,
                body=sanitize(REPORTED_COMMENT),
                stance="against",
                sanitized_with=ALLOW_LIST_VERSION,
            )
            await Proposal.filter(id=target.id).update(comment_count=F("comment_count") + 1)
            case = await ModerationCase.create(
                target_kind="comment",
                target_id=comment.id,
                author_id=author.id,
                status=CaseStatus.OPEN,
                kind=CaseKind.REPORTED,
                opened_at=timezone.now(),
                open_reports=2,
            )
            for reporter, reason, text in (
                (moderator, ReportReason.OFFENSIVE, "Propos méprisants envers les habitants."),
                (staff, ReportReason.OFF_TOPIC, ""),
            ):
                await Report.create(
                    case_id=case.id,
                    target_kind="comment",
                    target_id=comment.id,
                    reporter_id=reporter.id,
                    reason=reason,
                    text=text,
                )
