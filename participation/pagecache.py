"""Public pages for visitors who are not signed in, rendered once and served from memory.

Every such visitor sees the same page but for two things: their CSRF token (the header's
language form, `hx-headers`) and flash messages. So a page is stored with the token replaced by
a placeholder and each visitor gets it back with their own token; a visitor with a flash
message waiting, a signed-in person, or a request that changes the session is served fresh.

Freshness: a stored page is kept `PAGE_CACHE_SECONDS` at most, and every write empties the
caches of every web process at once: a POST (or a worker job) increments a generation number in
Redis that is part of each entry. If Redis does not answer, pages are rendered fresh.
What is not a write does not empty them: a refused request (4xx: nothing was written), a POST
to a route that declares it changes no page visitors see (`changes_pages=False` on
`web.form_route`/`web.action_route`, or `writes_no_page`: a log-in or log-out, the language, a
ballot (secret until the count), an account's own settings, a letter's code, staff's notes);
and worker jobs that say so with `job_changes_pages` (heartbeats, e-mails, sweeps; schedules
only when they switched something). A route that declares nothing empties them.

A page that signed-in people see too, whose costly part is the same for everyone, keeps that
part instead (`cached_data`, same generation and freshness): the public figures of the reports.

Each answer of a cached page says how it was served, once (`_marked`), in its header
`X-Page-Cache` and in the request's scope (`OUTCOME_KEY`): "hit", stored copy; "miss", rendered;
"bypass", not servable from the cache: signed in, a flash message, Redis down.
participation/metrics.py counts them by route template (`participation_page_cache_requests_total`),
so the hit rate of each page can be read (an error the page raises, a 404, is not counted).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation.templating import csrf_token, is_htmx

GENERATION_KEY = "pagecache:generation"
OUTCOME_KEY = "participation.page_cache"  # in the scope: "hit", "miss" or "bypass"
HIT, MISS, BYPASS = "hit", "miss", "bypass"
OUTCOME_HEADER = "x-page-cache"
MAX_ENTRIES = 1000  # pages per process (page numbers and filters multiply list pages)
# a token_urlsafe(32) is 43 characters; the placeholder cannot be produced by one
PLACEHOLDER = b"\x00csrf-token-placeholder\x00"

Job = TypeVar("Job", bound=Callable[..., Awaitable[Any]])
R = TypeVar("R", bound=Route)


def writes_no_page(route: R) -> R:
    """Declare that `route`'s POSTs change no page that visitors see (what only its author or
    staff read): `InvalidatePagesOnWrite` leaves the caches after them. Routes made with
    `web.form_route`/`web.action_route` say it with `changes_pages=False`."""
    route.changes_visitor_pages = False  # type: ignore[attr-defined]
    return route


def job_changes_pages(changes: bool | Callable[[Any], bool]) -> Callable[[Job], Job]:
    """Declare what a worker job does to the pages visitors see (participation/worker.py empties
    the caches after each job accordingly): False, never (heartbeats, e-mails, sweeps that only
    enqueue); a function of the job's result, when it says so (`bool`: a schedule that returns
    what it switched). A job that declares nothing empties them after every run."""

    def declare(job: Job) -> Job:
        job.changes_visitor_pages = changes  # type: ignore[attr-defined]
        return job

    return declare


def changed_pages(job: Callable[..., Any], result: Any) -> bool:
    """Whether `job`, having returned `result`, may have changed what visitors see."""
    changes = getattr(job, "changes_visitor_pages", True)
    return bool(changes(result)) if callable(changes) else bool(changes)


Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Entry:
    generation: bytes
    expires: float
    status: int
    headers: dict[str, str]
    body: bytes  # with PLACEHOLDER where the CSRF token was
    digest: str


GENERATION_READ = "participation.page_cache.generation"  # in the scope: read once a request


async def current_generation(request: Request) -> bytes | None:
    """The generation of the pages (one Redis GET), read once per request and remembered in its
    scope: the proposal page and the questionnaire ask it for two parts each. An entry is
    stamped with the generation read before it was computed, so a write by another request
    after the first read leaves that entry stale at once, as it would have been had the second
    part read a newer one (the next request reads again). None (and nothing remembered) when
    Redis does not answer."""
    scope = request.scope
    known: bytes | None = scope.get(GENERATION_READ)
    if known is not None:
        return known
    try:
        value = await request.app.state.redis.get(GENERATION_KEY)
    except (OSError, RedisError):
        return None
    scope[GENERATION_READ] = value = value or b"0"
    return value  # type: ignore[no-any-return]


async def invalidate(redis: Any) -> None:
    """Every web process drops the pages it stored (they compare generations on each read)."""
    await redis.incr(GENERATION_KEY)


def _store(request: Request) -> dict[tuple[str, ...], Entry]:
    state = request.app.state
    if not hasattr(state, "page_cache"):
        state.page_cache = {}
    return state.page_cache  # type: ignore[no-any-return]


def _rendering_lock(request: Request, key: Hashable) -> asyncio.Lock:
    """One rendering per stored page at a time in a process: when an entry expires under load,
    the other visitors of that page wait for it instead of all rendering it at once."""
    state = request.app.state
    if not hasattr(state, "page_cache_locks"):
        state.page_cache_locks = {}
    locks: dict[Hashable, asyncio.Lock] = state.page_cache_locks
    if key not in locks:
        if len(locks) >= MAX_ENTRIES:
            locks.clear()  # held locks stay referenced by their waiters
        locks[key] = asyncio.Lock()
    return locks[key]


def _key(request: Request) -> tuple[str, ...]:
    query = "&".join(sorted(request.url.query.split("&"))) if request.url.query else ""
    # the settings' version (participation/sitesettings/live.py): a page rendered with older
    # settings, even stored after the save, is never served once the request sees the new ones
    settings_version = str(getattr(request.scope.get("site"), "version", ""))
    return (
        request.url.path,
        query,
        request.scope["language"],
        str(is_htmx(request)),
        settings_version,
    )


def _servable(request: Request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.scope["user"].is_authenticated
        and not request.session.get("flashes")
        and request.app.state.settings.page_cache_seconds > 0
    )


def _marked(request: Request, response: Response, outcome: str) -> Response:
    """`response`, saying how it was served (the one place an outcome is written)."""
    request.scope[OUTCOME_KEY] = outcome
    response.headers[OUTCOME_HEADER] = outcome
    return response


def _answer(request: Request, entry: Entry) -> Response:
    token = csrf_token(request).encode()  # this visitor's own (created on a first visit)
    etag = '"' + hashlib.sha256(entry.digest.encode() + token).hexdigest()[:32] + '"'
    headers = {**entry.headers, "etag": etag, "cache-control": "private, no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(entry.body.replace(PLACEHOLDER, token), entry.status, headers)


def cached_for_visitors(
    endpoint: Endpoint, unless: Callable[[Request], bool] | None = None
) -> Endpoint:
    """`endpoint`, answered from the cache for visitors who are not signed in.

    `unless(request)` says when a page depends on more than its address and language (the
    proposal list in random order depends on the visitor's shuffle)."""

    async def cached(request: Request) -> Response:
        if not _servable(request) or (unless is not None and unless(request)):
            return _marked(request, await endpoint(request), BYPASS)
        generation = await current_generation(request)
        if generation is None:
            return _marked(request, await endpoint(request), BYPASS)
        store, key = _store(request), _key(request)
        entry = store.get(key)
        if _fresh(entry, generation):
            return _marked(request, _answer(request, entry), HIT)  # type: ignore[arg-type]
        if entry is None:  # never stored (or not storable: a 404...): no reason to queue
            return await _render_and_store(request, endpoint, store, key, generation)
        lock = _rendering_lock(request, key)
        if lock.locked() and entry.generation == generation:
            # only older than PAGE_CACHE_SECONDS, no write since: while one request renders it
            # again, the others get this one (after a write, they wait for the new page)
            return _marked(request, _answer(request, entry), HIT)
        async with lock:
            entry = store.get(key)
            if _fresh(entry, generation):  # rendered by the request this one waited for
                return _marked(request, _answer(request, entry), HIT)  # type: ignore[arg-type]
            return await _render_and_store(request, endpoint, store, key, generation)

    cached.__name__ = getattr(endpoint, "__name__", "cached")
    cached.__doc__ = endpoint.__doc__
    return cached


T = TypeVar("T")


async def cached_data(request: Request, name: str, compute: Callable[[], Awaitable[T]]) -> T:
    """`await compute()`, kept in this process under `name` as the pages are (the same
    generation, emptied by every write; at most `PAGE_CACHE_SECONDS`), for everyone, signed in
    or not: for a page whose costly part is the same for all while its rendering is not (a
    signed-in person's header, their CSRF token). The value is shared: never change it, and
    never cache what depends on the person. Redis down, or the cache off: computed each time."""
    entry = await kept(request, "data_cache", name, compute)
    return await compute() if entry is None else entry.value  # type: ignore[no-any-return]


async def kept(
    request: Request,
    store_name: str,
    key: Hashable,
    compute: Callable[[], Awaitable[Any]],
    max_entries: int = 0,
) -> Kept | None:
    """The value kept in this process's store `store_name` under `key`, stamped as a stored page
    is (emptied by every write, at most `PAGE_CACHE_SECONDS`), computed with `compute()` when
    it is not fresh, one computation at a time; None when nothing can be kept (the cache off,
    Redis down). `max_entries`: the oldest goes when the store is full (0: no bound). What
    `cached_data` and the shared parts of signed-in pages (participation/sharedparts.py) keep."""
    seconds = request.app.state.settings.page_cache_seconds
    generation = await current_generation(request) if seconds > 0 else None
    if generation is None:
        return None
    state = request.app.state
    if not hasattr(state, store_name):
        setattr(state, store_name, {})
    store: dict[Hashable, Kept] = getattr(state, store_name)
    entry = store.get(key)
    if _fresh(entry, generation):
        return entry
    async with _rendering_lock(request, (store_name, key)):
        entry = store.get(key)
        if _fresh(entry, generation):  # computed by the request this one waited for
            return entry
        # the generation was read before computing: a write meanwhile makes this one stale
        entry = Kept(generation, time.monotonic() + seconds, await compute())
        if max_entries and len(store) >= max_entries:
            store.pop(next(iter(store)))  # the oldest
        store[key] = entry
        return entry


@dataclass(frozen=True)
class Kept:
    """A value of `kept` (`cached_data`'s, a shared part), stamped as a stored page is."""

    generation: bytes
    expires: float
    value: Any


def _fresh(entry: Entry | Kept | None, generation: bytes) -> bool:
    """Whether a stored page or value may be served: stored at the current generation (no
    write since) and not older than `PAGE_CACHE_SECONDS`. Pages and data alike."""
    return entry is not None and entry.generation == generation and entry.expires > time.monotonic()


async def _render_and_store(
    request: Request,
    endpoint: Endpoint,
    store: dict[tuple[str, ...], Entry],
    key: tuple[str, ...],
    generation: bytes,
) -> Response:
    session_before = {k: v for k, v in request.session.items() if k != "csrf"}
    response = await endpoint(request)
    session_after = {k: v for k, v in request.session.items() if k != "csrf"}
    if response.status_code != 200 or session_after != session_before:
        store.pop(key, None)  # not storable now (deleted, hidden...): no queue for it either
        return _marked(request, response, MISS)
    body = bytes(response.body).replace(csrf_token(request).encode(), PLACEHOLDER)
    headers = {
        name: value
        for name, value in response.headers.items()
        if name not in ("content-length", "set-cookie", OUTCOME_HEADER)
    }
    entry = Entry(
        generation=generation,
        expires=time.monotonic() + request.app.state.settings.page_cache_seconds,
        status=response.status_code,
        headers=headers,
        body=body,
        digest=secrets.token_hex(8),  # a new ETag for every new rendering
    )
    if len(store) >= MAX_ENTRIES:
        store.pop(next(iter(store)))  # the oldest
    store[key] = entry
    return _marked(request, _answer(request, entry), MISS)  # rendered for it, served as stored


class InvalidatePagesOnWrite:
    """Any request that may change data empties the page caches before its answer leaves, so
    the page a browser loads after a POST (or htmx swap) is never older than the write; unless
    it was refused (4xx) or its route declares it changes no page (`writes_no_page`: read
    from the route the router chose, in the scope, when the answer starts)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        redis = scope["app"].state.redis

        async def send_after_invalidating(message: Message) -> None:
            # a refused request (4xx) wrote nothing: no reason to empty the caches
            if (
                message["type"] == "http.response.start"
                and message["status"] < 400
                and getattr(scope.get("route"), "changes_visitor_pages", True)
            ):
                try:
                    await invalidate(redis)
                except (OSError, RedisError):
                    pass  # then the entries only live PAGE_CACHE_SECONDS
            await send(message)

        await self.app(scope, receive, send_after_invalidating)
