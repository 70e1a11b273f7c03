"""A resident casts a ballot in a real browser, with JavaScript on (htmx meter) and off."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from budgets.models import Ballot
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser.conftest import LiveServer
from tests.budgets.factories import budget_in_voting, verified
from tests.conftest import TEST_PASSWORD, create_user

# Generous: the suite runs on a busy 2-core machine; expect() retries until then.
expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> dict[str, Any]:
    from budgets.models import BallotKind

    budget, projects = await budget_in_voting(BallotKind.KNAPSACK)
    user = await create_user(settings, "habitante@example.org", Role.CITIZEN)
    await verified(settings, user)
    return {"budget": budget.id, "projects": [p.id for p in projects]}


async def _ballots(settings: Settings) -> list[str]:
    return [b.choices for b in await Ballot.all()]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_cast_and_change_a_ballot(
    live_server: LiveServer, browser: Any, javascript: bool
) -> None:
    seeded = await live_server.seed(_seed)
    live_server.start()
    context = await browser.new_context(java_script_enabled=javascript, locale="fr-FR")
    context.set_default_timeout(20_000)
    page = await context.new_page()
    await page.goto(f"{live_server.url}/account/login")
    await page.get_by_label("Adresse e-mail").fill("habitante@example.org")
    await page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(f"{live_server.url}/")

    await page.goto(f"{live_server.url}/budgets/{seeded['budget']}/ballot")
    assert await page.locator("html").get_attribute("lang") == "fr"
    meter = page.locator("#meter")
    await page.get_by_label(re.compile("Jardin partagé")).check()  # 40,000 €
    await page.get_by_label(
        re.compile("Piste cyclable")
    ).check()  # 30,000 €: all 70,000 € city-wide
    if javascript:  # htmx updates the meter in place, no reload
        await expect(meter).to_contain_text("2 projets choisis")
        await expect(meter).to_contain_text("70\u202f000\xa0€ sur 70\u202f000\xa0€")
    else:  # without JavaScript, "check" submits and shows the total
        await page.get_by_role("button", name="Vérifier mon bulletin").click()
        await expect(meter).to_contain_text("70\u202f000\xa0€ sur 70\u202f000\xa0€")
        assert await page.get_by_label(re.compile("Jardin partagé")).is_checked()
    # over the amount: refused with what to fix, nothing recorded
    await page.get_by_label(re.compile("Skatepark")).check()
    await page.get_by_role("button", name="Voter").click()
    await expect(page.locator(".error-summary")).to_contain_text("retirez des projets")
    assert await live_server.seed(_ballots) == []

    await page.get_by_label(re.compile("Skatepark")).uncheck()
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", await page.content())
    assert len(await live_server.seed(_ballots)) == 1

    # change the vote
    await page.get_by_role("link", name="Modifier mon vote").click()
    assert await page.get_by_label(re.compile("Piste cyclable")).is_checked()
    await page.get_by_label(re.compile("Piste cyclable")).uncheck()
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    ballots = await live_server.seed(_ballots)
    assert len(ballots) == 1 and f'"{seeded["projects"][1]}"' not in ballots[0]
    assert f'"{seeded["projects"][0]}"' in ballots[0]
    await context.close()
