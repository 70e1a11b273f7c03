"""Council staff's journey, JavaScript on and off: generate a budget's ballot box key (the
trustee shows their share once), open its vote, close it, enter the key share to open and count
the ballots, publish the results, and publish the council's response to a closed consultation.
Every page is audited by axe."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, signed_in

expect.set_options(timeout=15_000)


def town_for(number: int) -> Any:
    async def seed(settings: Settings) -> dict[str, Any]:
        await seeds.census(settings)
        staff = await seeds.someone(settings, f"mairie{number}@example.org", Role.ADMIN, "Mairie")
        participant = await seeds.someone(settings, f"habitant{number}@example.org")
        return {
            "staff": staff.id,
            "budget": await seeds.budget_in_review(f"Budget participatif 2027 n°{number}"),
            "consultation": await seeds.answered_consultation(
                settings, f"Horaires de la piscine n°{number}", participant
            ),
        }

    return seed


async def open_with_held_shares(server: LiveServer, budget_id: int) -> str:
    """What the worker's `open_budget_ballots` job does with the shares held in Redis."""
    from redis.asyncio import Redis

    from budgets.ballot_box import open_with_held_shares as job

    redis = Redis.from_url(server.env["REDIS_URL"])
    try:
        return await job(redis, budget_id)
    finally:
        await redis.aclose()


async def switch_phase(page: Any, phase: str) -> None:
    await page.get_by_label("Passer à la phase").select_option(label=phase)
    await page.get_by_role("button", name="Changer de phase").click()
    await expect(page.get_by_text("La phase a changé.")).to_be_visible()
    await expect(page.get_by_text("Phase en cours :")).to_contain_text(phase)


