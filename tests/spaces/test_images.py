"""A space's image: resized and re-encoded; not an image, too heavy, too many pixels refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from participation.pictures.images import MAX_BYTES
from participation.refusals import Refused
from participation.spaces import images


def picture(width: int, height: int, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "teal").save(out, fmt)
    return out.getvalue()


def test_a_large_picture_is_resized_and_reencoded() -> None:
    stored = images.prepare(picture(2400, 1200))
    assert (stored.width, stored.height, stored.content_type) == (1200, 600, "image/jpeg")
    assert Image.open(io.BytesIO(stored.data)).size == (1200, 600)


def test_transparency_is_kept_as_png() -> None:
    stored = images.prepare(picture(100, 50, mode="RGBA"))
    # a fully opaque RGBA picture becomes a JPEG; a transparent one stays a PNG
    assert stored.content_type == "image/jpeg"
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    assert images.prepare(out.getvalue()).content_type == "image/png"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not an image"),
        (b"%PDF-1.4 not an image", "not an image"),
        (picture(10, 10)[:40], "not an image"),  # truncated
        (b"\x00" * (MAX_BYTES + 1), "over 5 MB"),
    ],
)
def test_refused(raw: bytes, message: str) -> None:
    with pytest.raises(Refused) as refused:
        images.prepare(raw)
    assert message in refused.value.problems[0].message
    assert refused.value.problems[0].field == "image"


def test_too_many_pixels_refused_before_decoding() -> None:
    # 5000 x 5000 = 25 megapixels, a small file (one colour compresses well)
    raw = picture(5000, 5000, "PNG", mode="1")
    assert len(raw) < MAX_BYTES
    with pytest.raises(Refused) as refused:
        images.prepare(raw)
    assert "20 megapixels" in refused.value.problems[0].message
