"""A real HTTP server for the tests' stand-ins of outside services (the OpenID Connect provider,
the national address API): an ASGI app served by uvicorn on a free local port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute


class LocalServer:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Serve the app; its address (http://127.0.0.1:port) once it answers."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        while not self._server.started:  # ready to answer: no timing involved in the tests
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join()


class StandIn:
    """An outside service's stand-in: its `routes()` served on a free local port from `start()`
    (its address then in `url`) to `stop()`."""

    url = ""
    _server: LocalServer | None = None

    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    def start(self) -> Self:
        self._server = LocalServer(Starlette(routes=self.routes()))
        self.url = self._server.start()
        return self

    def stop(self) -> None:
        assert self._server is not None
        self._server.stop()


def closed_port_url() -> str:
    """The address of a service that is down: a local port nobody listens on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
