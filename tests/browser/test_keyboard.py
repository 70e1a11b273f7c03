"""Keyboard only (Tab, Shift+Tab, Space, Enter, arrows), JavaScript on: a resident fills the
budget ballot and a consultation questionnaire; the focus is always visible, never trapped, and
stays in place when htmx updates the ballot's meter. Also checks the axe audit can fail."""

from __future__ import annotations

import json
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import expect

from consultations.models import Option, Response
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.conftest import Axe, LiveServer, ballots_in, signed_in
from tests.consultations.factories import opened

expect.set_options(timeout=15_000)

# What the focused element is, for a person: its label, or its text, and whether it shows focus.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
  const style = getComputedStyle(e);
  return {
    name: (label || e.getAttribute('aria-label') || e.innerText || e.value || '').trim(),
    tag: e.tagName.toLowerCase(),
    type: e.type || '',
    checked: !!e.checked,
    visible: e.matches(':focus-visible') && style.outlineStyle !== 'none'
             && parseFloat(style.outlineWidth) >= 2,
  };
}"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def resident(module_server: LiveServer) -> dict[str, Any]:
    async def seed(settings: Settings) -> dict[str, Any]:
        town = await seeds.town_voting(settings)
        user = await seeds.someone(settings, "clavier@example.org", name="Claude Clavier")
        identifier, born = seeds.RESIDENTS[2]
        from participation.residents.services import verify_residency

        await verify_residency(settings, user, identifier, born, seeds.POSTCODE)
        return town

    return dict(await module_server.seed(seed))


async def focused(page: Any) -> dict[str, Any]:
    return dict(await page.evaluate(FOCUSED) or {})


async def tab_to(page: Any, name: str, key: str = "Tab", limit: int = 80) -> dict[str, Any]:
    """Press `key` until the element named `name` has the focus; every stop shows its focus."""
    for _ in range(limit):
        await page.keyboard.press(key)
        now = await focused(page)
        if now:
            assert now["visible"], f"no visible focus on {now}"
        if now and now["name"].startswith(name):
            return now
    raise AssertionError(f"{name!r} never got the focus with {key}")


async def no_trap(page: Any) -> None:
    """Tab goes through the whole page and comes back to the start: nothing keeps the focus."""
    await page.keyboard.press("Home")
    await page.evaluate("() => document.activeElement && document.activeElement.blur()")
    seen: list[str] = []
    for _ in range(200):
        await page.keyboard.press("Tab")
        now = await focused(page)
        key = json.dumps(now, sort_keys=True)
        if seen and key == seen[0]:
            break
        seen.append(key)
    else:
        raise AssertionError("the focus never came back to the start of the page")
    tabbable = await page.evaluate(
        "() => [...document.querySelectorAll('a[href], button, input:not([type=hidden]), "
        'select, textarea, [tabindex]:not([tabindex="-1"])\')].filter(e => !e.disabled).length'
    )
    # every control was reached (radio groups count once: arrows move inside them)
    assert len({s for s in seen if s != "{}"}) >= tabbable - await page.evaluate(
        "() => document.querySelectorAll('input[type=radio]').length"
    )


async def test_the_ballot_with_the_keyboard_alone(
    module_server: LiveServer, resident: dict[str, Any], context_for: Any
) -> None:
    ballot = f"/budgets/{resident['budget']}/ballot"
    page = await signed_in(context_for, module_server, "clavier@example.org", at=ballot)

    skip = await tab_to(page, "Aller au contenu")  # the first stop: the skip link
    assert skip["tag"] == "a"
    await page.keyboard.press("Enter")
    garden = await tab_to(page, "Jardin partagé")
    await page.keyboard.press("Space")
    # htmx replaced the meter: the focus stayed on the checkbox, which is now checked
    await expect(page.locator("#meter")).to_contain_text("1 projet choisi")
    assert (await focused(page))["name"] == garden["name"]
    assert (await focused(page))["checked"]
    await tab_to(page, "Skatepark")
    await page.keyboard.press("Space")
    await expect(page.locator("#meter")).to_contain_text("2 projets choisis")
    # Skatepark was a mistake: back with Shift+Tab, untick it
    await page.keyboard.press("Space")
    await expect(page.locator("#meter")).to_contain_text("1 projet choisi")
    await tab_to(page, "Piste cyclable", key="Shift+Tab")
    await page.keyboard.press("Space")
    await expect(page.locator("#meter")).to_contain_text("2 projets choisis")
    await no_trap(page)

    await page.get_by_label("Jardin partagé", exact=False).focus()
    await tab_to(page, "Voter")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{module_server.url}/budgets/{resident['budget']}/ballot/receipt")

    projects = resident["projects"]
    ballots = await ballots_in(module_server, resident["budget"])
    assert [json.loads(choices) for choices in ballots] == [
        {str(projects["Jardin partagé"]): 1, str(projects["Piste cyclable"]): 1}
    ]


