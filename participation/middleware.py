"""Request pipeline, outermost first (after participation/edge.py's request id, metrics and
security headers, and participation/sessions.py's session cookie): language and database outage
page, CSRF and body size, the logged-in user. Pure ASGI classes.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, Headers, UploadFile
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation import i18n
from participation.accounts.models import AnonymousUser, User
from participation.accounts.services import SessionJoin, session_lookup, user_for_session
from participation.db import database_unreachable
from participation.errors import error_response
from participation.settings import SUPPORTED_LANGUAGES
from participation.web import FORM_SCOPE_KEY

logger = logging.getLogger("participation.middleware")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# The only POSTs without a CSRF token: the one-click unsubscribe of e-mails (RFC 8058,
# participation/accounts/routes.py `unsubscribe`). A mail client POSTs there with no cookie,
# so no session token can be asked; the signed token in the URL proves the request comes from
# the e-mail, and all it can do is stop e-mails of one kind to the person it names.
CSRF_EXEMPT_PREFIXES = ("/account/unsubscribe/",)
# beyond these, Starlette's own parser answers (it refuses more than 1,000 fields or a field
# over 1 MiB with 400)
MAX_FAST_FIELDS = 1000
MAX_FAST_BODY = 1024 * 1024


def language_of(scope: Scope, default: str) -> str:
    """The visitor's choice (session), else Accept-Language, else `default`."""
    chosen = scope.get("session", {}).get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        return str(chosen)
    # the first Accept-Language header, as `Headers.get` reads it (ASGI's names are lower
    # case), without building a Headers per call (two calls a request: issue #23)
    accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-language"), "")
    return i18n.negotiate_language(accept, default)


async def in_language(
    app: ASGIApp, language: str, scope: Scope, receive: Receive, send: Send
) -> None:
    """`app` answers in `language` (`scope["language"]` and gettext's contextvar)."""
    scope["language"] = language
    token = i18n.current_language.set(language)
    try:
        await app(scope, receive, send)
    finally:
        i18n.current_language.reset(token)


class LanguageMiddleware:
    """The visitor's language: their explicit choice (session), else Accept-Language, else the
    site default. Sets `scope["language"]` and the contextvar used by gettext.

    In the same layer (one coroutine and one `send` wrapper fewer per request than two), a lost
    database: a request that fails because the database cannot be reached gets the localized 503
    page (with Retry-After) instead of a 500 or a hang; the next request tries the database
    again, so the site recovers by itself when the database is back."""

    def __init__(self, app: ASGIApp, default_language: str) -> None:
        self.app = app
        self.default_language = default_language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        language = language_of(scope, self.default_language)
        scope["language"] = language
        token = i18n.current_language.set(language)
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as error:
            if started or not database_unreachable(error):
                raise
            logger.warning("database unreachable on %s: %r", scope.get("path"), error)
            response = error_response(Request(scope, receive), 503)
            response.headers["Retry-After"] = "30"
            await response(scope, receive, send)
        finally:
            i18n.current_language.reset(token)


class BodyTooLarge(Exception):
    pass


