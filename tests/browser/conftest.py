"""Browser journeys: a real `participation serve` on a fresh SQLite file, driven by Playwright
in Debian's Chromium (`make test` installs it with apt-get when missing; no browser download)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from participation.db import close_database, init_database, run_migrations
from participation.settings import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, tmp_path: Path, redis_url: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "ENVIRONMENT": "test",
            "DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite://{tmp_path / 'browser.db'}",
            "REDIS_URL": redis_url,
            "SECRET_KEY": "browser-test-secret",
            "PORT": str(self.port),
            "BASE_URL": self.url,
            "LOG_LEVEL": "WARNING",
        }
        self.settings = Settings.from_env(self.env)
        self.process: subprocess.Popen[bytes] | None = None

    async def seed(self, seeder: Callable[[Settings], Awaitable[Any]]) -> Any:
        """Run `seeder` against the server's database (also used to read it back)."""
        await run_migrations(self.settings)
        await init_database(self.settings)
        try:
            return await seeder(self.settings)
        finally:
            await close_database()

    def start(self) -> None:  # blocking on purpose: nothing else runs until it answers
        self.log = (self.settings.data_dir / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "participation.cli", "serve"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.log.close()


@pytest.fixture
def live_server(tmp_path: Path, redis_url: str) -> Iterator[LiveServer]:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("browser journeys run once, in the SQLite pass")
    server = LiveServer(tmp_path, redis_url)
    yield server
    server.stop()


@pytest.fixture  # Playwright's async API, on the test's own event loop (the sync API would
async def browser() -> AsyncIterator[Any]:  # hold a loop in this thread and break later tests)
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (make test installs it with apt-get)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        await instance.close()
