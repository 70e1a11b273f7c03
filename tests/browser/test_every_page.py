"""Every HTML page the journeys do not reach, audited by axe in the state a person sees it: with
data (results with their charts, a queue with items, a history with entries) and, for forms,
after a refused submission (422 with the error summary). The list of audited and exempt routes
is `tests/browser/pages.py`; `test_page_coverage.py` keeps it complete.

These pages carry no htmx and no <noscript>: the DOM a browser without JavaScript audits is the
one served, the same as with JavaScript on, so they are audited once, with JavaScript on. The
pages whose DOM htmx changes (the paper-ballot meter, the filtered lists) are audited both ways
(`test_pages_htmx_changes`)."""

from __future__ import annotations

from typing import Any

import pytest_asyncio
from playwright.async_api import expect

from budgets import services as budget_services
from budgets.importing import import_pabulib
from budgets.models import Phase as BudgetPhase
from budgets.tallying import tally_and_store
from consultations import services as consultation_services
from consultations.models import Audience
from consultations.models import Phase as ConsultationPhase
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, mark_document, same_document, signed_in
from tests.budgets.test_import import SMALL as SMALL_PABULIB
from tests.conftest import create_user
from tests.consultations.factories import consultation_open, valid_answers
from tests.security.world import seed_world

expect.set_options(timeout=15_000)


async def _answered(settings: Settings, people: list[Any], **options: Any) -> Any:
    consultation, questions = await consultation_open(**options)
    answers = await valid_answers(questions)
    for number, person in enumerate(people):
        items: list[tuple[str, str]] = []
        for key, value in answers.items():
            for one in value if isinstance(value, list) else [value]:
                items.append((key, one))
        if number % 2:  # a second, different opinion: the charts have more than one bar
            items = [(k, "2" if k.endswith(f"q{questions['scale'].id}") else v) for k, v in items]
        await consultation_services.submit_response(settings, consultation.id, person, None, items)
    await consultation_services.compute_results(settings, consultation.id)
    return consultation


async def _town(settings: Settings) -> dict[str, Any]:
    world = await seed_world(settings)
    people = [world.owner, world.other]
    people += [await create_user(settings, f"habitant{n}@example.org") for n in range(3)]
    visible = await _answered(settings, people, visible=True, title="Jardins de la gare")
    closed = await _answered(settings, people, title="Horaires de la médiathèque")
    await consultation_services.switch_phase(closed.id, ConsultationPhase.CLOSED, None)
    await consultation_services.compute_results(settings, closed.id)
    await consultation_services.publish_outcome(
        settings,
        closed.id,
        consultation_services.OutcomeForm(
            heard="<p>Vous voulez une médiathèque ouverte le dimanche.</p>",
            decided="<p>Ouverture le dimanche matin dès mars.</p>",
        ),
    )
    elsewhere, _ = await consultation_open(
        audience=Audience.DISTRICT, district="Sud", title="Square du Sud"
    )
    imported = await import_pabulib(SMALL_PABULIB.encode(), "testville.pb")
    await tally_and_store(imported.id)
    await budget_services.switch_phase(imported.id, BudgetPhase.RESULTS, by_user=None)
    long = await seeds.long_content(settings, world.owner, world.other, world.ids["budget_id"])
    submission = await seeds.budget_in_review("Budget des écoles")
    await budget_services.switch_phase(submission, BudgetPhase.SUBMISSION, by_user=None)
    return {
        "ids": world.ids,
        "hidden": world.hidden,
        "visible": visible.id,
        "closed": closed.id,
        "elsewhere": elsewhere.id,
        "imported": imported.id,
        "submission": submission,
        "long": long,
    }


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def town(module_server: LiveServer) -> dict[str, Any]:
    return dict(await module_server.seed(_town))


async def visit(
    page: Any, axe: Axe, url: str, state: str = "", status: int = 200, htmx: bool = False
) -> None:
    response = await page.goto(url)
    assert response is not None and response.status == status, (url, response and response.status)
    if not htmx:  # audited with JavaScript on only: nothing there may change without it
        enhanced = await page.locator("[hx-get], [hx-post], noscript").count()
        assert enhanced == 0, f"{url} has htmx or <noscript>: audit it without JavaScript too"
    await axe.check(page, state)


