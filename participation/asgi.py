"""The web process's ASGI application, as `participation serve` starts it (only granian loads
this module).

Client addresses (per-IP rate limits) come from `X-Forwarded-For` only when the connection comes
from a trusted proxy (`FORWARDED_ALLOW_IPS`), as uvicorn's `--proxy-headers` did.
"""

from __future__ import annotations

import gc
from typing import Any

from granian.utils.proxies import wrap_asgi_with_proxy_headers

from participation.app import create_app
from participation.settings import Settings


def web_app() -> Any:
    settings = Settings.from_env()
    app = wrap_asgi_with_proxy_headers(create_app(settings), settings.forwarded_allow_ips)
    # The modules, routes and templates loaded so far live as long as the process: frozen, the
    # garbage collector no longer walks them (a full collection went from 20 ms to nothing,
    # a pause every request waiting on this process paid). Not in create_app: a test process
    # builds hundreds of apps, and frozen objects are never collected.
    gc.collect()
    gc.freeze()
    return app
