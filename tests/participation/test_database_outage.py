"""The database goes away and comes back: pages answer the localized 503 page (and /healthz
503) instead of a 500 or a hang, and the same process serves normally once it is back.

The app talks to PostgreSQL through a TCP proxy that the test cuts (every open connection
dropped, new ones refused) and restores. On SQLite there is no server to lose: skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from participation.app import create_app
from participation.settings import Settings
from tests import conftest
from tests.conftest import create_user, log_in, make_settings

pytestmark = pytest.mark.skipif(
    conftest.DATABASE_URL.startswith("sqlite"),
    reason="SQLite is a file in the web process: there is no database server to lose",
)
PAGES = ["/", "/proposals", "/budgets", "/consultations", "/account/login", "/account"]


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the database server until cut."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()  # the database "crashes": no goodbye on open connections
        self.writers.clear()
        await self.server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def proxy() -> AsyncIterator[CuttableProxy]:
    parts = urlsplit(conftest.DATABASE_URL)
    server = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await server.start()
    yield server
    if server.server is not None and server.server.is_serving():
        await server.cut()


def through(proxy: CuttableProxy) -> str:
    parts = urlsplit(conftest.DATABASE_URL)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{proxy.port}"))


async def healthz(transport: httpx.ASGITransport, path: str = "/healthz") -> httpx.Response:
    """As a load balancer asks: without a session cookie."""
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path)


async def test_pages_answer_503_while_the_database_is_down_and_recover_without_restart(
    tmp_path: Path, redis_url: str, proxy: CuttableProxy
) -> None:
    settings: Settings = make_settings(tmp_path, redis_url, DATABASE_URL=through(proxy))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await conftest._prepare_schema(settings)
        person = await create_user(settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await log_in(client, person)
            for page in PAGES:
                assert (await client.get(page)).status_code == 200, page

            await proxy.cut()
            for page in PAGES:
                response = await asyncio.wait_for(client.get(page), 15)
                assert response.status_code == 503, (page, response.text[:300])
                assert "Service indisponible" in response.text
                assert response.headers["retry-after"] == "30"
                # the outermost layer's headers (participation/edge.py) on the 503 page too
                assert "content-security-policy" in response.headers, page
                assert response.headers["x-content-type-options"] == "nosniff", page
                assert response.headers["x-request-id"], page
            english = await client.get("/proposals", headers={"Accept-Language": "en"})
            assert english.status_code == 503 and "Service unavailable" in english.text
            # a form sent during the outage is refused the same way, not half-handled
            refused = await client.post("/proposals/new", data={"title": "Pendant la panne"})
            assert refused.status_code in (403, 503)
            health = await healthz(transport)
            assert health.status_code == 503 and health.json()["database"] == "down"
            ready = await healthz(transport, "/healthz/ready")
            assert ready.status_code == 503 and ready.json()["database"] == "down"
            assert (await healthz(transport, "/healthz/live")).status_code == 200

            await proxy.start()  # the database is back, on the same address
            for page in PAGES:
                assert (await client.get(page)).status_code == 200, page
            health = await healthz(transport)
            assert health.json()["database"] == "ok"
            assert (await healthz(transport, "/healthz/ready")).status_code == 200