async def check_in(page: Any, site: str, budget: int, identifier: str, born: str) -> None:
    """The desk's first screen: the resident is checked in the register."""
    await page.goto(f"{site}/admin/budgets/{budget}/paper-ballot")
    await page.get_by_label("Identifiant", exact=False).fill(identifier)
    await page.get_by_label("Date de naissance", exact=False).fill(born)
    await page.get_by_label("Code postal", exact=False).fill("44000")
    await page.get_by_role("button", name="Vérifier et passer au bulletin").click()
    await page.wait_for_url("**/paper-ballot/choices")


async def refused(
    page: Any, axe: Axe, button: str, state: str, blank: tuple[str, ...] = ("title",)
) -> None:
    """Empty the fields named `blank`, submit without the browser's own checks (as a browser
    that has none would) and audit the server's refusal (422, error summary, fields marked)."""
    await page.evaluate(
        """names => {
            for (const form of document.forms) form.noValidate = true;
            for (const name of names)
                for (const field of document.getElementsByName(name)) field.value = '';
        }""",
        list(blank),
    )
    await page.get_by_role("button", name=button, exact=True).click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await axe.check(page, state)


async def test_staff_pages(
    module_server: LiveServer, town: dict[str, Any], context_for: Any, axe: Axe
) -> None:
    site, ids = module_server.url, town["ids"]
    budget, project = ids["budget_id"], ids["project_id"]
    page = await signed_in(context_for, module_server, "admin@example.org")

    # the design system's page, every component in every state (docs/design.md), and the home
    # page: in light, then in dark mode (prefers-color-scheme, its own tokens, AA too)
    await visit(page, axe, f"{site}/design", "light")
    await page.emulate_media(color_scheme="dark")
    await visit(page, axe, f"{site}/design", "dark")
    await visit(page, axe, f"{site}/", "dark")
    await page.emulate_media(color_scheme="light")

    # the header (templates/base.html): an administrator's sections on one line at 1280 px; at
    # 390 px a « Menu » disclosure, closed, that a tap opens (a <details>: no script needed)
    size = page.viewport_size or {"width": 1280, "height": 720}
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.goto(f"{site}/")
    lines = "items => new Set(items.map(item => item.offsetTop)).size"
    assert await page.locator(".main-nav li").evaluate_all(lines) == 1
    assert await page.locator(".account-links li").evaluate_all(lines) == 1
    await page.set_viewport_size({"width": 390, "height": 800})
    await expect(page.locator(".main-nav a").first).to_be_hidden()
    await page.locator(".menu > summary").click()
    menu = page.get_by_role("navigation", name="Menu principal")
    await expect(menu.get_by_role("link", name="Administration")).to_be_visible()
    await axe.check(page, "menu open")
    await page.set_viewport_size(size)

    # budgets: new, edit, project edit, import, census, paper ballot
    await visit(page, axe, f"{site}/admin/budgets/new")
    await refused(page, axe, "Enregistrer", "new budget refused")
    await visit(page, axe, f"{site}/admin/budgets/{budget}/edit")
    await refused(page, axe, "Enregistrer", "budget edit refused")
    await visit(page, axe, f"{site}/admin/budgets/{budget}/projects/{project}/edit")
    await refused(page, axe, "Enregistrer", "project edit refused")
    await visit(page, axe, f"{site}/admin/budgets/import")
    await page.get_by_label("Fichier Pabulib", exact=False).set_input_files(
        {"name": "faux.pb", "mimeType": "text/plain", "buffer": b"META\nkey;value\n"}
    )
    await refused(page, axe, "Importer", "import refused")
    # its projects table's « Modifier » is htmx; the page without JavaScript: test_project_table
    await visit(page, axe, f"{site}/admin/budgets/{town['imported']}", "imported budget", htmx=True)
    await visit(page, axe, f"{site}/budgets/{town['imported']}/results", "imported results")
    await visit(page, axe, f"{site}/admin/residents/census")
    await page.get_by_label("Fichier", exact=False).set_input_files(
        {
            "name": "recensement.csv",
            "mimeType": "text/csv",
            "buffer": b"identifiant;date_naissance;code_postal;quartier\nX-1;hier;44000;\n",
        }
    )
    await refused(page, axe, "Importer", "census refused")
    # the desk: the register first, then the choices without the identity, then the receipt
    await visit(page, axe, f"{site}/admin/budgets/paper-ballots")
    await visit(page, axe, f"{site}/admin/budgets/{budget}/paper-ballot")
    await refused(page, axe, "Vérifier et passer au bulletin", "desk refused", ("identifier",))
    await check_in(page, site, budget, "VB-004", "1975-01-30")
    await visit(page, axe, f"{site}/admin/budgets/{budget}/paper-ballot/choices", htmx=True)
    await page.get_by_label("Fontaine", exact=False).check()
    await page.get_by_role("button", name="Enregistrer le bulletin papier", exact=True).click()
    await page.wait_for_url("**/paper-ballot/receipt")
    await axe.check(page, "paper receipt")

    # consultations: new, edit, questions, texts to review
    consultation = town["hidden"]["consultation_in_preparation"]
    await visit(page, axe, f"{site}/admin/consultations/new")
    await refused(page, axe, "Enregistrer", "new consultation refused")
    await visit(page, axe, f"{site}/admin/consultations/{consultation}/edit")
    await visit(page, axe, f"{site}/admin/consultations/{consultation}/questions/new")
    await refused(page, axe, "Enregistrer", "new question refused")
    await visit(
        page,
        axe,
        f"{site}/admin/consultations/{ids['consultation_id']}/questions/{ids['question_id']}",
    )
    await visit(page, axe, f"{site}/admin/consultations/{town['visible']}/texts")
    await visit(page, axe, f"{site}/admin/consultations/{town['closed']}", "closed")

    # moderation, audit, indicators, follow-up
    await visit(page, axe, f"{site}/moderation", "a long word reported", htmx=True)
    await visit(page, axe, f"{site}/admin/audit")
    # the town's categories and districts: a name the world's category has, refused
    await visit(page, axe, f"{site}/admin/classification")
    await page.locator("#category-new").fill("MOBILITE")
    await page.get_by_role("button", name="Ajouter", exact=True).first.click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await axe.check(page, "category refused")
    await visit(page, axe, f"{site}/admin/moderation/reasons/{ids['reason']}")
    await visit(page, axe, f"{site}/moderation/users/{ids['user']}")
    await visit(page, axe, f"{site}/admin/indicators/budget/{budget}")
    await visit(page, axe, f"{site}/admin/followup/{ids['commitment_id']}")
    await page.get_by_label("Statut").select_option(label="Abandonné")
    await page.get_by_role("button", name="Enregistrer le statut").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await axe.check(page, "commitment refused")
    axe.finish()


