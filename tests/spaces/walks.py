"""What the route walkers need to know about the spaces' routes (tests/security/walks.py, which
walks the core concepts of `CORE_WALKS` like the features): the world's space with its image
and a step, who may use each route, valid and wrong data for each POST, the pages axe audits."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from PIL import Image
from tortoise import timezone

from participation.people.models import SpaceRole
from participation.pictures import images, services
from participation.settings import Settings
from participation.spaces.models import Space, SpaceStep
from tests.security.walks import (
    DENIED,
    DONE,
    FORM,
    LOGIN,
    MISSING,
    PAGE,
    Ctx,
    Data,
    Step,
    Walks,
)
from tests.security.world import World


def drawing() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), "seagreen").save(out, "PNG")
    return out.getvalue()


async def _seed(settings: Settings, world: World) -> None:
    now = timezone.now()
    space = await Space.create(
        title="Budget participatif",
        slug="budget-participatif",
        starts_at=now - timedelta(days=10),
        ends_at=now + timedelta(days=50),
        published=True,
        # its image, one of the core's pictures (participation/pictures: its route's walk)
        image_id=(await services.store(images.prepare(drawing()), "Un dessin")).id,
    )
    step = await SpaceStep.create(
        space=space,
        title="Vote",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=9),
    )
    world.ids.update(space_id=space.id, step_id=step.id, space_slug=space.slug)
    # a role in the space (issue #18): the site's moderator also moderates this space (the
    # access matrix's withdrawal takes it away: a site moderator sees every case anyway)
    held = await SpaceRole.create(user=world.moderator, space=space, role="moderator")
    world.ids["role_id"] = held.id


# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /demarches":                                            (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /demarches/{space_slug}":                               (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /demarches/{space_slug}/feed.atom":                     (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /admin/spaces":                                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/spaces/new":                                     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/spaces/new":                                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/spaces/{space_id}":                              (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/spaces/{space_id}":                             (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/spaces/{space_id}/archive":                     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/spaces/{space_id}/delete":                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "GET /admin/spaces/{space_id}/steps/new":                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/spaces/{space_id}/steps/new":                   (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/spaces/{space_id}/steps/{step_id}":              (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/spaces/{space_id}/steps/{step_id}":             (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/spaces/{space_id}/steps/{step_id}/remove":      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
}
# fmt: on

SPACE = {
    "title": "Boîte à idées",
    "slug": "boite-a-idees",
    "summary": "Vos idées pour la commune.",
    "starts_at": "2031-01-05T09:00",
    "audience": "signed_in",
    "published": "yes",
    "image_alt": "Un dessin",
}
STEP = {"title": "Analyse", "starts_at": "2031-02-01T09:00", "ends_at": "2031-03-01T18:00"}


async def _current_version(ctx: Ctx) -> Data:
    space = await Space.get(id=ctx.world.ids["space_id"])
    return {**SPACE, "title": "Budget participatif 2031", "version": str(space.version)}


async def _fresh_step(ctx: Ctx) -> dict[str, Any]:
    step = await SpaceStep.create(
        space_id=ctx.world.ids["space_id"], title="À retirer", starts_at=timezone.now()
    )
    return {**ctx.world.ids, "step_id": step.id}


async def _empty_space(ctx: Ctx) -> dict[str, Any]:
    space = await Space.create(title="Vide", slug="vide", starts_at=timezone.now())
    return {**ctx.world.ids, "space_id": space.id}


WALKS = Walks(
    seed=_seed,
    matrix=MATRIX,
    steps=[
        Step("spaces:admin_new", "admin", SPACE, files={"image": ("dessin.png", drawing())}),
        Step("spaces:admin_edit", "admin", _current_version),
        Step("spaces:admin_step_new", "admin", STEP),
        Step("spaces:admin_step", "admin", STEP),
        Step("spaces:admin_step_remove", "admin", ids=_fresh_step),
        Step("spaces:admin_archive", "admin", {"archived": "yes"}),
        Step("spaces:admin_delete", "admin", ids=_empty_space),
    ],
    refused=[
        Step(
            "spaces:admin_new", "admin", {**SPACE, "slug": "autre", "ends_at": "2030-01-01T09:00"}
        ),
        Step(
            "spaces:admin_new",
            "admin",
            {**SPACE, "slug": "autre"},
            files={"image": ("x.png", b"pas une image")},
        ),
        Step("spaces:admin_step_new", "admin", {**STEP, "title": ""}),
    ],
    not_found=(
        f"/demarches/{MISSING}",
        f"/demarches/{MISSING}/feed.atom",
        f"/admin/spaces/{MISSING}",
        f"/admin/spaces/{MISSING}/steps/new",
    ),
    audited={
        "spaces:index": "spaces/test_browser",
        "spaces:detail": "spaces/test_browser",
        "spaces:admin_index": "spaces/test_browser",
        "spaces:admin_new": "spaces/test_browser",
        "spaces:admin_edit": "spaces/test_browser",
        "spaces:admin_step_new": "spaces/test_browser",
        "spaces:admin_step": "spaces/test_browser",
    },
    exempt={
        "spaces:feed": "Atom feed, not a page (tests/spaces/test_feed.py parses it)",
    },
)
