"""What the route walkers need to know about the images' route (tests/security/walks.py walks
the core concepts of `CORE_WALKS` like the features): a stored picture in the world, held by a
proposal of the owner that a moderator hid, so the row says who sees an image: whoever sees
what holds it (its author, moderators and administrators), nobody else (issue #22)."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from participation.contributions import ModerationState
from participation.pictures import images, services
from participation.settings import Settings
from tests.participation.proposal_factories import make_proposal
from tests.pictures.helpers import png
from tests.security.walks import HIDDEN, MISSING, PAGE, Walks
from tests.security.world import World


async def _seed(settings: Settings, world: World) -> None:
    picture = await services.store(images.prepare(png(320, 200)), "Un dessin")
    hidden = ModerationState.HIDDEN  # published, then hidden by a moderator
    await make_proposal(world.owner, title="Image masquée", image_id=picture.id, moderation_state=hidden)
    world.ids.update(key=picture.key, width=320)


# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /images/{key}/{width}":                                 (HIDDEN,  PAGE,    HIDDEN,  PAGE,    HIDDEN,  PAGE,    HIDDEN),
}
# fmt: on

WALKS = Walks(
    seed=_seed,
    matrix=MATRIX,
    not_found=(f"/images/{'A' * 22}/400", f"/images/{MISSING}/400"),
    exempt={
        "pictures:image": "an image, not a page (its text alternative is audited on the pages that show it)",
    },
)
