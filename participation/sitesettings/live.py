"""The settings every request of every web process sees, fresh without a restart, at no extra
database round trip on the hot paths.

Each process keeps the settings of one version in memory (`app.state.site`). Each request
learns the current version cheaply and reloads the row (one query) only when it changed:
- a signed-in request reads it in the session lookup it makes anyway (a subquery of
  participation.accounts.services.session_lookup: the ballot keeps its one round trip);
- a visitor's request reads it from Redis (`VERSION_KEY`, one GET); the key is written after
  each save, only upwards (a Lua script: an older version never replaces a newer one); when it
  is missing (Redis flushed or restarted) or Redis does not answer, the version is read from
  the database and the key written again.
So the request after a save, in any process, sees the new values. The page cache keys its
entries by this version too (participation/pagecache.py), and a save, a POST, empties it.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from participation import ratelimit
from participation.middleware import in_language, language_of
from participation.settings import Settings
from participation.sitesettings import services
from participation.sitesettings.services import Current

logger = logging.getLogger("participation.sitesettings")
VERSION_KEY = "sitesettings:version"
SCOPE_KEY = "site"
SETTINGS_KEY = "settings"
UNCONCERNED = ("/static/", "/favicon.")  # files that read no setting
# KEYS[1]: the version key; ARGV[1]: a version. Sets it when higher; returns the key's value.
_RAISE = """
local known = tonumber(redis.call('GET', KEYS[1]) or '-1')
local version = tonumber(ARGV[1])
if version > known then
  redis.call('SET', KEYS[1], ARGV[1])
  return version
end
return known
"""


async def announce(redis: Any, version: int) -> None:
    """Tell every web process that the settings are at `version` (after the save committed)."""
    try:
        await redis.eval(_RAISE, 1, VERSION_KEY, version)
    except (OSError, RedisError) as error:  # visitors' requests then read the database
        logger.warning("settings version not announced: %s", error)


async def _announced_version(state: Any) -> int:
    redis = getattr(state, "redis", None)
    try:
        value = await redis.get(VERSION_KEY) if redis is not None else None
    except (OSError, RedisError):
        return await services.current_version()
    if value is not None:
        return int(value)
    version = await services.current_version()
    if redis is not None:
        await announce(redis, version)
    return version


async def current_version(scope: Scope) -> int:
    user = scope.get("user")
    known = getattr(user, "site_settings_version", None)
    if known is not None:  # read with the session (signed-in request)
        return int(known)
    return await _announced_version(scope["app"].state)


async def site_of(state: Any, version: int) -> tuple[Current, Settings]:
    """The settings at `version` (or newer), and the app's settings with them applied, from
    this process's memory when it holds them (else one query). `state`: the app's (or the
    worker's) with `settings`, the environment's, part of the key (a test may replace them)."""
    environment: Settings = state.settings
    cached: tuple[Current, Settings, Settings] | None = getattr(state, "site", None)
    if cached is not None and cached[0].version >= version:
        if cached[2] is environment:
            return cached[0], cached[1]
        if cached[0].version > 0:  # the same saved values over other defaults
            return _keep(state, cached[0], environment)
    if version == 0 and (cached is None or cached[0].version == 0):
        fresh = services.from_environment(environment, ratelimit.actions())
    else:
        fresh = await services.current(environment, ratelimit.actions())
    latest: tuple[Current, Settings, Settings] | None = getattr(state, "site", None)
    if latest is not None and latest[0].version > fresh.version:
        return latest[0], latest[1]  # another request of this process loaded a newer one
    return _keep(state, fresh, environment)


def _keep(state: Any, current: Current, environment: Settings) -> tuple[Current, Settings]:
    applied = current.applied_to(environment)
    state.site = (current, applied, environment)
    return current, applied


def _last_known(state: Any) -> tuple[Current, Settings]:
    cached: tuple[Current, Settings, Settings] | None = getattr(state, "site", None)
    if cached is not None:
        return cached[0], cached[1]
    return services.from_environment(state.settings, ratelimit.actions()), state.settings


async def for_job(ctx: dict[str, Any]) -> Settings:
    """The settings a worker job reads (`ctx["settings"]`): the environment's, with the values
    saved in the browser, current at the job's start (one Redis GET; one query after a save)."""
    state = ctx.get("site_state")
    if state is None:
        state = ctx["site_state"] = SimpleNamespace(settings=ctx["settings"], redis=ctx["redis"])
    try:
        _current, settings = await site_of(state, await _announced_version(state))
    except Exception as error:  # the database is down: the job says so itself, if it needs it
        logger.warning("settings not refreshed for a job: %r", error)
        return _last_known(state)[1]
    return settings


class SiteSettingsMiddleware:
    """`scope["site"]`: the current settings (`Current`); after the user is known. A visitor
    with no language of their own gets the site's default language as saved."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNCONCERNED):
            return await self.app(scope, receive, send)  # files: no settings, no Redis GET
        state = scope["app"].state
        try:
            site, settings = await site_of(state, await current_version(scope))
        except Exception as error:  # neither Redis nor the database answers: the health
            # checks still answer, and pages that need the database say it is unavailable
            logger.warning("settings not refreshed: %r", error)
            site, settings = _last_known(state)
        scope[SCOPE_KEY] = site
        scope[SETTINGS_KEY] = settings  # participation.web.settings_of
        language = language_of(scope, site.values.default_language)
        if language == scope.get("language"):
            return await self.app(scope, receive, send)
        await in_language(self.app, language, scope, receive, send)
