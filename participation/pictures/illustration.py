"""The illustration of what has no image: a pattern drawn from a seed (issue #22). Pure.

The seed is what the thing is about: its category's name, else its space's title, else its
own title; so every proposal of "Mobilité" wears the same pattern, and a page never shows a
broken box. The same seed always gives the same SVG (a SHA-256 of the seed picks the palette
and each cell's shape), byte for byte, in every process. Decorative: `aria-hidden`, no text,
no id (several on one page never clash), a few hundred bytes inline."""

from __future__ import annotations

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


def pattern(seed: str) -> Pattern:
    """The pattern of `seed` (any text; case and surrounding spaces do not matter)."""
    digest = hashlib.sha256(seed.strip().casefold().encode("utf-8")).digest()
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


def svg(seed: str) -> Markup:
    """The inline SVG of `seed`'s pattern: decorative (hidden from assistive technologies)."""
    drawn = pattern(seed)
    background, colour, accent = drawn.palette
    width, height = COLUMNS * CELL, ROWS * CELL
    return Markup(
        f'<svg class="illustration" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" preserveAspectRatio="xMidYMid slice" aria-hidden="true" '
        f'focusable="false" xmlns="http://www.w3.org/2000/svg">'
        f'<rect width="{width}" height="{height}" fill="{background}"/>'
        f'<path d="{drawn.shapes}" fill="{colour}" fill-opacity=".7"/>'
        f'<path d="{drawn.accents}" fill="{accent}"/></svg>'
    )
