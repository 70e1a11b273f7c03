"""`python -m tests.services postgres|redis URL`: exit 0 when the service answers.

`make test` uses it to decide whether to run the PostgreSQL pass and against which Redis.
"""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit


def answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    sys.exit(0 if url and answers(url, {"postgres": 5432, "redis": 6379}[kind]) else 1)
