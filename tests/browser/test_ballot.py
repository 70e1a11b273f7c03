"""A resident casts a ballot in a real browser, with JavaScript on (htmx meter) and off."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from budgets.models import Feasibility, Project
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import LiveServer, ballots_in, sideways, signed_in
from tests.budgets.factories import PERSON
from tests.conftest import create_user
from tests.consultations.factories import consultation_open

# Generous: the suite runs on a busy 2-core machine; expect() retries until then.
expect.set_options(timeout=15_000)


def _seed(person: dict[str, str], email: str) -> Any:
    async def seed(settings: Settings) -> dict[str, Any]:
        budget, projects = await seeds.voter_at_budget(settings, email, person)
        return {"budget": budget.id, "projects": [p.id for p in projects]}

    return seed


async def test_cast_and_change_a_ballot(
    module_server: LiveServer, context_for: Any, javascript: bool
) -> None:
    # two residents of the Nord district, one per run, each with their own budget
    person = (
        PERSON if javascript else {**PERSON, "identifier": "VB-004", "birth_date": "1975-01-30"}
    )
    email = f"habitante-{'js' if javascript else 'nojs'}@example.org"
    seeded = await module_server.seed(_seed(person, email))
    ballot = f"/budgets/{seeded['budget']}/ballot"
    page = await signed_in(context_for, module_server, email, ballot, javascript=javascript)

    assert await page.locator("html").get_attribute("lang") == "fr"
    meter = page.locator("#meter")
    await page.get_by_label(re.compile("Jardin partagé")).check()  # 40,000 €
    await page.get_by_label(
        re.compile("Piste cyclable")
    ).check()  # 30,000 €: all 70,000 € city-wide
    if javascript:  # htmx updates the meter in place, no reload
        await expect(meter).to_contain_text("2 projets choisis")
        await expect(meter).to_contain_text("70\u202f000\xa0€ sur 70\u202f000\xa0€")
    else:  # without JavaScript, "check" submits and shows the total
        await page.get_by_role("button", name="Vérifier mon bulletin").click()
        await expect(meter).to_contain_text("70\u202f000\xa0€ sur 70\u202f000\xa0€")
        assert await page.get_by_label(re.compile("Jardin partagé")).is_checked()
    # over the amount: refused with what to fix, nothing recorded
    await page.get_by_label(re.compile("Skatepark")).check()
    await page.get_by_role("button", name="Voter").click()
    await expect(page.locator(".error-summary")).to_contain_text("retirez des projets")
    assert await ballots_in(module_server, seeded["budget"]) == []

    await page.get_by_label(re.compile("Skatepark")).uncheck()
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", await page.content())
    assert len(await ballots_in(module_server, seeded["budget"])) == 1

    # change the vote
    await page.get_by_role("link", name="Modifier mon vote").click()
    # a sealed ballot cannot be read back, not even for its voter: the form starts empty
    assert not await page.get_by_label(re.compile("Piste cyclable")).is_checked()
    await expect(
        page.get_by_text("vos choix précédents ne peuvent pas être affichés")
    ).to_be_visible()
    await page.get_by_label(re.compile("Jardin partagé")).check()
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    ballots = await ballots_in(module_server, seeded["budget"])
    assert len(ballots) == 1 and f'"{seeded["projects"][1]}"' not in ballots[0]
    assert f'"{seeded["projects"][0]}"' in ballots[0]


# Each box a person ticks, with its size on screen (WCAG 2.5.8: at least 24 x 24 CSS px)
BOXES = """() => Array.from(document.querySelectorAll('input[type=checkbox], input[type=radio]'))
    .filter(box => box.checkVisibility())
    .map(box => { const r = box.getBoundingClientRect();
                  return {id: box.id || box.name, width: r.width, height: r.height}; })"""
PHONE = {"width": 390, "height": 640}


async def small_boxes(page: Any) -> list[dict[str, Any]]:
    boxes = await page.evaluate(BOXES)
    assert boxes, "no box to tick on the page"
    return [box for box in boxes if box["width"] < 24 or box["height"] < 24]


async def test_the_ballot_on_a_phone(module_server: LiveServer, context_for: Any) -> None:
    """At 390 px: boxes of 24 px at least, nothing scrolls sideways (a project's title is a
    200-character word), and the running total stays in sight, above the box just ticked at the
    bottom of the list (sticky), with the focus on that box not hidden under it."""
    person = {**PERSON, "identifier": "VB-002", "birth_date": "1990-12-01"}

    async def seed(settings: Settings) -> dict[str, Any]:
        budget, _ = await seeds.voter_at_budget(settings, "telephone@example.org", person)
        await Project.create(
            budget=budget,
            title=seeds.LONG_WORD,
            description="<p>Détails</p>",
            cost=2_000,
            feasibility=Feasibility.FEASIBLE,
        )
        return {"budget": budget.id}

    seeded = await module_server.seed(seed)
    ballot = f"/budgets/{seeded['budget']}/ballot"
    page = await signed_in(
        context_for, module_server, "telephone@example.org", ballot, viewport=PHONE
    )
    assert await small_boxes(page) == []
    assert await sideways(page) == []

    meter = page.locator("#meter")
    last = page.locator("input[type=checkbox]").last
    await last.focus()  # as Tab does: the page scrolls to the box
    await page.keyboard.press("Space")
    await expect(meter).to_contain_text("1 projet choisi")
    assert await last.is_checked()
    total, box = await meter.bounding_box(), await last.bounding_box()
    assert total is not None and box is not None
    assert 0 <= total["y"] and total["y"] + total["height"] <= PHONE["height"], total
    assert box["y"] >= total["y"] + total["height"], (box, total)  # not under the total
    assert await page.evaluate("window.scrollY") > 0  # the list did scroll
    # back up to the first project (Shift+Tab would): it scrolls into sight below the total
    first = page.locator("input[type=checkbox]").first
    await first.focus()
    total, box = await meter.bounding_box(), await first.bounding_box()
    assert total is not None and box is not None
    assert 0 <= total["y"] and box["y"] >= total["y"] + total["height"], (box, total)


async def test_a_questionnaire_on_a_phone(module_server: LiveServer, context_for: Any) -> None:
    """At 320 px, a questionnaire with every kind of question (the majority-judgment grid
    included), one per screen: boxes and radio buttons of 24 px at least, nothing scrolls
    sideways, on each screen."""

    async def seed(settings: Settings) -> dict[str, Any]:
        consultation, _ = await consultation_open(title="Avenir du " + seeds.LONG_WORD[:80])
        await create_user(settings, "questionnaire@example.org", Role.CITIZEN)
        return {"consultation": consultation.id}

    seeded = await module_server.seed(seed)
    answer = f"/consultations/{seeded['consultation']}/answer"
    narrow = {"width": 320, "height": 640}
    page = await signed_in(
        context_for, module_server, "questionnaire@example.org", answer, viewport=narrow
    )
    # one question per screen (static/js/one-question.js): each screen measured in turn
    following = page.get_by_role("button", name="Question suivante")
    measured = 0
    while True:
        boxes = await page.evaluate(BOXES)  # none on a screen with a number or a text
        assert [box for box in boxes if box["width"] < 24 or box["height"] < 24] == []
        assert await sideways(page) == []
        measured += len(boxes)
        if not await following.is_visible():
            break
        await following.click()
    assert measured > 10  # the choices, the grid's grades and the scale were all measured
    await expect(page.get_by_role("button", name="Envoyer mes réponses")).to_be_visible()
