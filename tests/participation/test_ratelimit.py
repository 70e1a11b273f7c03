"""The limits of participation/ratelimit.py as pure values: no Redis, no HTTP (the windows
themselves are tested against Redis in tests/moderation/test_rate_limits.py)."""

from __future__ import annotations

from participation import ratelimit
from participation.ratelimit import Limit


def test_rate_limits() -> None:
    limit = Limit("login_failure", "email", 5, 60)
    assert ratelimit.limit_key(limit, "a@b.fr") == "ratelimit:login_failure:email:a@b.fr"
    assert ratelimit.LIMITS["login_failure"][0] == limit
    assert ratelimit.LIMITS["password_reset"][0].limit == 5
