"""Budget projects as moderation sees them (participation.contributions.ContentKind)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from budgets.domain import moderation_frozen
from budgets.models import Budget, Project
from budgets.queries import project_or_none
from participation import mail
from participation.contributions import Item, ModerationState, RowKind, excerpt
from participation.i18n import N_
from participation.settings import Settings
from participation.urls import url


class BudgetProjectKind(RowKind):
    """Projects residents submit to a participatory budget. Moderation is frozen once voting
    opens (`budgets.domain.moderation_frozen`): ballots and the tally count the projects that
    were visible then, so `move` refuses and the decision is skipped."""

    name = "budget_project"
    label = N_("budget project")
    model = Project
    context = "budget"

    def _item(self, p: Any) -> Item:
        return self.row_item(
            p,
            p.title,
            excerpt(p.description),
            url("budgets:project", budget_id=p.budget_id, project_id=p.id),
        )

    async def spaces_of(self, ids: list[int]) -> dict[int, int]:
        """A project belongs to the space of its budget. The budgets are read with a row lock
        (FOR NO KEY UPDATE; SQLite has none and needs none) held until the caller's transaction
        ends, the one that inserts the moderation case: a case made while staff move the budget
        to another space (services.save_budget, which locks that row first) waits for the move
        and reads the new space, or the move waits for it and then moves it (issue #18)."""
        pairs = await Project.filter(id__in=ids).values_list("id", "budget_id")
        if not pairs:
            return {}
        locked = (
            await Budget.filter(id__in={int(b) for _, b in pairs})  # type: ignore[misc]
            .order_by("id")  # one order for every locker: no deadlock between two of them
            .select_for_update(no_key=True)
        )
        spaces = {b.id: b.space_id for b in locked if b.space_id is not None}
        return {int(i): spaces[int(b)] for i, b in pairs if int(b) in spaces}  # type: ignore[misc]

    async def visible_to(self, user: Any, target_id: int) -> Item | None:
        row = await Project.get_or_none(id=target_id)
        if row is None or await project_or_none(row.budget_id, target_id, user) is None:
            return None
        return (await self.load([target_id])).get(target_id)

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        project = await Project.get(id=item.id)
        budget = await Budget.get(id=project.budget_id)
        if moderation_frozen(budget.phase):
            return False, []
        return await self.switch(item, target), []

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

    async def recent_texts(self, user_id: int, since: datetime) -> list[str]:
        return []  # the duplicate check covers proposals and comments only
