"""The first-segment router (participation/routing.py) picks, for every request, the route that
Starlette's own Router would pick: same endpoint, same 405, same slash redirect, same 404.

Both routers get the app's real route table (paths, methods, order), each endpoint answering
its route's name, and every route's path is asked with its parameters filled, with a slash
added or removed, with a method it does not take, and beside paths no route has."""

from __future__ import annotations

import asyncio
import functools
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Mount, Route

from participation.app import all_routes
from participation.routing import IndexedRouter, first_segment, route_segment

SAMPLE = {"id": "12", "int": "7", "str": "abc", "path": "a/b.css", "": "abc"}


def answering_name(name: str):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{name} {sorted(request.path_params.items())}")

    endpoint.__name__ = name  # the route's name when none is given
    return endpoint


def twin(route: BaseRoute) -> BaseRoute:
    """The same path, methods and name, answering its own name."""
    if isinstance(route, Mount):
        if route.routes:
            return Mount(route.path, routes=[twin(r) for r in route.routes], name=route.name)
        return Mount(route.path, app=PlainTextResponse(f"mount {route.path}"), name=route.name)
    assert isinstance(route, Route)
    return Route(
        route.path, answering_name(route.name), methods=sorted(route.methods or ()), name=route.name
    )


def flat(routes: list[BaseRoute], prefix: str = "") -> list[Route]:
    found: list[Route] = []
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            found.extend(flat(list(route.routes), prefix + route.path))
        elif isinstance(route, Route):
            found.append(Route(prefix + route.path, answering_name("x"), methods=route.methods))
    return found


def filled(path: str) -> str:
    return re.sub(r"{\w+(?::(\w+))?}", lambda m: SAMPLE[m.group(1) or ""], path)


def clients(routes: list[BaseRoute]) -> tuple[Starlette, Starlette]:
    starlette_app = Starlette(routes=[twin(r) for r in routes])
    indexed_app = Starlette(routes=[twin(r) for r in routes])
    indexed_app.router = IndexedRouter(indexed_app.router.routes)
    return starlette_app, indexed_app


@functools.cache
def app_clients() -> tuple[Starlette, Starlette]:
    return clients(all_routes())


async def answer(app: Starlette, method: str, path: str) -> tuple[int, str, str | None]:
    """What `app` answers (status, body, Location), called as the server would call it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "server": ("testserver", 80),
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }
    said: dict[str, object] = {"body": b""}

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            said["status"] = message["status"]
            said["headers"] = dict(message["headers"])  # type: ignore[call-overload]
        else:
            said["body"] += message.get("body", b"")  # type: ignore[operator]

    await app(scope, receive, send)
    headers: dict[bytes, bytes] = said["headers"]  # type: ignore[assignment]
    location = headers.get(b"location")
    return said["status"], said["body"].decode(), location and location.decode()  # type: ignore[attr-defined,return-value]


def answers(app: Starlette, method: str, path: str) -> tuple[int, str, str | None]:
    return asyncio.run(answer(app, method, path))


def differences(
    starlette_app: Starlette, indexed_app: Starlette, asked: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    async def compare() -> list[tuple[str, str]]:
        return [
            (method, path)
            for method, path in asked
            if await answer(starlette_app, method, path) != await answer(indexed_app, method, path)
        ]

    return asyncio.run(compare())


def requests_for(routes: list[BaseRoute]) -> list[tuple[str, str]]:
    asked: list[tuple[str, str]] = []
    for route in flat(routes):
        path = filled(route.path)
        for variant in {path, path.rstrip("/") or "/", path + "/", path + "/extra"}:
            asked += [("GET", variant), ("POST", variant), ("DELETE", variant)]
    asked += [
        ("GET", "/static/htmx.min.js"),
        ("GET", "/static"),
        ("GET", "/nowhere"),
        ("GET", "/nowhere/"),
        ("GET", "//"),
        ("GET", "/budgets12"),
        ("GET", "/admin/nowhere/12"),
    ]
    return asked


def test_the_app_is_served_by_the_indexed_router() -> None:
    from participation.app import create_app

    assert isinstance(create_app().router, IndexedRouter)


def test_every_route_of_the_app_is_chosen_as_starlette_chooses_it() -> None:
    starlette_app, indexed_app = app_clients()
    asked = requests_for(all_routes())
    assert len(asked) > 1000  # every route, with its variants
    assert differences(starlette_app, indexed_app, asked) == []


def test_routes_whose_first_segment_is_a_parameter_keep_their_place_in_the_order() -> None:
    # a catch-all before a literal route wins, after it loses: as Starlette's loop does
    routes: list[BaseRoute] = [
        Route("/about", answering_name("about")),
        Route("/{slug:str}", answering_name("slug"), methods=["GET"]),
        Route("/news", answering_name("news")),
        Route("/news/{id:int}", answering_name("news item"), methods=["POST"]),
        Mount("", routes=[Route("/news/{id:int}", answering_name("mounted"))]),
    ]
    starlette_app, indexed_app = clients(routes)
    asked = [("GET", "/about"), ("GET", "/news"), ("GET", "/news/3"), ("POST", "/news/3")]
    asked += [("PUT", "/news/3"), ("GET", "/other"), ("POST", "/other"), ("GET", "/about/")]
    assert differences(starlette_app, indexed_app, asked) == []
    assert answers(indexed_app, "GET", "/news")[1].startswith("slug")
    assert answers(indexed_app, "GET", "/news/3")[1].startswith("mounted")


@settings(max_examples=200, deadline=None)
@given(
    segments=st.lists(
        st.sampled_from(["budgets", "12", "ballot", "admin", "", "proposals.csv", "x", "%20"]),
        min_size=0,
        max_size=4,
    ),
    method=st.sampled_from(["GET", "POST"]),
)
def test_any_path_is_routed_as_starlette_routes_it(segments: list[str], method: str) -> None:
    starlette_app, indexed_app = app_clients()
    path = "/" + "/".join(segments)
    assert answers(indexed_app, method, path) == answers(starlette_app, method, path)


def test_segments_of_routes_and_paths() -> None:
    assert first_segment("/budgets/12/ballot") == "budgets"
    assert first_segment("/") == ""
    assert route_segment(Route("/proposals.csv", answering_name("x"))) == "proposals.csv"
    assert route_segment(Route("/{slug}", answering_name("x"))) is None
    assert route_segment(Mount("", routes=[])) is None
