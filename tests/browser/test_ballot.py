"""A resident casts a ballot in a real browser, with JavaScript on (htmx meter) and off."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from budgets.models import BallotKind
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser.conftest import LiveServer, ballots_in, log_in
from tests.budgets.factories import PERSON, budget_in_voting, verified
from tests.conftest import TEST_PASSWORD, create_user

# Generous: the suite runs on a busy 2-core machine; expect() retries until then.
expect.set_options(timeout=15_000)


def _seed(person: dict[str, str], email: str) -> Any:
    async def seed(settings: Settings) -> dict[str, Any]:
        budget, projects = await budget_in_voting(BallotKind.KNAPSACK)
        user = await create_user(settings, email, Role.CITIZEN)
        await verified(settings, user, person)
        return {"budget": budget.id, "projects": [p.id for p in projects]}

    return seed


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_cast_and_change_a_ballot(
    module_server: LiveServer, context_for: Any, javascript: bool
) -> None:
    # two residents of the Nord district, one per run, each with their own budget
    person = (
        PERSON if javascript else {**PERSON, "identifier": "VB-004", "birth_date": "1975-01-30"}
    )
    email = f"habitante-{'js' if javascript else 'nojs'}@example.org"
    seeded = await module_server.seed(_seed(person, email))
    page = await (await context_for(javascript=javascript)).new_page()
    await log_in(page, module_server, email, TEST_PASSWORD)

    await page.goto(f"{module_server.url}/budgets/{seeded['budget']}/ballot")
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
    assert await ballots_in(module_server, seeded["budget"]) == []

    await page.get_by_label(re.compile("Skatepark")).uncheck()
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", await page.content())
    assert len(await ballots_in(module_server, seeded["budget"])) == 1

    # change the vote
    await page.get_by_role("link", name="Modifier mon vote").click()
    # a sealed ballot cannot be read back, not even for its voter: the form starts empty
    assert not await page.get_by_label(re.compile("Piste cyclable")).is_checked()
    await expect(
        page.get_by_text("vos choix précédents ne peuvent pas être affichés")
    ).to_be_visible()
    await page.get_by_label(re.compile("Jardin partagé")).check()
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    ballots = await ballots_in(module_server, seeded["budget"])
    assert len(ballots) == 1 and f'"{seeded["projects"][1]}"' not in ballots[0]
    assert f'"{seeded["projects"][0]}"' in ballots[0]