class CSRFMiddleware:
    """Every state-changing request carries the session's token, in the `csrf_token` form field
    or the `X-CSRF-Token` header (htmx sends it from `hx-headers` on <body>). Bodies larger than
    `max_body_size` are refused with 413 before anything reads them; query strings and bodies
    with a NUL character with 400 (this is where the body is read once for every route)."""

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if _has_nul(scope.get("query_string", b""), encoded=True):
            return await error_response(Request(scope), 400)(scope, receive, send)
        if scope["method"] in SAFE_METHODS:
            return await self.app(scope, receive, send)
        try:
            body = await self._read_body(scope, receive)
        except BodyTooLarge:
            response = error_response(Request(scope), 413)
            return await response(scope, receive, send)
        if await _form_has_nul(scope, body):
            return await error_response(Request(scope), 400)(scope, receive, send)
        if _is_urlencoded(scope):
            form = parse_urlencoded(body)
            if form is not None:
                scope[FORM_SCOPE_KEY] = form
        replay = _replay(body)
        exempt = scope["path"].startswith(CSRF_EXEMPT_PREFIXES)
        if not exempt and not await self._token_is_valid(scope, replay):
            response = error_response(Request(scope), 403, reason="csrf")
            return await response(scope, receive, send)
        await self.app(scope, _replay(body), send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        declared = Headers(scope=scope).get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body_size:
            raise BodyTooLarge()
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_size:
                raise BodyTooLarge()
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _token_is_valid(self, scope: Scope, receive: Receive) -> bool:
        expected = scope.get("session", {}).get("csrf")
        if not expected:
            return False
        request = Request(scope, receive)
        sent: Any = request.headers.get("x-csrf-token")
        if not sent and FORM_SCOPE_KEY in scope:
            sent = scope[FORM_SCOPE_KEY].get("csrf_token")
        elif not sent:
            content_type = request.headers.get("content-type", "")
            if content_type.startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                async with request.form() as form:
                    sent = form.get("csrf_token")
        return isinstance(sent, str) and secrets.compare_digest(sent, expected)


def _is_urlencoded(scope: Scope) -> bool:
    return (
        Headers(scope=scope).get("content-type", "").startswith("application/x-www-form-urlencoded")
    )


def parse_urlencoded(body: bytes) -> FormData | None:
    """The fields of a URL-encoded body, exactly as Starlette's parser reads them (names and
    values decoded from Latin-1, then `+` and %-escapes as UTF-8; empty values kept; empty
    chunks skipped), in C instead of a Python state machine. None beyond Starlette's limits:
    the route's `request.form()` then refuses the body as before."""
    if len(body) > MAX_FAST_BODY or body.count(b"&") >= MAX_FAST_FIELDS:
        return None
    fields: list[tuple[str, str | UploadFile]] = []
    fields.extend(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
    return FormData(fields)


def _has_nul(raw: bytes, encoded: bool) -> bool:
    """A NUL character (raw, or %00 once URL-decoded). No form field here needs one, and
    PostgreSQL cannot store or compare it in text: it raised, and the page answered 500."""
    return b"\x00" in raw or (encoded and b"%00" in raw)


async def _form_has_nul(scope: Scope, body: bytes) -> bool:
    """A NUL in a form field. Uploaded files may hold any byte: their routes check them."""
    content_type = Headers(scope=scope).get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _has_nul(body, encoded=True)
    if content_type.startswith("multipart/form-data") and b"\x00" in body:
        async with Request(scope, _replay(body)).form() as form:
            return any(isinstance(v, str) and "\x00" in v for v in form.values())
    return False


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


@dataclass(frozen=True)
class Prefetch:
    """A route whose own first reads are joined to the session lookup (one round trip for
    both: the ballot). When `path` matches (fullmatch), its groups, as integers, are the
    join's parameters $2, $3...; the rows go to `scope[key]` for the route to read."""

    path: re.Pattern[str]
    join: SessionJoin
    key: str
    # The route's POST answered without the session lookup, when it can (the ballot cast:
    # one round trip instead of two). Called with the session's login token before the
    # lookup and before the features' middlewares: it returns False, having sent nothing,
    # unless its one statement checked everything the lookup, the middlewares and the route
    # would have (`session_write_guard`), then the request goes on as without it.
    fast_post: Callable[[Scope, Receive, Send, str], Awaitable[bool]] | None = None


class AuthMiddleware:
    """`scope["user"]`: the User of the session's login token, or an AnonymousUser.
    One query for a logged-in request, none for a visitor."""

    def __init__(self, app: ASGIApp, prefetch: Sequence[Prefetch] = ()) -> None:
        self.app = app
        self.prefetch = prefetch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            token = scope.get("session", {}).get("auth")
            if token and scope["method"] == "POST":
                if await self._fast_post(scope, receive, send, token):
                    return
            user = await self._user(scope, token) if token else None
            scope["user"] = user if user is not None else AnonymousUser()
        await self.app(scope, receive, send)

    async def _fast_post(self, scope: Scope, receive: Receive, send: Send, token: str) -> bool:
        for prefetch in self.prefetch:
            if prefetch.fast_post is not None and prefetch.path.fullmatch(scope["path"]):
                return await prefetch.fast_post(scope, receive, send, token)
        return False

    async def _user(self, scope: Scope, token: str) -> User | None:
        for prefetch in self.prefetch:
            match = prefetch.path.fullmatch(scope["path"])
            if match is not None:
                values = [int(group) for group in match.groups()]
                user, rows = await session_lookup(token, prefetch.join, values)
                if user is not None:
                    scope[prefetch.key] = rows
                return user
        return await user_for_session(token)
