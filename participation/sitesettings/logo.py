"""The logo an administrator uploads, checked and resized before it is stored (Pillow).

Refused: more than 5 MB, not an image Pillow can read (PNG, JPEG, GIF, WebP), more than 20
megapixels (a "decompression bomb" is refused before its pixels are decoded). Kept: a PNG of at
most 480 × 160 pixels (the header shows it at most 80 pixels high), without the file's
metadata (EXIF: camera, place).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from participation.i18n import N_

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 20_000_000
BOX = (480, 160)
FORMATS = ("PNG", "JPEG", "GIF", "WEBP")


@dataclass(frozen=True)
class Logo:
    png: bytes
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.png).hexdigest()[:32]


class LogoRefused(ValueError):
    """`message` is a msgid."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def prepare(data: bytes) -> Logo:
    """The logo to store, or LogoRefused with why."""
    if len(data) > MAX_BYTES:
        raise LogoRefused(N_("The logo must be at most 5 MB."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise LogoRefused(N_("The logo must be at most 20 megapixels."))
                image.load()
                picture = image.convert("RGBA")
    except LogoRefused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,
    ):
        raise LogoRefused(
            N_("This file is not an image we can read: send a PNG, JPEG, GIF or WebP file.")
        ) from None
    picture.thumbnail(BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return Logo(out.getvalue(), picture.width, picture.height)
