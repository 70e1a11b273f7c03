"""The session cookie of participation/sessions.py is Starlette's: the same cookie, headers and
refusals (the signed-in browsers keep their sessions across the change, and nothing that
Starlette's middleware refused is accepted)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import itsdangerous
import pytest
from itsdangerous.exc import BadSignature
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware as StarletteSessions
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from participation.sessions import FastSigner, SessionMiddleware

SECRET = "a-secret-key-for-the-session-tests-only-0123456789"
NAME = "participation_session"


class SignerAt(itsdangerous.TimestampSigner):
    """itsdangerous' signer at a chosen time."""

    def __init__(self, secret: str, now: int) -> None:
        super().__init__(secret)
        self.now = now

    def get_timestamp(self) -> int:
        return self.now


def payload(data: dict[str, Any]) -> bytes:
    return base64.b64encode(json.dumps(data).encode())


def test_the_signature_is_itsdangerous_one() -> None:
    now = int(time.time())
    value = payload({"csrf": "t" * 43, "auth": "a" * 43})
    for moment in (now, now - 1000, 1, 2**40):
        assert FastSigner(SECRET).sign(value, now=moment) == SignerAt(SECRET, moment).sign(value)
    signed = itsdangerous.TimestampSigner(SECRET).sign(value)
    assert FastSigner(SECRET).unsign(signed, max_age=60) == value
    assert FastSigner(SECRET)._quick_unsign(signed, 60) == value  # without itsdangerous
    assert itsdangerous.TimestampSigner(SECRET).unsign(FastSigner(SECRET).sign(value)) == value


def _refusal(unsign: Any) -> type[Exception] | None:
    try:
        unsign()
    except BadSignature as error:
        return type(error)
    return None


@pytest.mark.parametrize(
    "cookie",
    [
        "tampered",
        "other key",
        "expired",
        "from the future",
        "no timestamp",
        "no dot",
        "empty",
        "truncated signature",
        "lenient base64",
        "long timestamp",
    ],
)
def test_every_refusal_is_itsdangerous_own(cookie: str) -> None:
    now = int(time.time())
    value = payload({"auth": "x" * 43})
    good = itsdangerous.TimestampSigner(SECRET).sign(value)
    head, stamp, signature = good.rsplit(b".", 2)
    signed = {
        "tampered": payload({"auth": "y" * 43}) + b"." + stamp + b"." + signature,
        "other key": itsdangerous.TimestampSigner("another secret").sign(value),
        "expired": SignerAt(SECRET, now - 3600).sign(value),
        "from the future": SignerAt(SECRET, now + 3600).sign(value),
        "no timestamp": itsdangerous.Signer(SECRET, salt="itsdangerous.Signer").sign(value),
        "no dot": value,
        "empty": b"",
        "truncated signature": head + b"." + stamp + b"." + signature[:-3],
        "lenient base64": head + b"." + stamp + b"." + signature[:4] + b"*" + signature[4:],
        "long timestamp": head + b"." + b"A" * 12 + b"." + signature,
    }[cookie]
    theirs = itsdangerous.TimestampSigner(SECRET)
    ours = FastSigner(SECRET)
    assert _refusal(lambda: ours.unsign(signed, 60)) is _refusal(lambda: theirs.unsign(signed, 60))
    if cookie != "lenient base64":  # itsdangerous skips the stray character: it is accepted
        assert _refusal(lambda: ours.unsign(signed, 60)) is not None


async def _answers(middleware: type, cookie: str | None, action: str) -> httpx.Response:
    async def page(request: Request) -> PlainTextResponse:
        if action == "read":
            request.session.get("auth")
        elif action == "write":
            request.session["receipt"] = {"budget": 1, "code": "ABCD"}
        elif action == "clear":
            request.session.clear()
        headers = {"Vary": "HX-Request"} if action == "write" else None
        return PlainTextResponse("ok", headers=headers)

    app = Starlette(
        routes=[Route("/", page)],
        middleware=[
            Middleware(
                middleware,
                secret_key=SECRET,
                session_cookie=NAME,
                max_age=3600,
                same_site="lax",
                https_only=True,
            )
        ],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        headers = {"Cookie": f"{NAME}={cookie}"} if cookie is not None else {}
        return await client.get("/", headers=headers)


@pytest.mark.parametrize("action", ["none", "read", "write", "clear"])
@pytest.mark.parametrize("cookie", ["none", "valid", "forged", "expired"])
async def test_the_answers_headers_are_starlette_ones(action: str, cookie: str) -> None:
    value = payload({"auth": "x" * 43, "csrf": "c" * 43})
    sent = {
        "none": None,
        "valid": itsdangerous.TimestampSigner(SECRET).sign(value).decode(),
        "forged": itsdangerous.TimestampSigner("not ours").sign(value).decode(),
        "expired": SignerAt(SECRET, int(time.time()) - 7200).sign(value).decode(),
    }[cookie]
    for _ in range(3):  # the cookies carry the second they were signed: the same one for both
        theirs = await _answers(StarletteSessions, sent, action)
        ours = await _answers(SessionMiddleware, sent, action)
        if theirs.headers.raw == ours.headers.raw:
            break
    assert ours.headers.raw == theirs.headers.raw
    if action == "write":
        assert [k for k, _ in ours.headers.raw].count(b"set-cookie") == 1


async def _session_seen(middleware: type, cookie_headers: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def page(request: Request) -> PlainTextResponse:
        seen.update(request.session)
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/", page)],
        middleware=[Middleware(middleware, secret_key=SECRET, session_cookie=NAME, max_age=3600)],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        # as sent: bytes (a browser may send any byte; servers decode them as latin-1)
        raw = [(b"cookie", value.encode("latin-1")) for value in cookie_headers]
        await client.get("/", headers=raw)
    return seen


@pytest.mark.parametrize(
    "split",
    [
        "session in the second header",  # HTTP/2 may send one Cookie field per cookie
        "a forged one first, the valid one after",
        "the valid one first, a forged one after",
    ],
)
async def test_several_cookie_headers_are_read_as_starlette_reads_them(split: str) -> None:
    valid = itsdangerous.TimestampSigner(SECRET).sign(payload({"auth": "x" * 43})).decode()
    forged = itsdangerous.TimestampSigner("not ours").sign(payload({"auth": "y" * 43})).decode()
    headers = {
        "session in the second header": ["theme=dark", f"{NAME}={valid}"],
        "a forged one first, the valid one after": [f"{NAME}={forged}", f"{NAME}={valid}"],
        "the valid one first, a forged one after": [f"{NAME}={valid}", f"{NAME}={forged}"],
    }[split]
    theirs = await _session_seen(StarletteSessions, headers)
    assert await _session_seen(SessionMiddleware, headers) == theirs
    if split == "session in the second header":
        assert theirs == {"auth": "x" * 43}  # the signed-in browser stays signed in


@pytest.mark.parametrize("where", ["payload", "timestamp", "signature"])
async def test_a_cookie_with_a_character_outside_ascii_is_refused_as_starlette_refuses_it(
    where: str,
) -> None:
    signed = itsdangerous.TimestampSigner(SECRET).sign(payload({"auth": "x" * 43})).decode()
    head, stamp, signature = signed.rsplit(".", 2)
    cookie = {
        "payload": f"{head}é.{stamp}.{signature}",
        "timestamp": f"{head}.{stamp}é.{signature}",
        "signature": f"{head}.{stamp}.{signature}é",
    }[where]
    headers = [f"{NAME}={cookie}"]
    theirs = await _session_seen(StarletteSessions, headers)
    assert await _session_seen(SessionMiddleware, headers) == theirs
