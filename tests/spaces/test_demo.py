"""The demo town's spaces: three, with drawn images and timelines, the demo's budget,
consultation and meetings attached; the vote step ends when the budget's vote closes; the home
page shows them open with their deadline."""

from __future__ import annotations

from typing import Any

import httpx

from budgets.models import Budget
from consultations.models import Consultation
from meetings.models import Meeting
from participation import demo, formatting
from participation.pictures.models import Picture
from participation.settings import Settings
from participation.spaces import demo as spaces_demo
from participation.spaces.models import Space, SpaceStep


async def test_the_demo_town_has_three_spaces_with_their_content(
    app: Any, settings: Settings, client: httpx.AsyncClient
) -> None:
    await demo.seed(settings)
    await demo.seed(settings)  # idempotent
    spaces = {s.slug: s for s in await Space.all()}
    assert set(spaces) == {spaces_demo.BUDGET, spaces_demo.CONSULTATION, spaces_demo.IDEAS}
    pictures = await Picture.filter(id__in=[s.image_id for s in spaces.values()])
    assert len(pictures) == 3 and all(p.alt for p in pictures)
    budget_space = spaces[spaces_demo.BUDGET]
    budget = await Budget.get(title="Budget participatif 2026")
    assert budget.space_id == budget_space.id
    consultation = await Consultation.get(space_id=spaces[spaces_demo.CONSULTATION].id)
    assert await Meeting.filter(space_id__in=[s.id for s in spaces.values()]).count() == 2
    vote = await SpaceStep.get(space=budget_space, title="Vote")
    assert vote.ends_at == budget.voting_closes_at
    assert spaces[spaces_demo.IDEAS].ends_at is None  # ongoing
    home = (await client.get("/")).text
    deadline = formatting.format_deadline(vote.ends_at, "fr")
    assert f"Vote jusqu’au {deadline}" in home
    assert "Boîte à idées" in home and "Rénovation du parc des Tilleuls" in home
    page = (await client.get(f"/demarches/{spaces_demo.CONSULTATION}")).text
    assert consultation.title in page and "Questionnaire" in page
    key = next(p.key for p in pictures if p.id == spaces[spaces_demo.BUDGET].image_id)
    image = await client.get(f"/images/{key}/800")
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
