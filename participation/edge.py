"""The outermost layer of every HTTP request: its id and access line (participation/logs.py),
its count and latency (participation/metrics.py) and the security headers of its answer
(participation/web.py), in one pure ASGI layer with one `send` wrapper (they were three nested
layers, each with its own coroutine and wrapper; docs/performance.md, "The web process's
request stack").

What each does, and in what order, is unchanged: the request id is set (`REQUEST_ID`) before
anything runs and reset after the access line; the answer's headers are the app's, then the
security headers (with the tile server of `scope["settings"]`, read when the answer starts),
then `X-Request-ID`; the count and the access line are written once the app returned or
raised, with the status sent (500 when none was).
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation import logs, metrics
from participation.web import security_headers

_REQUEST_ID_HEADER = logs.REQUEST_ID_HEADER.encode()


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, access_log: bool = False) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = logs.request_id_of(scope)
        token = logs.REQUEST_ID.set(request_id)
        started, status = time.perf_counter(), 500
        root_path = scope.get("root_path", "")

        async def send_edge(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                settings = scope.get("settings")
                tile_url = getattr(settings, "map_tile_url", "") if settings is not None else ""
                headers = list(message.get("headers", ()))
                headers += security_headers(tile_url)
                headers.append((_REQUEST_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_edge)
        finally:
            took = time.perf_counter() - started
            try:
                metrics.count_request(scope, root_path, status, took)
            finally:
                if self.access_log:
                    logs.log_access(scope, status, took)
                logs.REQUEST_ID.reset(token)
