"""Optional error reporting (participation/error_reporting.py): what an event keeps (a table), and
a real Sentry SDK sending to a local server that receives its envelopes: an exception in a route
arrives, without cookies, body nor e-mail addresses; a DSN without the package says so."""

from __future__ import annotations

import gzip
import json
import logging
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import sentry_sdk
from starlette.routing import Route

from participation import error_reporting
from participation.error_reporting import EMAIL_MARK, MISSING_PACKAGE, scrubbed
from participation.settings import Settings
from tests.conftest import csrf_token, make_settings


@pytest.mark.parametrize(
    ("event", "kept"),
    [
        (
            {
                "request": {
                    "url": "https://ville.fr/account/login?next=/x&email=a@b.fr",
                    "method": "POST",
                    "cookies": {"participation_session": "s3cret"},
                    "data": {"email": "jeanne@example.org", "password": "motdepasse"},
                    "query_string": "next=/x",
                    "headers": {"Cookie": "s=1", "Authorization": "Bearer t", "Host": "ville.fr"},
                    "env": {"REMOTE_ADDR": "203.0.113.9"},
                }
            },
            {"request": {"url": "https://ville.fr/account/login", "method": "POST"}},
        ),
        (
            {
                "user": {"ip_address": "203.0.113.9", "email": "jeanne@example.org"},
                "exception": {"values": [{"value": "no account for Jeanne.D+x@mairie.example.fr"}]},
                "breadcrumbs": {
                    "values": [{"message": "sent to a@b.co, b@c.org", "data": "v@1.0"}]
                },
            },
            {
                "exception": {"values": [{"value": f"no account for {EMAIL_MARK}"}]},
                "breadcrumbs": {
                    "values": [{"message": f"sent to {EMAIL_MARK}, {EMAIL_MARK}", "data": "v@1.0"}]
                },
            },
        ),
    ],
)
def test_an_event_keeps_no_personal_data(event: dict[str, Any], kept: dict[str, Any]) -> None:
    result = scrubbed(event)
    if "request" in kept:
        assert result["request"]["headers"] == {"Host": "ville.fr"}
        del result["request"]["headers"]
    assert result == kept


class _Envelopes(BaseHTTPRequestHandler):
    """Sentry's ingestion endpoint (`POST /api/<project>/envelope/`), as a list of bodies."""

    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "deflate":
            body = zlib.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sentry_server() -> Iterator[tuple[str, list[bytes]]]:
    """A local server receiving the SDK's envelopes; the SDK is switched off afterwards."""
    received: list[bytes] = []
    handler = type("Handler", (_Envelopes,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://publickey@127.0.0.1:{server.server_address[1]}/1", received
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
        sentry_sdk.get_global_scope().remove_tag("component")
        server.shutdown()
        server.server_close()


@pytest.fixture
def settings(tmp_path: Path, redis_url: str, sentry_server: tuple[str, list[bytes]]) -> Settings:
    """This module's settings: the conftest's, reporting to the local server."""
    return make_settings(tmp_path, redis_url, SENTRY_DSN=sentry_server[0])


# put together at run time: the events carry source lines of the code around an error, and these
# must be found only if the SDK sent the values themselves
ADDRESS = "@".join(["jeanne.dupont", "mairie-exemple.fr"])
COOKIE = "-".join(["cookie", "marker", "456"])
FIELD = "-".join(["body", "marker", "123"])


async def test_an_error_in_a_route_arrives_without_personal_data(
    app: Any, sentry_server: tuple[str, list[bytes]]
) -> None:
    _, received = sentry_server

    async def broken(request: Any) -> None:
        form = await request.form()
        raise RuntimeError(f"no account for {form['email']}")

    app.router.routes.append(Route("/broken", broken, methods=["POST"]))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        token = await csrf_token(client)
        client.cookies.set("tracking", COOKIE)
        data = {"csrf_token": token, "email": ADDRESS, "x": FIELD}
        response = await client.post("/broken", data=data)
        session = client.cookies.get("participation_session")
    assert response.status_code == 500
    assert sentry_sdk.get_client().should_send_default_pii() is False
    assert sentry_sdk.flush(timeout=10) is None  # the SDK's queue sent before we read
    sent = b"\n".join(received)
    events = [
        json.loads(line)
        for line in sent.splitlines()
        if line.startswith(b"{") and b'"exception"' in line
    ]
    assert events, sent[:2000]
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == f"no account for {EMAIL_MARK}"
    assert event["request"]["url"].endswith("/broken") and event["tags"]["component"] == "web"
    assert session and session.encode() not in sent
    for leak in (COOKIE, FIELD, token, "mairie-exemple.fr"):
        assert leak.encode() not in sent, leak
    assert error_reporting.EMAIL.search(sent.decode()) is None


def test_a_dsn_without_the_package_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "sentry_sdk", None)  # not installed
    settings = make_settings(tmp_path, "redis://127.0.0.1:1/0", SENTRY_DSN="http://k@127.0.0.1/1")
    with caplog.at_level(logging.ERROR, logger="participation.errors"):
        assert error_reporting.init(settings, "worker") is False
    assert caplog.messages == [MISSING_PACKAGE]
