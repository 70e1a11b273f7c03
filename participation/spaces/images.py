"""A space's image is one of the core's pictures (participation/pictures, issue #22), as a
proposal's: checked and re-encoded at a few widths, served with `srcset` by the one route
`/images/<key>/<width>`, revalidated at every use. Here, who may see it: `OWNER`, which
participation/pictures/services.py asks with the features' `Feature.picture_owners`."""

from __future__ import annotations

from typing import Any

from participation.features import PictureOwner
from participation.permissions import can_administer
from participation.spaces.models import Space


async def picture_seen(user: Any, picture_id: int) -> bool:
    """Whether `user` may see the space holding the picture: its page's rule (a published
    space, archived or not, is public); staff see a space in preparation (its form shows the
    image)."""
    holding = Space.filter(image_id=picture_id)
    if not can_administer(user):
        holding = holding.filter(published=True)
    return await holding.exists()


OWNER = PictureOwner("space", Space, picture_seen)
