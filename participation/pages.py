"""Core pages: home, language switch, health check."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from tortoise import timezone

from participation import features, participants, permissions, queue, sharedparts, web
from participation.db import database_answers
from participation.pagecache import cached_data, cached_for_visitors
from participation.settings import SUPPORTED_LANGUAGES
from participation.spaces import services as spaces
from participation.templating import STATIC_DIR, csrf_token, render, render_part
from participation.urls import url
from participation.worker_status import HEARTBEAT_KEY, HEARTBEAT_MAX_AGE_SECONDS

HOME_OUTCOMES = 5  # the latest outcomes the home page lists


async def latest_outcomes(limit: int) -> list[features.Outcome]:
    """The latest outcomes every feature published (`Feature.outcomes`), newest first."""
    found = [o for f in features.FEATURES if f.outcomes for o in await f.outcomes(limit)]
    return sorted(found, key=lambda o: o.published_at, reverse=True)[:limit]


async def home(request: Request) -> Response:
    """What is open now (the spaces, their current step and its deadline), the latest
    outcomes and how many people took part this year; cached for visitors (a write empties the
    cache, like any POST). The number of participants (one query per feature, the keys of the
    year unioned in Python: participation/participants.py) is the same for everyone: signed-in
    people share it too (`cached_data`, same generation and freshness as the page cache)."""
    now = timezone.now()
    since = participants.year_start(now, web.settings_of(request).time_zone)

    async def body_context() -> dict[str, Any]:
        return {
            "open_spaces": await spaces.open_now(now),
            "outcomes": await latest_outcomes(HOME_OUTCOMES),
            "participants": await cached_data(
                request, f"participants:{since.day.year}", lambda: participants.count_since(since)
            ),
            "year": str(since.day.year),
        }

    if request.scope["user"].is_authenticated:
        # the body is the same for every resident: read and rendered once per write, shared
        # (participation/sharedparts.py); a visitor's whole page comes from the page cache
        async def shared_body() -> str:
            return render_part(
                request,
                "_home_body.html",
                {
                    **await body_context(),
                    "user": sharedparts.SHARED_RESIDENT,
                    "csrf_token": sharedparts.hole("csrf"),
                },
            )

        key = sharedparts.key_of(request, "home", str(since.day.year))
        part = await sharedparts.shared(request, key, shared_body)
        if part is not None:
            body = sharedparts.fill_in(part, {"csrf": csrf_token(request)})
            return render(request, "home.html", {"shared_body": body})
    return render(request, "home.html", await body_context())


async def design(request: Request) -> Response:
    """The design system's living page (docs/design.md): every component of static/css/app.css
    in every state, with made-up content. Staff only, or anyone in development."""
    if web.settings_of(request).environment != "development":
        web.require(request, permissions.can_see_design_system)
    return render(request, "design.html", {"errors": {}})


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


async def _redis_answers(pool: Any) -> bool:
    if pool is None:
        return False
    try:
        await pool.ping()
    except (OSError, RedisError):
        return False
    return True


async def healthz_live(request: Request) -> Response:
    """The process is up and serves requests (a restart is the cure when it does not); reads
    nothing else, so a slow database never gets a web process killed."""
    return JSONResponse({"status": "ok"})


async def healthz_ready(request: Request) -> Response:
    """This web process can serve: its database and its Redis answer (503 otherwise, so a load
    balancer sends requests to other nodes). The worker is not a reason: see /healthz."""
    database = await database_answers()
    redis = await _redis_answers(queue.get_pool())
    body = {
        "status": "ok" if database and redis else "error",
        "database": "ok" if database else "down",
        "redis": "ok" if redis else "down",
    }
    return JSONResponse(body, status_code=200 if database and redis else 503)


async def healthz(request: Request) -> Response:
    """Database, Redis and worker heartbeat, for monitoring (load balancers use /healthz/ready).

    503 only when this web process cannot serve pages: the database is down. Redis down or no
    worker leave the pages working (jobs wait in the database, rate limits let requests
    through). They show in the body: `"status": "degraded"`, and
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
    Route("/design", design, name="pages:design"),
    web.action_route("/language", switch_language, "pages:language", changes_pages=False),
    Route("/healthz", healthz, name="pages:healthz"),
    Route("/healthz/live", healthz_live, name="pages:healthz_live"),
    Route("/healthz/ready", healthz_ready, name="pages:healthz_ready"),
    Route("/favicon.ico", favicon, name="pages:favicon"),
    Route("/favicon.svg", favicon, name="pages:favicon_svg"),
]
