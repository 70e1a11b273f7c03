"""The back button after voting without JavaScript (issue #15): checking the ballot, then voting,
then going back never lands on « Confirmer le nouvel envoi du formulaire », because every
successful POST answers 303 and the page behind it is a GET."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from budgets.models import BallotKind
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser.plugin import LiveServer, ballots_in, log_in
from tests.budgets.factories import PERSON, budget_in_voting, verified
from tests.conftest import TEST_PASSWORD, create_user

expect.set_options(timeout=15_000)


async def test_back_after_voting_without_javascript_shows_the_ballot_again(
    module_server: LiveServer, context_for: Any
) -> None:
    async def seed(settings: Settings) -> dict[str, Any]:
        budget, _ = await budget_in_voting(BallotKind.KNAPSACK)
        user = await create_user(settings, "retour@example.org", Role.CITIZEN)
        await verified(settings, user, PERSON)
        return {"budget": budget.id}

    seeded = await module_server.seed(seed)
    page = await (await context_for(javascript=False)).new_page()
    await log_in(page, module_server, "retour@example.org", TEST_PASSWORD)
    ballot = f"{module_server.url}/budgets/{seeded['budget']}/ballot"
    await page.goto(ballot)
    await page.get_by_label(re.compile("Jardin partagé")).check()
    await page.get_by_role("button", name="Vérifier mon bulletin").click()
    await expect(page.locator("#meter")).to_contain_text("1 projet choisi")
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    assert len(await ballots_in(module_server, seeded["budget"])) == 1

    # back: the checked ballot, as a GET (a POST page would raise net::ERR_CACHE_MISS here)
    response = await page.go_back()
    assert response is None or response.request.method == "GET"
    assert page.url.startswith(ballot)
    await expect(page.get_by_role("button", name="Voter")).to_be_visible()
    # and back once more: the ballot as first opened
    await page.go_back()
    assert page.url.startswith(ballot)
    assert len(await ballots_in(module_server, seeded["budget"])) == 1  # nothing sent again
