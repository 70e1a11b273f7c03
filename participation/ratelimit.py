"""Rate limits counted in Redis with sliding windows, so they hold across every web process.

`await check(request, "signup")` raises `RateLimited` when one of the action's limits (per
person, per IP or per e-mail address) is full; the app answers 429 with a clear message.
If Redis does not answer, the request goes through (logged): limits must not take the site down.

Why sliding windows: fixed windows (one counter per minute number) let a burst that straddles a
window boundary through twice (10 comments at 12:00:59 and 10 more at 12:01:00). Here each limit
is a sorted set of the accepted attempts' times; an attempt is accepted when fewer than `limit`
of them fall in the last `period` seconds. The whole decision, for every limit of the action at
once, is one Lua script run atomically by Redis (EVALSHA): two web processes cannot both take
the last place, and a refused attempt is not recorded anywhere (it did nothing, so it does not
push the wait further back).

The clock is Python's, passed to the script as an argument (`now`): Redis never reads its own,
so the tests drive a fake clock (`app.state.clock`, default `time.time`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redis.exceptions import NoScriptError, RedisError
from starlette.requests import Request
from starlette.responses import Response

from participation import features
from participation.accounts.domain import normalize_email
from participation.accounts.models import AnonymousUser
from participation.i18n import N_
from participation.templating import render

logger = logging.getLogger("participation.ratelimit")

# --- the limits (pure): what each action may do, per person, IP or e-mail address -----------


@dataclass(frozen=True)
class Limit:
    """At most `limit` attempts in any `period` seconds (a sliding window), per `per`."""

    action: str
    per: str  # "user", "ip" or "email"
    limit: int
    period: int  # seconds


def limit_key(limit: Limit, who: str) -> str:
    """The Redis sorted set of one person's (IP's, address's) recent attempts."""
    return f"ratelimit:{limit.action}:{limit.per}:{who}"


@dataclass(frozen=True)
class RateLimitedAction:
    """An action whose attempts are counted: its `limits` (all checked at once) and `label`, a
    msgid, how /admin/settings names it (administrators switch each action's limits on or
    off). The core's own actions are `CORE_ACTIONS`; a feature declares its own in its manifest
    (`Feature.rate_limits`)."""

    name: str
    label: str
    limits: tuple[Limit, ...]


MINUTE, HOUR = 60, 3600
CORE_ACTIONS: tuple[RateLimitedAction, ...] = (
    # only failed log-ins count (per e-mail address and per IP): a person who logs in and out
    # again is never locked out, and a town hall behind one address is not locked out by its
    # own staff; the password check of an account deletion counts as a log-in (oidc's first
    # log-in and account linking count here too: they are log-ins)
    RateLimitedAction(
        "login_failure",
        N_("Failed log-ins"),
        (Limit("login_failure", "email", 5, MINUTE), Limit("login_failure", "ip", 30, MINUTE)),
    ),
    RateLimitedAction(
        "password_reset",
        N_("Password reset requests"),
        (Limit("password_reset", "email", 5, MINUTE), Limit("password_reset", "ip", 30, MINUTE)),
    ),
    RateLimitedAction("signup", N_("Sign-ups"), (Limit("signup", "ip", 10, HOUR),)),
    # the public read API and the open-data files (participation/api.py, opendata.py), per IP
    RateLimitedAction(
        "api", N_("Reads of the public API and open data"), (Limit("api", "ip", 300, MINUTE),)
    ),
    # each request to the national address API a form makes (participation/web.py,
    # saved_with_place): a report's first step is a GET anyone may send
    RateLimitedAction(
        "address_lookup",
        N_("Addresses looked up on the map"),
        (Limit("address_lookup", "user", 60, HOUR), Limit("address_lookup", "ip", 30, MINUTE)),
    ),
    # images sent with any form (participation/pictures/web.py): each is decoded and encoded
    # again at three widths, the costliest thing a form asks; counted once every check of its
    # form passed (what would be saved), and a full limit refuses before any decoding
    RateLimitedAction(
        "image_upload",
        N_("Images uploaded"),
        (Limit("image_upload", "user", 30, HOUR), Limit("image_upload", "ip", 60, HOUR)),
    ),
)

_MERGED: dict[tuple[str, ...], dict[str, RateLimitedAction]] = {}


def actions() -> dict[str, RateLimitedAction]:
    """Every rate-limited action by name: the core's, then each installed feature's
    (`Feature.rate_limits`, in `INSTALLED` order). Merged once per set of installed features
    (read at call time, never at import); two actions of one name are an error."""
    key = features.INSTALLED
    merged = _MERGED.get(key)
    if merged is None:
        installed = features.installed()
        declared = [*CORE_ACTIONS, *(a for f in installed for a in f.rate_limits)]
        merged = {}
        for action in declared:
            if action.name in merged:
                raise ValueError(f"two rate-limited actions are named {action.name!r}")
            if any(limit.action != action.name for limit in action.limits):
                raise ValueError(f"a limit of {action.name!r} names another action")
            merged[action.name] = action
        _MERGED[key] = merged
    return merged


