"""Holes in a shared part of a page (participation/sharedparts.py, issue #23): where the viewer's
own value goes. A hole is a marker holding a random word drawn per process: text a resident
wrote cannot contain one, so nobody can make another resident's token appear in their own text.
Apart from participation/sharedparts.py so that the templates' environment
(participation/templating.py, `hole` is a Jinja global) needs neither the page cache nor Redis.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from markupsafe import Markup

_NONCE = secrets.token_hex(8)
_HOLE = re.compile("\x00" + _NONCE + r"\|([^\x00]*)\x00")


def hole(*names: Any) -> Markup:
    """A place for the viewer's own value in a shared part (a Jinja global): `hole("csrf")`,
    `hole("vote", comment_id, "up")`; `hole("[name", ...)` ... `hole("]")` surrounds a range
    the request keeps or replaces (`fill`)."""
    return Markup("\x00" + _NONCE + "|" + "|".join(str(n) for n in names) + "\x00")


def split(html: str) -> tuple[str | tuple[str, ...], ...]:
    """`html` cut at its holes: its text, and each hole as the tuple of its names."""
    pieces: list[str | tuple[str, ...]] = []
    for i, piece in enumerate(_HOLE.split(html)):
        if i % 2:
            pieces.append(tuple(piece.split("|")))
        elif piece:
            pieces.append(piece)
    return tuple(pieces)
