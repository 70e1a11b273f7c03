"""Oversized bodies are refused with 413 on every state-changing route, whatever their kind:
a form, a multipart upload (census, Pabulib import), or a chunked body without Content-Length
(the size is counted as it arrives, never trusted from a header)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from participation.settings import Settings
from tests.conftest import csrf_token
from tests.security.world import (
    database_snapshot,
    logged_in_client,
    seed_world,
    state_changing_routes,
    url_for_route,
)

LIMIT = 4096  # a small limit keeps the test fast; the mechanism is the one of 10 MiB
pytestmark = pytest.mark.settings(MAX_BODY_SIZE=str(LIMIT))


async def _chunks(size: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < size:
        yield b"a" * 1000
        sent += 1000


async def test_every_state_changing_route_refuses_an_oversized_body(
    app: Any, settings: Settings
) -> None:
    world = await seed_world(settings)
    async with logged_in_client(app, world.admin) as admin:
        token = await csrf_token(admin)
        before = await database_snapshot()
        big = "x" * (LIMIT + 1)
        not_refused = []
        for endpoint in state_changing_routes(app):
            url = url_for_route(endpoint, world.ids)
            attempts = {
                "form": admin.request(
                    endpoint.method, url, data={"csrf_token": token, "title": big}
                ),
                "upload": admin.request(
                    endpoint.method,
                    url,
                    data={"csrf_token": token},
                    files={"file": ("census.csv", big.encode(), "text/csv")},
                ),
                "chunked": admin.request(
                    endpoint.method,
                    url,
                    content=_chunks(LIMIT + 1000),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                ),
            }
            for kind, attempt in attempts.items():
                response = await attempt
                if response.status_code != 413 or "trop volumineux" not in response.text:
                    not_refused.append((str(endpoint), kind, response.status_code))
        assert not_refused == []
        assert await database_snapshot() == before


async def test_a_body_under_the_limit_goes_through(app: Any, settings: Settings) -> None:
    # the refusal above is the size, not something else: the same form, smaller, works
    world = await seed_world(settings)
    async with logged_in_client(app, world.admin) as admin:
        token = await csrf_token(admin)
        response = await admin.post("/language", data={"csrf_token": token, "language": "en"})
        assert response.status_code == 303
        chunked = await admin.post(
            "/language",
            content=_ok_chunks(f"csrf_token={token}&language=fr".encode()),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert chunked.status_code == 303


async def _ok_chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 10):
        yield body[start : start + 10]
