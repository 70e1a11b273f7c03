"""Budget projects as moderation sees them (participation.contributions.ContentKind)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from budgets.domain import moderation_frozen
from budgets.models import Budget, Project
from budgets.queries import project_or_none
from participation import mail
from participation.contributions import Item, ModerationState, excerpt, load_rows
from participation.i18n import N_
from participation.settings import Settings
from participation.templating import public_name
from participation.urls import url


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
            excerpt(p.description),
            url("budgets:project", budget_id=p.budget_id, project_id=p.id),
            p.author_id,
            public_name(p.author),
            ModerationState(p.moderation_state),
            p.created_at,
            context=p.budget.title,
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        return await load_rows(Project, ids, self._item, "author", "budget")

    async def visible_to(self, user: Any, content_id: int) -> Item | None:
        row = await Project.get_or_none(id=content_id)
        if row is None or await project_or_none(row.budget_id, content_id, user) is None:
            return None
        return (await self.load([content_id])).get(content_id)

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        project = await Project.get(id=item.id)
        budget = await Budget.get(id=project.budget_id)
        if moderation_frozen(budget.phase):
            return False, []
        moved = await Project.filter(id=item.id, moderation_state=item.state).update(
            moderation_state=target
        )
        return bool(moved), []

    async def hide_pending_of(self, user_id: int) -> list[int]:
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

    async def recent_texts(self, user_id: int, since: datetime) -> list[str]:
        return []  # the duplicate check covers proposals and comments only

    async def notification_subject(self, item: Item) -> tuple[Any, Any]:
        return None, None  # no proposal to hang the notification on: the title instead
