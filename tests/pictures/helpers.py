"""Images as a browser sends them, for the HTTP tests of the image fields."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from participation.pictures import services
from participation.pictures.images import renditions_of
from participation.pictures.models import Picture
from tests.conftest import csrf_token


def png(width: int = 1600, height: int = 900, colour: str = "orange") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


async def send(
    client: httpx.AsyncClient, url: str, data: dict[str, str], image: bytes | None = None
) -> httpx.Response:
    """A form with an image field as a browser sends it: multipart, with its CSRF token; no
    file chosen: the part with an empty name and no content."""
    fields = {**data, "csrf_token": await csrf_token(client)}
    files = {"image": ("photo.png", image) if image is not None else ("", b"")}
    return await client.post(url, data=fields, files=files)


async def stored(alt: str = "Un banc face à la Loire", width: int = 500) -> Picture:
    """A picture stored as an upload is (400 and `width` px wide), held by nothing yet."""
    return await services.store(renditions_of(Image.new("RGB", (width, 300), "teal")), alt)
