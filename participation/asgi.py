"""The web process's ASGI application, as `participation serve` starts it.

Client addresses (per-IP rate limits) come from `X-Forwarded-For` only when the connection comes
from a trusted proxy (`FORWARDED_ALLOW_IPS`), as uvicorn's `--proxy-headers` did.
"""

from __future__ import annotations

from typing import Any

from participation.app import create_app
from participation.settings import Settings


def web_app() -> Any:
    from granian.utils.proxies import wrap_asgi_with_proxy_headers

    settings = Settings.from_env()
    return wrap_asgi_with_proxy_headers(create_app(settings), settings.forwarded_allow_ips)
