"""A person's links to identity providers in their data export, and what deleting the account
does: the links and the proofs waiting are deleted (a deleted account can never be logged into
again through a provider)."""

from __future__ import annotations

from typing import Any

from oidc.models import Link, PendingLink
from participation import formatting


async def export(user: Any, translate: Any = None) -> dict[str, Any]:
    links = await Link.filter(user_id=user.id).select_related("provider").order_by("id")
    return {
        "identity_providers": [
            {
                "provider": link.provider.name,
                "subject": link.subject,
                "acr": link.acr,
                "eidas_level": link.eidas_level,
                "linked_at": formatting.iso_local(link.created_at),
                "last_login_at": formatting.iso_local(link.last_login_at),
            }
            for link in links
        ]
    }


async def erase(user: Any) -> None:
    await Link.filter(user_id=user.id).delete()
    await PendingLink.filter(user_id=user.id).delete()