async def test_a_questionnaire_with_the_keyboard_alone(
    module_server: LiveServer, resident: dict[str, Any], context_for: Any
) -> None:
    answer = f"/consultations/{resident['consultation']}/answer"
    page = await signed_in(context_for, module_server, "clavier@example.org", at=answer)

    await tab_to(page, "Oui")  # Tab enters the radio group on its first option
    await page.keyboard.press("Space")
    await page.keyboard.press("ArrowDown")  # arrows move the choice inside the group: "Non"
    await page.keyboard.press("ArrowUp")  # and back to "Oui"
    assert (await focused(page))["checked"]
    await tab_to(page, "1")  # the scale question
    for _ in range(3):
        await page.keyboard.press("ArrowRight")
    now = await focused(page)
    assert now["name"].startswith("4") and now["checked"]
    await page.keyboard.press("Tab")
    await page.keyboard.type("Des fontaines")
    await no_trap(page)
    await page.get_by_label("Une idée pour la place").focus()
    await tab_to(page, "Envoyer mes réponses")
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("vos réponses sont enregistrées")).to_be_visible()

    async def answers(settings: Settings) -> tuple[list[Any], dict[str, int]]:
        options = await Option.filter(question__consultation_id=resident["consultation"])
        stored = [opened(settings, r) for r in await Response.all()]
        return stored, {o.label: o.id for o in options}

    [stored], option_ids = await module_server.seed(answers)
    # a choice is stored as the list of option ids, free text as sanitized rich text
    expected = [[option_ids["Oui"]], 4, "<p>Des fontaines</p>"]
    assert sorted(map(json.dumps, stored.values())) == sorted(map(json.dumps, expected))


async def test_the_audit_catches_a_violation(
    module_server: LiveServer, context_for: Any, axe: Axe, javascript: bool
) -> None:
    """An unlabelled field, a skipped heading level, an invalid field whose error is not tied
    to it and a page wider than a phone each fail the audit, with JavaScript on and off (copied
    page)."""
    if axe.source is None:
        pytest.skip("node_modules/axe-core is absent (`make assets`)")
    page = await (await context_for(javascript=javascript)).new_page()
    head = (
        '<!doctype html><html lang="fr"><head><title>Formulaire</title>'
        '<script src="/static/vendor/htmx.min.js"></script></head><body><main><h1>Formulaire</h1>'
    )
    cases = {
        "label": '<input id="nom">',
        "heading-order": "<h3>Détails</h3><p>Texte</p>",
        "field-error-described": (
            '<p id="nom-erreur">Indiquez votre nom</p><label for="nom">Nom</label>'
            '<input id="nom" aria-invalid="true">'
        ),
        # a 200-character word with nothing to wrap it: the page scrolls sideways on a phone
        "reflow": "<p>" + "Anticonstitutionnellement" * 8 + "</p>",
    }
    for rule, body in cases.items():
        await page.route(f"{module_server.url}/unlabelled", _serving(head + body + "</main>"))
        await page.goto(f"{module_server.url}/unlabelled")
        with pytest.raises(AssertionError, match=rule):
            await axe.check(page)
        await page.unroute(f"{module_server.url}/unlabelled")


def _serving(html: str) -> Any:
    async def serve(route: Any) -> None:
        await route.fulfill(body=html + "</body></html>", content_type="text/html")

    return serve
