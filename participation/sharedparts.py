"""The part of a signed-in page that is the same for every resident, rendered once per write and
shared; only the personal part rendered per request (issue #23).

A signed-in page is never served from the page cache (participation/pagecache.py): its header,
its forms' CSRF token and the viewer's own state (their support, their votes, their own
comments' links) are theirs. But most of what the heaviest pages show is not: a proposal's
comment thread, the cards of the proposals list. Such a part is rendered once with **holes**
where a resident's own state goes (`hole(...)` in the template, with a neutral resident,
`SHARED_RESIDENT`, standing in for the viewer), kept in this process as the pages are (the page
cache's generation: emptied by every write that may change a page, at most `PAGE_CACHE_SECONDS`),
and each request fills the holes with the viewer's own values in one pass (`fill_in`: values by
kind and by name, put in place by index and joined once). The part keeps what its content
needs in the page's head (htmx, the staff stylesheet, Leaflet: participation/assets.py), read
once when it is rendered, so that a request served from the store does not read its HTML again.

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
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from participation import assets, pagecache
from participation.holes import Cut, Names, hole, split
from participation.holes import fill as fill_cut

__all__ = ["SHARED_RESIDENT", "Part", "fill_in", "hole", "key_of", "kept", "shared"]

MAX_PARTS = 1000  # per process, as the page cache's pages
STORE = "shared_parts"  # the store of `pagecache.kept` the parts and their data are in


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
    cut: Cut  # its HTML cut at its holes
    # what the rendering read that a request served from the store needs (the ids shown...)
    data: Any = None
    # what its content needs in the page's head, outside its ranges; None when what a range
    # holds needs more (a request then reads its filled HTML: `fill_in`)
    needs: assets.Needs | None = None

    @property
    def pieces(self) -> tuple[str | Names, ...]:
        """Its text, and each hole as the tuple of its names."""
        return self.cut.pieces


def _needs_of(cut: Cut) -> assets.Needs | None:
    """What every filling of `cut` needs but its ranges' replacements: its text outside the
    ranges read once, holes left out; None when a range's own text needs more (whether it is
    kept then decides)."""
    outside = assets.needs(cut.outside())
    for inside in cut.interiors():
        if outside | assets.needs(inside) != outside:
            return None
    return outside


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
        cut = split(html)
        return Part(cut, data, _needs_of(cut))

    entry = await pagecache.kept(request, STORE, key, rendered, MAX_PARTS)
    return None if entry is None else entry.value  # type: ignore[no-any-return]


async def kept(
    request: Request, key: tuple[Hashable, ...], read: Callable[[], Awaitable[Any]]
) -> Any | None:
    """What `read()` returns, kept with the parts (the same store, generation and bound) under
    `key` (`key_of`), for data a page reads once per write and renders per request (the
    proposal page's rows, a consultation and its space's rule); None when nothing can be kept
    (the cache off, Redis down)."""
    entry = await pagecache.kept(request, STORE, key, read, MAX_PARTS)
    return None if entry is None else entry.value


_NONE: Mapping[Names, str | None] = {}


def fill_in(
    part: Part, kinds: Mapping[str, str | None], named: Mapping[Names, str | None] = _NONE
) -> Markup:
    """The part's HTML with its holes filled in one pass (participation/holes.py `fill`): each
    hole the value of its names in `named`, else of its kind (first name) in `kinds`; values
    already escaped. A range (`hole("[name", ...)` ... `hole("]")`) with no value or None keeps
    what the shared rendering put there, a string replaces it. A hole with no value is an
    error. The result carries what its content needs in the page's head (`assets.Known`):
    the part's, and what its ranges' replacements need (read: the viewer's few own links)."""
    html = fill_cut(part.cut, kinds, named)
    needs = part.needs
    if needs is None or any(v and k[:1] == "[" for k, v in kinds.items()):
        # a range holds what the rest needs not, or every range of a kind is given the same
        # markup (which of them it replaces is `named`'s to say): read the filled HTML
        return assets.known(html, assets.needs(html))
    at = part.cut.at
    for names, value in named.items():
        if value and names[0][:1] == "[" and names in at:
            needs |= assets.needs(value)
    return assets.known(html, needs)
