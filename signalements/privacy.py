"""A person's reports in their data export, and what deleting the account does.

Export: the reports they made (with the contact address they gave) and those they follow.
Erasure: the reports stay (the town's work and the public figures depend on them) without the
account nor the contact address; the person follows nothing any more.
"""

from __future__ import annotations

from typing import Any

from participation import formatting
from signalements.models import Follower, Report


async def export(user: Any, translate: Any = None) -> dict[str, Any]:
    reports = await Report.filter(author_id=user.id).order_by("id").select_related("category")
    followed = (
        await Follower.filter(user_id=user.id)
        .order_by("report_id")
        .values_list("report_id", flat=True)
    )
    return {
        "signalements": [
            {
                "id": r.id,
                "category": r.category.name,
                "address": r.address,
                "description": r.description,
                "contact_email": r.email,
                "state": r.state.value,
                "created_at": formatting.iso_local(r.created_at),
            }
            for r in reports
        ],
        "signalements_followed": list(followed),
    }


async def erase(user: Any) -> None:
    """Inside the account deletion's transaction."""
    await Report.filter(author_id=user.id).update(author_id=None, email="")
    await Follower.filter(user_id=user.id).delete()
