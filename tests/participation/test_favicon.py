"""/favicon.ico answers with the site's own icon (no more 404 in every browser's first visit),
cached for long, and every page links it; the files served are what participation/favicon.py
draws, so the icon is ours and can be drawn again."""

from __future__ import annotations

import re
import struct
import zlib

import httpx

from participation import favicon
from participation.templating import STATIC_DIR


def _png_pixels(data: bytes) -> tuple[int, bytes]:
    """The size and raw RGBA rows (filter byte first) of one of our PNGs."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    position, size, idat = 8, 0, b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">I", body[:4])[0]
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    return size, zlib.decompress(idat)


async def test_the_favicon_is_served_cached_and_linked(client: httpx.AsyncClient) -> None:
    response = await client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/vnd.microsoft.icon"
    max_age = re.search(r"max-age=(\d+)", response.headers["cache-control"])
    assert max_age and int(max_age.group(1)) >= 7 * 24 * 3600
    assert response.content == (STATIC_DIR / "favicon.ico").read_bytes()
    svg = await client.get("/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "max-age" in svg.headers["cache-control"]
    home = (await client.get("/")).text
    assert '<link rel="icon" href="/favicon.ico"' in home
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in home


def test_the_served_icons_are_the_ones_drawn_here() -> None:
    assert (STATIC_DIR / "favicon.svg").read_text() == favicon.svg()
    data = (STATIC_DIR / "favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 2)
    for number in range(count):
        entry = data[6 + 16 * number : 6 + 16 * (number + 1)]
        width, height, _, _, _, bits, length, offset = struct.unpack("<BBBBHHII", entry)
        size, rows = _png_pixels(data[offset : offset + length])
        assert width == height == size and bits == 32
        drawn = b"".join(
            b"\x00" + bytes(c for pixel in line for c in pixel) for line in favicon.pixels(size)
        )
        assert rows == drawn, f"static/favicon.ico ({size} px) is not what favicon.py draws"
