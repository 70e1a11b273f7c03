"""Free-text consultation answers as moderation sees them
(participation.contributions.ContentKind)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise import timezone

from consultations.models import Consultation, Phase, Result, TextReview
from consultations.queries import locked_spaces
from consultations.services import request_results
from consultations.texts import case_day
from participation import mail
from participation.contributions import Item, ModerationState, excerpt
from participation.i18n import N_
from participation.permissions import can_administer, can_moderate
from participation.settings import Settings
from participation.urls import url


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

    async def spaces_of(self, ids: list[int]) -> dict[int, int]:
        """An answer belongs to the space of its consultation, read with a row lock held until
        the caller's transaction ends (`queries.locked_spaces`): a case made while staff move
        the consultation to another space ends in the new space (issue #18)."""
        pairs = await TextReview.filter(id__in=ids).values_list("id", "question__consultation_id")
        spaces = await locked_spaces({int(c) for _, c in pairs})  # type: ignore[misc]
        return {int(i): spaces[int(c)] for i, c in pairs if int(c) in spaces}  # type: ignore[misc]

    async def _rows(self, ids: list[int]) -> list[dict[str, Any]]:
        return list(await TextReview.filter(id__in=ids).values(**self.FIELDS))

    def _item(self, row: dict[str, Any]) -> Item:
        note = (
            N_("Anonymous consultation: nothing links this answer to a person; nobody is notified.")
            if row["anonymous"]
            else N_("Identical answers are one item: their authors are neither shown nor notified.")
        )
        return Item(
            "consultation_answer",
            row["id"],
            row["question_text"],
            excerpt(row["text"]),
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

    async def visible_to(self, user: Any, target_id: int) -> Item | None:
        """Moderators see every answer; others the visible answers of published results."""
        rows = await self._rows([target_id])
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
        if target != ModerationState.VISIBLE:
            return
        row = await TextReview.get_or_none(id=item.id).select_related("question")
        if row is not None and await Result.exists(consultation_id=row.question.consultation_id):
            await request_results(row.question.consultation_id)

    async def recent_texts(self, user_id: int, since: datetime) -> list[str]:
        return []  # the duplicate check covers proposals and comments only

    async def notification_subject(self, item: Item) -> tuple[Any, Any]:
        return None, None  # no proposal to hang the notification on: the title instead
