"""Reports as moderation sees them (participation.contributions.ContentKind): their
descriptions are moderated like every text residents write (pre-moderation per category,
reports of abuse, hiding); a hidden report leaves the public list, its page and the exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from participation.contributions import Item, RowKind, excerpt
from participation.i18n import N_
from participation.urls import url
from signalements.models import Report


class SignalementKind(RowKind):
    name = "signalement"
    label = N_("report in public space")
    model = Report

    def _item(self, r: Any) -> Item:
        return self.row_item(
            r,
            f"{r.category.name} · {r.address}",
            excerpt(r.description),
            url("signalements:detail", report_id=r.id),
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        if not ids:
            return {}
        rows = await Report.filter(id__in=ids).select_related("author", "category")
        return {row.id: self._item(row) for row in rows}

    async def recent_texts(self, user_id: int, since: datetime) -> list[str]:
        rows = Report.filter(author_id=user_id, created_at__gte=since).order_by("-id")
        return [r.description for r in await rows.limit(20)]
