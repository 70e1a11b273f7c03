"""A person's proposals, co-authorships, amendments and supports in their copy of their data,
and what deleting their account changes here (docs/privacy.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from participation.accounts.domain import erased_email
from participation.accounts.privacy import rows
from participation.pictures import services as pictures
from participation.proposals.models import Amendment, Proposal, ProposalCoauthor, Support


async def export(user: Any, translate: Callable[[str], str]) -> dict[str, Any]:
    held = await Proposal.filter(author=user, image_id__isnull=False).values_list("id", "image_id")
    described = await pictures.exported([image_id for _, image_id in held])
    return {
        # the images of their proposals (issue #22), as sent: re-encoded, without metadata
        "proposal_images": [
            {"proposal_id": proposal_id, **described[image_id]}
            for proposal_id, image_id in held
            if image_id in described
        ],
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
    Proposals and amendments stay, attributed to "Former participant"; their images go (a
    photo may show the person or their home: issue #22), through the core's service."""
    await pictures.take_from(Proposal.filter(author=user))
    await ProposalCoauthor.filter(email=user.email, user=None).delete()
    await ProposalCoauthor.filter(user=user).update(email=erased_email(user.id))
