"""Demo consultations of Villebelle-sur-Loire: an open one with every question type, and a
closed one with its results and the council's published response.

Seeded once: a consultation whose title already exists is left alone. The closed one's answers
are written so that its results say what the council's published response says (Sunday
morning first, the late Thursday next).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from tortoise import timezone

from consultations import services
from consultations.models import (
    Audience,
    Consultation,
    Option,
    Phase,
    Question,
    QuestionKind,
    ScaleStyle,
)
from consultations.questions import KINDS
from consultations.services import ConsultationForm, OutcomeForm, QuestionForm
from participation.accounts.models import User
from participation.accounts.services import hash_password
from participation.demo import demo_account
from participation.settings import Settings
from participation.spaces import demo as spaces_demo

K = QuestionKind
OPEN_TITLE = "Le parc des Tilleuls de demain"
CLOSED_TITLE = "Horaires de la médiathèque"


async def _questionnaire(consultation_id: int, forms: list[QuestionForm]) -> list[int]:
    ids: list[int] = []
    for form in forms:
        if form.show_if == "<previous:Non>":
            previous = ids[0]
            no = await Option.get(question_id=previous, label="Non")
            form = QuestionForm(**{**form.__dict__, "show_if": f"{previous}:{no.id}"})
        ids.append(await services.save_question(consultation_id, form))
    return ids


def _random_items(questions: list[tuple[Question, list[int]]], rng: random.Random) -> list[Any]:
    items: list[tuple[str, str]] = []
    for question, options in questions:
        items += KINDS[question.kind].sample(f"q{question.id}", options, rng)
    return items


# The closed consultation's rankings, in turn (option positions, best first): Borda scores
# 7, 5 and 3 per five people, and Sunday morning beats each other option head to head.
CLOSED_RANKINGS: list[tuple[int, ...]] = [(0, 1, 2), (0, 1, 2), (1, 0, 2), (0, 2, 1), (2, 1, 0)]


async def _answer(
    settings: Settings,
    consultation_id: int,
    people: list[User],
    scripted: tuple[int, list[tuple[int, ...]]] | None = None,
) -> None:
    """Each person answers at random (a fixed seed), but for the `scripted` ranking question:
    (its id, the rankings taken in turn)."""
    rng = random.Random(consultation_id)
    questions = []
    for question in await Question.filter(consultation_id=consultation_id).order_by("position"):
        options = [o.id for o in await Option.filter(question=question).order_by("position")]
        questions.append((question, options))
    for number, person in enumerate(people):
        items = _random_items(questions, rng)
        if scripted is not None:
            question_id, rankings = scripted
            order = rankings[number % len(rankings)]
            options = next(options for question, options in questions if question.id == question_id)
            items = [i for i in items if not i[0].startswith(f"q{question_id}-o")]
            items += [
                (f"q{question_id}-o{options[position]}", str(rank))
                for rank, position in enumerate(order, start=1)
            ]
        try:
            await services.submit_response(settings, consultation_id, person, None, items)
        except services.Refused:  # a conditional question left unanswered: skip this person
            continue


async def _residents(settings: Settings, count: int) -> list[User]:
    password = await hash_password(settings, "demo-resident-not-a-login")
    people = []
    for n in range(1, count + 1):
        email = f"habitant{n}@demo.villebelle.fr"
        person = await User.get_or_none(email=email)
        if person is None:
            person = demo_account(email, f"Habitant {n}", password)
            await person.save()
        people.append(person)
    return people


async def load(settings: Settings, users: list[User]) -> None:
    now = timezone.now()
    people = [users[0], *await _residents(settings, 24)]
    if not await Consultation.filter(title=OPEN_TITLE).exists():
        consultation_id = await services.save_consultation(
            ConsultationForm(
                title=OPEN_TITLE,
                context=(
                    "Le parc des Tilleuls sera rénové en 2027. Avant de dessiner le projet, "
                    "la mairie veut savoir comment vous l'utilisez et ce que vous en attendez."
                ),
                opens_at=now - timedelta(days=3),
                closes_at=now + timedelta(days=25),
                audience=Audience.SIGNED_IN,
                anonymous=True,
                results_visible_while_open=True,
            )
        )
        await _questionnaire(
            consultation_id,
            [
                QuestionForm(
                    K.SINGLE,
                    "Venez-vous au parc au moins une fois par mois ?",
                    options=("Oui", "Non"),
                    allow_other=True,
                ),
                QuestionForm(
                    K.LONG_TEXT, "Qu'est-ce qui vous empêche de venir ?", show_if="<previous:Non>"
                ),
                QuestionForm(
                    K.MULTIPLE,
                    "Quels équipements souhaitez-vous ?",
                    options=("Jeux pour enfants", "Bancs ombragés", "Toilettes", "Fontaine à eau"),
                    min_choices=1,
                    max_choices=2,
                ),
                QuestionForm(
                    K.RANKING,
                    "Classez ces priorités",
                    options=("Plus d'ombre", "Propreté", "Éclairage le soir"),
                ),
                QuestionForm(
                    K.SCALE,
                    "Le parc est aujourd'hui agréable",
                    scale_style=ScaleStyle.AGREEMENT,
                ),
                QuestionForm(
                    K.MAJORITY,
                    "Que pensez-vous de ces trois aménagements ?",
                    options=(
                        "Un kiosque à musique",
                        "Un potager partagé",
                        "Un terrain de pétanque",
                    ),
                ),
                QuestionForm(
                    K.NUMBER,
                    "Combien de fois y êtes-vous allé le mois dernier ?",
                    min_value=0,
                    max_value=60,
                ),
                QuestionForm(K.SHORT_TEXT, "Le parc en un mot", required=False),
            ],
        )
        await services.switch_phase(consultation_id, Phase.OPEN, None)
        await _answer(settings, consultation_id, people)
        await services.compute_results(settings, consultation_id)
    if not await Consultation.filter(title=CLOSED_TITLE).exists():
        consultation_id = await services.save_consultation(
            ConsultationForm(
                title=CLOSED_TITLE,
                context="Faut-il ouvrir la médiathèque le dimanche ou plus tard en semaine ?",
                audience=Audience.SIGNED_IN,
                anonymous=True,
            )
        )
        ids = await _questionnaire(
            consultation_id,
            [
                QuestionForm(
                    K.RANKING,
                    "Classez ces horaires",
                    options=(
                        "Ouverture le dimanche matin",
                        "Fermeture à 20 h le jeudi",
                        "Ouverture à 9 h le samedi",
                    ),
                ),
                QuestionForm(K.SCALE, "Les horaires actuels vous conviennent"),
            ],
        )
        await services.switch_phase(consultation_id, Phase.OPEN, None)
        await _answer(settings, consultation_id, people, (ids[0], CLOSED_RANKINGS))
        await services.switch_phase(consultation_id, Phase.CLOSED, None)
        await Consultation.filter(id=consultation_id).update(
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=30),
            phase_changed_at=now - timedelta(days=30),  # it closed at its date
        )
        await services.compute_results(settings, consultation_id)
        await services.publish_outcome(
            settings,
            consultation_id,
            OutcomeForm(
                heard=(
                    "Vous êtes nombreux à demander une ouverture le dimanche matin, surtout "
                    "les familles. La fermeture tardive du jeudi vient juste après."
                ),
                decided=(
                    "À partir de septembre, la médiathèque ouvrira le dimanche de 10 h à 13 h. "
                    "Une fermeture à 20 h le jeudi sera essayée pendant six mois."
                ),
                decisions={ids[0]: "Ouverture le dimanche matin dès septembre."},
            ),
        )
    # the open consultation belongs to the demo's consultation space (participation/spaces)
    await Consultation.filter(title=OPEN_TITLE, space_id=None).update(
        space_id=await spaces_demo.space_id(spaces_demo.CONSULTATION)
    )
