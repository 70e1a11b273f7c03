"""The pure rules of OpenID Connect log-in, as tables."""

from __future__ import annotations

import pytest

from oidc import domain
from oidc.domain import FirstLogin

NOW = 2_000_000_000.0
GOOD = {
    "iss": "https://idp",
    "aud": "client",
    "exp": NOW + 60,
    "iat": NOW - 5,
    "nonce": "n",
    "sub": "s",
}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, None),
        ({"aud": ["client"]}, None),
        ({"iss": "https://other"}, "iss"),
        ({"aud": "other"}, "aud"),
        ({"aud": ["client", "other"]}, "azp"),
        ({"aud": ["client", "other"], "azp": "client"}, None),
        ({"exp": NOW - 3600}, "exp"),
        ({"exp": "tomorrow"}, "exp"),
        ({"iat": NOW + 3600}, "iat"),
        ({"iat": NOW - 3600}, "iat"),
        ({"nonce": "other"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"sub": ""}, "sub"),
        ({"sub": "x" * 256}, "sub"),
    ],
)
def test_id_token_claims(changes: dict, problem: str | None) -> None:
    claims = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
    assert domain.id_token_problem(claims, "https://idp", "client", "n", NOW) == problem


@pytest.mark.parametrize(
    ("linked", "email", "exists", "creates", "outcome"),
    [
        (True, "a@b.fr", True, True, FirstLogin.LOG_IN),
        (False, "a@b.fr", True, True, FirstLogin.PROVE),  # never a takeover through a claim
        (False, "a@b.fr", False, True, FirstLogin.CREATE),
        (False, "a@b.fr", False, False, FirstLogin.REFUSE),  # staff providers create nobody
        (False, "", False, True, FirstLogin.REFUSE),
    ],
)
def test_first_login(
    linked: bool, email: str, exists: bool, creates: bool, outcome: FirstLogin
) -> None:
    assert domain.first_login(linked, email, exists, creates) == outcome


@pytest.mark.parametrize(
    ("residents", "staff", "role", "allowed"),
    [
        (True, False, "citizen", True),
        (True, False, "admin", False),
        (False, True, "moderator", True),
        (False, True, "citizen", False),
        (True, True, "admin", True),
    ],
)
def test_may_use(residents: bool, staff: bool, role: str, allowed: bool) -> None:
    assert domain.may_use(residents, staff, role) is allowed


def test_names_levels_and_addresses() -> None:
    assert (
        domain.display_name({"given_name": "Jean Paul", "family_name": "dupont"}, "x@y")
        == "Jean D."
    )
    assert domain.display_name({}, "camille@example.org") == "camille"
    assert domain.eidas_level("eidas2") == "eidas2"
    assert domain.eidas_level("https://proconnect.gouv.fr/assurance/eidas1") == "eidas1"
    assert domain.eidas_level("") == ""
    assert domain.issuer_problem("https://idp.gouv.fr/api/v2", False) is None
    assert domain.issuer_problem("http://idp.gouv.fr", True) is not None
    assert domain.issuer_problem("http://127.0.0.1:8080", True) is None
    assert domain.issuer_problem("http://127.0.0.1:8080", False) is not None
    assert domain.issuer_problem("https://idp?x=1", False) is not None
