"""What the route walkers need to know about the images' route (tests/security/walks.py walks
the core concepts of `CORE_WALKS` like the features): a stored picture in the world, public to
everyone (its key is the secret: random, new for each upload)."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from participation.pictures import images, services
from participation.settings import Settings
from tests.pictures.helpers import png
from tests.security.walks import MISSING, PAGE, Walks
from tests.security.world import World


async def _seed(settings: Settings, world: World) -> None:
    picture = await services.store(images.prepare(png(320, 200)), "Un dessin")
    world.ids.update(key=picture.key, width=320)


# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /images/{key}/{width}":                                 (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
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
