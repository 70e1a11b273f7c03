"""Jinja2 rendering: one environment, translated with the request's language.

One route, two renderings: `render(..., fragment=...)` answers htmx requests (HX-Request) with
just the fragment, and every response says `Vary: HX-Request`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from participation import (
    assets,
    features,
    formatting,
    geocoding,
    holes,
    i18n,
    layout,
    permissions,
    richtext,
    urls,
)
from participation.accounts.domain import FORMER_PARTICIPANT
from participation.counter.domain import COMMENT_LABELS, PROPOSAL_LABELS, Channel
from participation.pictures import illustration, images
from participation.sitepages import domain as sitepages_domain

TEMPLATE_DIR = assets.web_files("templates")
STATIC_DIR = assets.STATIC_DIR


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    # `_()` and `gettext` straight to ours, not through Jinja's `_` alias (one call less each)
    env.globals["_"] = env.globals["gettext"] = _gettext
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
    env.globals["translate"] = i18n.gettext
    env.filters["public_name"] = public_name
    env.filters["filed_label"] = filed_label  # « déposée au guichet » (participation/counter)
    env.filters["collected_label"] = collected_label  # a comment's « recueilli au guichet »
    env.filters["richtext"] = richtext.render
    env.filters["page_source"] = richtext.page_source  # a content page's edit form
    env.filters["summary"] = richtext.summary  # a page's meta description (base.html)
    # every date, time and number shown goes through participation/formatting.py (Babel)
    env.filters["money"] = formatting.format_money
    env.filters["percent"] = formatting.format_percent  # a share: 0.8 -> 80,0 %
    env.filters["points"] = formatting.format_points  # already in points: 80.0 -> 80,0 %
    env.filters["number"] = formatting.format_number
    env.filters["datetime"] = formatting.format_datetime
    env.filters["date"] = formatting.format_date
    env.filters["time"] = formatting.format_time
    env.filters["deadline"] = formatting.format_deadline
    env.globals["colon"] = formatting.colon
    env.globals["ngettext"] = _ngettext
    env.globals["admin_lines"] = admin_lines
    env.globals["feed_links"] = feed_links  # the head's Atom feeds (Feature.feeds)
    # the head around them, rendered once per what it shows, not per request (base.html)
    env.globals["head_links"] = head_links
    env.globals["head_scripts"] = head_scripts
    env.globals["SITE_PAGES"] = sitepages_domain.PAGES  # the footer's links
    env.globals["COMPLIANCE"] = sitepages_domain.COMPLIANCE
    env.globals["options_of"] = options_of
    env.globals["hole"] = holes.hole  # the viewer's own value in a shared part
    env.globals["place_options"] = geocoding.place_options  # the places an address matched
    # url("budgets:project", budget_id=1, project_id=2) -> the path, from the routes the app
    # compiled once (participation/urls.py); `query=` and `anchor=` add the rest
    env.globals["url"] = urls.url
    # images (issue #22): the renditions' widths of a picture, a loaded picture or None, the
    # pattern drawn for what has none (templates/_pictures.html)
    env.globals["picture_widths"] = images.widths_for
    env.globals["picture_of"] = picture_of
    env.globals["illustration"] = illustration_img
    # what a page links (participation/assets.py): a file's address with its content's hash,
    # and whether the page's content uses htmx and the staff stylesheet
    env.globals["asset_url"] = assets.asset_url
    env.globals["page_needs"] = assets.needs
    # the header and the footer around a page: rendered once for everyone alike, holes filled
    # with the person's token, name, count and current page (participation/layout.py)
    env.globals["layout"] = layout.layout_global(nav_links)
    return env


def illustration_img(seed: str) -> Markup:
    """The <img> of the pattern drawn for `seed` (participation/pictures/illustration.py)."""
    return illustration.img(seed, urls.url("pictures:pattern", pattern=illustration.key(seed)))


def picture_of(row: Any) -> Any:
    """The `Picture` of `row` (a proposal, a budget project...) when its query loaded it
    (`select_related("image")`), else None: a template never awaits a relation."""
    if getattr(row, "image_id", None) is None:
        return None
    return getattr(row, "_image", None)


def nav_links(user: Any) -> list[features.NavLink]:
    """The header's feature links (`Feature.nav`) that `user` may follow: everyone's first, in
    the order of `features.INSTALLED`, then those of a role, each asked to the predicate its
    routes ask (moderation: `permissions.can_reach_moderation`, the budgets' evaluation:
    `permissions.can_reach_evaluation`, so the link and the access never disagree)."""
    may = (
        bool(permissions.can_reach_moderation(user)),
        bool(permissions.can_reach_evaluation(user)),
        bool(permissions.can_administer(user)),
    )
    installed = features.installed()
    kept = _NAV.values_for(installed)
    found = kept.get(may)
    if found is None:  # once per process and set of permissions (8 at most)
        allowed = {"": True, "moderator": may[0], "evaluator": may[1], "admin": may[2]}
        links = [link for f in installed for link in f.nav if allowed.get(link.role, False)]
        found = kept[may] = [link for link in links if not link.role] + [
            link for link in links if link.role
        ]
    return list(found)


class _KeptFor:
    """Values kept in this process while the objects they were worked out from (the installed
    features, the app's routes: a test builds other apps) stay the same objects."""

    def __init__(self) -> None:
        self.sources: tuple[Any, ...] = ()
        self.values: dict[Hashable, Any] = {}

    def values_for(self, *sources: Any) -> dict[Hashable, Any]:
        if len(sources) != len(self.sources) or any(
            new is not old for new, old in zip(sources, self.sources, strict=False)
        ):
            self.values, self.sources = {}, sources
        return self.values


_NAV = _KeptFor()  # the header's links, per set of permissions


def feed_links(path: str) -> list[tuple[str, str]]:
    """The Atom feeds (participation/feeds.py) a page at `path` links in its head, as (title,
    href): the site-wide one, and each feed (`Feature.feeds`) whose `pages` route's path starts
    `path` (the proposals' list and pages link the proposals' feeds)."""
    links = [(i18n.gettext("Everything new"), urls.url("feeds:all"))]
    for feature in features.FEATURES:
        for source in feature.feeds:
            if source.pages and path.startswith(urls.url(source.pages)):
                links.append((i18n.gettext(source.title), urls.url("feeds:feed", feed=source.name)))
    return links


# The head's links and scripts (templates/_head_links.html, _head_scripts.html), rendered once
# per what they show and kept in this process: per request they were a dozen `url()`,
# `asset_url()` and `feed_links()` calls through Jinja's `Context.call`, each escaped, the
# same for every page of a kind (issue #23: the frame around the shared parts). What they
# show: the language (feeds' titles), the page's needs, which feeds the path links, the site
# settings' version; the routes and features they were worked out from (a test's app) and
# a developer's `assets.watch` (files read at each call) are checked at each call.
_HEAD = _KeptFor()
_HEAD_MAX = 512
_FEED_PREFIXES = "feed prefixes"  # kept with the heads: the paths whose pages link a feed


def _head_store() -> tuple[dict[Hashable, Any], tuple[str, ...]] | None:
    """The kept heads and the feeds' path prefixes, for the app's routes and features; None
    while a developer's files are watched (nothing kept)."""
    if assets.watching():
        return None
    installed = features.installed()
    kept = _HEAD.values_for(installed, urls.current_paths())
    prefixes = kept.get(_FEED_PREFIXES)
    if prefixes is None:
        prefixes = kept[_FEED_PREFIXES] = tuple(
            urls.url(source.pages) for f in installed for source in f.feeds if source.pages
        )
    return kept, prefixes


def _kept_head(kept: dict[Hashable, Any], key: Hashable, render: Callable[[], str]) -> Markup:
    found = kept.get(key)
    if found is None:
        found = Markup(render())
        if len(kept) > _HEAD_MAX:
            kept.pop(next(k for k in kept if k != _FEED_PREFIXES))  # the oldest head
        kept[key] = found
    return found  # type: ignore[no-any-return]


def head_links(needs: assets.Needs, path: str) -> Markup:
    """templates/_head_links.html: the favicons, the stylesheets the page `needs`, the Atom
    feeds the page at `path` links (`feed_links`)."""
    template = "_head_links.html"
    store = _head_store()
    if store is None:
        return Markup(_render_head(template, needs=needs, feeds=feed_links(path)))
    kept, prefixes = store
    key = (template, i18n.current_language.get(), needs, *(path.startswith(p) for p in prefixes))
    return _kept_head(
        kept, key, lambda: _render_head(template, needs=needs, feeds=feed_links(path))
    )


def head_scripts(needs: assets.Needs, site: Any) -> Markup:
    """templates/_head_scripts.html: the site's theme (its settings' version), the scripts the
    page `needs`."""
    template = "_head_scripts.html"
    store = _head_store()
    if store is None:
        return Markup(_render_head(template, needs=needs, site=site))
    version = site.version if site else None  # what the template reads of `site`
    key = (template, needs, version or None)
    return _kept_head(store[0], key, lambda: _render_head(template, needs=needs, site=site))


def _render_head(template: str, **context: Any) -> str:
    return templates.env.get_template(template).render(context)


def admin_lines(role: str = "") -> list[features.AdminLine]:
    """The Administration page's lines (`Feature.admin`), by position; ties keep the order of
    `features.INSTALLED`. `role="agent"`: a desk officer's page, the links of that role only."""
    lines = [line for f in features.FEATURES for line in f.admin]
    if role:
        kept = (
            features.AdminLine(line.position, tuple(k for k in line.links if k.role == role))
            for line in lines
        )
        lines = [line for line in kept if line.links]
    return sorted(lines, key=lambda line: line.position)


def options_of(items: Any, value: str = "id", label: str = "name") -> list[tuple[Any, Any]]:
    """(value, label) pairs for the `select` macros of _forms.html, from objects: the categories
    of a budget as `options_of(categories)`, by slug as `options_of(categories, "slug")`."""
    return [(getattr(item, value), getattr(item, label)) for item in items]


# A template's message translated, as Markup, per catalog (`i18n.translations`: one per language
# and set of features): about 400 `_()` calls on a proposal page with its comments, each a
# catalog lookup, a Markup, a `%` formatting and two `Context.call`s through Jinja's `_` alias,
# were the largest single cost of rendering it (issue #23, docs/performance.md). Bounded: `_()`
# of a computed string must not grow it forever.
_TRANSLATED: dict[tuple[Any, str], Markup] = {}
_TRANSLATED_MAX = 20_000


@pass_context
def _gettext(__context: Context, __string: str, **variables: Any) -> str:
    """Jinja's newstyle `gettext` (jinja2.ext), the same result: the translation, as Markup
    when autoescaping, always %-formatted with `variables` (so "%%" reads "%")."""
    if not __context.eval_ctx.autoescape:
        return i18n.gettext(__string) % variables
    catalog = i18n.translations(i18n.current_language.get())
    translated = _TRANSLATED.get((catalog, __string))
    if translated is None:
        translated = Markup(catalog.gettext(__string))
        if len(_TRANSLATED) < _TRANSLATED_MAX:
            _TRANSLATED[(catalog, __string)] = translated
    if variables or "%" in translated:
        return translated % variables  # type: ignore[no-any-return]
    return translated


class _Count(int):
    """A count that reads as a number for `%d` and in the reader's language for `%s`."""

    def __str__(self) -> str:
        return formatting.format_number(int(self))


@pass_context
def _ngettext(
    __context: Context, __singular: str, __plural: str, __num: int, **variables: Any
) -> str:
    """Jinja's newstyle `ngettext`, with `%(num)s` written by `formatting.format_number`
    ("1 234 soutiens", "1,234 supports"); a msgid still saying `%(num)d` gets the plain number
    rather than an error."""
    if isinstance(__num, int):
        variables.setdefault("num", _Count(__num))
    variables.setdefault("num", formatting.format_number(__num))
    rv = i18n.ngettext(__singular, __plural, __num)
    if __context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables  # type: ignore[no-any-return]


def filed_label(channel: str) -> str:
    """How a proposal taken on behalf of someone came in, translated (« déposée au guichet »);
    empty for one filed online."""
    return _channel_label(PROPOSAL_LABELS, channel)


def collected_label(channel: str) -> str:
    """How a comment taken on behalf of someone came in, translated (« recueilli au guichet »);
    empty for one written online."""
    return _channel_label(COMMENT_LABELS, channel)


def _channel_label(labels: dict[Channel, str], channel: str) -> str:
    try:
        label = labels.get(Channel(channel))
    except ValueError:
        return ""
    return i18n.gettext(label) if label else ""


def public_name(user: Any) -> str:
    """The name shown next to a contribution: "Former participant" once the account is deleted."""
    if user is None:
        return ""
    if getattr(user, "deleted_at", None) is not None:
        return i18n.gettext(FORMER_PARTICIPANT)
    return str(user.display_name)


# older names, kept for the modules that import them from here
money = formatting.format_money
percent = formatting.format_percent
number = formatting.format_number

templates = Jinja2Templates(env=_environment())


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def flash(request: Request, message: str, category: str = "success") -> None:
    """Show `message` (already translated) on the next page this visitor sees."""
    request.session.setdefault("flashes", []).append([category, message])


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render_part(request: Request, template: str, context: dict[str, Any]) -> str:
    """The HTML of a part of a page (a target's comments: participation/commenting.py), with
    what every template may use; the flashes stay for the page."""
    full_context: dict[str, Any] = {
        "request": request,
        "user": request.scope.get("user"),
        "csrf_token": csrf_token(request),
        "language": i18n.current_language.get(),
        **context,
    }
    return templates.env.get_template(template).render(full_context)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    fragment: str | None = None,
) -> HTMLResponse:
    settings = request.scope.get("settings") or request.app.state.settings  # web.settings_of
    full_context: dict[str, Any] = {
        "user": request.scope.get("user"),
        "csrf_token": csrf_token(request),
        "language": i18n.current_language.get(),
        "site_name": settings.site_name,
        "site": request.scope.get("site"),  # logo and colour (participation/sitesettings)
        "accessibility_compliance": settings.accessibility_compliance,
        "flashes": request.session.pop("flashes", []),
        **(context or {}),
    }
    # the shared parts the page shows, filled: base.html reads their needs rather than them
    full_context["known_parts"] = [v for v in full_context.values() if type(v) is assets.Known]
    name = fragment if fragment and is_htmx(request) else template
    response = templates.TemplateResponse(request, name, full_context, status_code=status_code)
    response.headers["Vary"] = "HX-Request, Accept-Language"
    return response
