"""Entry pages of each section; the feature packages fill them in as they land."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.permissions import can_work_at_desk
from participation.templating import render
from participation.web import require


async def admin_index(request: Request) -> Response:
    require(request, can_work_at_desk)  # a desk officer's page lists their pages only
    return render(request, "admin/index.html")


routes = [
    Route("/admin", admin_index, name="admin:index"),
]