async def test_resident_pages(
    module_server: LiveServer, town: dict[str, Any], context_for: Any, axe: Axe
) -> None:
    site, ids, hidden = module_server.url, town["ids"], town["hidden"]
    proposal, budget = ids["id"], ids["budget_id"]
    owner = await signed_in(context_for, module_server, "owner@example.org")
    await visit(owner, axe, f"{site}/notifications")
    await visit(owner, axe, f"{site}/proposals/{hidden['draft_proposal']}/edit")
    # its hint names Markdown's marks (and the HTML of before named tags): shown as text, never
    # opened, so the footer stays plain
    style = "f => [getComputedStyle(f).fontWeight, getComputedStyle(f).fontStyle]"
    assert await owner.locator("footer").evaluate(style) == ["400", "normal"]
    await refused(owner, axe, "Enregistrer", "proposal edit refused", ("title", "body"))
    await visit(owner, axe, f"{site}/proposals/{proposal}/history")
    await visit(owner, axe, f"{site}/proposals/{proposal}/comments/{ids['comment']}/edit")
    await refused(owner, axe, "Enregistrer", "comment edit refused", ("body",))
    await visit(owner, axe, f"{site}/moderation/mine")
    await visit(owner, axe, f"{site}/account/delete")
    await visit(owner, axe, f"{site}/account/activity")
    await visit(owner, axe, f"{site}/account/notifications")
    await visit(owner, axe, f"{site}/account/password")
    await refused(owner, axe, "Modifier mon mot de passe", "password refused", ("new_password",))
    await visit(owner, axe, f"{site}/budgets/{town['submission']}/projects/new")
    await refused(owner, axe, "Déposer le projet", "project refused", ("title", "cost"))
    # its comments' "Reply" links are htmx-enhanced links (without JavaScript: the page again
    # with ?reply=, audited next)
    await visit(owner, axe, f"{site}/budgets/{budget}/projects/{ids['project_id']}", htmx=True)
    await visit(
        owner,
        axe,
        f"{site}/budgets/{budget}/projects/{ids['project_id']}?reply={ids['remark']}",
        htmx=True,
    )
    await visit(
        owner, axe, f"{site}/comments/budget_project/{ids['project_id']}/{ids['remark']}/edit"
    )
    await refused(owner, axe, "Enregistrer", "project comment edit refused", ("body",))
    await visit(owner, axe, f"{site}/budgets/{town['imported']}/ballot", "voting closed", 403)
    await visit(owner, axe, f"{site}/budgets/{budget}/results", "not published", status=404)
    await visit(owner, axe, f"{site}/budgets/{town['imported']}/receipt-check?receipt=ZZZZ")
    await visit(owner, axe, f"{site}/consultations/{town['visible']}/results", "open, visible")
    await visit(owner, axe, f"{site}/consultations/{town['closed']}", "closed")
    await visit(owner, axe, f"{site}/consultations/{town['closed']}/answer", "closed", 403)
    await visit(owner, axe, f"{site}/consultations/{town['closed']}/results", "closed")
    await visit(owner, axe, f"{site}/consultations/{town['closed']}/outcome")
    await visit(owner, axe, f"{site}/consultations/{town['elsewhere']}/answer", "not allowed", 403)
    await visit(owner, axe, f"{site}/followup/{ids['commitment_id']}")
    await visit(owner, axe, f"{site}/admin", "forbidden", 403)

    other = await signed_in(context_for, module_server, "other@example.org")
    await visit(other, axe, f"{site}/proposals/{proposal}/amendments/new")
    await refused(other, axe, "Envoyer l’amendement", "amendment refused", ("title", "body"))
    await visit(other, axe, f"{site}/moderation/report/comment/{ids['comment']}")
    await visit(other, axe, f"{site}/budgets/{budget}/ballot", "not verified", 403)

    # a 200-character word in a proposal's title, body and comment, in a long-named district,
    # and in a project: wrapped on a phone (every audit also lays the page out at 390 and 320 px)
    long = town["long"]
    for url in ["/", "/proposals", f"/proposals/{long['proposal']}", f"/budgets/{budget}"]:
        await visit(other, axe, site + url, "long words", htmx=True)
    await visit(other, axe, f"{site}/proposals/{long['proposal']}/history", "long words")
    await visit(other, axe, f"{site}/budgets/{budget}/projects/{long['project']}", "long words")
    axe.finish()


