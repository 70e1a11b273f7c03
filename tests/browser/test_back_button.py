"""The back button after voting without JavaScript (issue #15): checking the ballot, then voting,
then going back never lands on « Confirmer le nouvel envoi du formulaire », because every
successful POST answers 303 and the page behind it is a GET."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from participation.settings import Settings
from tests.browser import seeds
from tests.browser.conftest import LiveServer, ballots_in, signed_in

expect.set_options(timeout=15_000)


async def test_back_after_voting_without_javascript_shows_the_ballot_again(
    module_server: LiveServer, context_for: Any
) -> None:
    async def seed(settings: Settings) -> dict[str, Any]:
        budget, _ = await seeds.voter_at_budget(settings, "retour@example.org")
        return {"budget": budget.id}

    seeded = await module_server.seed(seed)
    ballot = f"/budgets/{seeded['budget']}/ballot"
    page = await signed_in(
        context_for, module_server, "retour@example.org", ballot, javascript=False
    )
    await page.get_by_label(re.compile("Jardin partagé")).check()
    await page.get_by_role("button", name="Vérifier mon bulletin").click()
    await expect(page.locator("#meter")).to_contain_text("1 projet choisi")
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    assert len(await ballots_in(module_server, seeded["budget"])) == 1

    # back: the checked ballot, as a GET (a POST page would raise net::ERR_CACHE_MISS here)
    response = await page.go_back()
    assert response is None or response.request.method == "GET"
    assert page.url.startswith(module_server.url + ballot)
    await expect(page.get_by_role("button", name="Voter")).to_be_visible()
    # and back once more: the ballot as first opened
    await page.go_back()
    assert page.url.startswith(module_server.url + ballot)
    assert len(await ballots_in(module_server, seeded["budget"])) == 1  # nothing sent again
