"""A conditional consultation question, in a real browser: hidden by static/js/show-if.js until
its condition is met (with JavaScript), shown with its condition written out (without), and
never demanded while hidden."""

from __future__ import annotations

from typing import Any

import pytest_asyncio
from playwright.async_api import expect

from participation.settings import Settings
from tests.browser import seeds
from tests.browser.conftest import Axe, LiveServer, signed_in

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
