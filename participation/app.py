"""The app factory: routes per feature, one lifespan, middleware; nothing runs at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from participation import (
    api,
    assets,
    error_reporting,
    features,
    feeds,
    formatting,
    logs,
    metrics,
    opendata,
    pages,
    queue,
    urls,
)
from participation.accounts import routes as accounts_routes
from participation.auditlog import routes as auditlog_routes
from participation.counter import routes as counter_routes
from participation.db import close_database, init_database
from participation.edge import EdgeMiddleware
from participation.errors import EXCEPTION_HANDLERS
from participation.middleware import (
    AuthMiddleware,
    CSRFMiddleware,
    LanguageMiddleware,
)
from participation.notifications import routes as notifications_routes
from participation.pagecache import InvalidatePagesOnWrite
from participation.people import routes as people_routes
from participation.pictures import routes as pictures_routes
from participation.ratelimit import RateLimited, rate_limited
from participation.redis import redis_url
from participation.residents import routes as residents_routes
from participation.routing import IndexedRouter
from participation.sections import routes as section_routes
from participation.sessions import SessionMiddleware
from participation.settings import Settings
from participation.sitepages import routes as sitepages_routes
from participation.sitesettings import routes as sitesettings_routes
from participation.sitesettings.live import SiteSettingsMiddleware
from participation.spaces import routes as spaces_routes
from participation.templating import STATIC_DIR, templates

SESSION_MAX_AGE = 14 * 24 * 3600


def feature_routes() -> list[BaseRoute]:
    """Every feature's routes, in the order of `features.INSTALLED`: under `Feature.path` when
    it has one (a Mount named after the feature), else as they are."""
    routes: list[BaseRoute] = []
    for feature in features.FEATURES:
        if feature.path:
            routes.append(Mount(feature.path, routes=list(feature.routes), name=feature.name))
        else:
            routes.extend(feature.routes)
    return routes


def all_routes() -> list[BaseRoute]:
    """Every route of the app, each named "package:route" (participation/urls.py): the core's,
    then every feature's (`feature_routes`)."""
    return [
        *pages.routes,
        *metrics.routes,  # /metrics, with METRICS_TOKEN
        *feeds.routes,  # every feature's Atom feeds (Feature.feeds)
        *api.routes,  # the public read API (Feature.api)
        *opendata.routes,  # its tables as open datasets (ApiResource.dataset)
        *accounts_routes.routes,
        *notifications_routes.routes,
        *sitepages_routes.routes,
        *spaces_routes.routes,
        *pictures_routes.routes,  # /images/<key>/<width>: every stored image
        *sitesettings_routes.routes,
        *people_routes.routes,
        *residents_routes.routes,
        *counter_routes.routes,
        *auditlog_routes.routes,
        *feature_routes(),
        *section_routes,
        *assets.routes,  # /static/v/<hash>/<path>: stylesheets and scripts, cached for a year
        Mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static"),
    ]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    formatting.use_time_zone(settings.time_zone)
    # the head's files read once per process, again at each change in development
    assets.watch(settings.environment == "development")
    # the templates too: Jinja otherwise asks the disk for each template's date at every
    # render and every include (a proposal's thread includes one per comment)
    templates.env.auto_reload = settings.environment == "development"
    logs.configure(settings)
    error_reporting.init(settings, "web")  # before the app is built: Sentry wraps it

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
        routes=all_routes(),
        middleware=[
            # request id and access line, metrics, security headers: one layer
            Middleware(EdgeMiddleware, access_log=settings.access_log),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="participation_session",
                max_age=SESSION_MAX_AGE,
                same_site="lax",
                https_only=settings.secure_cookies,
            ),
            # the language, and the 503 page of a lost database
            Middleware(LanguageMiddleware, default_language=settings.default_language),
            Middleware(CSRFMiddleware, max_body_size=settings.max_body_size),
            Middleware(InvalidatePagesOnWrite),
            # hot routes read their rows with the session: one round trip (the ballot's budget)
            Middleware(
                AuthMiddleware,
                prefetch=[p for f in features.FEATURES for p in f.session_prefetch],
            ),
            # the settings saved in the browser, current in every process (no restart)
            Middleware(SiteSettingsMiddleware),
            *(Middleware(cls) for f in features.FEATURES for cls in f.middleware),
        ],
        exception_handlers={**EXCEPTION_HANDLERS, RateLimited: rate_limited},  # type: ignore[dict-item]
        lifespan=lifespan,
    )
    # the same routes, tried by their first segment, not all in turn (participation/routing.py)
    app.router = IndexedRouter(app.router.routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.urls = urls.use(app.routes)  # compiled once: templates build many links
    return app
