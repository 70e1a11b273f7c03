"""What the benchmark scripts that start `participation` processes share (bench/ballots.py,
faults.py, load.py, ballot_cpu.py): their `--database` and `--redis` options, a free port and
the processes' environment, and the repository on sys.path."""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `python bench/<name>.py` puts bench/ on sys.path (the scripts' helpers); the repository goes
# before it, so that its packages win over the scripts named like them (tally.py, proposals.py)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from participation.redis import EmbeddedRedis  # noqa: E402

SECRET = "bench-secret-key-not-for-production"
# production refuses to start without the anonymous answers' key (32 bytes, base64)
ANSWERS_KEY = base64.b64encode(b"bench-answers-key-not-production").decode()


def service_options(
    parser: argparse.ArgumentParser, database: str, redis_db: int, variables: str = "BENCH"
) -> None:
    """`--database`: the bench's own PostgreSQL database `database` (dropped and created), or
    $<variables>_DATABASE_URL; `--redis`: the local Redis's db `redis_db`, or
    $<variables>_REDIS_URL."""
    parser.add_argument(
        "--database",
        default=os.environ.get(
            f"{variables}_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}"
        ),
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get(f"{variables}_REDIS_URL", f"redis://127.0.0.1:6379/{redis_db}"),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: str, database: str, redis: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of a `participation` process run by a bench: production settings on
    `port`, the bench's database and Redis, quiet logs; `extra` adds or overrides settings."""
    return {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATA_DIR": data_dir,
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "SECRET_KEY": SECRET,
        "ANSWERS_KEY": ANSWERS_KEY,
        # production refuses an http:// address; the bench's clients speak plain HTTP to the
        # port and send their cookies by hand, whatever the Secure flag says
        "BASE_URL": f"https://127.0.0.1:{port}",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def server_on_free_port(
    args: argparse.Namespace, data_dir: str, **extra: str
) -> tuple[int, dict[str, str]]:
    """A free port and the environment of a `participation serve` on it, with the database and
    Redis of `args` (`service_options`) and rate limits off: every voter of a bench comes from
    127.0.0.1, and per-IP limits would refuse them after a few."""
    port = free_port()
    return port, server_env(data_dir, args.database, args.redis, port, RATE_LIMITS="off", **extra)


@contextmanager
def served(database_url: str, data_dir: Path, probe: str, **extra: str) -> Iterator[str]:
    """`participation serve` (development settings) on a free port of 127.0.0.1 with the
    database `database_url` and the page cache off (what the queries and templates cost, not
    the visitors' page cache: bench/load.py); yields its base URL once `probe` answers."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(data_dir),
        "PAGE_CACHE_SECONDS": "0",
        **extra,
    }
    server = subprocess.Popen([sys.executable, "-m", "participation.cli", "serve"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(f"{base}{probe}", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)


async def migrated_database(admin_url: str, name: str, data_dir: Path) -> str:
    """The database `name` dropped, created again and migrated; returns its URL."""
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(data_dir)}
    await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "participation.cli", "migrate"], env=env, check=True
    )
    return url


@contextmanager
def demo_town(data_dir: Path, **extra: str) -> Iterator[str]:
    """The demo town (`participation migrate`, `participation demo`) in a fresh SQLite file of
    `data_dir`, served by `participation serve --workers 1` (development settings, an embedded
    Redis unless `extra` gives REDIS_URL) on a free port of 127.0.0.1; yields its base URL.
    Rate limits are off: the scripts sign in several times from 127.0.0.1 (bench/screenshots.py,
    bench/lighthouse.py)."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ENVIRONMENT"}
    }
    # one embedded Redis for every process, started and stopped here: one started by a
    # `participation` process outlives it when that process is terminated
    redis = EmbeddedRedis(data_dir).start() if "REDIS_URL" not in extra else None
    if redis is not None:
        env["REDIS_URL"] = redis.url
    env.update(
        {
            "ENVIRONMENT": "development",
            "DATA_DIR": str(data_dir),
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "BASE_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
            "RATE_LIMITS": "off",
            **extra,
        }
    )
    command = [sys.executable, "-m", "participation.cli"]
    base = f"http://127.0.0.1:{port}"
    server: subprocess.Popen[bytes] | None = None
    try:
        for step in ("migrate", "demo"):  # quiet (the demo logs every e-mail) unless it fails
            done = subprocess.run([*command, step], env=env, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"participation {step} failed:\n{done.stdout}{done.stderr}")
        server = subprocess.Popen([*command, "serve", "--workers", "1"], env=env)
        for _ in range(600):
            if server.poll() is not None:
                raise RuntimeError("participation serve stopped at start")
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        if redis is not None:
            redis.stop()
