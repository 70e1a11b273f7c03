"""Whatever logo a town uploads (at most 480 x 160 pixels, shown at most 80 px high), the header
keeps to the screen: no page scrolls sideways at 320 or 390 px (WCAG 1.4.10), the logo keeps its
proportions, and the town's name stays whole. A wide banner logo (12:1) was shown 480 px wide on
every phone; a square one beside a long name squeezed the name to a letter a line."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from participation import demo
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import LiveServer

LONG_NAME = "Saint-Rémy-de-Provence-et-Environs"
# Where the header sits on the screen: the page's width, the logo's box, the name's.
MEASURE = """() => {
    const box = el => { const r = el.getBoundingClientRect();
                        return {left: r.left, right: r.right, width: r.width, height: r.height}; };
    return {page: document.documentElement.scrollWidth, screen: window.innerWidth,
            logo: box(document.querySelector('.site-logo')),
            name: box(document.querySelector('.site-name-text')),
            loaded: document.querySelector('.site-logo').complete};
}"""


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 0, 145)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("logo_size", "shown"),
    [((960, 80), (480, 40)), ((480, 160), (240, 80)), ((160, 160), (80, 80))],
    ids=["banner", "wide", "square"],
)
async def test_any_logo_keeps_the_header_on_a_phone_screen(
    live_server: LiveServer, context_for: Any, logo_size: tuple[int, int], shown: tuple[int, int]
) -> None:
    async def seed(settings: Settings) -> None:
        staff = await seeds.someone(settings, "mairie@example.org", Role.ADMIN)
        await demo.site_identity(settings, staff, name=LONG_NAME, logo=_png(*logo_size))

    await live_server.seed(seed)
    live_server.start()
    page = await (await context_for()).new_page()
    await page.goto(live_server.url + "/")
    ratio = shown[0] / shown[1]
    for width in (320, 390, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        found = await page.evaluate(MEASURE)
        assert found["loaded"]
        assert found["page"] <= found["screen"], f"{width} px: the page scrolls sideways {found}"
        logo, name = found["logo"], found["name"]
        assert logo["right"] <= width and name["right"] <= width, f"{width} px: {found}"
        # its proportions kept (within a pixel's rounding), never enlarged
        assert abs(logo["width"] - logo["height"] * ratio) <= ratio + 1, f"{width} px: {found}"
        assert logo["width"] <= shown[0]
        # the name is words on a line or two, not a letter a line (a 20 px font's line ~26 px)
        assert name["height"] <= 3 * 30, f"{width} px: the name is squeezed {found}"
        if width == 1280:  # a wide screen shows the logo at the size it carries
            assert (round(logo["width"]), round(logo["height"])) == shown
