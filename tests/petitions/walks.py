"""What the route walkers need to know about the throwaway feature's routes
(tests/security/walks.py): the world's petition, who may use each route, why axe does not
audit them. tests/test_new_feature.py checks that the walkers pick them up."""

from __future__ import annotations

from participation.contributions import ModerationState
from participation.settings import Settings
from tests.petitions.models import Petition
from tests.security.walks import PAGE, Walks
from tests.security.world import World


async def _seed(settings: Settings, world: World) -> None:
    petition = await Petition.create(
        title="Une pétition pour le square",
        body="<p>Des bancs au square.</p>",
        author_id=world.owner.id,
        moderation_state=ModerationState.VISIBLE,
    )
    world.ids["petition_id"] = petition.id


WALKS = Walks(
    seed=_seed,
    # the throwaway's two plain-text pages check no role: everyone gets them
    matrix={
        "GET /petitions/{petition_id}": (PAGE, PAGE, PAGE, PAGE, PAGE, PAGE, PAGE),
        "GET /admin/petitions": (PAGE, PAGE, PAGE, PAGE, PAGE, PAGE, PAGE),
    },
    exempt={
        "petitions:detail": "plain text of a feature installed by the tests only",
        "petitions:admin_index": "plain text of a feature installed by the tests only",
    },
)
