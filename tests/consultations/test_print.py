"""A consultation's printable documents, read back with pypdf: the questionnaire on paper (every
question and option of every kind) and the published results (every question and every figure
of the results page, the free texts it shows and no other); who may download them (as the
consultation's page, as its results page)."""

from __future__ import annotations

import html
import re

import httpx

from consultations import print as printable
from consultations import services
from consultations.models import Consultation, Option, Phase, Response
from consultations.services import ConsultationForm, text_digest
from participation.accounts.models import User
from participation.formatting import format_points
from participation.settings import Settings
from tests.conftest import log_in
from tests.consultations.factories import consultation_open, opened
from tests.consultations.test_results import answered_by
from tests.printing import pdf_text, printed


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


def page_cells(page: str) -> list[str]:
    """The text of each cell of the results page's tables, as the PDF reads back."""
    found = re.findall(r"<t[dh](?:\s[^>]*)?>(.*?)</t[dh]>", page, re.S)
    return [printed(html.unescape(re.sub(r"<[^>]+>", "", cell))).strip() for cell in found]


async def test_the_results_hold_every_question_and_figure_of_the_page_and_only_shown_texts(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    consultation, questions = await consultation_open()
    await answered_by(settings, consultation, questions, 3)
    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    await services.compute_results(settings, consultation.id)  # the texts wait for approval
    short = questions["short"]
    written: dict[str, str] = {}  # "Idée numéro 0" -> the text as stored
    for row in await Response.filter(consultation=consultation):
        text = opened(settings, row)[str(short.id)]
        written[re.sub(r"<[^>]+>", "", text)] = text
    await services.review_text(short.id, text_digest(written["Idée numéro 0"]), approved=True)
    await services.review_text(short.id, text_digest(written["Idée numéro 1"]), approved=True)
    await services.compute_results(settings, consultation.id)
    # hidden after the results were computed: gone at once, as from the page
    await services.review_text(short.id, text_digest(written["Idée numéro 1"]), approved=False)
    # "Idée numéro 2" is still pending

    page = await client.get(f"/consultations/{consultation.id}/results")
    path = f"/consultations/{consultation.id}/results.pdf"
    assert page.status_code == 200 and f'href="{path}"' in page.text
    response = await client.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Résultats" in text and consultation.title in text and "3 réponses" in text
    for number, question in enumerate(
        sorted(questions.values(), key=lambda q: (q.position, q.id)), start=1
    ):
        assert f"{number}. {question.text}" in text
    cells = page_cells(page.text)
    # the page's tables were read: every answer « Oui »
    assert "Score de Borda" in cells and printed(format_points(100)) in cells
    missing = [cell for cell in cells if cell not in text]
    assert missing == []
    for sentence in ("Gagnant de Condorcet", "Moyenne", "Mention majoritaire"):
        assert sentence in printed(html.unescape(page.text)) and sentence in text
    assert "Idée numéro 0" in text and "Idée numéro 0" in page.text
    for unseen in ("Idée numéro 1", "Idée numéro 2"):  # hidden, pending
        assert unseen not in text and unseen not in page.text
    assert "1 réponse publiée après modération" in text


async def test_the_results_are_printed_for_whoever_sees_the_results_page(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    hidden, _ = await consultation_open(title="Résultats pas encore publics")
    visible, questions = await consultation_open(visible=True, title="Résultats en continu")
    await answered_by(settings, visible, questions, 1)
    await services.compute_results(settings, visible.id)
    draft = await services.save_consultation(ConsultationForm(title="En préparation"))
    assert (await Consultation.get(id=draft)).phase == Phase.PREPARATION
    for consultation_id in (hidden.id, draft, 999999):
        page = await client.get(f"/consultations/{consultation_id}/results")
        printable_results = await client.get(f"/consultations/{consultation_id}/results.pdf")
        assert page.status_code == printable_results.status_code == 404
    shown = await client.get(f"/consultations/{visible.id}/results.pdf")
    assert shown.status_code == 200
    text = pdf_text(shown.content)
    assert "encore ouverte" in text and "1 réponse" in text and "Aperçu" not in text
    await log_in(client, admin)  # staff preview the results, on the page and on paper
    preview = await client.get(f"/consultations/{hidden.id}/results.pdf")
    assert preview.status_code == 200
    text = pdf_text(preview.content)
    assert "Aperçu pour l’équipe" in text and "pas encore été calculés" in text
    assert (await client.get(f"/consultations/{draft}/results.pdf")).status_code == 200
