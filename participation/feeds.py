"""Atom 1.0 feeds (RFC 4287): what each feature declares in its manifest (`Feature.feeds`), served
at /feeds/<name>.atom, and all of them at /feeds/all.atom; pages link them in their head
(`participation.templating.feed_links`). A participatory space's feed (/demarches/<slug>/feed.atom,
served by participation/spaces/routes.py) merges the entries that the features read of that space
(`FeedSource.space_entries`) and that say they belong to it (`FeedEntry.space_id`).

The core names no feature: it loops over the manifests. `atom()` is a pure function over plain
entries (tested without HTTP). The traps, each tested: text goes through an XML serializer (a
title "<script> & co" stays text); an entry's id is a tag: URI (RFC 4151) built from the site's
host, one fixed date and the entry's key ("proposal/12"), so it never changes when the title, the
dates, the address of the page or the feed holding it do; dates are written in UTC ("Z");
entries come newest first, ties broken by key, so two requests give the same document.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import features
from participation.features import FeedEntry, FeedSource
from participation.i18n import N_, current_language, gettext
from participation.pagecache import cached_for_visitors
from participation.refusals import NotFound
from participation.urls import url
from participation.web import settings_of

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
LIMIT = 50  # entries per feed
ALL = "all"  # the site-wide feed's name
SITE_FEED_TITLE = N_("Everything new")
# the date of every tag: URI (RFC 4151: a day the site's host existed; a constant keeps ids stable)
TAG_DATE = "2026-01-01"
# the `updated` of a feed without entries (a constant: the same request, the same document)
EMPTY_UPDATED = datetime(2026, 1, 1, tzinfo=UTC)


def sources() -> list[FeedSource]:
    """Every installed feature's feeds, in the order of `features.INSTALLED`."""
    return [source for feature in features.FEATURES for source in feature.feeds]


def source_named(name: str) -> FeedSource | None:
    return next((s for s in sources() if s.name == name), None)


def utc(moment: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC: 2026-12-06T09:30:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_uri(host: str, key: str) -> str:
    """tag:villebelle.fr,2026-01-01:proposal/12 (RFC 4151)."""
    return f"tag:{host},{TAG_DATE}:{key}"


def ordered(entries: Iterable[FeedEntry], limit: int = LIMIT) -> list[FeedEntry]:
    """Newest first; the same `updated`: by key (a stable order)."""
    by_key = sorted(entries, key=lambda e: e.key)
    return sorted(by_key, key=lambda e: e.updated, reverse=True)[:limit]


def atom(
    *,
    title: str,
    feed_key: str,
    base_url: str,
    self_path: str,
    page_path: str,
    author: str,
    language: str,
    entries: Sequence[FeedEntry],
) -> bytes:
    """The Atom document (UTF-8): `entries` as given (see `ordered`), links made absolute
    with `base_url`."""
    base = base_url.rstrip("/")
    host = urlsplit(base).hostname or "localhost"
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> None:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text

    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    sub(feed, "id", tag_uri(host, f"feeds/{feed_key}"))
    sub(feed, "title", title, type="text")
    sub(feed, "updated", utc(max((e.updated for e in entries), default=EMPTY_UPDATED)))
    sub(feed, "link", rel="self", type=MEDIA_TYPE, href=base + self_path)
    sub(feed, "link", rel="alternate", type="text/html", href=base + page_path)
    author_element = ET.SubElement(feed, f"{{{ATOM}}}author")
    sub(author_element, "name", author)
    for entry in entries:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        sub(item, "id", tag_uri(host, entry.key))
        sub(item, "title", entry.title, type="text")
        sub(item, "link", rel="alternate", type="text/html", href=base + entry.path)
        sub(item, "published", utc(entry.published))
        sub(item, "updated", utc(entry.updated))
        if entry.summary:
            sub(item, "summary", entry.summary, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


async def entries_of(chosen: Sequence[FeedSource], limit: int = LIMIT) -> list[FeedEntry]:
    found = await asyncio.gather(*(source.entries(limit) for source in chosen))
    return ordered((entry for batch in found for entry in batch), limit)


async def space_entries(space_id: int, limit: int = LIMIT) -> list[FeedEntry]:
    """The entries of one participatory space: from each source that reads a space's
    (`FeedSource.space_entries`), those that say they belong to it, newest first."""
    reads = [s.space_entries for s in sources() if s.space_entries is not None]
    found = await asyncio.gather(*(read(space_id, limit) for read in reads))
    return ordered((e for batch in found for e in batch if e.space_id == space_id), limit)


def response(
    request: Request, key: str, title: str, page_path: str, entries: Sequence[FeedEntry]
) -> Response:
    """The feed `key` ("all", "proposals", "space/3": part of its id), titled after the site,
    its alternate the page at `page_path`."""
    settings = settings_of(request)
    body = atom(
        title=f"{settings.site_name} · {title}",
        feed_key=key,
        base_url=settings.base_url,
        self_path=request.url.path,
        page_path=page_path,
        author=settings.site_name,
        language=current_language.get(),
        entries=entries,
    )
    return Response(body, media_type=f"{MEDIA_TYPE}; charset=utf-8")


async def _serve(request: Request, chosen: Sequence[FeedSource], key: str, title: str) -> Response:
    page = url(chosen[0].pages) if len(chosen) == 1 and chosen[0].pages else url("pages:home")
    return response(request, key, title, page, await entries_of(chosen))


async def site_feed(request: Request) -> Response:
    return await _serve(request, sources(), ALL, gettext(SITE_FEED_TITLE))


async def feature_feed(request: Request) -> Response:
    source = source_named(request.path_params["feed"])
    if source is None:
        raise NotFound()
    return await _serve(request, [source], source.name, gettext(source.title))


# feed readers poll: visitors get the stored document (ETag, 304) until the next write
routes = [
    Route("/feeds/all.atom", cached_for_visitors(site_feed), name="feeds:all"),
    Route("/feeds/{feed:str}.atom", cached_for_visitors(feature_feed), name="feeds:feed"),
]
