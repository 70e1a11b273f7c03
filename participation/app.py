"""The app factory: routes per feature, one lifespan, middleware; nothing runs at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from budgets import routes as budgets_routes
from consultations import routes as consultations_routes
from followup import routes as followup_routes
from indicators import routes as indicators_routes
from meetings import manifest as meetings_manifest
from moderation import routes as moderation_routes
from moderation.middleware import BlockedUserMiddleware
from moderation.ratelimit import RateLimited, rate_limited
from participation import formatting, pages, queue
from participation.accounts import routes as accounts_routes
from participation.comments import routes as comments_routes
from participation.db import close_database, init_database
from participation.errors import EXCEPTION_HANDLERS
from participation.middleware import (
    AuthMiddleware,
    CSRFMiddleware,
    DatabaseUnavailableMiddleware,
    LanguageMiddleware,
    SecurityHeadersMiddleware,
)
from participation.notifications import routes as notifications_routes
from participation.pagecache import InvalidatePagesOnWrite
from participation.proposals import routes as proposals_routes
from participation.redis import redis_url
from participation.sections import routes as section_routes
from participation.settings import Settings
from participation.templating import STATIC_DIR

SESSION_MAX_AGE = 14 * 24 * 3600


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    formatting.use_time_zone(settings.time_zone)
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await init_database(settings)
        queue.open_pool(redis_url(settings))
        # this app's own client (rate limits): several apps in one process keep theirs
        app.state.redis = Redis.from_url(redis_url(settings), socket_timeout=2)
        try:
            yield
        finally:
            await app.state.redis.aclose()
            await queue.close_pool()
            await close_database()

    app = Starlette(
        debug=False,
        routes=[
            *pages.routes,
            *accounts_routes.routes,
            *budgets_routes.routes,
            *consultations_routes.routes,
            *proposals_routes.routes,
            *comments_routes.routes,
            *notifications_routes.routes,
            *moderation_routes.routes,
            *indicators_routes.routes,
            *followup_routes.routes,
            *meetings_manifest.routes,
            *section_routes,
            Mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="participation_session",
                max_age=SESSION_MAX_AGE,
                same_site="lax",
                https_only=settings.secure_cookies,
            ),
            Middleware(LanguageMiddleware, default_language=settings.default_language),
            Middleware(DatabaseUnavailableMiddleware),
            Middleware(CSRFMiddleware, max_body_size=settings.max_body_size),
            Middleware(InvalidatePagesOnWrite),
            # the ballot reads its budget and residency with the session: one round trip
            Middleware(AuthMiddleware, prefetch=[budgets_routes.BALLOT_PREFETCH]),
            Middleware(BlockedUserMiddleware),
        ],
        exception_handlers={**EXCEPTION_HANDLERS, RateLimited: rate_limited},  # type: ignore[dict-item]
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
