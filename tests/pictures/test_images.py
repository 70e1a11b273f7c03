"""The core image service, pure: widths never upscaled, renditions re-encoded without metadata,
refusals with their messages, the image form's rules, the illustration's determinism."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from participation.pictures import illustration, images
from participation.pictures.forms import image_change
from participation.refusals import Refused


def picture(width: int, height: int, fmt: str = "PNG", mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "teal").save(out, fmt, **save)
    return out.getvalue()


@pytest.mark.parametrize(
    ("width", "widths"),
    [
        (3000, (400, 800, 1200)),
        (1200, (400, 800, 1200)),
        (1000, (400, 800, 1000)),
        (800, (400, 800)),
        (600, (400, 600)),
        (400, (400,)),
        (120, (120,)),
    ],
)
def test_widths_are_never_wider_than_the_upload(width: int, widths: tuple[int, ...]) -> None:
    assert images.widths_for(width) == widths


def test_a_large_picture_gets_three_webp_renditions_in_proportion() -> None:
    prepared = images.prepare(picture(2400, 1200))
    sizes = [(r.width, r.height, r.content_type) for r in prepared.renditions]
    assert sizes == [(400, 200, "image/webp"), (800, 400, "image/webp"), (1200, 600, "image/webp")]
    for rendition in prepared.renditions:
        with Image.open(io.BytesIO(rendition.data)) as stored:
            assert (stored.format, stored.size) == ("WEBP", (rendition.width, rendition.height))
    assert (prepared.width, prepared.height) == (1200, 600)


def test_metadata_is_stripped_and_orientation_applied() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Appareil secret"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show it upright
    raw = picture(300, 100, "JPEG", exif=exif.tobytes(), comment=b"GPS 47.9,1.9")
    [rendition] = images.prepare(raw).renditions
    assert b"Appareil secret" not in rendition.data and b"GPS" not in rendition.data
    with Image.open(io.BytesIO(rendition.data)) as stored:
        assert stored.size == (100, 300)  # upright
        assert not stored.getexif() and "exif" not in stored.info


def test_transparency_is_kept() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    [rendition] = images.prepare(out.getvalue()).renditions
    with Image.open(io.BytesIO(rendition.data)) as stored:
        assert stored.mode == "RGBA"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", images.NOT_AN_IMAGE),
        (b"%PDF-1.4 not an image", images.NOT_AN_IMAGE),
        (picture(10, 10)[:40], images.NOT_AN_IMAGE),  # truncated
        (picture(10, 10, "BMP"), images.NOT_AN_IMAGE),  # an image, not a format we take
        (b"\x00" * (images.MAX_BYTES + 1), images.TOO_BIG),
        (picture(5000, 5000, mode="1"), images.TOO_MANY_PIXELS),  # small file, 25 megapixels
    ],
)
def test_refused_on_the_field_with_its_message(raw: bytes, message: str) -> None:
    with pytest.raises(Refused) as refused:
        images.prepare(raw, "image")
    [problem] = refused.value.problems
    assert (problem.field, problem.message) == ("image", message)


def test_the_form_asks_for_a_text_alternative_with_an_image() -> None:
    with pytest.raises(Refused) as refused:
        image_change(picture(20, 10), {"image_alt": "  "}, has_image=False)
    assert [p.field for p in refused.value.problems] == ["image_alt"]
    with pytest.raises(Refused) as both:
        image_change(b"not an image", {}, has_image=False)
    assert [p.field for p in both.value.problems] == ["image", "image_alt"]
    with pytest.raises(Refused):  # keeping an image keeps its text alternative required
        image_change(None, {"image_alt": ""}, has_image=True)
    with pytest.raises(Refused) as long:
        image_change(picture(20, 10), {"image_alt": "x" * 301}, has_image=False)
    assert [p.field for p in long.value.problems] == ["image_alt"]


def test_the_form_changes() -> None:
    assert image_change(None, {"image_alt": "ignored"}, has_image=False) is None
    new = image_change(picture(20, 10), {"image_alt": " Un banc "}, has_image=True)
    assert new is not None and new.prepared is not None and new.alt == "Un banc"
    removed = image_change(None, {"remove_image": "yes"}, has_image=True)
    assert removed is not None and removed.remove and removed.prepared is None
    kept = image_change(None, {"image_alt": "Un autre texte"}, has_image=True)
    assert kept is not None and (kept.prepared, kept.remove, kept.alt) == (
        None,
        False,
        "Un autre texte",
    )


def test_an_illustration_is_the_same_for_the_same_seed_and_differs_between_seeds() -> None:
    first = illustration.svg("Mobilité")
    assert first == illustration.svg("Mobilité") == illustration.svg("  mobilité ")
    seeds = ["Mobilité", "Environnement", "Culture", "Sport", "Solidarité", "Propreté"]
    drawn = {illustration.svg(seed) for seed in seeds}
    assert len(drawn) == len(seeds)
    assert len({illustration.pattern(seed).palette for seed in seeds}) > 1


def test_an_illustration_is_a_small_file_shown_as_a_decorative_image() -> None:
    drawn = illustration.svg("Un titre <script>")
    assert b" id=" not in drawn and b"<script" not in drawn and b"<text" not in drawn
    assert len(drawn) < 2500
    assert drawn.startswith(b"<svg ") and drawn.endswith(b"</svg>\n")
    key = illustration.key("Un titre <script>")
    assert illustration.is_key(key) and not illustration.is_key(key.upper())
    assert illustration.drawing(key)[0] == drawn
    shown = str(illustration.img("Mobilité", "/static/patterns/k.svg"))
    version = illustration.drawing(illustration.key("Mobilité"))[1]
    assert shown == (
        f'<img class="illustration" src="/static/patterns/k.svg?v={version}" alt="" '
        'width="320" height="160" decoding="async">'
    )


def test_every_form_reads_an_image_with_the_same_limits_in_its_own_words() -> None:
    """One reader (`images.opened`) for the images of contributions and spaces (one service
    since participation.0033) and the site's logo: the same limits, each form's sentences on
    its own field."""
    from participation.sitesettings import logo

    too_big = b"\x00" * (images.MAX_BYTES + 1)
    readers = (
        (images.prepare, "image", images.TOO_BIG),
        (logo.prepare, "logo", logo.WORDING.too_big),
    )
    for prepare, field, message in readers:
        with pytest.raises(Refused) as refused:
            prepare(too_big)
        assert [(p.field, p.message) for p in refused.value.problems] == [(field, message)]
    assert logo.WORDING.too_big == "The logo must be at most 5 MB."
