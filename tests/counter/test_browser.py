"""The counter in a real browser, without JavaScript (issue #20): an agent at the counter finds
nobody by name, records a person without an account (refused until the person's consent is
ticked), then a proposal in their name, which the public reads as filed at the counter, and
their answers to a consultation taken on paper. Every state of the agent's pages is audited by
axe."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from consultations.models import Audience, Consultation, Participant, Response
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, log_in
from tests.conftest import TEST_PASSWORD
from tests.participation.proposal_factories import make_territory

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> int:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Service démocratie")
    await make_territory()
    consultation_id = await seeds.open_consultation()  # one choice, a scale, a free text
    await Consultation.filter(id=consultation_id).update(audience=Audience.EVERYONE)
    return consultation_id


async def test_an_agent_at_the_counter_records_a_proposal_for_a_person_without_an_account(
    live_server: LiveServer, context_for: Any, axe: Axe
) -> None:
    consultation_id = await live_server.seed(_seed)
    live_server.start()
    agent = await (await context_for(javascript=False)).new_page()
    await log_in(agent, live_server, "mairie@example.org", TEST_PASSWORD)
    await agent.get_by_role("link", name="Administration").click()
    await agent.get_by_role("link", name="Contributions recueillies pour les habitants").click()
    await agent.get_by_label("Nom ou adresse e-mail").fill("Durand")
    await agent.get_by_role("button", name="Rechercher").click()
    await expect(agent.locator("main")).to_contain_text("Personne ne correspond")
    await axe.check(agent)
    await agent.get_by_label("Nom", exact=True).fill("Jeanne Durand")
    await agent.get_by_label("Numéro de téléphone ou adresse").fill("06 12 34 56 78")
    await agent.get_by_role("button", name="Enregistrer la personne").click()
    consent = agent.get_by_label("La personne accepte que sa contribution soit publiée")
    await expect(consent).to_have_attribute("aria-invalid", "true")
    await axe.check(agent, "refused")
    await consent.check()
    await agent.get_by_role("button", name="Enregistrer la personne").click()
    await expect(agent.locator(".flash")).to_contain_text("La personne est enregistrée")
    await expect(agent.locator("h1")).to_contain_text("Jeanne Durand")
    await axe.check(agent)

    await agent.get_by_label("Comment la proposition a été recueillie").select_option("counter")
    await agent.get_by_label("Titre").fill("Un banc à l’arrêt de bus de la mairie")
    await agent.get_by_label("Description").fill("Les personnes âgées attendent debout le bus.")
    await agent.get_by_label("Catégorie").select_option(label="Mobilité")
    await agent.get_by_label("Quartier").select_option(label="Centre-ville")
    await agent.get_by_role("button", name="Enregistrer la proposition").click()
    await expect(agent.locator(".flash")).to_contain_text("enregistrée au nom de la personne")
    # the questionnaire of an open consultation, for the same person, answered on paper
    await agent.go_back()
    await agent.get_by_role("link", name="Avenir de la place du Marché").click()
    await agent.get_by_label("Comment les réponses ont été recueillies").select_option("paper")
    await axe.check(agent, "questionnaire")
    await agent.get_by_label("Oui").check()
    await agent.get_by_role("button", name="Envoyer mes réponses").click()
    await expect(agent.locator(".error-summary")).to_be_visible()  # the scale is required
    await axe.check(agent, "answers refused")
    await agent.get_by_label("4", exact=True).check()
    await agent.get_by_label("Une idée pour la place").fill("Des bancs à l’ombre")
    await agent.get_by_role("button", name="Envoyer mes réponses").click()
    await expect(agent.locator(".flash")).to_contain_text(
        "Les réponses sont enregistrées au nom de la personne."
    )
    await expect(agent.locator("h1")).to_contain_text("Jeanne Durand")

    async def answered(settings: Settings) -> tuple[int, int]:
        participants = await Participant.filter(consultation_id=consultation_id).count()
        responses = await Response.filter(consultation_id=consultation_id).count()
        return participants, responses

    assert await live_server.seed(answered) == (1, 1)  # registered as answered, and sealed

    visitor = await (await context_for(javascript=False)).new_page()
    await visitor.goto(live_server.url + "/proposals")
    item = visitor.locator(".proposal-item").filter(has_text="Un banc à l’arrêt de bus")
    await expect(item).to_contain_text("déposée au guichet")
    await expect(item).to_contain_text("Jeanne Durand")
