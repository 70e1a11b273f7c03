"""An uploaded image: checked, then re-encoded server-side at a few widths. Pure: bytes in, bytes
out (no HTTP, no database).

What a browser sends is never stored as sent. The file is opened by Pillow only when it is one
of `FORMATS`, refused over `MAX_BYTES` or `MAX_PIXELS` (checked on the header, before any pixel
is decoded: a small file may declare a huge picture), turned upright (EXIF orientation) and
drawn again from its pixels alone, so that no metadata survives (camera, GPS position, comments,
colour profile). `opened` is the one reader of an uploaded image for every form (the images of
what residents write, a space's image, the site's logo): the same formats and limits, each form
with its own sentences (`Wording`). Each width of `WIDTHS` narrower than the picture gets a
rendition, and the picture's own width (at most the largest of `WIDTHS`) the last one: never
upscaled. Renditions are WebP (transparency kept), which every browser the platform supports
shows."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from participation.i18n import N_
from participation.refusals import Refused, refuse

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 20_000_000
WIDTHS = (400, 800, 1200)
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")  # a phone's MPO is opened as the JPEG it starts with
CONTENT_TYPE = "image/webp"
QUALITY = 80

TOO_BIG = N_("The image is over 5 MB: choose a smaller file.")
TOO_MANY_PIXELS = N_("The image is over 20 megapixels: choose a smaller picture.")
NOT_AN_IMAGE = N_("This file is not an image: choose a JPEG, PNG, GIF or WebP file.")


@dataclass(frozen=True)
class Wording:
    """What a refused file is told (msgids): an image's, unless a form says it otherwise (the
    site's logo: participation/sitesettings/logo.py)."""

    too_big: str = TOO_BIG
    too_many_pixels: str = TOO_MANY_PIXELS
    not_an_image: str = NOT_AN_IMAGE


IMAGE = Wording()


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes
    content_type: str = CONTENT_TYPE


@dataclass(frozen=True)
class Prepared:
    """The renditions to store, narrowest first; the last one is the picture at its largest."""

    renditions: tuple[Rendition, ...]

    @property
    def width(self) -> int:
        return self.renditions[-1].width

    @property
    def height(self) -> int:
        return self.renditions[-1].height


def widths_for(width: int, widths: tuple[int, ...] = WIDTHS) -> tuple[int, ...]:
    """The widths of the renditions of a picture `width` pixels wide: those of `widths` that
    are narrower, then the picture's own width, capped at the largest (never upscaled)."""
    largest = min(width, max(widths))
    return (*(w for w in sorted(widths) if w < largest), largest)


def height_at(width: int, height: int, new_width: int) -> int:
    return max(1, round(height * new_width / width))


def opened(raw: bytes, field: str = "image", wording: Wording = IMAGE) -> Image.Image:
    """The picture in `raw`, upright and fully decoded, or `Refused` on `field` with a message
    a person understands (too heavy, too many pixels, not an image: `wording`)."""
    if len(raw) > MAX_BYTES:
        raise refuse(wording.too_big, field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise refuse(wording.too_many_pixels, field)
                image.load()
                upright = ImageOps.exif_transpose(image)
                upright.load()
                return upright
    except Refused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise refuse(wording.not_an_image, field) from None


def has_transparency(picture: Image.Image) -> bool:
    if picture.mode == "P":
        return "transparency" in picture.info
    if picture.mode not in ("RGBA", "LA", "PA"):
        return False
    lowest, _ = picture.getchannel("A").getextrema()
    return int(lowest) < 255  # type: ignore[arg-type]


def pixels_only(picture: Image.Image) -> Image.Image:
    """A new image holding `picture`'s pixels and nothing else (no EXIF, ICC profile, comment):
    RGBA when it has transparency, else RGB."""
    mode = "RGBA" if has_transparency(picture) else "RGB"
    converted = picture.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def prepare(raw: bytes, field: str = "image", widths: tuple[int, ...] = WIDTHS) -> Prepared:
    """The renditions to store for the uploaded `raw`, or `Refused` on `field`."""
    picture = pixels_only(opened(raw, field))
    return renditions_of(picture, widths)


def renditions_of(picture: Image.Image, widths: tuple[int, ...] = WIDTHS) -> Prepared:
    """`picture` (already checked, e.g. drawn by the demo) encoded at each of its widths."""
    out: list[Rendition] = []
    for width in widths_for(picture.width, widths):
        height = height_at(picture.width, picture.height, width)
        resized = (
            picture
            if width == picture.width
            else picture.resize((width, height), Image.Resampling.LANCZOS)
        )
        buffer = io.BytesIO()
        resized.save(buffer, "WEBP", quality=QUALITY, method=4)
        out.append(Rendition(width, height, buffer.getvalue()))
    return Prepared(tuple(out))
