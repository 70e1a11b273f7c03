"""The spaces issue's whole journey in a real browser, without JavaScript: council staff create a
space with a timeline, open a proposals collection in it (two supports, moderated before
publication) and attach a consultation and a budget; a resident sees the space on the home page
with its deadline and proposes; a moderator of another space does not see the proposal, the
moderator of this space approves it, and it is public. Every page is audited by axe (which also
lays it out at 390 and 320 px). The settings changed in one web process and seen by another:
tests/participation/test_sitesettings.py and tests/proposals/test_collections.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest_asyncio
from playwright.async_api import expect
from tortoise import timezone

from budgets.models import Budget
from consultations.models import Consultation
from participation import formatting
from participation.accounts.models import Role, User
from participation.people.models import SpaceRole
from participation.proposals.models import Proposal
from participation.settings import Settings
from participation.spaces.models import Space
from participation.territory import Category
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, signed_in
from tests.budgets.factories import budget_taking_projects
from tests.consultations.factories import consultation_open

expect.set_options(timeout=15_000)
SPACE = "Quartier Nord 2027"
PROPOSAL = "Des bancs ombragés place du Marché"


async def _seed(settings: Settings) -> None:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Mairie")
    await seeds.someone(settings, "habitante@example.org", Role.CITIZEN, "Habitante")
    await seeds.someone(settings, "moderatrice.nord@example.org", Role.CITIZEN, "Modé Nord")
    await seeds.someone(settings, "moderateur.sud@example.org", Role.CITIZEN, "Modé Sud")
    await Category.create(name="Nature en ville", slug="nature")
    south = await Space.create(
        title="Quartier Sud", slug="sud", starts_at=timezone.now(), published=True
    )
    await SpaceRole.create(
        user=await User.get(email="moderateur.sud@example.org"), space=south, role="moderator"
    )
    consultation, _questions = await consultation_open()
    await Consultation.filter(id=consultation.id).update(title="Les horaires de la médiathèque")
    budget = await budget_taking_projects()
    await Budget.filter(id=budget.id).update(title="Budget du Nord")


@pytest_asyncio.fixture(loop_scope="session")
async def server(live_server: LiveServer) -> LiveServer:
    await live_server.seed(_seed)
    live_server.start()
    return live_server


async def _made_moderator_of_the_space(settings: Settings) -> dict[str, int]:
    space = await Space.get(title=SPACE)
    moderator = await User.get(email="moderatrice.nord@example.org")
    await SpaceRole.create(user=moderator, space=space, role="moderator")
    consultation = await Consultation.get(title="Les horaires de la médiathèque")
    budget = await Budget.get(title="Budget du Nord")
    return {"consultation": consultation.id, "budget": budget.id}


async def _attachments(settings: Settings) -> tuple[int | None, int | None, int | None]:
    space = await Space.get(title=SPACE)
    consultation = await Consultation.get(title="Les horaires de la médiathèque")
    budget = await Budget.get(title="Budget du Nord")
    return space.id, consultation.space_id, budget.space_id


async def test_staff_open_a_space_a_resident_proposes_and_its_moderator_approves(
    server: LiveServer, context_for: Any, axe: Axe
) -> None:
    now = timezone.now()
    phone = {"javascript": False, "viewport": {"width": 390, "height": 900}}
    staff = await signed_in(context_for, server, "mairie@example.org", "/admin/spaces", **phone)

    # the space and its timeline
    await staff.get_by_role("link", name="Créer une démarche").click()
    await staff.get_by_label("Titre").fill(SPACE)
    await staff.get_by_label("Résumé").fill("Vos idées pour le quartier Nord, puis le vote.")
    await staff.get_by_label("Ouverture").fill(formatting.input_value(now - timedelta(days=1)))
    await staff.get_by_label("Clôture").fill(formatting.input_value(now + timedelta(days=90)))
    await staff.get_by_label("Publiée (visible du public)").check()
    await staff.get_by_role("button", name="Créer la démarche").click()
    await expect(staff.locator(".flash")).to_contain_text("La démarche est créée.")
    deadline = (now + timedelta(days=10)).replace(second=0, microsecond=0)
    await staff.get_by_role("link", name="Ajouter une étape").click()
    await staff.get_by_label("Titre de l’étape").fill("Dépôt des idées")
    await staff.get_by_label("Début").fill(formatting.input_value(now - timedelta(days=1)))
    await staff.get_by_label("Fin").fill(formatting.input_value(deadline))
    await staff.get_by_role("button", name="Enregistrer l’étape").click()
    await expect(staff.locator(".flash")).to_contain_text("L’étape est enregistrée.")

    # its proposals collection: two supports, moderated before publication
    await staff.goto(server.url + "/admin/collections/new")
    await staff.get_by_label("Titre").fill("Idées du Nord")
    await staff.get_by_label("Démarche participative").select_option(label=SPACE)
    await staff.get_by_label("Soutiens nécessaires à une proposition").fill("2")
    await staff.get_by_label("Modérée a priori").check()
    await staff.get_by_role("button", name="Créer la collection").click()
    await expect(staff.locator(".flash")).to_contain_text("La collection est créée.")

    # a consultation and a budget attached to it, from their own forms
    ids = await server.seed(_made_moderator_of_the_space)
    for path, button in (
        (f"/admin/consultations/{ids['consultation']}/edit", "Enregistrer"),
        (f"/admin/budgets/{ids['budget']}/edit", "Enregistrer"),
    ):
        await staff.goto(server.url + path)
        await staff.get_by_label("Démarche participative").select_option(label=SPACE)
        await staff.get_by_role("button", name=button, exact=True).click()
        await expect(staff.locator(".flash")).to_be_visible()
    space_id, consultation_space, budget_space = await server.seed(_attachments)
    assert consultation_space == space_id and budget_space == space_id

    # a resident sees it on the home page with its deadline, then proposes
    resident = await signed_in(context_for, server, "habitante@example.org", "/", **phone)
    step = f"Dépôt des idées jusqu’au {formatting.format_deadline(deadline, 'fr')}"
    await expect(resident.locator("main")).to_contain_text(step)
    await axe.check(resident, "home")
    await resident.get_by_role("link", name=SPACE).first.click()
    for component in ("Idées du Nord", "Les horaires de la médiathèque", "Budget du Nord"):
        await expect(resident.locator("main")).to_contain_text(component)
    await axe.check(resident, "space")
    await resident.goto(server.url + "/proposals/new")
    await expect(resident.locator("main form")).to_contain_text("Idées du Nord")
    await resident.get_by_label("Titre").fill(PROPOSAL)
    await resident.get_by_label("Description").fill(
        "Trois bancs à l’ombre des tilleuls, pour les personnes âgées qui font leur marché."
    )
    await resident.get_by_label("Catégorie").select_option(label="Nature en ville")
    await resident.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(resident.get_by_role("heading", level=1)).to_have_text(PROPOSAL)
    await resident.get_by_role("button", name="Publier").click()
    await expect(resident.locator("main")).to_contain_text("En attente de modération")
    await axe.check(resident, "pending")

    # the other space's moderator does not see it; this space's moderator approves it
    south = await signed_in(
        context_for, server, "moderateur.sud@example.org", "/moderation", **phone
    )
    await expect(south.locator("main h1")).to_be_visible()
    await expect(south.locator("main")).not_to_contain_text(PROPOSAL)
    north = await signed_in(
        context_for, server, "moderatrice.nord@example.org", "/moderation", **phone
    )
    item = north.locator("#queue .moderation-item").filter(has_text=PROPOSAL)
    await expect(item).to_have_count(1)
    await axe.check(north, "queue")
    await item.get_by_label("Motif envoyé à l’auteur (obligatoire)").select_option(index=1)
    await item.get_by_role("button", name="Approuver").click()
    await expect(north.locator("#decided")).to_contain_text("Contribution approuvée")

    visitor = await (await context_for(**phone)).new_page()
    await visitor.goto(server.url + "/proposals")
    await visitor.get_by_role("link", name=PROPOSAL).click()
    await expect(visitor.locator("main")).not_to_contain_text("En attente de modération")
    await expect(visitor.locator("main")).to_contain_text("Idées du Nord")
    await axe.check(visitor, "published")
    axe.finish()

    async def approved(settings: Settings) -> bool:
        proposal = await Proposal.get(title=PROPOSAL)
        return proposal.moderation_state.value == "visible"

    assert await server.seed(approved)
