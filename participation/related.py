"""Links between contents of different features, without one importing the other.

A meeting's minutes link the proposals and consultations it produced; their pages show the
meeting back, yet neither proposals nor consultations import meetings. A feature registers a
provider under its name (its manifest); a page asks `links_for(kind, id)` and shows them with
`templates/_related.html`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RelatedLink:
    label: str  # msgid: what the link is ("Discussed at the public meeting")
    title: str
    url: str
    on: datetime | None = None


Provider = Callable[[str, int], Awaitable[list[RelatedLink]]]
PROVIDERS: dict[str, Provider] = {}  # feature name -> provider


async def links_for(kind: str, target_id: int) -> list[RelatedLink]:
    """What other features link to this content (`kind`: "proposal", "consultation")."""
    return [link for provider in PROVIDERS.values() for link in await provider(kind, target_id)]
