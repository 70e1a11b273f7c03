"""The benchmarks' HTTP client (bench/httpload.py) against a real socket server: the figures in
docs/performance.md are only as true as what this client counts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bench import httpload

Handler = Callable[[bytes], Awaitable[list[bytes]]]  # request head -> chunks to write


async def _serve(handler: Handler) -> AsyncIterator[int]:
    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                for chunk in await handler(head):
                    writer.write(chunk)
                    await writer.drain()
                    await asyncio.sleep(0)  # separate packets: the client must reassemble
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(connection, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


@pytest.fixture
async def echo_server() -> AsyncIterator[int]:
    """Answers each request with its path as the body, in three pieces; /redirect is a 303,
    /close answers then closes the connection, /hang never answers but closes."""

    async def handler(head: bytes) -> list[bytes]:
        path = head.split(b" ")[1]
        if path == b"/redirect":
            return [b"HTTP/1.1 303 See Other\r\nLocation: /r\r\nContent-Length: 0\r\n\r\n"]
        if path == b"/hang":
            raise ConnectionError
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n" % len(path)
        if path == b"/close":
            answer += b"Connection: close\r\n"
        return [answer[:10], answer[10:] + b"\r\n", path]

    async for port in _serve(handler):
        yield port


def _requests(*paths: str) -> list[bytes]:
    return [httpload.build_request("GET", path, "127.0.0.1") for path in paths]


async def test_every_request_is_sent_once_and_its_answer_read_whole(echo_server: int) -> None:
    paths = [f"/voter/{n}" for n in range(200)]
    figures = await httpload.closed_loop("127.0.0.1", echo_server, _requests(*paths), 7)

    assert figures.statuses == {200: 200}
    assert [answer.body.decode() for answer in figures.answers if answer] == paths
    assert len(figures.latencies) == 200 and not figures.failures


async def test_unexpected_statuses_and_lost_connections_are_errors(echo_server: int) -> None:
    requests = _requests("/redirect", "/close", "/a", "/hang", "/b")
    figures = await httpload.closed_loop("127.0.0.1", echo_server, requests, 1)

    assert figures.statuses == {303: 1, 200: 3}
    assert figures.failures == {"ConnectionError": 1}
    assert figures.answers[3] is None and figures.answers[4] is not None  # reconnected


async def test_a_body_sent_with_the_request_is_counted_in_its_length() -> None:
    request = httpload.build_request(
        "POST", "/ballot", "h", {"Content-Type": "text/plain"}, b"ab\xc3\xa9"
    )
    assert request == (
        b"POST /ballot HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n"
        b"Content-Length: 4\r\n\r\nab\xc3\xa9"
    )


@pytest.fixture
async def slow_server() -> AsyncIterator[int]:
    """Answers every request after 50 ms, whatever the number of connections."""

    async def handler(head: bytes) -> list[bytes]:
        await asyncio.sleep(0.05)
        return [b"HTTP/1.1 204 No Content\r\n\r\n"]

    async for port in _serve(handler):
        yield port


async def test_open_loop_holds_its_rate_when_the_server_keeps_up(slow_server: int) -> None:
    started = time.perf_counter()
    figures = await httpload.open_loop(
        "127.0.0.1", slow_server, _requests(*["/"] * 40), connections=10, rate=100
    )
    assert figures.statuses == {204: 40}
    assert time.perf_counter() - started >= 0.39  # the 40th was due at 0.39 s
    assert min(figures.latencies) >= 0.05


async def test_open_loop_latency_counts_the_wait_for_a_free_connection(slow_server: int) -> None:
    # one connection, 20 requests due within 0.1 s, each answered in 50 ms: the last one was
    # due at 0.095 s and answered at about 1 s, so a client that only timed the exchange on
    # the wire (50 ms) would hide the queue
    figures = await httpload.open_loop(
        "127.0.0.1", slow_server, _requests(*["/"] * 20), connections=1, rate=200
    )
    assert figures.statuses == {204: 20}
    assert max(figures.latencies) >= 0.8
    assert figures.percentile_ms(0.5) >= 400


def test_percentiles_are_nearest_rank() -> None:
    figures = httpload.Figures(latencies=[n / 1000 for n in range(1, 101)])
    assert figures.percentile_ms(0.99) == pytest.approx(99)
    assert figures.percentile_ms(0.5) == pytest.approx(50)
    assert figures.percentile_ms(1.0) == pytest.approx(100)
