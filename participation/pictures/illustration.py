"""The illustration of what has no image: a pattern drawn from a seed (issue #22). Pure.

The seed is what the thing is about: its category's name, else its space's title, else its
own title; so every proposal of "Mobilité" wears the same pattern, and a page never shows a
broken box. The same seed always gives the same SVG (a SHA-256 of the seed, its `key`, picks
the palette and each cell's shape), byte for byte, in every process. A page shows it as an
image, decorative (empty alternative text), from /static/patterns/<key>.svg?v=<hash of the
drawing> (participation/pictures/routes.py), cached for a year: one file per category for the
whole site, not a kilobyte of SVG inline in every card (issue #22, page weight)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from markupsafe import Markup

COLUMNS, ROWS, CELL = 8, 4, 40  # a 320 x 160 drawing, shown cropped to its box

# (background, shapes, accent): light tints with mid-tone shapes; decorative, so no contrast rule
PALETTES: tuple[tuple[str, str, str], ...] = (
    ("#e3eefc", "#6c8fd3", "#f0b44c"),
    ("#e5f4ec", "#4f9a72", "#e07a5f"),
    ("#fcebe3", "#d9774f", "#3d6fa8"),
    ("#f1e9fb", "#8a6cc7", "#4fae9b"),
    ("#fbf3dc", "#c9a227", "#5a7fb5"),
    ("#e2f3f5", "#3d9aa6", "#d96c8a"),
    ("#f8e6ee", "#c25b86", "#6aa46a"),
    ("#ebece6", "#7b8a5e", "#c8783c"),
)


@dataclass(frozen=True)
class Pattern:
    palette: tuple[str, str, str]
    shapes: str  # path data in the shapes' colour
    accents: str  # path data in the accent colour


def _cell(kind: int, x: int, y: int) -> str:
    """Path data of one cell's shape at (x, y), in integer units."""
    h = CELL // 2
    if kind == 0:  # a disc
        return f"M{x + 8} {y + h}a12 12 0 1 0 24 0a12 12 0 1 0-24 0"
    if kind == 1:  # a quarter disc
        return f"M{x} {y}h{CELL}a{CELL} {CELL} 0 0 1-{CELL} {CELL}z"
    if kind == 2:  # a triangle
        return f"M{x} {y + CELL}l{h} -{CELL}l{h} {CELL}z"
    if kind == 3:  # a half disc
        return f"M{x} {y + CELL}a{h} {h} 0 0 1 {CELL} 0z"
    if kind == 4:  # a small square
        return f"M{x + 12} {y + 12}h16v16h-16z"
    return ""  # 5 to 7: an empty cell


def key(seed: str) -> str:
    """The SHA-256 of `seed` (case and surrounding spaces aside), in hexadecimal: the address
    of its pattern."""
    return hashlib.sha256(seed.strip().casefold().encode("utf-8")).hexdigest()


def is_key(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def pattern(seed: str) -> Pattern:
    """The pattern of `seed` (any text; case and surrounding spaces do not matter)."""
    return pattern_of_key(key(seed))


def pattern_of_key(hexdigest: str) -> Pattern:
    """The pattern whose `key` is `hexdigest`."""
    digest = bytes.fromhex(hexdigest)
    palette = PALETTES[digest[0] % len(PALETTES)]
    shapes: list[str] = []
    accents: list[str] = []
    for index in range(COLUMNS * ROWS):
        byte = digest[1 + index % (len(digest) - 1)] ^ (index * 37 & 0xFF)
        kind = byte % 8
        path = _cell(kind, (index % COLUMNS) * CELL, (index // COLUMNS) * CELL)
        if path:
            (accents if byte >> 5 == 0 else shapes).append(path)
    return Pattern(palette, "".join(shapes), "".join(accents))


WIDTH, HEIGHT = COLUMNS * CELL, ROWS * CELL


@functools.lru_cache(maxsize=1024)
def drawing(hexdigest: str) -> tuple[bytes, str]:
    """The SVG file of the pattern whose `key` is `hexdigest`, and 12 hex digits of its own
    SHA-256 (the address's version: a change of the drawing is a new address)."""
    drawn = pattern_of_key(hexdigest)
    background, colour, accent = drawn.palette
    body = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" preserveAspectRatio="xMidYMid slice">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{background}"/>'
        f'<path d="{drawn.shapes}" fill="{colour}" fill-opacity=".7"/>'
        f'<path d="{drawn.accents}" fill="{accent}"/></svg>\n'
    ).encode("ascii")
    return body, hashlib.sha256(body).hexdigest()[:12]


def svg(seed: str) -> bytes:
    """The SVG file of `seed`'s pattern."""
    return drawing(key(seed))[0]


def img(seed: str, address: str) -> Markup:
    """The <img> of `seed`'s pattern, served at `address` (its route's path): decorative, an
    empty alternative text; its width and height reserve its box before it loads. Not lazy:
    a kilobyte, one file per category and cached, so a card scrolled into view never shows
    its box empty first (a picture's renditions are lazy: templates/_pictures.html)."""
    version = drawing(key(seed))[1]
    return Markup(
        f'<img class="illustration" src="{address}?v={version}" alt="" width="{WIDTH}" '
        f'height="{HEIGHT}" decoding="async">'
    )
