"""The site's icon, drawn here: a white tick on a rounded dark-blue square (the site's primary
colour). `svg()` is the vector icon; `ico()` draws the same shapes into 16 and 32 px bitmaps
(PNG inside an ICO, which every current browser reads) with the standard library alone.

The files served (static/favicon.svg, static/favicon.ico) are this module's output, and a test
checks they still are: after changing the drawing, run `python -m participation.favicon`.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

BLUE = (0x00, 0x00, 0x91)
WHITE = (0xFF, 0xFF, 0xFF)
SIZE = 32.0  # the drawing's own units, as in the SVG's viewBox
RADIUS = 6.0  # of the square's corners
TICK = ((8.0, 16.5), (13.5, 22.0), (24.0, 10.0))  # the tick's three points
STROKE = 4.0  # the tick's width (round ends and joint)
SAMPLES = 8  # per side of each pixel: 64 samples give smooth edges


def svg() -> str:
    (x0, y0), (x1, y1), (x2, y2) = TICK
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<rect width="32" height="32" rx="{RADIUS:g}" fill="#000091"/>'
        f'<path d="M{x0:g} {y0:g}L{x1:g} {y1:g}L{x2:g} {y2:g}" fill="none" stroke="#fff" '
        f'stroke-width="{STROKE:g}" stroke-linecap="round" stroke-linejoin="round"/>'
        "</svg>\n"
    )


def _in_square(x: float, y: float) -> bool:
    """Inside the square with rounded corners."""
    cx = min(max(x, RADIUS), SIZE - RADIUS)
    cy = min(max(y, RADIUS), SIZE - RADIUS)
    return 0 <= x <= SIZE and 0 <= y <= SIZE and math.hypot(x - cx, y - cy) <= RADIUS


def _on_tick(x: float, y: float) -> bool:
    """Within half the stroke of one of the tick's two segments (round ends, round joint)."""
    for (ax, ay), (bx, by) in zip(TICK, TICK[1:], strict=False):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        if math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= STROKE / 2:
            return True
    return False


def pixels(size: int) -> list[list[tuple[int, int, int, int]]]:
    """The icon at `size` x `size` pixels, RGBA, each pixel averaged over its samples."""
    scale = SIZE / size
    rows = []
    for row in range(size):
        line = []
        for column in range(size):
            inside = white = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (column + (sx + 0.5) / SAMPLES) * scale
                    y = (row + (sy + 0.5) / SAMPLES) * scale
                    if _in_square(x, y):
                        inside += 1
                        white += _on_tick(x, y)
            alpha = inside / SAMPLES**2
            share = white / inside if inside else 0.0
            red, green, blue = (
                round(b + (w - b) * share) for b, w in zip(BLUE, WHITE, strict=True)
            )
            line.append((red, green, blue, round(alpha * 255)))
        rows.append(line)
    return rows


def png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(
        b"\x00" + bytes(channel for pixel in line for channel in pixel) for line in pixels(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(sizes: tuple[int, ...] = (16, 32)) -> bytes:
    """An ICO file holding one PNG per size."""
    images = [png(size) for size in sizes]
    offset = 6 + 16 * len(images)
    directory = struct.pack("<HHH", 0, 1, len(images))
    for size, image in zip(sizes, images, strict=True):
        directory += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return directory + b"".join(images)


def write(static_dir: Path) -> None:
    (static_dir / "favicon.svg").write_text(svg())
    (static_dir / "favicon.ico").write_bytes(ico())


if __name__ == "__main__":  # python -m participation.favicon [static directory]
    from participation.templating import STATIC_DIR

    write(Path(sys.argv[1]) if len(sys.argv) > 1 else STATIC_DIR)