async def test_visitor_pages(
    module_server: LiveServer, town: dict[str, Any], context_for: Any, axe: Axe
) -> None:
    site = module_server.url
    page = await (await context_for()).new_page()
    await visit(page, axe, f"{site}/account/reset/not-a-token", "invalid link", 400)
    await visit(page, axe, f"{site}/account/confirm/not-a-token", "invalid link", 400)
    await visit(page, axe, f"{site}/account/email/confirm/not-a-token", "invalid link", 400)
    await visit(page, axe, f"{site}/account/unsubscribe/not-a-token", "invalid link", 400)
    await visit(page, axe, f"{site}/proposals/999999", "not found", 404)
    await visit(page, axe, f"{site}/api/v1/")  # the public API's page (issue #21)
    await visit(page, axe, f"{site}/donnees-ouvertes")
    axe.finish()


async def test_pages_htmx_changes(
    module_server: LiveServer, town: dict[str, Any], context_for: Any, axe: Axe, javascript: bool
) -> None:
    """The paper-ballot desk (its meter is swapped by htmx as boxes are ticked) and the filtered
    lists (swapped in place with JavaScript, a new page without)."""
    site, ids = module_server.url, town["ids"]
    page = await signed_in(context_for, module_server, "admin@example.org", javascript=javascript)
    await check_in(page, site, ids["budget_id"], "VB-002", "1990-12-01")
    await mark_document(page)
    await page.get_by_label("Jardin partagé", exact=False).check()
    if javascript:
        await expect(page.locator("#meter")).to_contain_text("40")
        await axe.check(page, "paper ballot, meter updated")
    await page.get_by_label("Jardin partagé", exact=False).uncheck()  # no project: refused
    if javascript:  # htmx swaps the meter: click once it has, not while it is being replaced
        await expect(page.locator("#meter")).to_contain_text("Choisissez au moins un projet")
    await refused(page, axe, "Enregistrer le bulletin papier", "paper ballot refused", ())
    assert await same_document(page) is False  # a refused ballot is a full page both ways

    for url in [f"{site}/followup", f"{site}/budgets/{ids['budget_id']}", f"{site}/moderation"]:
        await page.goto(url)
        await mark_document(page)
        await page.locator("form.filters select").first.select_option(index=1)
        await page.locator("form.filters").get_by_role("button").first.click()
        await page.wait_for_url("**?*")  # htmx pushes the filtered address too
        await page.wait_for_load_state()
        assert await same_document(page) is javascript  # swapped in place by htmx, or not
        await axe.check(page, "filtered")
    axe.finish()
