"""A moderator's journey, JavaScript on (the queue is swapped in place by htmx) and off: comments
are pre-moderated; the moderator approves a resident's comment and hides a reported proposal,
and the public sees the outcome. Every page and queue state is audited by axe."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from moderation import services as moderation
from participation.accounts.models import Role
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, mark_document, same_document, signed_in
from tests.participation.proposal_factories import comment_on

expect.set_options(timeout=15_000)
SERVER_ENV = {"PREMODERATED_CONTENT": "comment"}


def cases_for(number: int) -> Any:
    """A published proposal with a comment awaiting moderation, and another proposal that a
    neighbour reported as spam."""

    async def seed(settings: Settings) -> dict[str, Any]:
        author = await seeds.someone(
            settings, f"auteur{number}@example.org", name=f"Auteur {number}"
        )
        neighbour = await seeds.someone(settings, f"voisin{number}@example.org")
        await seeds.someone(settings, f"moderatrice{number}@example.org", Role.MODERATOR)
        kept = await seeds.published_proposal(settings, author, f"Un banc devant la poste {number}")
        spam = await seeds.published_proposal(
            settings,
            author,
            f"Achetez des montres pas chères {number}",
            "<p>Des montres de luxe à prix cassés, livrées chez vous.</p>",
        )
        await comment_on(
            settings,
            await Proposal.get(id=kept),
            neighbour,
            f"Oui, et un deuxième banc près de l'arrêt de bus {number}.",
            "for",
        )
        await moderation.report(settings, neighbour, "proposal", spam, "spam", "")
        return {"kept": kept, "spam": spam}

    return seed


async def test_a_moderator_approves_and_hides(
    module_server: LiveServer, context_for: Any, axe: Axe, javascript: bool
) -> None:
    number = 0 if javascript else 1
    site = module_server.url
    seeded = await module_server.seed(cases_for(number))
    comment_text = f"un deuxième banc près de l'arrêt de bus {number}"

    # the public does not see the pending comment yet
    public = await (await context_for(javascript=javascript)).new_page()
    await public.goto(f"{site}/proposals/{seeded['kept']}")
    await expect(public.get_by_text(comment_text)).to_have_count(0)

    page = await signed_in(
        context_for, module_server, f"moderatrice{number}@example.org", javascript=javascript
    )
    await page.get_by_role("link", name="Modération").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Modération")
    await axe.check(page, "queue")
    queue = page.locator("#queue")
    pending = queue.locator(".moderation-item").filter(has_text=comment_text)
    reported = queue.locator(".moderation-item").filter(has_text=f"montres pas chères {number}")
    await expect(pending).to_contain_text("en attente d’approbation")
    await expect(reported).to_contain_text("spam ou publicité")

    # with JavaScript, every decision below swaps the queue in place (htmx), no new page
    await mark_document(page)
    # a decision needs a reason: refused, with the field marked
    # each checkbox names its item for screen readers: "Sélectionner : <title>"
    await page.get_by_label(f"Sélectionner : Un banc devant la poste {number}").check()
    await page.get_by_role("button", name="Approuver").click()
    await expect(page.get_by_label("Vos propres mots")).to_have_attribute("aria-invalid", "true")
    await axe.check(page, "decision refused")

    await page.get_by_label(f"Sélectionner : Un banc devant la poste {number}").check()
    await page.get_by_label("Motif (envoyé à l’auteur)").select_option(
        label="Votre contribution respecte la charte de participation."
    )
    await page.get_by_role("button", name="Approuver").click()
    await expect(page.get_by_text("1 élément approuvé.")).to_be_visible()
    await expect(queue.locator(".moderation-item").filter(has_text=comment_text)).to_have_count(0)
    await axe.check(page, "approved")

    await page.get_by_label(f"Sélectionner : Achetez des montres pas chères {number}").check()
    await page.get_by_label("Vos propres mots").fill("Publicité sans rapport avec la commune.")
    await page.get_by_role("button", name="Masquer").click()
    await expect(page.get_by_text("1 élément masqué.")).to_be_visible()
    await expect(reported).to_have_count(0)
    assert await same_document(page) == javascript
    await axe.check(page, "hidden")

    # what the public sees now: the comment, and no more spam
    await public.goto(f"{site}/proposals/{seeded['kept']}")
    await expect(public.get_by_text(comment_text)).to_be_visible()
    await public.goto(f"{site}/proposals")
    await expect(public.get_by_text(f"Un banc devant la poste {number}")).to_be_visible()
    await expect(public.get_by_text(f"montres pas chères {number}")).to_have_count(0)
    response = await public.goto(f"{site}/proposals/{seeded['spam']}")
    assert response is not None and response.status == 404
    axe.finish()
