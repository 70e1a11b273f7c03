"""The tests' OpenID Connect provider: one real server for the run, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oidc import client
from tests.oidc.provider import LocalProvider


@pytest.fixture(scope="session")
def running_provider() -> Iterator[LocalProvider]:
    server = LocalProvider().start()
    yield server
    server.stop()


@pytest.fixture
def idp(running_provider: LocalProvider) -> LocalProvider:
    """The provider, as new: its person, key and claims as they start."""
    fresh = LocalProvider()
    # everything a test may change, whatever it is (a forged user info key left by one test
    # made the next one's log-in fail), but the server and the key its JWKS publishes
    for name, value in vars(fresh).items():
        if name not in ("key", "issuer", "_server"):
            setattr(running_provider, name, value)
    running_provider.signing_key = running_provider.key
    client.forget_cache()
    return running_provider
