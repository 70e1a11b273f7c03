"""The demo town has an open consultation with every question type and a closed one with a
published outcome; loading it twice changes nothing."""

from typing import Any

import httpx

from consultations import demo
from consultations.models import Consultation, Phase, Question, QuestionKind, Response, Result
from participation.demo import create_accounts
from participation.settings import Settings


async def test_demo_consultations(app: Any, client: httpx.AsyncClient, settings: Settings) -> None:
    users = await create_accounts(settings)
    for _ in range(2):
        await demo.load(settings, users)
    assert await Consultation.all().count() == 2
    opened = await Consultation.get(title=demo.OPEN_TITLE)
    closed = await Consultation.get(title=demo.CLOSED_TITLE)
    assert opened.phase == Phase.OPEN and closed.phase == Phase.CLOSED
    kinds = set(await Question.filter(consultation=opened).values_list("kind", flat=True))
    assert kinds == set(QuestionKind)
    assert await Response.filter(consultation=opened).count() > 10
    assert await Response.filter(consultation=closed).count() > 10
    assert await Result.filter(consultation_id__in=[opened.id, closed.id]).count() == 2
    assert closed.outcome_published_at is not None
    listing = await client.get("/consultations")
    assert demo.OPEN_TITLE in listing.text and demo.CLOSED_TITLE in listing.text
    assert (await client.get(f"/consultations/{opened.id}/results")).status_code == 200
    outcome = await client.get(f"/consultations/{closed.id}/outcome")
    assert "dimanche de 10 h à 13 h" in outcome.text
