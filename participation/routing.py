"""Route dispatch by the path's first segment.

Starlette's `Router` tries every route in order until one matches: a regular expression per
route, about 55 before the ballot route and all 150 of them (twice, for the slash redirect)
before a 404, more with each feature. `IndexedRouter` tries only the routes that can match the
path's first segment (`/budgets/12/ballot` → the routes under `/budgets`, and those whose first
segment is a parameter), still in their order, so the route chosen is the one Starlette's loop
would choose: the first full match, else the first partial one (405), else the slash redirect,
else 404 (tests/participation/test_routing.py compares both on every route of the app).
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.datastructures import URL
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Match, Mount, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send

ANY_SEGMENT = None  # the key of routes that may match whatever the first segment is


def first_segment(path: str) -> str:
    """`/budgets/12/ballot` → `budgets`; `/` → `` (the first segment of a route's path or of a
    request's path, compared as text)."""
    return path[1:].split("/", 1)[0] if path.startswith("/") else path.split("/", 1)[0]


def route_segment(route: BaseRoute) -> str | None:
    """The literal first segment every path this route matches starts with, or ANY_SEGMENT
    (a parameter there, a mount at the root, a host route, a route of another kind)."""
    if not isinstance(route, Route | Mount | WebSocketRoute):
        return ANY_SEGMENT
    path = route.path
    if not path.startswith("/"):  # a Mount("") takes every path
        return ANY_SEGMENT
    segment = first_segment(path)
    return ANY_SEGMENT if "{" in segment else segment


class RouteIndex:
    """For each literal first segment, the routes that may match a path starting with it, in
    the routes' order: those of that segment and those of any segment."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.size = len(routes)
        keyed = [(route, route_segment(route)) for route in routes]  # once per route, not per pair
        self.any_segment = [route for route, segment in keyed if segment is ANY_SEGMENT]
        self.by_segment: dict[str, list[BaseRoute]] = {}
        any_so_far: list[
            BaseRoute
        ] = []  # a segment's list starts with those before its first route
        for route, segment in keyed:
            if segment is ANY_SEGMENT:
                any_so_far.append(route)
                for routes_of_segment in self.by_segment.values():
                    routes_of_segment.append(route)
            else:
                self.by_segment.setdefault(segment, list(any_so_far)).append(route)

    def candidates(self, path: str) -> list[BaseRoute]:
        return self.by_segment.get(first_segment(path), self.any_segment)


class IndexedRouter(Router):
    """Starlette's `Router.app` with the loop over `self.routes` narrowed to the candidates of
    the path (the rest is Starlette 1.x's code: lifespan, partial match, slash redirect)."""

    _index: RouteIndex | None = None

    def _candidates(self, path: str) -> list[BaseRoute]:
        # rebuilt when a route is added after start-up (Router.add_route, mount...)
        if self._index is None or self._index.size != len(self.routes):
            self._index = RouteIndex(self.routes)
        return self._index.candidates(path)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await super().app(scope, receive, send)
        if "router" not in scope:
            scope["router"] = self

        route_path = get_route_path(scope)
        partial: BaseRoute | None = None
        partial_scope: MutableMapping[str, Any] = {}
        for route in self._candidates(route_path):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:  # an endpoint that could answer another method: 405
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return

        if scope["type"] == "http" and self.redirect_slashes and route_path != "/":
            redirect_scope = dict(scope)
            if route_path.endswith("/"):
                redirect_scope["path"] = redirect_scope["path"].rstrip("/")
            else:
                redirect_scope["path"] = redirect_scope["path"] + "/"
            for route in self._candidates(get_route_path(redirect_scope)):
                match, _ = route.matches(redirect_scope)
                if match is not Match.NONE:
                    response = RedirectResponse(url=str(URL(scope=redirect_scope)))
                    await response(scope, receive, send)
                    return

        await self.default(scope, receive, send)
