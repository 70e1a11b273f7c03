"""CPU time of the layers every request crosses before CSRF (request id and access line, metrics,
security headers, the session cookie, the language, the database-outage page: whatever
`create_app` puts there), in process, for a signed-in ballot POST whose answer writes the
session (the receipt) as the ballot's does.

    .venv/bin/python bench/request_stack.py [--requests 20000] [--repeat 5]

The app's own middleware list, cut before `CSRFMiddleware`, wraps a stub that answers 303
(Starlette's `ServerErrorMiddleware` outside, as in the app); no database, no Redis, no
server. Prints the best of `--repeat` rounds in µs of `process_time` per request, with the load
average: run it from a `git archive` of another commit to compare (docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import tempfile
import time
from typing import Any

from _common import SECRET, server_env
from itsdangerous import TimestampSigner
from starlette.middleware.errors import ServerErrorMiddleware

from participation.app import create_app
from participation.middleware import CSRFMiddleware
from participation.settings import Settings


async def stub(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ballot's route as the layers see it: reads the session, writes the receipt."""
    scope["session"].get("auth")
    scope["session"]["receipt"] = {"budget": 1, "code": "ABCD-EFGH-IJKL"}
    headers = [(b"location", b"/budgets/1/ballot/receipt"), (b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def outer_stack(settings: Settings) -> Any:
    app = create_app(settings)
    outer = []
    for entry in app.user_middleware:
        if entry.cls is CSRFMiddleware:
            break
        outer.append(entry)
    stack: Any = stub
    for entry in reversed(outer):
        stack = entry.cls(stack, *entry.args, **entry.kwargs)
    print("layers:", ", ".join(entry.cls.__name__ for entry in outer))
    return ServerErrorMiddleware(stack)


def ballot_scope(cookie: str) -> dict[str, Any]:
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"content-length", b"180"),
        (b"cookie", f"participation_session={cookie}".encode()),
    ]
    return {
        "type": "http",
        "method": "POST",
        "path": "/budgets/1/ballot",
        "root_path": "",
        "headers": headers,
        "query_string": b"",
        "client": ("127.0.0.1", 40000),
    }


async def rounds(app: Any, cookie: str, requests: int, repeat: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    async def run(count: int) -> None:
        for _ in range(count):
            await app(ballot_scope(cookie), receive, send)

    await run(requests // 10)  # warm up
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        await run(requests)
        best = min(best, (time.process_time() - started) / requests)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    # production settings as `serve` has them (nothing is connected: the layers reach no service)
    database, redis = "postgres://postgres@127.0.0.1:5432/unused", "redis://127.0.0.1:6379/4"
    env = server_env(tempfile.mkdtemp(prefix="bench-stack-"), database, redis, 8000)
    settings = Settings.from_env({**env, "RATE_LIMITS": "off"})
    session = {"csrf": "c" * 43, "auth": "a" * 43}
    cookie = TimestampSigner(SECRET).sign(base64.b64encode(json.dumps(session).encode()))
    app = outer_stack(settings)
    best = asyncio.run(rounds(app, cookie.decode(), args.requests, args.repeat))
    print(
        f"{1e6 * best:.1f} µs of CPU per request (best of {args.repeat} x {args.requests}); "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
