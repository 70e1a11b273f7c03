"""A conditional consultation question, in a real browser: hidden by static/js/show-if.js until
its condition is met (with JavaScript), shown with its condition written out (without), and
never demanded while hidden."""

from __future__ import annotations

from typing import Any

import pytest_asyncio
from playwright.async_api import expect

from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, signed_in

expect.set_options(timeout=15_000)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def town(module_server: LiveServer) -> dict[str, Any]:
    async def seed(settings: Settings) -> dict[str, Any]:
        from tests.consultations.factories import consultation_open

        for number in (0, 1):
            await seeds.someone(settings, f"conditions{number}@example.org")
        consultation, questions = await consultation_open()
        return {"consultation": consultation.id, "why": questions["why"].text}

    return dict(await module_server.seed(seed))


async def test_a_conditional_question_appears_only_when_its_option_is_chosen(
    module_server: LiveServer, town: dict[str, Any], context_for: Any, axe: Axe, javascript: bool
) -> None:
    email = f"conditions{0 if javascript else 1}@example.org"
    answer = f"/consultations/{town['consultation']}/answer"
    page = await signed_in(context_for, module_server, email, at=answer, javascript=javascript)
    why = page.get_by_role("group", name=town["why"])
    if javascript:
        await expect(why).to_be_hidden()
        await page.get_by_label("Non", exact=True).check()
        await expect(why).to_be_visible()
        await axe.check(page, "conditional question shown")
        await page.get_by_label("Oui", exact=True).check()
        await expect(why).to_be_hidden()
    else:
        await expect(why).to_be_visible()
        await expect(why).to_contain_text("Répondez seulement si vous avez choisi « Non »")


async def test_on_a_phone_one_question_per_screen(
    module_server: LiveServer, town: dict[str, Any], context_for: Any, axe: Axe, javascript: bool
) -> None:
    """With JavaScript on a phone, one question at a time (issue #22), the sending button under
    the last; without JavaScript, or on a wide screen, every question on the page."""

    async def someone(settings: Settings) -> None:
        await seeds.someone(settings, f"telephone{int(javascript)}@example.org")

    await module_server.seed(someone)
    answer = f"/consultations/{town['consultation']}/answer"
    page = await signed_in(
        context_for,
        module_server,
        f"telephone{int(javascript)}@example.org",
        at=answer,
        javascript=javascript,
        viewport={"width": 390, "height": 800},
    )
    questions = page.locator("fieldset.question:visible")
    send = page.get_by_role("button", name="Envoyer mes réponses")
    if not javascript:
        assert await questions.count() > 2
        await expect(send).to_be_visible()
        return
    await expect(questions).to_have_count(1)
    await expect(questions.first).to_contain_text("Question 1 sur")
    await expect(send).to_be_hidden()
    await expect(page.get_by_role("button", name="Question précédente")).to_be_hidden()
    await axe.check(page, "one question")
    await page.get_by_label("Oui", exact=True).check()  # the conditional « why » stays away
    await page.get_by_role("button", name="Question suivante").click()
    await expect(questions.first).to_contain_text("Question 2 sur")
    await expect(questions.first).to_be_focused()
    await page.get_by_role("button", name="Question précédente").click()
    await expect(questions.first).to_contain_text("Question 1 sur")
    while await page.get_by_role("button", name="Question suivante").is_visible():
        await page.get_by_role("button", name="Question suivante").click()
    await expect(send).to_be_visible()
    await send.click()  # the other required questions unanswered: refused
    await expect(page.locator(".error-summary")).to_be_visible()
    await expect(questions).to_have_count(1)
    await expect(questions.first).to_have_class("question field-error")
    await page.set_viewport_size({"width": 1280, "height": 800})
    await expect(questions.nth(2)).to_be_visible()  # a wide screen shows them all again
