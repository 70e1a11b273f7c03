"""Core pages: home, language switch, health check."""

from __future__ import annotations

from datetime import UTC, datetime

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from participation import queue
from participation.db import database_answers
from participation.pagecache import cached_for_visitors
from participation.settings import SUPPORTED_LANGUAGES
from participation.templating import STATIC_DIR, render
from participation.web import form_data, redirect, safe_next
from participation.worker_status import HEARTBEAT_KEY, HEARTBEAT_MAX_AGE_SECONDS


async def home(request: Request) -> Response:
    return render(request, "home.html")


async def switch_language(request: Request) -> Response:
    data = await form_data(request)
    language = data.get("language", "")
    if language in SUPPORTED_LANGUAGES:
        request.session["lang"] = language
        user = request.scope["user"]
        if user.is_authenticated and user.language != language:
            user.language = language
            await user.save(update_fields=["language"])
    return redirect(safe_next(data.get("next"), "/"))


async def healthz(request: Request) -> Response:
    """Database, Redis and worker heartbeat; 503 when any is down (for load balancers)."""
    database = "ok" if await database_answers() else "down"
    redis, worker, heartbeat_age = "down", "unknown", None
    pool = queue.get_pool()
    if pool is not None:
        try:
            await pool.ping()
            redis = "ok"
            beat = await pool.get(HEARTBEAT_KEY)
            if beat is None:
                worker = "down"
            else:
                last = datetime.fromisoformat(beat.decode())
                heartbeat_age = round((datetime.now(UTC) - last).total_seconds(), 1)
                worker = "ok" if heartbeat_age <= HEARTBEAT_MAX_AGE_SECONDS else "down"
        except (OSError, RedisError):
            redis = "down"
    healthy = database == redis == worker == "ok"
    body = {
        "status": "ok" if healthy else "error",
        "database": database,
        "redis": redis,
        "worker": worker,
        "worker_heartbeat_age_seconds": heartbeat_age,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


# The icon's files are static/favicon.ico and .svg (drawn by participation/favicon.py). Browsers
# ask for /favicon.ico at the root whatever the page links, so both are served there, cached for
# 30 days: an icon that changes shows within a month, and no 404 fills the logs meanwhile.
FAVICON_CACHE = "public, max-age=2592000"
FAVICON_TYPES = {"favicon.ico": "image/vnd.microsoft.icon", "favicon.svg": "image/svg+xml"}


async def favicon(request: Request) -> Response:
    name = request.url.path.lstrip("/")
    return FileResponse(
        STATIC_DIR / name,
        media_type=FAVICON_TYPES[name],
        headers={"Cache-Control": FAVICON_CACHE},
    )


routes = [
    Route("/", cached_for_visitors(home), name="home"),
    Route("/language", switch_language, methods=["POST"], name="language"),
    Route("/healthz", healthz, name="healthz"),
    Route("/favicon.ico", favicon, name="favicon"),
    Route("/favicon.svg", favicon, name="favicon_svg"),
]
