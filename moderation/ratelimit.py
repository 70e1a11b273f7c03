"""Rate limits counted in Redis (fixed windows), so they hold across every web process.

`await check(request, "comment")` raises `RateLimited` when one of the action's limits (per
person, per IP or per e-mail address) is exceeded; the app answers 429 with a clear message.
If Redis does not answer, the request goes through (logged): limits must not take the site down.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import Response

from moderation.domain import LIMITS, Limit, exceeded, limit_key, retry_after
from participation.accounts.domain import normalize_email

logger = logging.getLogger("moderation.ratelimit")


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _who(request: Request, email: str | None) -> dict[str, str]:
    user = request.scope.get("user")
    return {
        "user": str(user.id) if user is not None and user.is_authenticated else "",
        "ip": client_ip(request),
        "email": normalize_email(email) if email else "",
    }


def _redis(request: Request) -> Any:
    if not request.app.state.settings.rate_limits:
        return None
    return getattr(request.app.state, "redis", None)


def _counters(
    request: Request, action: str, email: str | None
) -> tuple[float, list[tuple[Limit, str]]]:
    """Now, and the action's limits that apply to this request with their Redis keys."""
    who_by, now = _who(request, email), time.time()
    return now, [
        (limit, limit_key(limit, who, now))
        for limit in LIMITS[action]
        if (who := who_by[limit.per])
    ]


async def check(request: Request, action: str, email: str | None = None) -> None:
    """Count this attempt; RateLimited when it goes over one of the action's limits."""
    redis = _redis(request)
    if redis is None:
        return
    now, counters = _counters(request, action, email)
    for limit, key in counters:
        try:
            async with redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, limit.period + 1)
                count, _ = await pipe.execute()
        except (OSError, RedisError) as error:
            logger.warning("rate limit %s not checked: %s", action, error)
            return
        if exceeded(int(count), limit.limit):
            raise RateLimited(retry_after(now, limit.period))


async def refuse_if_exhausted(request: Request, action: str, email: str | None = None) -> None:
    """For limits on failures (log-in): RateLimited when the failures already reached a
    limit; `check` records each failure."""
    redis = _redis(request)
    if redis is None:
        return
    now, counters = _counters(request, action, email)
    for limit, key in counters:
        try:
            count = await redis.get(key)
        except (OSError, RedisError) as error:
            logger.warning("rate limit %s not checked: %s", action, error)
            return
        if count is not None and int(count) >= limit.limit:
            raise RateLimited(retry_after(now, limit.period))


async def rate_limited(request: Request, exc: Exception) -> Response:
    """429 with a message that says how long to wait, and a Retry-After header."""
    from participation.accounts.models import AnonymousUser
    from participation.i18n import N_
    from participation.templating import render

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
