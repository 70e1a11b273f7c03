"""The reports a person made and their blocks in their copy of their data (docs/privacy.md).
Deleting an account keeps reports as they are (counts stay right)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moderation.models import Report, UserBlock
from participation.accounts.privacy import rows


async def export(user: Any, translate: Callable[[str], str]) -> dict[str, Any]:
    return {
        "reports_made": rows(
            await Report.filter(reporter=user).values(
                "content_type", "content_id", "reason", "text", "created_at"
            )
        ),
        "blocks": rows(
            await UserBlock.filter(user=user).values("created_at", "ends_at", "reason", "lifted_at")
        ),
    }
