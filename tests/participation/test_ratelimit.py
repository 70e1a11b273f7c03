"""The limits of participation/ratelimit.py as pure values: no Redis, no HTTP (the windows
themselves are tested against Redis in tests/moderation/test_rate_limits.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from participation import features, ratelimit
from participation.ratelimit import Limit, RateLimitedAction


def test_rate_limits() -> None:
    limit = Limit("login_failure", "email", 5, 60)
    assert ratelimit.limit_key(limit, "a@b.fr") == "ratelimit:login_failure:email:a@b.fr"
    assert ratelimit.LIMITS["login_failure"][0] == limit
    assert ratelimit.LIMITS["password_reset"][0].limit == 5


def test_the_core_names_its_own_actions_and_each_feature_declares_its_own() -> None:
    """The core's actions (accounts: log-in, reset, sign-up) are in participation/ratelimit.py;
    every other action and its label come from the manifest of the feature that limits it,
    merged after the core's in the order of INSTALLED (the settings page's order)."""
    assert [a.name for a in ratelimit.CORE_ACTIONS] == [
        "login_failure",
        "password_reset",
        "signup",
        "api",
        "address_lookup",
        "image_upload",
    ]
    declared = {a.name: f.name for f in features.FEATURES for a in f.rate_limits}
    assert declared == {
        "post": "proposals",
        "comment": "comments",
        "report": "moderation",
        "signalement": "signalements",
        "signalement_follow": "signalements",
    }
    assert list(ratelimit.actions()) == [a.name for a in ratelimit.CORE_ACTIONS] + list(declared)
    assert ratelimit.LIMITS["signalement"] == (
        Limit("signalement", "user", 10, 3600),
        Limit("signalement", "email", 10, 3600),
        Limit("signalement", "ip", 10, 60),
    )
    source = Path(ratelimit.__file__).read_text()
    assert not any(f'"{name}"' in source for name in declared), "a feature's action in the core"
    assert all(a.label for a in ratelimit.actions().values())


def test_two_actions_of_one_name_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    twice = dataclasses.replace(
        features.feature("comments"),
        rate_limits=[RateLimitedAction("signup", "Sign-ups again", (Limit("signup", "ip", 1, 1),))],
    )
    monkeypatch.setattr(features, "INSTALLED", ("twice",))
    monkeypatch.setitem(features._LOADED, ("twice",), (twice,))
    with pytest.raises(ValueError, match="signup"):
        ratelimit.actions()
