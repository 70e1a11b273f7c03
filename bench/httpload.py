"""A small HTTP/1.1 load client for the benchmarks: keep-alive connections, requests built
beforehand as bytes, and only the status line and `Content-Length` read from each answer.

httpx spent about 9 ms of CPU per ballot on the same two cores as the server (more than the
server itself), so bench/ballots.py measured its own client. This one costs a few tens of
microseconds per request, like wrk, and unlike wrk it sends each prepared request exactly once
(every voter casts one ballot per round) and can hold a fixed rate:

- `closed_loop(...)`: `connections` clients, each sending its next request as soon as the last
  one is answered (what wrk does): the server's throughput, at that many concurrent voters.
- `open_loop(...)`: requests sent at a fixed `rate` whatever the server does, over at most
  `connections` connections; a request's latency counts from the moment it was due, so time
  spent waiting for a free connection is in it (no "coordinated omission").
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter, deque
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any


def build_request(
    method: str, path: str, host: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method not in ("GET", "HEAD"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class ProtocolError(Exception):
    pass


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[Answer] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            answer = self._parse()
        except ProtocolError as error:
            self._fail(error)
            return
        if answer is not None and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(ConnectionError(f"connection closed by the server ({exc})"))

    def _fail(self, error: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(error)

    def _parse(self) -> Answer | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        parts = head[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ProtocolError(f"not an HTTP/1.x status line: {head[0]!r}")
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", ""):
            raise ProtocolError("chunked answers are not read by this client")
        length = int(headers.get("content-length", "0"))
        total = end + 4 + length
        if len(self.buffer) < total:
            return None
        body = bytes(self.buffer[end + 4 : total])
        del self.buffer[:total]
        return Answer(int(parts[1]), headers, body)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def send(self, request: bytes) -> Answer:
        if self.closed or self.transport is None:
            raise ConnectionError("connection closed")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        try:
            return await self.waiter
        finally:
            self.waiter = None


async def connect(host: str, port: int) -> _Connection:
    _, connection = await asyncio.get_running_loop().create_connection(_Connection, host, port)
    return connection


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)  # seconds, in the order answered
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # connection or protocol errors
    answers: list[Answer | None] = field(default_factory=list)  # by request index
    elapsed: float = 0.0
    cpu: float = 0.0  # this process's CPU time for the run

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, fraction: float) -> float:
        """The latency below which `fraction` of the answered requests fall (nearest rank)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = min(max(1, math.ceil(fraction * len(ordered))), len(ordered))
        return 1000 * ordered[rank - 1]

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(0.5)


async def _record(
    connection: _Connection, index: int, request: bytes, due: float, figures: Figures
) -> _Connection | None:
    """Send one request; its latency counts from `due`. Returns the connection if reusable."""
    try:
        answer = await connection.send(request)
    except (ConnectionError, ProtocolError, OSError) as error:
        figures.failures[type(error).__name__] += 1
        connection.close()
        return None
    figures.latencies.append(time.perf_counter() - due)
    figures.statuses[answer.status] += 1
    figures.answers[index] = answer
    if answer.headers.get("connection", "").lower() == "close":
        connection.close()
        return None
    return connection


async def closed_loop(host: str, port: int, requests: Sequence[bytes], connections: int) -> Figures:
    """Every request once, `connections` at a time, each client sending its next request as
    soon as its last one is answered."""
    figures = Figures(answers=[None] * len(requests))
    pending = deque(enumerate(requests))

    async def client() -> None:
        connection: _Connection | None = None
        while pending:
            index, request = pending.popleft()
            if connection is None:
                connection = await connect(host, port)
            connection = await _record(connection, index, request, time.perf_counter(), figures)
        if connection is not None:
            connection.close()

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    figures.elapsed, figures.cpu = time.perf_counter() - started, time.process_time() - cpu
    return figures


async def open_loop(
    host: str, port: int, requests: Sequence[bytes], connections: int, rate: float
) -> Figures:
    """Every request once, the n-th due at n / `rate` seconds, sent on the first free one of at
    most `connections` connections; latencies count from when each request was due."""
    figures = Figures(answers=[None] * len(requests))
    due: asyncio.Queue[tuple[int, bytes, float] | None] = asyncio.Queue()

    async def client() -> None:
        connection: _Connection | None = None
        while (item := await due.get()) is not None:
            index, request, due_at = item
            if connection is None:
                connection = await connect(host, port)
            connection = await _record(connection, index, request, due_at, figures)
        if connection is not None:
            connection.close()

    clients = [asyncio.create_task(client()) for _ in range(connections)]
    cpu, started = time.process_time(), time.perf_counter()
    for index, request in enumerate(requests):
        due_at = started + index / rate
        if (wait := due_at - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        due.put_nowait((index, request, due_at))
    for _ in clients:
        due.put_nowait(None)
    await asyncio.gather(*clients)
    figures.elapsed, figures.cpu = time.perf_counter() - started, time.process_time() - cpu
    return figures


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed (the server runs on it too), else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()  # type: ignore[no-any-return]


def run(coroutine: Coroutine[Any, Any, Figures]) -> Figures:
    loop = new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()
