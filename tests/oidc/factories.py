"""Providers and log-ins through the tests' provider (tests/oidc/provider.py)."""

from __future__ import annotations

from typing import Any

import httpx

from oidc import services
from oidc.domain import ProviderForm
from oidc.models import Provider
from participation.settings import Settings
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET


async def provider_row(
    settings: Settings, issuer: str, enabled: bool = True, **changes: Any
) -> Provider:
    """A provider as staff configure it, through the service (its secret encrypted)."""
    values = {
        "name": "FranceConnect",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scopes": "openid given_name family_name email",
        "acr_values": "eidas1",
        "for_residents": True,
        "for_staff": False,
        "enabled": enabled,
        **changes,
    }
    return await services.save_provider(settings, None, None, ProviderForm(**values))


async def callback_url(client: httpx.AsyncClient, provider: Provider) -> httpx.URL:
    """The log-in button, then the provider's answer (it approves at once): the address of our
    callback, with its code and state, where the provider sends the browser."""
    start = await client.get(f"/auth/oidc/{provider.id}/start")
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient() as browser:
        at_provider = await browser.get(start.headers["location"])
    assert at_provider.status_code == 302, at_provider.text
    return httpx.URL(at_provider.headers["location"])


async def through_provider(client: httpx.AsyncClient, provider: Provider) -> httpx.Response:
    """A whole log-in through the provider: the app's answer to the callback."""
    return await client.get(str(await callback_url(client, provider)))
