"""Blocked people may read but not act: every state-changing request of a blocked account is
refused with a clear 403 page (log-out, the language switch and deleting one's account
excepted: the right to erasure does not depend on good behaviour). One place, so no route can
forget it; the block is known from the session lookup at no extra query."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from moderation.services import active_block
from participation.middleware import SAFE_METHODS
from participation.templating import render
from participation.urls import url

ALLOWED_WHEN_BLOCKED = ("accounts:logout", "pages:language", "accounts:delete")  # route names


class BlockedUserMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.allowed = frozenset(url(name) for name in ALLOWED_WHEN_BLOCKED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"] in self.allowed
            or not getattr(user, "is_blocked", False)
        ):
            return await self.app(scope, receive, send)
        block = await active_block(user.id)  # type: ignore[union-attr]
        context = {"status_code": 403, "block": block}
        response = render(Request(scope), "moderation/blocked.html", context, status_code=403)
        await response(scope, receive, send)
