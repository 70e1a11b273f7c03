"""A resident's whole journey, in French, with JavaScript (htmx) on and off: sign up, confirm the
e-mail, verify against the census, propose, support, comment, answer a consultation, vote and
change the vote, read published results. Every page and htmx state reached is audited by axe."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest_asyncio
from playwright.async_api import expect

from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import (
    Axe,
    LiveServer,
    ballots_in,
    emails_to,
    link_in,
    mark_document,
    same_document,
)

# Generous: the suite runs on a busy 2-core machine; expect() retries until then.
expect.set_options(timeout=15_000)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def town(module_server: LiveServer) -> dict[str, Any]:
    async def seed(settings: Settings) -> dict[str, Any]:
        town = await seeds.town_voting(settings)
        neighbour = await seeds.someone(settings, "voisine@example.org", name="Louise V.")
        return {
            **town,
            "published": await seeds.published_budget(settings),
            "proposal": await seeds.published_proposal(
                settings, neighbour, "Des arceaux à vélo devant l'école"
            ),
        }

    return dict(await module_server.seed(seed))


async def test_a_resident_takes_part_in_everything(
    module_server: LiveServer, town: dict[str, Any], context_for: Any, axe: Axe, javascript: bool
) -> None:
    site = module_server.url
    number = 0 if javascript else 1
    email = f"camille{number}@example.org"
    identifier, born = seeds.RESIDENTS[number]
    page = await (await context_for(javascript=javascript)).new_page()

    # --- sign up: a mistake first, then the account
    await page.goto(site + "/")
    await axe.check(page)
    await page.get_by_role("link", name="Créer un compte").click()
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_label("Nom public").fill(f"Camille {number}")
    await page.get_by_label("Mot de passe", exact=False).first.fill(seeds.PASSWORD)
    await page.get_by_label("Mot de passe (confirmation)").fill("pas le même mot de passe")
    await page.get_by_role("button", name="Créer mon compte").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await expect(page.get_by_label("Mot de passe (confirmation)")).to_have_attribute(
        "aria-invalid", "true"
    )
    await axe.check(page, "sign-up refused")
    await page.get_by_label("Mot de passe", exact=False).first.fill(seeds.PASSWORD)
    await page.get_by_label("Mot de passe (confirmation)").fill(seeds.PASSWORD)
    await page.get_by_label("J’accepte les conditions d’utilisation").check()
    await page.get_by_role("button", name="Créer mon compte").click()
    await page.wait_for_url(site + "/account")
    await expect(page.get_by_text("non confirmée")).to_be_visible()
    await axe.check(page)

    # --- the confirmation e-mail: its link confirms the address
    [welcome] = await emails_to(module_server, email)
    await page.goto(link_in(welcome.body, "/account/confirm/"))
    await expect(page.get_by_text("Votre adresse e-mail est confirmée.")).to_be_visible()
    await expect(page.get_by_text("confirmée", exact=True)).to_be_visible()

    # --- a proposal: a draft, then published
    await page.get_by_role("link", name="Propositions").first.click()
    await axe.check(page)
    await page.get_by_role("link", name="Faire une proposition").click()
    title = f"Un composteur partagé au square {number}"
    await page.get_by_label("Titre").fill("Court")
    await page.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(page.get_by_label("Titre")).to_have_attribute("aria-invalid", "true")
    await axe.check(page, "proposal refused")
    await page.get_by_label("Titre").fill(title)
    await page.get_by_label("Description").fill(
        "Un composteur au square Gambetta pour les déchets de cuisine du quartier."
    )
    await page.get_by_label("Catégorie").select_option(label="Mobilité")
    await page.get_by_label("Quartier").select_option(label="Centre-ville")
    await page.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await axe.check(page, "draft")
    await page.get_by_role("button", name="Publier").click()
    await expect(page.get_by_text("Publiée").first).to_be_visible()

    # --- support and comment the neighbour's proposal
    await page.goto(f"{site}/proposals/{town['proposal']}")
    await mark_document(page)
    await page.get_by_role("button", name="Soutenir cette proposition").click()
    await expect(page.get_by_text("Vous soutenez cette proposition.")).to_be_visible()
    assert await same_document(page) == javascript  # htmx swapped the block; else a new page
    # the residents of earlier runs of this journey supported, commented and replied too
    await expect(page.locator("#support")).to_contain_text(
        re.compile(rf"\b{number + 1} soutiens?\b")
    )
    await axe.check(page, "supported")
    await page.get_by_label("Votre commentaire").fill("Bonne idée, il en faut aussi au collège.")
    await page.get_by_role("radio", name="Pour").check()
    await page.get_by_role("button", name="Commenter", exact=True).click()
    comment = page.locator(".comment").filter(has_text=f"Camille {number}")
    await expect(comment).to_contain_text("il en faut aussi au collège")
    await expect(
        page.get_by_role("heading", name=re.compile(rf"^{2 * number + 1} commentaires?$"))
    ).to_be_visible()
    await axe.check(page, "commented")
    # one reply form, asked for: htmx puts it in place, else the page again; focus moves to it
    await mark_document(page)
    await comment.get_by_role("link", name=f"Répondre à Camille {number}").click()
    reply = page.get_by_label(f"Votre réponse à Camille {number}")
    await expect(reply).to_be_focused()
    assert await same_document(page) == javascript
    await axe.check(page, "replying")
    await reply.fill("Et au lycée aussi.")
    await page.get_by_role("button", name="Répondre", exact=True).click()
    await expect(comment.first).to_contain_text("Et au lycée aussi.")

    # --- answer the consultation: a required question forgotten, then all answered
    await page.get_by_role("link", name="Consultations").first.click()
    await page.get_by_role("link", name="Avenir de la place du Marché").click()
    await axe.check(page)
    await page.get_by_role("link", name="Répondre à la consultation").click()
    await page.get_by_label("Oui").check()
    await page.get_by_role("button", name="Envoyer mes réponses").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await axe.check(page, "answers refused")
    await page.get_by_label("4", exact=True).check()
    await page.get_by_label("Une idée pour la place").fill("Des arbres et des bancs")
    await page.get_by_role("button", name="Envoyer mes réponses").click()
    await expect(page.get_by_text("vos réponses sont enregistrées")).to_be_visible()
    await axe.check(page, "answered")

    # --- vote: the ballot asks for the census check first
    await page.get_by_role("link", name="Budgets participatifs").first.click()
    await axe.check(page)
    await page.get_by_role("link", name="Budget participatif 2026").click()
    await axe.check(page)
    await page.get_by_role("link", name="Voter", exact=True).click()
    await page.get_by_role("link", name="Confirmer ma résidence").click()
    await page.get_by_label("Identifiant").fill(identifier)
    await page.get_by_label("Date de naissance").fill("1900-01-01")
    await page.get_by_label("Code postal").fill(seeds.POSTCODE)
    await page.get_by_role("button", name="Confirmer").click()
    await expect(page.locator(".error-summary")).to_contain_text("aucun habitant")
    await axe.check(page, "census refused")
    await page.get_by_label("Date de naissance").fill(born)
    await page.get_by_role("button", name="Confirmer").click()
    await page.wait_for_url(re.compile(r".*/ballot$"))
    await axe.check(page, "ballot")

    meter = page.locator("#meter")
    # the gauge is drawn empty at first (it was a full black bar: its CSS was missing)
    fills = "e => getComputedStyle(e).fill"
    assert await meter.locator(".bar-track").first.evaluate(fills) == "rgb(255, 255, 255)"
    await mark_document(page)
    await page.get_by_label(re.compile("Jardin partagé")).check()  # 40,000 €
    if javascript:  # htmx updates the meter in place
        await expect(meter).to_contain_text("1 projet choisi")
        assert await same_document(page)
    else:
        await page.get_by_role("button", name="Vérifier mon bulletin").click()
        await expect(meter).to_contain_text("40\u202f000\xa0€")
        await page.wait_for_load_state()  # its style sheet read too, not only its text
    # 40,000 of 70,000 €: the filled part is the site's blue (and the figures are in text)
    assert await meter.locator(".bar-fill").first.evaluate(fills) == "rgb(0, 0, 145)"
    await axe.check(page, "meter")
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    await expect(
        page.get_by_text(re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}"))
    ).to_be_visible()
    await axe.check(page, "receipt")

    await page.get_by_role("link", name="Modifier mon vote").click()
    await expect(page.get_by_text("Vous avez déjà voté")).to_be_visible()
    await page.get_by_label(re.compile("Jardin partagé")).uncheck()
    await page.get_by_label(re.compile("Piste cyclable")).check()
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    # one ballot per resident so far, each replaced by its second version: the cycle lane only
    ballots = await ballots_in(module_server, town["budget"])
    lane = town["projects"]["Piste cyclable"]
    assert ballots == [json.dumps({str(lane): 1})] * (number + 1)

    # --- the results of last year's budget
    await page.get_by_role("link", name="Budgets participatifs").first.click()
    await page.get_by_role("link", name="Budget participatif 2025").click()
    await page.get_by_role("link", name="Voir les résultats").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Résultats")
    # the story first (« 2 projets financés pour 70 000 €, choisis avec 3 bulletins. »)
    await expect(page.locator("p.lead")).to_contain_text("2 projets financés pour 70")
    await expect(page.get_by_text(re.compile(r"^3 bulletins · "))).to_be_visible()
    # rank, project, votes: the garden had three ballots, the cycle lane two
    await expect(page.get_by_role("row", name=re.compile(r"^1 Jardin partagé 3 "))).to_be_visible()
    await expect(page.get_by_role("row", name=re.compile(r"^2 Piste cyclable 2 "))).to_be_visible()
    await axe.check(page, "results")

    # the same page in English: the language switch works without JavaScript too
    await page.get_by_label("Langue").select_option("en")
    await page.get_by_role("banner").get_by_role("button", name="Changer").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Results")
    assert await page.locator("html").get_attribute("lang") == "en"
    await axe.check(page, "results in English")
    axe.finish()


async def test_a_visitor_tours_the_public_pages(
    module_server: LiveServer, town: dict[str, Any], context_for: Any, axe: Axe
) -> None:
    """The pages a visitor reaches from the menu, and the password reset, pass the audit."""
    page = await (await context_for(javascript=True)).new_page()
    await page.goto(module_server.url + "/")
    for section in ["Suivi", "Qui participe", "Propositions", "Consultations"]:
        await page.get_by_role("navigation").get_by_role("link", name=section).click()
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await axe.check(page, section)
    await page.get_by_role("link", name="Se connecter").click()
    await axe.check(page)
    await page.get_by_role("link", name="Mot de passe oublié ?").click()
    await axe.check(page)
    await page.get_by_label("Adresse e-mail").fill("personne@example.org")
    await page.get_by_role("button", name="Envoyer le lien").click()
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await axe.check(page, "reset requested")
    axe.finish()
