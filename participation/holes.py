"""Holes in a shared part of a page (participation/sharedparts.py, participation/layout.py, issue
#23): where the viewer's own value goes, and how a request fills them.

A hole is a marker holding a random word drawn per process: text a resident wrote cannot contain
one, so nobody can make another resident's token appear in their own text. A part is cut at its
holes once, when it is rendered (`split`: a `Cut`); each request fills it in one pass (`fill`):
its values given by kind (every hole whose first name is that word: the CSRF token, a vote's
"false") and by name (the few that differ for this viewer: their votes, their answers), put in
place by index and joined once. A hole costs the request no Python call of its own: the
proposal page's 198 holes (two per comment for the votes, the CSRF fields) were about 40 % of
its route when each was one call.

Apart from participation/sharedparts.py so that the templates' environment
(participation/templating.py, `hole` is a Jinja global) needs neither the page cache nor Redis.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

_NONCE = secrets.token_hex(8)
_HOLE = re.compile("\x00" + _NONCE + r"\|([^\x00]*)\x00")

Names = tuple[str, ...]  # a hole's names, as strings: ("vote", "12", "-1")
END = ("]",)  # the end of a range


def hole(*names: Any) -> Markup:
    """A place for the viewer's own value in a shared part (a Jinja global): `hole("csrf")`,
    `hole("vote", comment_id, "up")`; `hole("[name", ...)` ... `hole("]")` surrounds a range
    the request keeps or replaces (`fill`). Ranges do not nest."""
    return Markup("\x00" + _NONCE + "|" + "|".join(str(n) for n in names) + "\x00")


@dataclass(frozen=True, eq=False)
class Cut:
    """HTML cut at its holes, ready to be filled in one pass (`fill`). Never changed once made
    (a part is shared by every request of the process)."""

    pieces: tuple[str | Names, ...]  # its text, and each hole as the tuple of its names
    texts: tuple[str | None, ...]  # the same, each hole None (a range's end: "")
    kinds: Mapping[str, tuple[int, ...]]  # where the holes of each kind (first name) are
    at: Mapping[Names, tuple[int, ...]]  # where each hole is, by its names
    ranges: tuple[tuple[int, int], ...]  # each range's start and end, in `texts`

    def names_of(self, kind: str) -> list[Names]:
        """The holes of `kind`, each once (the layout's links: `("current", href)`)."""
        return [names for names in self.at if names[0] == kind]

    def outside(self) -> str:
        """Its text outside every range, holes left out (what every filling keeps)."""
        inside = {i for start, end in self.ranges for i in range(start, end + 1)}
        return "".join(t for i, t in enumerate(self.texts) if t and i not in inside)

    def interiors(self) -> list[str]:
        """Each range's text as rendered (what a request keeps or replaces), holes left out."""
        return ["".join(t for t in self.texts[start + 1 : end] if t) for start, end in self.ranges]


def split(html: str) -> Cut:
    """`html` cut at its holes (participation/sharedparts.py keeps the `Cut` with the part)."""
    pieces: list[str | Names] = []
    for i, piece in enumerate(_HOLE.split(html)):
        if i % 2:
            pieces.append(tuple(piece.split("|")))
        elif piece:
            pieces.append(piece)
    texts: list[str | None] = []
    kinds: dict[str, list[int]] = {}
    at: dict[Names, list[int]] = {}
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for i, piece in enumerate(pieces):
        if isinstance(piece, str):
            texts.append(piece)
        elif piece == END:
            if start is None:
                raise ValueError("a range's end with no start")
            ranges.append((start, i))
            start = None
            texts.append("")
        else:
            if piece[0].startswith("["):
                if start is not None:
                    raise ValueError(f"ranges do not nest: {piece} inside another")
                start = i
            kinds.setdefault(piece[0], []).append(i)
            at.setdefault(piece, []).append(i)
            texts.append(None)
    if start is not None:
        raise ValueError("a range with no end")
    return Cut(
        tuple(pieces),
        tuple(texts),
        {kind: tuple(where) for kind, where in kinds.items()},
        {names: tuple(where) for names, where in at.items()},
        tuple(ranges),
    )


_NOTHING: Mapping[Any, str | None] = {}


def fill(
    cut: Cut, kinds: Mapping[str, str | None], named: Mapping[Names, str | None] = _NOTHING
) -> str:
    """`cut`'s HTML with its holes filled, in one pass: each hole gets the value of its names
    in `named`, else of its kind (its first name) in `kinds`. Values are put as given: text is
    escaped by the caller, as `{{ }}` would have. A range (`hole("[name", ...)` ... `hole("]")`)
    whose value is None or absent keeps what the shared rendering put there; a string replaces
    it (holes inside included). A hole outside a replaced range with no value, or None, is an
    error (a hole nobody fills). Names in `named` that the part has not are ignored, so a
    caller may name what it knows (a viewer's votes) without asking what the part shows."""
    out: list[str | None] = list(cut.texts)
    for kind, value in kinds.items():
        for i in cut.kinds.get(kind, ()):
            out[i] = value
    for names, value in named.items():
        for i in cut.at.get(names, ()):
            out[i] = value
    for start, end in cut.ranges:
        if out[start] is None:  # kept as rendered
            out[start] = ""
        else:  # replaced: its inside left out
            out[start + 1 : end] = [""] * (end - start - 1)
    try:
        return "".join(out)  # type: ignore[arg-type]
    except TypeError:
        missing = next(cut.pieces[i] for i, text in enumerate(out) if text is None)
        raise ValueError(f"a hole nobody fills: {missing}") from None
