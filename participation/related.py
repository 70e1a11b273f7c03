"""Links between contents of different features, without one importing the other.

A meeting's minutes link the proposals and consultations it produced; their pages show the
meeting back, yet neither proposals nor consultations import meetings. A feature declares its
provider in its manifest (`Feature.related_links`); a page asks `links_for(kind, id)`, which
asks every installed feature's provider, and shows them with `templates/_related.html`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from participation import features


@dataclass(frozen=True)
class RelatedLink:
    label: str  # msgid: what the link is ("Discussed at the public meeting")
    title: str
    url: str
    on: datetime | None = None


Provider = Callable[[str, int], Awaitable[list[RelatedLink]]]  # Feature.related_links


async def links_for(kind: str, target_id: int) -> list[RelatedLink]:
    """What other features link to this content (`kind`: "proposal", "consultation"), in the
    order of the installed features."""
    links: list[RelatedLink] = []
    for feature in features.FEATURES:  # read at call time: loading is lazy
        if feature.related_links is not None:
            links.extend(await feature.related_links(kind, target_id))
    return links