def limits() -> dict[str, tuple[Limit, ...]]:
    """The limits of every action, by action name (see `actions`)."""
    return {name: action.limits for name, action in actions().items()}


def __getattr__(name: str) -> Any:
    # `ratelimit.LIMITS`: the merged limits, read on use (the manifests are loaded then)
    if name == "LIMITS":
        return limits()
    raise AttributeError(name)


# KEYS: one sorted set per limit. ARGV: now (seconds), "hit" or "peek", the member to add, then
# period and limit for each key. Returns the seconds to wait as a string ("0": accepted; Lua
# numbers would be truncated to integers on the way back).
SCRIPT = """
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local period = tonumber(ARGV[2 + 2 * i])
  local limit = tonumber(ARGV[3 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local freeing = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    wait = math.max(wait, tonumber(freeing[2]) + period - now)
  end
end
if wait == 0 and ARGV[2] == 'hit' then
  for i, key in ipairs(KEYS) do
    local period = tonumber(ARGV[2 + 2 * i])
    redis.call('ZADD', key, now, ARGV[3])
    redis.call('PEXPIRE', key, math.ceil(period * 1000) + 1000)
  end
end
return tostring(wait)
"""
SCRIPT_SHA = hashlib.sha1(SCRIPT.encode()).hexdigest()


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


async def attempt(
    redis: Any, counters: Sequence[tuple[Limit, str]], now: float, record: bool = True
) -> int:
    """One attempt against every limit in `counters` (limit, Redis key) at time `now`: 0 when
    accepted (and recorded in every limit when `record`), else the seconds to wait (at least 1)
    until the limit that frees up last has room. Raises RedisError or OSError when Redis is
    unreachable."""
    if not counters:
        return 0
    keys = [key for _, key in counters]
    args: list[str | int] = [repr(float(now)), "hit" if record else "peek", _member(now)]
    for limit, _ in counters:
        args += [limit.period, limit.limit]
    try:
        wait = await redis.evalsha(SCRIPT_SHA, len(keys), *keys, *args)
    except NoScriptError:  # a Redis restarted (or flushed its scripts): EVAL loads it again
        wait = await redis.eval(SCRIPT, len(keys), *keys, *args)
    seconds = float(wait)
    return 0 if seconds <= 0 else max(1, math.ceil(seconds))


def _member(now: float) -> str:
    """A set member unique to this attempt (two attempts may come at the same time)."""
    return f"{now!r}:{secrets.token_hex(6)}"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _who(request: Request, email: str | None) -> dict[str, str]:
    user = request.scope.get("user")
    return {
        "user": str(user.id) if user is not None and user.is_authenticated else "",
        "ip": client_ip(request),
        "email": normalize_email(email) if email else "",
    }


def _redis(request: Request, action: str) -> Any:
    settings = request.scope.get("settings") or request.app.state.settings  # web.settings_of
    if not settings.limits(action):
        return None
    return getattr(request.app.state, "redis", None)


def clock(request: Request) -> Callable[[], float]:
    """The app's clock: `time.time` unless a test set `app.state.clock`."""
    return getattr(request.app.state, "clock", time.time)  # type: ignore[no-any-return]


def _counters(request: Request, action: str, email: str | None) -> list[tuple[Limit, str]]:
    """The action's limits that apply to this request, with their Redis keys."""
    who_by = _who(request, email)
    return [
        (limit, limit_key(limit, who))
        for limit in actions()[action].limits
        if (who := who_by[limit.per])
    ]


async def _attempt(request: Request, action: str, email: str | None, record: bool) -> None:
    redis = _redis(request, action)
    if redis is None:
        return
    try:
        wait = await attempt(redis, _counters(request, action, email), clock(request)(), record)
    except (OSError, RedisError) as error:
        logger.warning("rate limit %s not checked: %s", action, error)
        return
    if wait:
        raise RateLimited(wait)


async def check(request: Request, action: str, email: str | None = None) -> None:
    """Count this attempt; RateLimited (and not counted) when one of the action's limits is
    already full."""
    await _attempt(request, action, email, record=True)


async def refuse_if_exhausted(request: Request, action: str, email: str | None = None) -> None:
    """For limits on failures (log-in): RateLimited when the failures already fill a limit,
    without counting anything; `check` records each failure once it happened."""
    await _attempt(request, action, email, record=False)


async def rate_limited(request: Request, exc: Exception) -> Response:
    """429 with a message that says how long to wait, and a Retry-After header."""
    assert isinstance(exc, RateLimited)
    request.scope.setdefault("user", AnonymousUser())
    context = {
        "status_code": 429,
        "title": N_("Too many requests"),
        "retry_after": exc.retry_after,
    }
    response = render(request, "moderation/rate_limited.html", context, status_code=429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response
