"""Pictures for the demo town, drawn here with Pillow (shapes and colours: no photo is
downloaded), stored through the core service like an upload. A feature's demo asks one by
theme: `await stored("velo", "Des arceaux à vélo devant une école")` gives its picture id."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PIL import Image, ImageDraw

from participation.pictures import services
from participation.pictures.images import Prepared, renditions_of

SIZE = (1200, 600)
Drawing = Callable[[ImageDraw.ImageDraw], None]


def _street(draw: ImageDraw.ImageDraw, sky: tuple[int, int, int]) -> None:
    draw.rectangle((0, 0, *SIZE), fill=sky)
    draw.rectangle((0, 440, 1200, 600), fill=(170, 170, 165))  # pavement
    draw.rectangle((0, 430, 1200, 446), fill=(120, 120, 118))  # kerb


def _bicycle(draw: ImageDraw.ImageDraw, x: int, colour: tuple[int, int, int]) -> None:
    for wheel in (x, x + 170):
        draw.ellipse((wheel - 60, 420, wheel + 60, 540), outline=(40, 40, 40), width=10)
    frame = [(x, 480), (x + 70, 400), (x + 170, 480), (x + 60, 480), (x, 480)]
    draw.line(frame, fill=colour, width=12, joint="curve")
    draw.line((x + 70, 400, x + 130, 400), fill=colour, width=10)
    draw.line((x + 60, 400, x + 50, 370), fill=(40, 40, 40), width=10)  # saddle post


def _bikes(draw: ImageDraw.ImageDraw) -> None:
    _street(draw, (214, 234, 248))
    draw.rectangle((60, 120, 520, 430), fill=(236, 214, 180), outline=(150, 110, 80), width=6)
    draw.text((150, 150), "ÉCOLE", fill=(120, 80, 60))  # Pillow's own font: no download
    for x in range(620, 1160, 110):  # racks
        draw.arc((x, 380, x + 80, 540), 180, 360, fill=(60, 90, 140), width=14)
    _bicycle(draw, 700, (214, 80, 60))
    _bicycle(draw, 930, (60, 150, 110))


def _garden(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 0, *SIZE), fill=(226, 240, 222))
    draw.rectangle((0, 360, 1200, 600), fill=(150, 110, 70))  # soil
    for bed in range(4):
        left = 60 + bed * 290
        draw.rectangle((left, 390, left + 240, 560), fill=(110, 80, 50), outline=(80, 60, 40))
        for plant in range(4):
            cx = left + 30 + plant * 60
            draw.ellipse((cx - 22, 330, cx + 22, 400), fill=(70, 150, 80))
    draw.rectangle((900, 150, 1100, 360), fill=(120, 90, 60), outline=(80, 60, 40), width=6)
    for y in range(180, 360, 40):  # the compost bin's slats
        draw.line((900, y, 1100, y), fill=(90, 65, 45), width=4)


def _trees(draw: ImageDraw.ImageDraw) -> None:
    _street(draw, (222, 238, 246))
    for n, x in enumerate(range(80, 1200, 180)):
        radius = 70 + (n % 3) * 15
        draw.rectangle((x - 12, 300, x + 12, 440), fill=(110, 80, 50))
        draw.ellipse((x - radius, 300 - 2 * radius, x + radius, 330), fill=(50 + n * 8, 130, 70))


def _court(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 0, *SIZE), fill=(236, 228, 246))
    draw.polygon([(100, 580), (300, 260), (900, 260), (1100, 580)], fill=(214, 110, 70))
    draw.line([(300, 260), (100, 580)], fill="white", width=6)
    draw.line([(900, 260), (1100, 580)], fill="white", width=6)
    draw.arc((440, 300, 760, 460), 0, 180, fill="white", width=6)
    draw.rectangle((590, 90, 610, 300), fill=(70, 70, 80))  # post
    draw.rectangle((520, 80, 680, 180), fill="white", outline=(70, 70, 80), width=6)
    draw.ellipse((800, 420, 880, 500), fill=(240, 140, 40), outline=(90, 50, 20), width=4)


def _benches(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 0, *SIZE), fill=(210, 232, 244))
    draw.rectangle((0, 300, 1200, 380), fill=(120, 170, 210))  # the river
    draw.rectangle((0, 380, 1200, 600), fill=(200, 190, 160))  # the quay
    for x in (150, 650):
        draw.ellipse((x - 40, 60, x + 260, 300), fill=(70, 140, 80))  # shade
        draw.rectangle((x + 100, 200, x + 120, 420), fill=(110, 80, 50))
        draw.rectangle((x, 470, x + 220, 490), fill=(140, 95, 55))  # seat
        draw.rectangle((x, 430, x + 220, 448), fill=(140, 95, 55))  # back
        for leg in (x + 20, x + 190):
            draw.rectangle((leg, 490, leg + 12, 540), fill=(60, 60, 60))


THEMES: dict[str, Drawing] = {
    "velo": _bikes,
    "jardin": _garden,
    "arbres": _trees,
    "basket": _court,
    "bancs": _benches,
}


def drawn(theme: str) -> Image.Image:
    image = Image.new("RGB", SIZE)
    THEMES[theme](ImageDraw.Draw(image))
    return image


@cache
def rendered(theme: str) -> Prepared:
    """The renditions of `theme`'s drawing, encoded once per process: the same bytes each time
    (frozen), and encoding them was a third of the demo's CPU, paid again by every test that
    loads the demo town."""
    return renditions_of(drawn(theme))


async def stored(theme: str, alt: str) -> int:
    """The id of a new picture of `theme` (one of THEMES) with its text alternative."""
    picture = await services.store(rendered(theme), alt)
    return picture.id
