"""OpenID Connect log-in in a real browser, JavaScript on and off: a resident logs in through
the tests' provider (tests/oidc/provider.py) and gets an account; a resident whose address
already has an account is asked to prove it; staff add a provider from a preset. Every page is
audited by axe."""

from __future__ import annotations

from typing import Any

import pytest_asyncio
from playwright.async_api import expect

from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, signed_in
from tests.oidc.factories import provider_row
from tests.oidc.provider import LocalProvider

expect.set_options(timeout=15_000)


@pytest_asyncio.fixture(loop_scope="session")
async def server(live_server: LiveServer, running_provider: LocalProvider) -> LiveServer:
    async def seed(settings: Settings) -> None:
        await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Mairie")
        await seeds.someone(settings, "dominique@example.org", name="Dominique")
        await provider_row(settings, running_provider.issuer)

    await live_server.seed(seed)
    live_server.start()
    return live_server


async def test_a_resident_logs_in_through_the_provider(
    server: LiveServer,
    idp: LocalProvider,
    context_for: Any,
    axe: Axe,
    javascript: bool,
) -> None:
    idp.user = {
        "sub": f"sub-browser-{int(javascript)}",
        "email": f"camille-{int(javascript)}@example.org",
        "email_verified": True,
        "given_name": "Camille",
        "family_name": "Martin",
    }
    page = await (await context_for(javascript=javascript)).new_page()
    await page.goto(server.url + "/account/login")
    await axe.check(page, "with a provider")
    await page.get_by_role("link", name="Se connecter avec FranceConnect").click()
    # a new account accepts the conditions of use, then it is signed in
    await expect(page.locator("main")).to_contain_text("conditions")
    await page.goto(server.url + "/account")
    await expect(page.locator("main")).to_contain_text(f"camille-{int(javascript)}@example.org")
    await expect(page.locator("main")).to_contain_text("FranceConnect")
    await axe.check(page, "account with a provider")


async def test_an_existing_address_must_be_proven_and_failures_are_explained(
    server: LiveServer,
    idp: LocalProvider,
    context_for: Any,
    axe: Axe,
    javascript: bool,
) -> None:
    idp.user = {
        "sub": f"sub-dominique-{int(javascript)}",
        "email": "dominique@example.org",
        "given_name": "Dominique",
    }
    page = await (await context_for(javascript=javascript)).new_page()
    await page.goto(server.url + "/account/login")
    await page.get_by_role("link", name="Se connecter avec FranceConnect").click()
    await expect(page.locator("h1")).to_contain_text("Associer FranceConnect")
    await axe.check(page, "proof asked")
    await page.get_by_label("Mot de passe").fill("pas-le-bon")
    await page.get_by_role("button", name="Associer et me connecter").click()
    await expect(page.locator("#password-error")).to_be_visible()
    await axe.check(page, "wrong password")
    await page.goto(server.url + "/auth/oidc/callback?code=x&state=y")
    await expect(page.locator("main")).to_contain_text("plus valable")
    await axe.check(page, "failed log-in")
    await page.goto(server.url + "/auth/oidc/link/not-a-token")
    await expect(page.locator("main")).to_contain_text("expiré")
    await axe.check(page, "used link")


async def test_staff_add_a_provider_from_a_preset(
    server: LiveServer, context_for: Any, axe: Axe, javascript: bool
) -> None:
    page = await signed_in(
        context_for, server, "mairie@example.org", "/admin/oidc", javascript=javascript
    )
    await axe.check(page, "providers")
    await page.get_by_role("link", name="ProConnect").click()
    await axe.check(page, "preset")
    await page.get_by_role("button", name="Enregistrer").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await axe.check(page, "refused")
    await page.get_by_label("Identifiant client").fill("client-ville")
    await page.get_by_label("Secret client").fill("un-secret")
    await page.get_by_role("button", name="Enregistrer").click()
    await expect(page.locator(".flash")).to_contain_text("ProConnect")
    await page.locator("table").get_by_role("link", name="ProConnect").first.click()
    await expect(page.locator("h1")).to_contain_text("ProConnect")
    await axe.check(page, "edit")
