"""The user info as a signed JWT (issue #19): FranceConnect answers `application/jwt`, signed
with its keys; the tests' provider answers so when `userinfo_as_jwt` is on. Its signature is
verified against the provider's JWKS, then its `iss`, `aud`, `exp` and `sub`; any doubt and
nothing is created."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

from oidc.domain import userinfo_jwt_problem
from oidc.models import Link
from participation.accounts.models import User
from participation.residents.models import BirthDateClaim
from participation.settings import Settings
from tests.oidc.factories import provider_row, through_provider
from tests.oidc.provider import CLIENT_ID, LocalProvider

ISSUER = "https://fc.example"
NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("claims", "problem"),
    [
        ({"sub": "s", "iss": ISSUER, "aud": CLIENT_ID, "exp": NOW + 60}, None),
        ({"sub": "s", "aud": [CLIENT_ID, "other"]}, None),
        ({"sub": "s"}, None),  # iss, aud and exp are optional in a signed user info
        ({"sub": "s", "iss": "https://attacker.example"}, "iss"),
        ({"sub": "s", "aud": "another-client"}, "aud"),
        ({"sub": "s", "aud": 12}, "aud"),
        ({"sub": "s", "exp": NOW - 121}, "exp"),  # past the leeway
        ({"sub": "s", "exp": NOW - 119}, None),
        ({"sub": "s", "exp": "soon"}, "exp"),
    ],
)
def test_the_claims_of_a_signed_user_info(claims: dict[str, Any], problem: str | None) -> None:
    assert userinfo_jwt_problem(claims, ISSUER, CLIENT_ID, NOW) == problem


async def test_a_signed_user_info_is_read(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    idp.userinfo_as_jwt = True
    idp.tweak_userinfo = {"birthdate": "2008-05-02"}  # only in the user info, as FranceConnect
    provider = await provider_row(settings, idp.issuer)
    assert (await through_provider(client, provider)).status_code == 303
    user = await User.get(email="camille@example.org")
    assert user.display_name == "Camille M."
    assert (await BirthDateClaim.get(user=user)).birth_date == date(2008, 5, 2)
    assert await Link.filter(user=user, subject="sub-camille-0001").exists()


@pytest.mark.parametrize(
    "tweak",
    [
        {"sub": "sub-of-someone-else"},
        {"aud": "another-client"},
        {"iss": "https://attacker.example"},
        {"exp": int(time.time()) - 3600},
    ],
    ids=["sub", "audience", "issuer", "expired"],
)
async def test_a_signed_user_info_that_cannot_be_trusted_is_refused(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider, tweak: Any
) -> None:
    idp.userinfo_as_jwt = True
    idp.tweak_userinfo = tweak
    await _refused(client, settings, idp)


async def test_a_user_info_signed_with_another_key_is_refused(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    idp.userinfo_as_jwt = True
    idp.userinfo_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})  # forged
    await _refused(client, settings, idp)


async def _refused(client: httpx.AsyncClient, settings: Settings, idp: LocalProvider) -> None:
    provider = await provider_row(settings, idp.issuer)
    response = await through_provider(client, provider)
    assert response.status_code == 400, response.text
    assert not await User.filter(email="camille@example.org").exists()
    assert not await Link.exists()
