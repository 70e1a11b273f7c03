"""A moderator's journey, JavaScript on (the queue is swapped in place by htmx) and off: comments
are pre-moderated; the moderator approves a resident's comment and hides a reported proposal,
and the public sees the outcome. Every page and queue state is audited by axe."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from moderation import services as moderation
from participation.accounts.models import Role, User
from participation.comments.models import Comment
from participation.comments.services import delete as delete_comment
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

    # with JavaScript, every decision below swaps the queue in place (htmx), no new page; the
    # bulk decision (the form below the list) names its buttons exactly "Approuver"...
    await mark_document(page)
    bulk = page.locator("#decide-form")
    # a decision needs a reason: refused, with the field marked
    # each checkbox names its item for screen readers: "Sélectionner : <title>"
    await page.get_by_label(f"Sélectionner : Un banc devant la poste {number}").check()
    await bulk.get_by_role("button", name="Approuver", exact=True).click()
    own_words = page.get_by_label("Vos propres mots", exact=True)
    await expect(own_words).to_have_attribute("aria-invalid", "true")
    await axe.check(page, "decision refused")

    await page.get_by_label(f"Sélectionner : Un banc devant la poste {number}").check()
    await page.get_by_label("Motif (envoyé à l’auteur)").select_option(
        label="Votre contribution respecte la charte de participation."
    )
    await bulk.get_by_role("button", name="Approuver", exact=True).click()
    await expect(page.get_by_text("1 contribution approuvée.")).to_be_visible()
    await expect(queue.locator(".moderation-item").filter(has_text=comment_text)).to_have_count(0)
    await axe.check(page, "approved")

    await page.get_by_label(f"Sélectionner : Achetez des montres pas chères {number}").check()
    await own_words.fill("Publicité sans rapport avec la commune.")
    await bulk.get_by_role("button", name="Masquer", exact=True).click()
    await expect(page.get_by_text("1 contribution masquée.")).to_be_visible()
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


def comments_for(number: int) -> Any:
    """Three comments of a neighbour awaiting moderation on a published proposal, and the
    moderator moderatrice<number>@example.org."""

    async def seed(settings: Settings) -> dict[str, Any]:
        author = await seeds.someone(settings, f"auteur{number}@example.org")
        neighbour = await seeds.someone(settings, f"voisin{number}@example.org")
        await seeds.someone(settings, f"moderatrice{number}@example.org", Role.MODERATOR)
        kept = await seeds.published_proposal(settings, author, f"Des arbres rue Haute {number}")
        proposal = await Proposal.get(id=kept)
        for which in ("Premier", "Deuxième", "Troisième"):
            await comment_on(settings, proposal, neighbour, f"{which} avis {number}.", "for")
        return {"kept": kept}

    return seed


CHARTER = "Votre contribution respecte la charte de participation."


async def test_each_item_is_decided_from_its_own_buttons(
    module_server: LiveServer, context_for: Any, axe: Axe, javascript: bool
) -> None:
    number = 10 if javascript else 11
    await module_server.seed(comments_for(number))
    page = await signed_in(
        context_for,
        module_server,
        f"moderatrice{number}@example.org",
        at="/moderation",
        javascript=javascript,
    )
    items = page.locator("#queue .moderation-item")
    first = items.filter(has_text=f"Premier avis {number}")
    first_id = await first.get_attribute("id")
    second_id = await items.filter(has_text=f"Deuxième avis {number}").get_attribute("id")
    # the shortcuts need JavaScript: without it, they are not offered
    shortcuts = page.get_by_text("Raccourcis clavier", exact=True)
    await (expect(shortcuts).to_be_visible() if javascript else expect(shortcuts).to_be_hidden())
    await mark_document(page)

    # a rejection without a reason is refused, the item's reason field marked (focused by htmx)
    await first.get_by_role("button", name="Rejeter").click()
    reason = page.locator(f"#{first_id} select[name='reason_template']")
    await expect(reason).to_have_attribute("aria-invalid", "true")
    if javascript:
        await expect(reason).to_be_focused()
    await axe.check(page, "an item's decision refused")

    # a reason chosen in the item, one click: the item says what was done (htmx), or the queue
    # comes back at the next item with the notice (without JavaScript)
    await reason.select_option(label=CHARTER)
    await page.locator(f"#{first_id}").get_by_role("button", name="Approuver").click()
    if javascript:
        await expect(page.locator(f"#{first_id}")).to_contain_text("Contribution approuvée")
        await expect(page.locator("#queue-status")).to_contain_text("Contribution approuvée")
        await expect(page.locator(f"#{second_id}")).to_be_focused()
    else:
        # the notice in the item's place, before the next item, where the page opens
        await expect(page.locator("#decided")).to_contain_text("Contribution approuvée")
        await expect(page.locator(f"#decided + #{second_id}")).to_have_count(1)
        await expect(page.locator(f"#{first_id}")).to_have_count(0)
        assert page.url.endswith("#decided")
    assert await same_document(page) == javascript
    await axe.check(page, "an item approved")

    # meanwhile its author deletes the second comment: deciding it is refused (409), and the
    # moderator is told how it left the queue, in the item's place with htmx (base.html's
    # htmx-config swaps 409), above the queue without JavaScript (issue #22)
    async def delete_second(settings: Settings) -> None:
        comment = await Comment.get(body__contains=f"Deuxième avis {number}")
        author = await User.get(id=comment.author_id)
        await delete_comment(comment.target_kind, comment.target_id, comment.id, author)

    await module_server.seed(delete_second)
    second = page.locator(f"#{second_id}")
    await second.locator("select[name='reason_template']").select_option(label=CHARTER)
    await second.get_by_role("button", name="Approuver").click()
    told = "Contribution supprimée par son auteur"
    if javascript:
        await expect(second).to_contain_text(told)
        await expect(second).to_contain_text("a déjà quitté la file")
        await expect(page.locator("#queue-status")).to_contain_text(told)
    else:
        await expect(page.locator("main")).to_contain_text(told)
        await expect(page.locator(f"#{second_id}")).to_have_count(0)
    assert await same_document(page) == javascript
    await axe.check(page, "an item that left the queue meanwhile")


async def test_keyboard_shortcuts_act_on_the_focused_item_and_can_be_turned_off(
    module_server: LiveServer, context_for: Any, axe: Axe
) -> None:
    number = 20
    await module_server.seed(comments_for(number))
    page = await signed_in(
        context_for, module_server, f"moderatrice{number}@example.org", at="/moderation"
    )
    items = page.locator("#queue .moderation-item")
    first = items.filter(has_text=f"Premier avis {number}")
    second = items.filter(has_text=f"Deuxième avis {number}")
    third = items.filter(has_text=f"Troisième avis {number}")
    first_id = await first.get_attribute("id")

    # ? shows the list of shortcuts
    await page.locator("h1").click()
    await page.keyboard.press("?")
    help = page.locator("#shortcuts")
    await expect(help).to_have_attribute("open", "")
    await expect(help).to_contain_text("approuver la contribution")
    await axe.check(page, "shortcuts listed")
    await page.keyboard.press("?")

    # j / k move between items; a with no reason goes to the item's reason
    await first.focus()
    await page.keyboard.press("j")
    await expect(second).to_be_focused()
    await page.keyboard.press("k")
    await expect(first).to_be_focused()
    await page.keyboard.press("a")
    reason = page.locator(f"#{first_id} select[name='reason_template']")
    await expect(reason).to_be_focused()
    await expect(page.locator("#queue-status")).to_contain_text("Choisissez d’abord un motif")
    # in a field, a key is typed, never a shortcut
    await reason.select_option(label=CHARTER)
    await first.focus()
    await page.keyboard.press("a")
    await expect(page.locator(f"#{first_id}")).to_contain_text("Contribution approuvée")
    await expect(second).to_be_focused()
    await axe.check(page, "an item approved by its shortcut")

    third_words = third.locator("textarea[name='reason']")
    await third.get_by_text("Ou écrire le vôtre").click()
    await third_words.fill("")
    await third_words.press("h")
    await expect(third_words).to_have_value("h")
    await expect(third.get_by_role("button", name="Masquer")).to_be_visible()

    # turned off, remembered: keys do nothing
    await help.locator("summary").click()
    await page.get_by_label("Utiliser les raccourcis d’une seule touche").uncheck()
    await expect(page.locator("#queue-status")).to_contain_text("Raccourcis clavier désactivés")
    await page.reload()
    await expect(
        page.get_by_label("Utiliser les raccourcis d’une seule touche")
    ).not_to_be_checked()
    await second.locator("select[name='reason_template']").select_option(label=CHARTER)
    posted: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posted.append(request.url))
    await second.focus()
    await page.keyboard.press("j")
    await page.keyboard.press("a")
    await expect(second).to_be_focused()
    # a shortcut sends its decision as the key is pressed (moderation-queue.js clicks the
    # button, htmx posts at once): a request the page sends afterwards, and waits for, comes
    # after it in the browser's events; none was sent, and the item is still undecided
    assert await page.evaluate("fetch(location.href).then((r) => r.status)") == 200
    assert posted == []
    await expect(second.get_by_role("button", name="Approuver")).to_be_visible()
    await expect(second.locator("kbd.shortcut-key").first).to_be_hidden()
    await axe.check(page, "shortcuts off")
    axe.finish()
