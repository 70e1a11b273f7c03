"""The signed-in person's notifications: the list, and marking them read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import web
from participation.notifications import services
from participation.permissions import is_signed_in
from participation.templating import render
from participation.urls import url


async def index(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    items = await services.listed(user.id)
    context = {"notifications": items, "describe": services.describe, "link": services.link_of}
    return render(request, "notifications/index.html", context)


async def mark_read(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    await services.mark_all_read(user.id)
    return web.redirect(url("notifications:index"))


routes = [
    Route("/notifications", index, name="notifications:index"),
    web.action_route("/notifications/read", mark_read, "notifications:read", changes_pages=False),
]
