"""A space's image: read by the core's image service (participation/pictures: the upload by
`web.read`, the picture by `images.opened`, with the same formats, limits and messages as every
image of the platform), then stored at one width.

What is stored is a new JPEG (or PNG when the picture has transparency) at most `MAX_WIDTH`
pixels wide, drawn from the pixels alone (no metadata: camera, GPS position). Pure: bytes in,
bytes out. (The space keeps its one rendition in its own table, `spaces_image`, as before the
core service existed; proposals and budget projects use the core's renditions and route.)"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from participation.pictures.images import height_at, opened, pixels_only

MAX_WIDTH = 1200


@dataclass(frozen=True)
class Picture:
    data: bytes
    content_type: str
    width: int
    height: int


def prepare(raw: bytes, field: str = "image") -> Picture:
    """The picture to store, or `Refused` on `field` with a message a person understands."""
    picture = pixels_only(opened(raw, field))
    if picture.width > MAX_WIDTH:
        height = height_at(picture.width, picture.height, MAX_WIDTH)
        picture = picture.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if picture.mode == "RGBA":
        picture.save(out, "PNG", optimize=True)
        content_type = "image/png"
    else:
        picture.save(out, "JPEG", quality=82, optimize=True, progressive=True)
        content_type = "image/jpeg"
    return Picture(out.getvalue(), content_type, picture.width, picture.height)
