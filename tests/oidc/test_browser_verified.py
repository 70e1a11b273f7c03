"""The done-when journey of issue #19, in a real browser without JavaScript: a resident logs in
through the tests' OpenID Connect provider (its verified birth date comes along), gives their
postal address, staff print the letters, the resident types the letter's code (lower case, with
spaces), then votes in a budget whose space is restricted to verified residents aged 16 and
more. Every new page is audited by axe."""

from __future__ import annotations

import io
import re
from typing import Any

from playwright.async_api import expect
from pypdf import PdfReader

from budgets.models import Budget
from participation.accounts.models import Role, User
from participation.residents import letters
from participation.residents.models import District
from participation.settings import Settings
from participation.spaces.domain import Audience
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, ballots_in
from tests.budgets.factories import budget_in_voting
from tests.oidc.factories import provider_row
from tests.oidc.provider import LocalProvider
from tests.spaces.factories import space_open_with_a_vote

expect.set_options(timeout=15_000)


async def test_a_resident_logs_in_is_verified_by_letter_and_votes_in_a_16_plus_budget(
    live_server: LiveServer,
    running_provider: LocalProvider,
    idp: LocalProvider,
    context_for: Any,
    axe: Axe,
) -> None:
    town: dict[str, int] = {}

    async def seed(settings: Settings) -> None:
        await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Mairie")
        await provider_row(settings, running_provider.issuer)
        # districts Nord and Sud, and no census file: a letter record votes (issue #19)
        for name in ("Nord", "Sud"):
            await District.create(name=name, slug=name.lower())
        space = await space_open_with_a_vote(audience=Audience.AGE, minimum_age=16)
        budget, _ = await budget_in_voting()
        await Budget.filter(id=budget.id).update(space_id=space.id)
        town["budget"] = budget.id

    await live_server.seed(seed)
    live_server.start()
    idp.user = {
        "sub": "sub-journey-0001",
        "email": "alix@example.org",
        "email_verified": True,
        "given_name": "Alix",
        "family_name": "Durand",
        "birthdate": "2008-05-02",  # 18 years old: verified by FranceConnect
    }
    page = await (await context_for(javascript=False)).new_page()
    await page.goto(live_server.url + "/account/login")
    await page.get_by_role("link", name="Se connecter avec FranceConnect").click()
    await expect(page.locator("main")).to_contain_text("conditions")
    if await page.get_by_label("J’accepte les conditions d’utilisation").count():
        await page.get_by_label("J’accepte les conditions d’utilisation").check()
        await page.get_by_role("button", name=re.compile("Accepter|Continuer|Valider")).click()

    # not verified yet: the budget says why, and how to get verified
    await page.goto(live_server.url + f"/budgets/{town['budget']}/ballot")
    await expect(page.locator("main")).to_contain_text(
        "Cette démarche est réservée aux habitants vérifiés de 16\u00a0ans et plus"
    )
    await axe.check(page, "outside the audience")
    await page.get_by_role("link", name="Comment être vérifié comme habitant").click()
    await axe.check(page, "verification")
    await page.get_by_text("Indiquer mon adresse postale").click()
    await page.get_by_label("Nom sur la boîte aux lettres").fill("Alix Durand")
    await page.get_by_label("Numéro et rue").fill("8 rue des Tilleuls")
    await page.get_by_label("Code postal").fill("44000")
    await page.get_by_label("Commune").fill("Villebelle")
    await page.get_by_label("Quartier").select_option("Nord")
    await page.get_by_role("button", name="Enregistrer mon adresse").click()
    await expect(page.locator(".flash")).to_contain_text("Votre adresse est enregistrée")

    async def print_batch(settings: Settings) -> bytes | None:  # staff print the letters
        staff = await User.get(email="mairie@example.org")
        return await letters.print_letters(settings, staff, "Villebelle")

    content = await live_server.seed(print_batch)
    assert content is not None
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Alix Durand" in text and "VILLEBELLE" in text
    code = re.search(r"\b([A-Z2-9]{5}) ([A-Z2-9]{5})\b", text)
    assert code is not None

    await page.reload()
    await page.get_by_label("Code du courrier").fill(f"{code.group(1).lower()} {code.group(2)}")
    await page.get_by_role("button", name="Confirmer le code").click()
    await expect(page.locator(".flash")).to_contain_text("Vous êtes vérifié comme habitant")
    await axe.check(page, "verified")

    await page.goto(live_server.url + f"/budgets/{town['budget']}/ballot")
    await page.locator("input[name=project]").first.check()
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    assert len(await ballots_in(live_server, town["budget"])) == 1
