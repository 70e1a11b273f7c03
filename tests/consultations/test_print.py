"""A consultation's questionnaire on paper: every question and option of every kind, read back
with pypdf; who may download it (as the consultation's page)."""

from __future__ import annotations

import httpx

from consultations import print as printable
from consultations import services
from consultations.models import Consultation, Option, Phase
from consultations.services import ConsultationForm
from participation.accounts.models import User
from tests.conftest import log_in
from tests.consultations.factories import consultation_open
from tests.printing import pdf_text


async def test_the_questionnaire_holds_every_question_and_option(app: object) -> None:
    consultation, questions = await consultation_open()
    text = pdf_text(await printable.questionnaire_pdf(consultation, "Villebelle"))
    assert "Villebelle" in text and consultation.title in text
    assert "Le parc sera rénové en 2027." in text  # the context, as plain text
    for question in questions.values():
        assert question.text in text
    for option in await Option.filter(question__consultation=consultation):
        assert option.label in text
    total = len(questions)
    assert f"Question 1 of {total}" in text or f"Question 1 sur {total}" in text
    assert "\u2610 Oui" in text  # a box to tick
    assert "Non" in text and ("Pourquoi ne venez-vous pas ?" in text)
    # the conditional question says when to answer it; the number question its limits
    assert "Answer only if you chose “Non”" in text or "Répondez seulement si" in text
    assert "100" in text


async def test_a_title_with_markup_is_printed_as_text(app: object) -> None:
    consultation, _ = await consultation_open(title="<script>alert(1)</script> & « parc »")
    text = pdf_text(await printable.questionnaire_pdf(consultation, "Villebelle"))
    assert "<script>alert(1)</script> & « parc »" in text


async def test_anyone_who_sees_the_consultation_may_print_it_and_staff_their_draft(
    client: httpx.AsyncClient, admin: User
) -> None:
    consultation, _ = await consultation_open()
    path = f"/consultations/{consultation.id}/questionnaire.pdf"
    response = await client.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert path in (await client.get(f"/consultations/{consultation.id}")).text
    draft = await services.save_consultation(ConsultationForm(title="En préparation"))
    assert (await Consultation.get(id=draft)).phase == Phase.PREPARATION
    assert (await client.get(f"/consultations/{draft}/questionnaire.pdf")).status_code == 404
    assert (await client.get("/consultations/999999/questionnaire.pdf")).status_code == 404
    await log_in(client, admin)
    staff = await client.get(f"/consultations/{draft}/questionnaire.pdf")
    assert staff.status_code == 200 and "En préparation" in pdf_text(staff.content)
