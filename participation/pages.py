"""Core pages: home, language switch, health check."""

from __future__ import annotations

from datetime import UTC, datetime

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from participation import queue, web
from participation.db import database_answers
from participation.pagecache import cached_for_visitors
from participation.settings import SUPPORTED_LANGUAGES
from participation.templating import STATIC_DIR, render
from participation.urls import url
from participation.worker_status import HEARTBEAT_KEY, HEARTBEAT_MAX_AGE_SECONDS


async def home(request: Request) -> Response:
    return render(request, "home.html")


async def switch_language(request: Request) -> Response:
    data = await web.form_data(request)
    language = data.get("language", "")
    if language in SUPPORTED_LANGUAGES:
        request.session["lang"] = language
        user = request.scope["user"]
        if user.is_authenticated and user.language != language:
            user.language = language
            await user.save(update_fields=["language"])
    return web.redirect(web.safe_next(data.get("next"), url("pages:home")))


async def healthz(request: Request) -> Response:
    """Database, Redis and worker heartbeat, for load balancers and monitoring.

    503 only when this web process cannot serve pages: the database is down. Redis down or no
    worker leave the pages working (jobs wait in the database, rate limits let requests
    through), and every web node shares them: pulling the nodes out of the load balancer for
    them would take a working site down. They show in the body: `"status": "degraded"`, and
    `"worker": "reconnecting"` when Redis is unreachable and the worker was alive when last
    seen (it waits for Redis, participation/worker.py), `"unknown"` when it was not."""
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
    state = request.app.state
    if redis == "down":  # the last heartbeat this app read tells what the worker is doing
        worker = "reconnecting" if getattr(state, "worker_seen_alive", False) else "unknown"
    else:
        state.worker_seen_alive = worker == "ok"
    if database == "down":
        status = "error"
    else:
        status = "ok" if redis == worker == "ok" else "degraded"
    body = {
        "status": status,
        "database": database,
        "redis": redis,
        "worker": worker,
        "worker_heartbeat_age_seconds": heartbeat_age,
    }
    return JSONResponse(body, status_code=503 if database == "down" else 200)


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
    Route("/", cached_for_visitors(home), name="pages:home"),
    web.action_route("/language", switch_language, "pages:language"),
    Route("/healthz", healthz, name="pages:healthz"),
    Route("/favicon.ico", favicon, name="pages:favicon"),
    Route("/favicon.svg", favicon, name="pages:favicon_svg"),
]
