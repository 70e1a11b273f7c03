"""Consultations in the states the tests need, built through the services (not raw rows)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from tortoise import timezone

from consultations import models, services
from consultations.models import Audience, Consultation, Option, Phase, Question, QuestionKind
from consultations.services import ConsultationForm, QuestionForm
from participation.accounts.models import User
from participation.settings import Settings
from tests.conftest import log_in

K = QuestionKind


async def consultation_open(
    audience: Audience = Audience.SIGNED_IN,
    anonymous: bool = True,
    district: str | None = None,
    visible: bool = False,
    title: str = "Avenir du parc des Tilleuls",
) -> tuple[Consultation, dict[str, Question]]:
    """An open consultation with one question of every type (and a conditional one)."""
    consultation_id = await services.save_consultation(
        ConsultationForm(
            title=title,
            context="Le parc sera rénové en 2027.",
            closes_at=timezone.now() + timedelta(days=7),
            audience=audience,
            district=district,
            anonymous=anonymous,
            results_visible_while_open=visible,
        )
    )
    specs = [
        (
            "single",
            QuestionForm(
                K.SINGLE, "Venez-vous au parc ?", options=("Oui", "Non"), allow_other=True
            ),
        ),
        (
            "multiple",
            QuestionForm(
                K.MULTIPLE,
                "Quels équipements ?",
                options=("Jeux", "Bancs", "Toilettes"),
                min_choices=1,
                max_choices=2,
            ),
        ),
        (
            "ranking",
            QuestionForm(
                K.RANKING, "Classez les priorités", options=("Ombre", "Propreté", "Éclairage")
            ),
        ),
        ("scale", QuestionForm(K.SCALE, "Le parc est agréable")),
        ("majority", QuestionForm(K.MAJORITY, "Jugez les projets", options=("Kiosque", "Potager"))),
        (
            "number",
            QuestionForm(K.NUMBER, "Combien de visites par mois ?", min_value=0, max_value=100),
        ),
        ("short", QuestionForm(K.SHORT_TEXT, "Un mot pour le parc", required=False)),
    ]
    questions: dict[str, Question] = {}
    for key, form in specs:
        question_id = await services.save_question(consultation_id, form)
        questions[key] = await Question.get(id=question_id)
    no = await Option.get(question=questions["single"], label="Non")
    why = QuestionForm(
        K.LONG_TEXT,
        "Pourquoi ne venez-vous pas ?",
        required=True,
        show_if=f"{questions['single'].id}:{no.id}",
    )
    questions["why"] = await Question.get(id=await services.save_question(consultation_id, why))
    await services.switch_phase(consultation_id, Phase.OPEN, None)
    return await Consultation.get(id=consultation_id), questions


async def answering_no(
    client: httpx.AsyncClient, user: User
) -> tuple[Consultation, dict[str, Question], Option]:
    """Scenario: `consultation_open`, `user` logged in on `client` and about to answer « Non »
    to the single-choice question (which shows « why »): the consultation, its questions and
    that option."""
    consultation, questions = await consultation_open()
    no = await Option.get(question=questions["single"], label="Non")
    await log_in(client, user)
    return consultation, questions, no


async def options(question: Question) -> list[int]:
    return [o.id for o in await Option.filter(question=question).order_by("position")]


async def valid_answers(questions: dict[str, Question]) -> dict[str, str | list[str]]:
    q = questions
    single = await options(q["single"])
    multiple = await options(q["multiple"])
    ranking = await options(q["ranking"])
    majority = await options(q["majority"])
    return {
        f"q{q['single'].id}": str(single[0]),
        f"q{q['multiple'].id}": [str(multiple[0]), str(multiple[1])],
        f"q{q['ranking'].id}-o{ranking[0]}": "2",
        f"q{q['ranking'].id}-o{ranking[1]}": "1",
        f"q{q['ranking'].id}-o{ranking[2]}": "3",
        f"q{q['scale'].id}": "4",
        f"q{q['majority'].id}-o{majority[0]}": "1",
        f"q{q['majority'].id}-o{majority[1]}": "3",
        f"q{q['number'].id}": "4",
        f"q{q['short'].id}": "Plus d'ombre",
    }


def opened(settings: Settings, response: models.Response) -> dict[str, Any]:
    """A stored response's answers, as only the holder of ANSWERS_KEY can read them (anonymous
    consultations keep them sealed)."""
    raw = services.open_answers(
        settings, response.consultation_id, response.answers, response.sealed
    )
    return json.loads(raw)  # type: ignore[no-any-return]
