"""The logo an administrator uploads, checked and resized before it is stored (Pillow).

Read by the platform's one reader of uploaded images (participation/pictures/images.py:
`opened`, its formats and limits: more than 5 MB, not a PNG, JPEG, GIF or WebP image, more than
20 megapixels are refused, a "decompression bomb" before its pixels are decoded), with the
logo's own sentences. Kept: a PNG of at most 480 × 160 pixels (the header shows it at most 80
pixels high), upright, without the file's metadata (EXIF: camera, place).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image

from participation.i18n import N_
from participation.pictures.images import Wording, opened

FIELD = "logo"
BOX = (480, 160)
WORDING = Wording(
    too_big=N_("The logo must be at most 5 MB."),
    too_many_pixels=N_("The logo must be at most 20 megapixels."),
    not_an_image=N_("This file is not an image we can read: send a PNG, JPEG, GIF or WebP file."),
)


@dataclass(frozen=True)
class Logo:
    png: bytes
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.png).hexdigest()[:32]


def prepare(data: bytes) -> Logo:
    """The logo to store, or `Refused` on the `logo` field with why."""
    picture = opened(data, FIELD, WORDING).convert("RGBA")
    picture.thumbnail(BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return Logo(out.getvalue(), picture.width, picture.height)
