"""The part of a signed-in page that is the same for every resident, rendered once per write and
shared; only the personal part rendered per request (issue #23).

A signed-in page is never served from the page cache (participation/pagecache.py): its header,
its forms' CSRF token and the viewer's own state (their support, their votes, their own
comments' links) are theirs. But most of what the heaviest pages show is not: a proposal's
comment thread, the cards of the proposals list. Such a part is rendered once with **holes**
where a resident's own state goes (`hole(...)` in the template, with a neutral resident,
`SHARED_RESIDENT`, standing in for the viewer), kept in this process as the pages are (the page
cache's generation: emptied by every write that may change a page, at most `PAGE_CACHE_SECONDS`),
and each request fills the holes with the viewer's own values by plain string substitution
(`fill`).

What keeps it from showing one resident's things to another:
- the shared rendering never sees the viewer: the template gets `SHARED_RESIDENT` (signed in, no
  id, no role) and holes, never `csrf_token`, the viewer's support or votes;
- the key of a part names what decides it without reading it (a proposal's thread: the
  proposal, the address and its query, whether the viewer may comment; the proposals list: its
  parameters read from the query, normalised); the rows are read with the rendering, by a
  visitor's rules, and a hit reads none; a route shares a part only when what the viewer may
  see of it is what every resident sees (no moderator, nothing awaiting moderation or
  unpublished in it): a viewer with a comment of their own awaiting moderation or hidden on
  the proposal (the page's facts tell, in the statement that reads their votes), or with a
  proposal of their own the list would show them and not a visitor (one EXISTS), gets the
  thread or the list read and rendered for them alone;
- a hole is a marker with a random word drawn per process (participation/holes.py): text a
  resident wrote cannot contain one, so nobody can make another resident's token appear in
  their own text.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from participation import pagecache
from participation.holes import hole, split

__all__ = ["SHARED_RESIDENT", "Part", "fill", "hole", "key_of", "shared"]

MAX_PARTS = 1000  # per process, as the page cache's pages


class _SharedResident:
    """Who a shared part is rendered for: a signed-in resident with no id and no role, so a
    template's `user.id == author` is never true and no staff or moderator action shows."""

    is_authenticated = True
    id = None
    is_moderator = False
    is_staff = False
    email_confirmed_at = None
    display_name = ""


SHARED_RESIDENT = _SharedResident()


@dataclass(frozen=True)
class Part:
    pieces: tuple[str | tuple[str, ...], ...]  # text, and holes by their names
    # what the rendering read that a request served from the store needs (the ids shown...)
    data: Any = None


def key_of(
    request: Request, *what: Hashable, query: Hashable | None = None
) -> tuple[Hashable, ...]:
    """A part's key: what the route read to render it (`what`), with what else changes any
    rendering: the address and its query, the language, the site settings' version. `query`:
    what the route reads of the query, normalised (the proposals list: its `ListParams`), in
    place of the query as written, so that addresses that mean the same share the part."""
    if query is None:
        query = "&".join(sorted(request.url.query.split("&"))) if request.url.query else ""
    settings_version = str(getattr(request.scope.get("site"), "version", ""))
    return (request.url.path, query, request.scope["language"], settings_version, *what)


Rendered = str | tuple[str, Any]  # a part's HTML, or its HTML and its data


async def shared(
    request: Request,
    key: tuple[Hashable, ...],
    render: Callable[[], Rendered] | Callable[[], Awaitable[Rendered]],
) -> Part | None:
    """The part stored under `key`, rendered with `render()` (with holes; a coroutine function
    may read what the part shows, so that a request served from the store reads nothing; it
    may return `(html, data)`: `data`, what it read that each request needs, is kept as the
    part's `data`) if it is not stored at the current generation; None when parts cannot be
    kept (the cache off, Redis down): the route then renders the page for the viewer as before."""

    async def rendered() -> Part:
        result = render()
        if inspect.isawaitable(result):
            result = await result
        html, data = result if isinstance(result, tuple) else (result, None)
        return Part(split(html), data)

    entry = await pagecache.kept(request, "shared_parts", key, rendered, MAX_PARTS)
    return None if entry is None else entry.value  # type: ignore[no-any-return]


Filler = Callable[[tuple[str, ...]], str | None]


def fill(part: Part, filler: Filler) -> Markup:
    """The part's HTML with each hole filled by `filler(names)` (the text to put there, already
    escaped). For a range (`hole("[name", ...)` ... `hole("]")`), `filler` returns None to keep
    what the shared rendering put there, or the text to put instead."""
    out: list[str] = []
    skipping = False
    for piece in part.pieces:
        if isinstance(piece, str):
            if not skipping:
                out.append(piece)
        elif piece[0] == "]":
            skipping = False
        elif not skipping:
            value = filler(piece)
            if piece[0].startswith("["):
                if value is not None:
                    out.append(value)
                    skipping = True
            elif value is None:
                raise ValueError(f"a hole nobody fills: {piece}")
            else:
                out.append(value)
    return Markup("".join(out))
