"""The kinds of content that moderation knows, behind one small interface.

A content kind loads items for the queue (one query for a whole page), tells who may see one,
and moves one between moderation states with a conditional update, doing what that move means
for this kind (publishing a pre-moderated proposal, counting a comment, notifying...).
Budget projects and consultation answers plug in by adding a kind to `KINDS`
(see docs/moderation.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tortoise import timezone
from tortoise.expressions import F

from participation import mail
from participation.i18n import N_
from participation.proposals.domain import ModerationState, ProposalState
from participation.richtext import to_text
from participation.settings import Settings
from participation.templating import public_name
from participation.urls import url

EXCERPT_MAX = 600


@dataclass
class Item:
    content_type: str
    id: int
    title: str
    text: str  # plain text (never HTML): shown escaped in the queue
    url: str
    author_id: int | None
    author_name: str
    state: ModerationState
    created_at: datetime
    context: str = ""  # e.g. the proposal a comment belongs to
    coauthor_ids: tuple[int, ...] = ()  # they may not report it either
    author_note: str = ""  # a msgid shown instead of the author, when none may be shown


class ContentKind(Protocol):
    name: str
    label: str

    async def load(self, ids: list[int]) -> dict[int, Item]: ...

    async def visible_to(self, user: Any, content_id: int) -> Item | None: ...

    async def move(
        self,
        settings: Settings,
        item: Item,
        target: ModerationState,
        actor: Any,
    ) -> tuple[bool, list[mail.OutboxEmail]]: ...

    async def hide_pending_of(self, user_id: int) -> list[int]: ...

    async def after_commit(self, item: Item, target: ModerationState) -> None: ...


async def _hide_pending(model: Any, user_id: int) -> list[int]:
    """Hide what `user_id` wrote that still awaits approval (a block does this); the ids hidden."""
    pending = model.filter(author_id=user_id, moderation_state=ModerationState.PENDING)
    ids = [int(i) for i in await pending.values_list("id", flat=True)]
    if ids:
        await pending.filter(id__in=ids).update(moderation_state=ModerationState.HIDDEN)
    return ids


def _excerpt(html: str) -> str:
    text = to_text(html)
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"


class ProposalKind:
    name = "proposal"
    label = N_("proposal")

    def _item(self, p: Any) -> Item:
        return Item(
            "proposal",
            p.id,
            p.title,
            _excerpt(p.body),
            url("proposals:detail", id=p.id),
            p.author_id,
            public_name(p.author),
            ModerationState(p.moderation_state),
            p.created_at,
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        from participation.proposals.models import Proposal

        if not ids:
            return {}
        rows = await Proposal.filter(id__in=ids).select_related("author")
        return {p.id: self._item(p) for p in rows}

    async def visible_to(self, user: Any, content_id: int) -> Item | None:
        from participation.proposals.models import ProposalCoauthor
        from participation.proposals.queries import visible_proposals

        p = await visible_proposals(user).filter(id=content_id).select_related("author").first()
        if p is None:
            return None
        coauthors = await ProposalCoauthor.filter(
            proposal_id=p.id, accepted_at__not_isnull=True
        ).values_list("user_id", flat=True)
        item = self._item(p)
        item.coauthor_ids = tuple(int(i) for i in coauthors if i is not None)  # type: ignore[call-overload]
        return item

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        from participation.proposals.models import Proposal, ProposalEvent, ProposalVersion

        proposal = await Proposal.get(id=item.id)
        extra: dict[str, Any] = {}
        publish = target == ModerationState.VISIBLE and proposal.state == ProposalState.PENDING
        if publish:  # approving a pre-moderated proposal publishes it
            extra = {"state": ProposalState.PUBLISHED, "published_at": timezone.now()}
        moved = await Proposal.filter(id=item.id, moderation_state=item.state).update(
            moderation_state=target, **extra
        )
        if moved and publish:
            await ProposalVersion.create(
                proposal_id=proposal.id,
                number=1,
                title=proposal.title,
                body=proposal.body,
                author_id=proposal.author_id,
            )
            await ProposalEvent.create(
                proposal_id=proposal.id,
                actor_id=getattr(actor, "id", None),
                from_state=ProposalState.PENDING,
                to_state=ProposalState.PUBLISHED,
            )
        return bool(moved), []

    async def hide_pending_of(self, user_id: int) -> list[int]:
        from participation.proposals.models import Proposal

        return await _hide_pending(Proposal, user_id)

    async def after_commit(self, item: Item, target: ModerationState) -> None:
        return None


class CommentKind:
    name = "comment"
    label = N_("comment")

    def _item(self, c: Any) -> Item:
        return Item(
            "comment",
            c.id,
            c.proposal.title,
            to_text(c.body) if len(c.body) < 10 * EXCERPT_MAX else _excerpt(c.body),
            url("proposals:detail", id=c.proposal_id, anchor=f"comment-{c.id}"),
            c.author_id,
            public_name(c.author),
            ModerationState(c.moderation_state),
            c.created_at,
            context=c.proposal.title,
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        from participation.comments.models import Comment

        if not ids:
            return {}
        rows = await Comment.filter(id__in=ids).select_related("author", "proposal")
        return {c.id: self._item(c) for c in rows}

    async def visible_to(self, user: Any, content_id: int) -> Item | None:
        from participation.proposals.queries import visible_comments, visible_proposals

        c = (
            await visible_comments(user)
            .filter(id=content_id, deleted_at=None)
            .select_related("author", "proposal")
            .first()
        )
        if c is None or not await visible_proposals(user).filter(id=c.proposal_id).exists():
            return None
        return self._item(c)

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        from participation.comments.models import Comment
        from participation.comments.services import notify_new_comment
        from participation.proposals.models import Proposal

        comment = await Comment.get(id=item.id).select_related("author", "proposal")
        moved = await Comment.filter(id=item.id, moderation_state=item.state).update(
            moderation_state=target
        )
        if not moved:
            return False, []
        counted_before = item.state == ModerationState.VISIBLE
        counted_after = target == ModerationState.VISIBLE
        if comment.deleted_at is None and counted_before != counted_after:
            step = 1 if counted_after else -1
            await Proposal.filter(id=comment.proposal_id).update(
                comment_count=F("comment_count") + step
            )
        emails: list[mail.OutboxEmail] = []
        if item.state == ModerationState.PENDING and counted_after:
            parent = await Comment.get_or_none(id=comment.parent_id) if comment.parent_id else None
            emails = await notify_new_comment(
                settings, comment.proposal, comment, parent, comment.author
            )
        return True, emails

    async def hide_pending_of(self, user_id: int) -> list[int]:
        from participation.comments.models import Comment

        return await _hide_pending(Comment, user_id)

    async def after_commit(self, item: Item, target: ModerationState) -> None:
        return None


class BudgetProjectKind:
    """Projects residents submit to a participatory budget. Moderation is frozen once voting
    opens (`budgets.domain.moderation_frozen`): ballots and the tally count the projects that
    were visible then, so `move` refuses and the decision is skipped."""

    name = "budget_project"
    label = N_("budget project")

    def _item(self, p: Any) -> Item:
        return Item(
            "budget_project",
            p.id,
            p.title,
            _excerpt(p.description),
            url("budgets:project", budget_id=p.budget_id, project_id=p.id),
            p.author_id,
            public_name(p.author),
            ModerationState(p.moderation_state),
            p.created_at,
            context=p.budget.title,
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        from budgets.models import Project

        if not ids:
            return {}
        rows = await Project.filter(id__in=ids).select_related("author", "budget")
        return {p.id: self._item(p) for p in rows}

    async def visible_to(self, user: Any, content_id: int) -> Item | None:
        from budgets.models import Project
        from budgets.queries import project_or_none

        row = await Project.get_or_none(id=content_id)
        if row is None or await project_or_none(row.budget_id, content_id, user) is None:
            return None
        return (await self.load([content_id])).get(content_id)

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        from budgets.domain import moderation_frozen
        from budgets.models import Budget, Project

        project = await Project.get(id=item.id)
        budget = await Budget.get(id=project.budget_id)
        if moderation_frozen(budget.phase):
            return False, []
        moved = await Project.filter(id=item.id, moderation_state=item.state).update(
            moderation_state=target
        )
        return bool(moved), []

    async def hide_pending_of(self, user_id: int) -> list[int]:
        from budgets.domain import moderation_frozen
        from budgets.models import Project

        pending = await Project.filter(
            author_id=user_id, moderation_state=ModerationState.PENDING
        ).select_related("budget")
        ids = [p.id for p in pending if not moderation_frozen(p.budget.phase)]
        if ids:
            await Project.filter(id__in=ids, moderation_state=ModerationState.PENDING).update(
                moderation_state=ModerationState.HIDDEN
            )
        return ids

    async def after_commit(self, item: Item, target: ModerationState) -> None:
        return None


class ConsultationAnswerKind:
    """Free-text consultation answers (`consultations.models.TextReview`): one item per distinct
    text of a question, so identical answers are moderated together. No author, ever: in an
    anonymous consultation nothing may link an answer to a person, and in a named one an item
    may stand for several people's identical answers; so nobody is notified of a decision or
    may ask for a review, and blocks hide nothing here. Results and exports drop a text as soon
    as it is not visible (`consultations.texts.published_content`); approving one recomputes
    the results after commit."""

    name = "consultation_answer"
    label = N_("consultation answer")

    # one query with short aliases: PostgreSQL cuts the long ones that a nested select_related
    # makes (`consultations_text_review__question__consultation.results_visible_while_open`)
    FIELDS = {
        "id": "id",
        "text": "text",
        "moderation_state": "moderation_state",
        "created_on": "created_on",
        "question_id": "question_id",
        "question_text": "question__text",
        "consultation_id": "question__consultation_id",
        "title": "question__consultation__title",
        "anonymous": "question__consultation__anonymous",
        "phase": "question__consultation__phase",
        "visible_open": "question__consultation__results_visible_while_open",
    }

    async def _rows(self, ids: list[int]) -> list[dict[str, Any]]:
        from consultations.models import TextReview

        return list(await TextReview.filter(id__in=ids).values(**self.FIELDS))

    def _item(self, row: dict[str, Any]) -> Item:
        from consultations.texts import case_day

        note = (
            N_("Anonymous consultation: nothing links this answer to a person; nobody is notified.")
            if row["anonymous"]
            else N_("Identical answers are one item: their authors are neither shown nor notified.")
        )
        return Item(
            "consultation_answer",
            row["id"],
            row["question_text"],
            _excerpt(row["text"]),
            url(
                "consultations:results",
                consultation_id=row["consultation_id"],
                anchor=f"result-{row['question_id']}",
            ),
            None,
            "",
            ModerationState(row["moderation_state"]),
            case_day(row["created_on"] or timezone.now().date()),
            context=row["title"],
            author_note=note,
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        if not ids:
            return {}
        return {row["id"]: self._item(row) for row in await self._rows(ids)}

    async def visible_to(self, user: Any, content_id: int) -> Item | None:
        """Moderators see every answer; others the visible answers of published results."""
        from consultations.models import Phase
        from participation.permissions import can_administer, can_moderate

        rows = await self._rows([content_id])
        if not rows:
            return None
        row = rows[0]
        item = self._item(row)
        if can_moderate(user):
            return item
        if item.state != ModerationState.VISIBLE:
            return None
        public = row["phase"] == Phase.CLOSED or (
            row["phase"] == Phase.OPEN and row["visible_open"]
        )
        if not public and not can_administer(user):  # as consultations.queries.results_are_public
            return None
        return item

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        from consultations.models import Consultation, TextReview

        # the lock that the results job takes to rewrite the texts (consultations.texts.rewrite,
        # ids and states kept): a decision waits for it instead of missing the rewritten row
        consultation_ids = await TextReview.filter(id=item.id).values_list(
            "question__consultation_id", flat=True
        )
        await Consultation.filter(id__in=list(consultation_ids)).select_for_update()
        moved = await TextReview.filter(id=item.id, moderation_state=item.state).update(
            moderation_state=target
        )
        return bool(moved), []

    async def hide_pending_of(self, user_id: int) -> list[int]:
        return []  # answers have no author: a block cannot find them

    async def after_commit(self, item: Item, target: ModerationState) -> None:
        """An approved text joins stored results at their next computation: ask for it now.
        (A hidden one needs nothing: reads drop it at once.)"""
        from consultations.models import Result, TextReview
        from consultations.services import request_results

        if target != ModerationState.VISIBLE:
            return
        row = await TextReview.get_or_none(id=item.id).select_related("question")
        if row is not None and await Result.exists(consultation_id=row.question.consultation_id):
            await request_results(row.question.consultation_id)


KINDS: dict[str, ContentKind] = {
    "proposal": ProposalKind(),
    "comment": CommentKind(),
    "budget_project": BudgetProjectKind(),
    "consultation_answer": ConsultationAnswerKind(),
}
