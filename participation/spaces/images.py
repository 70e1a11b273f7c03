"""A space's image: checked, resized and re-encoded server-side with Pillow.

What a browser sends is never stored as sent: the file is opened by Pillow only when it is one
of the formats below, refused over `MAX_BYTES` or `MAX_PIXELS` (checked on the header, before
any pixel is decoded: a small file may declare a huge picture), and what is stored is a new
JPEG (or PNG when the picture has transparency) at most `MAX_WIDTH` pixels wide, without the
original's metadata (camera, GPS position). Pure: bytes in, bytes out."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from participation.i18n import N_
from participation.refusals import refuse

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 20_000_000
MAX_WIDTH = 1200
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")


@dataclass(frozen=True)
class Picture:
    data: bytes
    content_type: str
    width: int
    height: int


def prepare(raw: bytes, field: str = "image") -> Picture:
    """The picture to store, or `Refused` on `field` with a message a person understands."""
    if len(raw) > MAX_BYTES:
        raise refuse(N_("The image is over 5 MB: choose a smaller file."), field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=FORMATS) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise refuse(
                        N_("The image is over 20 megapixels: choose a smaller picture."), field
                    )
                opened.load()
                picture = ImageOps.exif_transpose(opened)
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise refuse(
            N_("This file is not an image: choose a JPEG, PNG, GIF or WebP file."), field
        ) from None
    if picture.width > MAX_WIDTH:
        height = max(1, round(picture.height * MAX_WIDTH / picture.width))
        picture = picture.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if picture.mode in ("RGBA", "LA", "P") and _transparent(picture):
        picture.convert("RGBA").save(out, "PNG", optimize=True)
        content_type = "image/png"
    else:
        picture.convert("RGB").save(out, "JPEG", quality=82, optimize=True, progressive=True)
        content_type = "image/jpeg"
    return Picture(out.getvalue(), content_type, picture.width, picture.height)


def _transparent(picture: Image.Image) -> bool:
    if picture.mode == "P":
        return "transparency" in picture.info
    lowest, _ = picture.getchannel("A").getextrema()
    return int(lowest) < 255  # type: ignore[arg-type]
