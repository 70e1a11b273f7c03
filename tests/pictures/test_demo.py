"""The demo town's images: drawn by the demo (no photo downloaded), stored like uploads, shown
on the proposals they illustrate; running the demo again adds none; the drawings are pure."""

from __future__ import annotations

from typing import Any

import httpx

from meetings import demo as meetings_demo
from meetings.models import Meeting
from participation.demo import create_accounts
from participation.pictures import demo as drawings
from participation.pictures.models import Picture
from participation.proposals import demo
from participation.proposals.models import Proposal
from participation.settings import Settings


def test_every_theme_is_drawn_the_same_each_time() -> None:
    for theme in drawings.THEMES:
        image = drawings.drawn(theme)
        assert image.size == drawings.SIZE
        assert image.tobytes() == drawings.drawn(theme).tobytes()
        assert len(image.getcolors(maxcolors=100_000) or []) > 3  # a drawing, not a blank


async def test_demo_proposals_carry_drawn_images(
    app: Any, client: httpx.AsyncClient, settings: Settings
) -> None:
    users = await create_accounts(settings)
    for _ in range(2):  # idempotent: no second set of images
        await demo.load(settings, users)
    assert await Picture.all().count() == len(demo.IMAGES)
    racks = await Proposal.get(title="Des arceaux à vélo devant l'école Jules-Ferry")
    picture = await Picture.get(id=racks.image_id)  # type: ignore[arg-type]
    assert (picture.width, picture.height) == (1200, 600) and picture.alt
    page = await client.get(f"/proposals/{racks.id}")
    assert f'alt="{picture.alt}"' in page.text
    served = await client.get(f"/images/{picture.key}/800")
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"


async def test_a_demo_meeting_carries_a_drawn_image(app: Any, settings: Settings) -> None:
    users = await create_accounts(settings)
    await meetings_demo.load(settings, users)
    workshop = await Meeting.get(title="Villebelle · Atelier mobilités douces")
    assert workshop.image_id is not None
    assert await Meeting.filter(image_id=None).count() == await Meeting.all().count() - 1