async def test_staff_run_a_budget_and_answer_a_consultation(
    module_server: LiveServer, context_for: Any, axe: Axe, javascript: bool
) -> None:
    number = 0 if javascript else 1
    site = module_server.url
    seeded = await module_server.seed(town_for(number))
    budget_title = f"Budget participatif 2027 n°{number}"
    public = await (await context_for(javascript=javascript)).new_page()
    page = await signed_in(
        context_for, module_server, f"mairie{number}@example.org", javascript=javascript
    )

    # --- open the vote
    await page.get_by_role("link", name="Administration").click()
    await axe.check(page)
    await page.get_by_role("link", name="Budgets participatifs").last.click()
    await page.get_by_role("link", name=budget_title).click()
    await page.get_by_role("link", name="Gérer ce budget").click()
    await axe.check(page, "budget management")
    # voting cannot open without the ballot box key
    await page.get_by_label("Passer à la phase").select_option(label="Vote")
    await page.get_by_role("button", name="Changer de phase").click()
    await expect(page.get_by_text("l’urne n’a pas encore de clé").first).to_be_visible()
    # the key ceremony: this staff member is the one trustee; their share is shown once
    for box in await page.locator('input[name="trustee"]').all():
        await box.uncheck()
    await page.locator(f"#trustee-{seeded['staff']}").check()
    await page.get_by_label("Parts de clé nécessaires", exact=False).fill("1")
    await page.get_by_role("button", name="Générer la clé de l’urne").click()
    await expect(page.get_by_text("La clé de l’urne est générée")).to_be_visible()
    # until the trustee holds their share, voting cannot open; the ceremony may be held again
    await expect(page.get_by_text("n’a pas encore affiché sa part")).to_be_visible()
    await expect(page.get_by_role("button", name="Générer une nouvelle clé d’urne")).to_be_visible()
    await axe.check(page, "key generated")
    await page.get_by_role("button", name="Afficher ma part de clé (une seule fois)").click()
    share = (await page.locator("#share").inner_text()).strip()
    assert share.startswith(f"PART-{seeded['budget']}-1-")
    await axe.check(page, "key share")
    await page.go_back()
    await page.reload()
    await expect(
        page.get_by_role("button", name="Afficher ma part de clé (une seule fois)")
    ).to_have_count(0)
    await expect(page.get_by_text("détient sa part")).to_be_visible()
    await switch_phase(page, "Vote")
    await axe.check(page, "voting open")
    await public.goto(f"{site}/budgets/{seeded['budget']}")
    await expect(public.get_by_role("link", name="Voter", exact=True)).to_be_visible()

    # residents vote (their side is the resident journey's)
    await module_server.seed(
        lambda s: seeds.vote(s, seeded["budget"], seeds.VOTERS[0], ["Jardin partagé"])
    )
    await module_server.seed(
        lambda s: seeds.vote(
            s, seeded["budget"], seeds.VOTERS[1], ["Jardin partagé", "Piste cyclable"]
        )
    )
    await page.reload()
    await expect(page.get_by_text("2 bulletins scellés")).to_be_visible()

    # --- close it: the tally runs (here as the worker's job would), staff preview, then publish
    await switch_phase(page, "Dépouillement")
    await public.goto(f"{site}/budgets/{seeded['budget']}")
    await expect(public.get_by_role("link", name="Voter", exact=True)).to_have_count(0)
    response = await public.goto(f"{site}/budgets/{seeded['budget']}/results")
    assert response is not None and response.status == 404  # not published yet
    await page.get_by_label("Part de clé", exact=True).fill(share)
    await page.get_by_role("button", name="Saisir ma part de clé").click()
    await expect(page.get_by_text("Assez de parts de clé")).to_be_visible()
    await module_server.seed(lambda s: open_with_held_shares(module_server, seeded["budget"]))
    await page.reload()
    await expect(page.get_by_text("Les bulletins ont été ouverts et comptés")).to_be_visible()
    await axe.check(page, "tallied")
    await page.get_by_role("link", name="Voir les résultats").click()
    await expect(page.get_by_text("ces résultats ne sont pas encore publiés")).to_be_visible()
    await axe.check(page, "results preview")
    await page.go_back()
    await switch_phase(page, "Résultats")
    await public.goto(f"{site}/budgets/{seeded['budget']}/results")
    await expect(public.get_by_text(re.compile(r"^2 bulletins( ·|$)"))).to_be_visible()
    await expect(public.get_by_text("ces résultats ne sont pas encore publiés")).to_have_count(0)

    # --- the consultation: close it, then publish the council's response
    await page.get_by_role("link", name="Administration").click()
    await page.get_by_role("link", name="Gérer les consultations").click()
    await axe.check(page)
    await page.get_by_role("link", name=f"Horaires de la piscine n°{number}").click()
    await axe.check(page, "consultation management")
    # closing before the announced date asks first (a page of its own, no script needed)
    await page.get_by_label("Passer à la phase").select_option(label="Clôturée")
    await page.get_by_role("button", name="Changer de phase").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Clôturer la consultation avant la date prévue ?"
    )
    await axe.check(page, "closing early confirmed")
    await page.get_by_role("button", name="La clôturer maintenant").click()
    await expect(page.get_by_text("La phase a changé.")).to_be_visible()
    await expect(page.get_by_text("Phase en cours :")).to_contain_text("Clôturée")
    await page.get_by_role("link", name="Publier la réponse de la collectivité").click()
    await page.get_by_role("button", name="Publier").click()
    await expect(page.get_by_label("Ce que nous avons entendu", exact=False)).to_have_attribute(
        "aria-invalid", "true"
    )
    await axe.check(page, "response refused")
    await page.get_by_label("Ce que nous avons entendu", exact=False).fill(
        "Vous voulez une piscine ouverte plus tard le soir."
    )
    await page.get_by_label("Ce que nous décidons", exact=False).fill(
        "Ouverture jusqu'à 21 h le mardi et le jeudi dès janvier."
    )
    await page.get_by_role("button", name="Publier").click()
    await expect(
        page.get_by_text("La réponse est publiée ; 1 participant prévenu.")
    ).to_be_visible()
    await axe.check(page, "response published")

    await public.goto(f"{site}/consultations/{seeded['consultation']}")
    await public.get_by_role("link", name="La réponse de la collectivité").click()
    await expect(public.get_by_text("jusqu'à 21 h le mardi et le jeudi")).to_be_visible()

    # the other staff sections open from the Administration page (audited as they stand)
    for section in [
        "Motifs prêts à l’emploi",
        "Tableau de bord de la participation",
        "Engagements",
    ]:
        await page.get_by_role("link", name="Administration").click()
        await page.get_by_role("link", name=section).click()
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await axe.check(page, section)
    axe.finish()
