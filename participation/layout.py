"""The layout around every page, rendered once for everyone alike and filled per request (issue
#23): the header (templates/_header.html: the person's account links and menu, the language
switch) and the footer (templates/_footer.html).

A signed-in page is rendered for its viewer, and its layout was too: about half of what a
proposal's page still cost per request once its content was shared (participation/sharedparts.py,
docs/performance.md). What the layout shows of the person is little: their CSRF token, display
name, unread notifications' count, and which of its links is the current page. So the header is
rendered once per **variant** with **holes** in those places (participation/holes.py) and each
request fills them by plain string substitution, escaped as the template would have: the variant
is what the template branches on, nothing else of the person: signed in or not, the sections
they may follow (`nav_links`: a moderator's, an evaluator's, staff's...), desk officer or not;
with the language, the site's name, its settings' version (logo, colours) and accessibility
compliance. Nothing a write changes other than the site's settings (versioned, in the key) goes
into it, so it is kept without the page cache's generation; a bounded store per process.

What keeps one person's things from another's: the shared rendering gets holes, never the
viewer's token, name or count; a hole is a marker with a word drawn per process that text a
person wrote (their display name) cannot contain.

With the page cache off (`PAGE_CACHE_SECONDS=0`), as every shared part, the layout is rendered
for the person (`alone`): what tests compare it with, byte for byte
(tests/participation/test_shared_layout.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from participation.holes import Cut, Names, fill, hole, split

MAX_LAYOUTS = 256  # per process: languages × variants × settings' versions

CURRENT = Markup('aria-current="page"')
_NOT_CURRENT = Markup("")


def _variant(user: Any, links: Callable[[Any], list[Any]]) -> tuple[bool, tuple[Any, ...], bool]:
    """What the header branches on, of the person: signed in, the sections, desk officer."""
    return (
        bool(getattr(user, "is_authenticated", False)),
        tuple(links(user)),
        bool(getattr(user, "is_agent", False)),
    )


def _person_values(user: Any, csrf: str, path: str) -> dict[str, str]:
    """The header's holes filled for this person and page, escaped as `{{ }}` escapes."""
    return {
        "csrf": str(escape(csrf)),
        "unread": str(escape(getattr(user, "unread_notifications", 0))),
        "display_name": str(escape(getattr(user, "display_name", ""))),
        "here": str(escape(path)),
    }


def alone(env: Environment, template: str, context: Context, user: Any, links: list[Any]) -> str:
    """The layout's `template` rendered for this person and page (no hole)."""
    path = context["request"].url.path
    values = {
        "csrf": context["csrf_token"],
        "signed_in": bool(getattr(user, "is_authenticated", False)),
        "unread": getattr(user, "unread_notifications", 0),
        "display_name": getattr(user, "display_name", ""),
        "here": path,
        "current": lambda href: CURRENT if path.startswith(href) else _NOT_CURRENT,
        "links": links,
        "is_agent": bool(getattr(user, "is_agent", False)),
    }
    return env.get_template(template).render(_common(context), **values)


def _common(context: Context) -> dict[str, Any]:
    """What the layout reads that is not the person's: the site's name, settings, language."""
    return {
        "language": context.get("language"),
        "site_name": context.get("site_name"),
        "site": context.get("site"),
        "accessibility_compliance": context.get("accessibility_compliance"),
    }


@dataclass(frozen=True, eq=False)
class _Kept:
    """A layout kept: its HTML cut at its holes, the names of its links' `current` holes, and
    its HTML as it is when it has no hole at all (the footer: nothing to fill per request)."""

    cut: Cut
    current: tuple[Names, ...]
    whole: Markup | None


def _shared(env: Environment, template: str, context: Context, variant: tuple[Any, ...]) -> _Kept:
    """The layout's `template` for everyone with this `variant`, with holes, kept."""
    site = context.get("site")
    # the settings' version covers what the browser saves (the logo with its size, the colour,
    # the site's name once saved); the site's name at version 0 and the accessibility
    # compliance are the environment's (what a test's settings or a restart change)
    key: tuple[Hashable, ...] = (
        template,
        context.get("language"),
        getattr(site, "version", None),
        context.get("site_name"),
        context.get("accessibility_compliance"),
        variant,
    )
    state = context["request"].app.state
    store: dict[Hashable, _Kept] | None = getattr(state, "layouts", None)
    if store is None:
        store = state.layouts = {}
    kept = store.get(key)
    if kept is None:
        signed_in, links, is_agent = variant
        html = env.get_template(template).render(
            _common(context),
            csrf=hole("csrf"),
            signed_in=signed_in,
            unread=hole("unread"),
            display_name=hole("display_name"),
            here=hole("here"),
            current=lambda href: hole("current", href),
            links=list(links),
            is_agent=is_agent,
        )
        cut = split(html)
        whole = None if cut.at else Markup(fill(cut, {}))
        kept = _Kept(cut, tuple(cut.names_of("current")), whole)
        if len(store) >= MAX_LAYOUTS:
            store.pop(next(iter(store)))  # the oldest
        store[key] = kept
    return kept


def _filled(kept: _Kept, values: dict[str, str], path: str) -> Markup:
    """The layout with the person's `values` (by kind) and the current link (the path starts
    with its `href`), in one pass (participation/holes.py); a layout with no hole as kept."""
    if kept.whole is not None:
        return kept.whole
    current = {names: CURRENT if path.startswith(names[1]) else "" for names in kept.current}
    return Markup(fill(kept.cut, values, current))


def layout_global(links: Callable[[Any], list[Any]]) -> Callable[..., Markup]:
    """The Jinja global `layout(template)` (base.html): the header or the footer around the
    page, shared and filled, or rendered alone when shared parts are not kept. `links`: the
    header's sections a person may follow (`templating.nav_links`)."""

    @pass_context
    def layout(context: Context, template: str) -> Markup:
        env = context.environment
        request = context["request"]
        user = context.get("user")
        settings = request.scope.get("settings") or request.app.state.settings
        if settings.page_cache_seconds <= 0:
            return Markup(alone(env, template, context, user, links(user)))
        path = request.url.path
        if template != "_header.html":  # the footer: the same for everyone, no hole
            return _filled(_shared(env, template, context, (False, (), False)), {}, path)
        kept = _shared(env, template, context, _variant(user, links))
        return _filled(kept, _person_values(user, context["csrf_token"], path), path)

    return layout
