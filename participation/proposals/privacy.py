"""A person's proposals, co-authorships, amendments and supports in their copy of their data,
and what deleting their account changes here (docs/privacy.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from participation.accounts.domain import erased_email
from participation.accounts.privacy import rows
from participation.proposals.models import Amendment, Proposal, ProposalCoauthor, Support


async def export(user: Any, translate: Callable[[str], str]) -> dict[str, Any]:
    return {
        "proposals": rows(
            await Proposal.filter(author=user).values(
                "id", "title", "body", "address", "state", "created_at", "published_at"
            )
        ),
        "coauthorships": rows(
            await ProposalCoauthor.filter(user=user).values("proposal_id", "accepted_at")
        ),
        "amendments": rows(
            await Amendment.filter(author=user).values(
                "id", "proposal_id", "title", "body", "reason", "created_at"
            )
        ),
        "supports": rows(await Support.filter(user=user).values("proposal_id", "created_at")),
    }


async def erase(user: Any) -> None:
    """Pending invitations to their address go; accepted co-authorships lose the address.
    Proposals and amendments stay, attributed to "Former participant"."""
    await ProposalCoauthor.filter(email=user.email, user=None).delete()
    await ProposalCoauthor.filter(user=user).update(email=erased_email(user.id))
