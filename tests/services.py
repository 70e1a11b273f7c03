"""`python -m tests.services postgres|redis URL`: exit 0 when the service answers.
`python -m tests.services second-postgres URL`: make sure the database `<name>_2` exists beside
URL's (created when missing), print its URL, exit 0; exit 1 when it cannot be had.

`make test` uses them to decide whether to run the PostgreSQL pass, against which Redis, and in
one process or two (the second on its own database: each process empties its tables, or drops
its schema, between tests).
"""

from __future__ import annotations

import asyncio
import socket
import sys
from urllib.parse import urlsplit, urlunsplit


def answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


async def _second_postgres(url: str) -> str:
    import asyncpg

    parts = urlsplit(url.replace("postgresql://", "postgres://", 1))
    name = (parts.path.lstrip("/") or "postgres") + "_2"
    connection = await asyncpg.connect(urlunsplit(parts._replace(scheme="postgresql")))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    if kind == "second-postgres":
        try:
            print(asyncio.run(_second_postgres(url)))
        except Exception as error:  # noqa: BLE001  # any failure: the pass runs in one process
            print(f"no second PostgreSQL database ({error}): one process", file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    sys.exit(0 if url and answers(url, {"postgres": 5432, "redis": 6379}[kind]) else 1)
