"""Photos of reports: checked, resized and re-encoded on the server (Pillow), no database.

A file is accepted when it is at most MAX_BYTES and Pillow recognises it as a JPEG, PNG, WebP or
GIF image of at most MAX_PIXELS. It is then decoded, turned upright (EXIF orientation), shrunk
to at most MAX_SIDE pixels on its longer side and re-encoded as a new JPEG: the new file carries
no metadata at all (no EXIF, no GPS position, no camera serial number), since only the pixels
are written. Faces and number plates in the picture are the resident's responsibility: the form
says so.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from participation.i18n import N_
from participation.refusals import Refused, refuse

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "MPO")  # MPO: the JPEG of some phones

NOT_AN_IMAGE = N_("This file is not a photo: send a JPEG, PNG or WebP image.")
TOO_BIG = N_("This photo is larger than 10 MB: send a smaller one.")


@dataclass(frozen=True)
class Processed:
    data: bytes  # JPEG, without metadata
    width: int
    height: int


def process(content: bytes, field: str = "photos") -> Processed:
    """The photo to store, or Refused (on `field`) when it is not an acceptable image."""
    if len(content) > MAX_BYTES:
        raise refuse(TOO_BIG, field)
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format not in FORMATS:
                raise refuse(NOT_AN_IMAGE, field)
            if probe.width * probe.height > MAX_PIXELS:
                raise refuse(NOT_AN_IMAGE, field)
            probe.verify()  # a truncated or forged file fails here
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright = upright.convert("RGB")
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            # a new image from the pixels only: no exif=, no icc_profile=, no comment
            clean = Image.new("RGB", upright.size)
            clean.paste(upright)
            clean.save(out, "JPEG", quality=82, optimize=True)
            return Processed(out.getvalue(), clean.width, clean.height)
    except Refused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise refuse(NOT_AN_IMAGE, field) from None
