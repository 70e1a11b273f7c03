"""What a resident and staff notice on a consultation (issue #15): conditional questions hidden
and not demanded, an error summary that names each question, French labels, closing early only
after a confirmation, and the real closing time shown."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from consultations import domain, services
from consultations.models import Consultation, Option, Phase, PhaseSwitch, QuestionKind, Response
from consultations.questions import Form, QuestionSpec
from consultations.services import QuestionForm
from participation.accounts.models import User
from participation.formatting import format_datetime
from participation.settings import Settings
from tests.conftest import log_in, post_form
from tests.consultations.factories import answering_no, consultation_open, opened, valid_answers
from tests.consultations.test_answering import answer

K = QuestionKind


def test_a_hidden_required_question_is_neither_demanded_nor_checked() -> None:
    questions = [
        QuestionSpec(1, K.SINGLE, "Venez-vous ?", options=(11, 12)),
        QuestionSpec(
            2, K.SINGLE, "Pourquoi ?", options=(21, 22), show_if_question=1, show_if_option=12
        ),
        QuestionSpec(3, K.NUMBER, "Combien ?", show_if_question=2, show_if_option=21),
    ]
    # q1 = 11: q2 hidden (and q3 behind it); their stray answers, even malformed, are ignored
    stored, problems = domain.read_answers(
        questions, Form([("q1", "11"), ("q2", "pas un choix"), ("q3", "beaucoup")])
    )
    assert problems == [] and stored == {"1": [11]}
    # shown, the same answers are checked and the required one is demanded
    _, problems = domain.read_answers(questions, Form([("q1", "12"), ("q2", "pas un choix")]))
    assert [p.field for p in problems] == ["q2"]
    _, problems = domain.read_answers(questions, Form([("q1", "12"), ("q2", "21")]))
    assert [(p.field, p.message) for p in problems] == [("q3", "Answer this question.")]


async def test_stray_answers_to_a_hidden_question_do_not_refuse_the_form(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    consultation, questions = await consultation_open()
    yes = await Option.get(question=questions["single"], label="Oui")
    how_many = await services.save_question(
        consultation.id,
        QuestionForm(K.NUMBER, "Combien de fois ?", show_if=f"{questions['single'].id}:{yes.id}"),
    )
    no = await Option.get(question=questions["single"], label="Non")
    await log_in(client, citizen)
    fields = {
        **await valid_answers(questions),
        f"q{questions['single'].id}": str(no.id),
        f"q{questions['why'].id}": "Trop loin",
        f"q{how_many}": "beaucoup",  # hidden (« Oui » not chosen) and malformed: ignored
    }
    response = await answer(client, consultation, fields)
    assert response.status_code == 303, response.text[:2000]
    stored = opened(settings, await Response.get(consultation=consultation))
    assert str(how_many) not in stored


async def test_the_answer_page_hides_conditional_questions_with_a_script_of_its_own(
    client: httpx.AsyncClient, citizen: User
) -> None:
    consultation, questions, no = await answering_no(client, citizen)
    page = (await client.get(f"/consultations/{consultation.id}/answer")).text
    why = questions["why"].id
    assert (
        f'id="q{why}" class="question" data-show-if="q{questions["single"].id}" '
        f'data-show-if-option="{no.id}"'
    ) in page
    assert '<script src="/static/js/show-if.js" defer></script>' in page
    assert "<script>" not in page  # the CSP forbids inline scripts
    script = await client.get("/static/js/show-if.js")
    assert script.status_code == 200 and "data-show-if" not in script.text.split("\n")[0]
    assert "dataset.showIf" in script.text


async def test_the_error_summary_names_each_question(
    client: httpx.AsyncClient, citizen: User
) -> None:
    consultation, questions, no = await answering_no(client, citizen)
    fields = {**await valid_answers(questions), f"q{questions['single'].id}": str(no.id)}
    fields[f"q{questions['scale'].id}"] = "9"
    response = await answer(client, consultation, fields)
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S)
    assert summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))
    assert links == [
        (
            f"q{questions['scale'].id}",
            "Question 4 sur 8 · Le parc est agréable\u00a0: Choisissez un point de l’échelle.",
        ),
        (
            f"q{questions['why'].id}",
            "Question 8 sur 8 · Pourquoi ne venez-vous pas ?\u00a0: Répondez à cette question.",
        ),
    ]


async def test_closed_badge_and_response_column_in_french(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    consultation, questions = await consultation_open(visible=True)
    fields = await valid_answers(questions)
    items = [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    await services.submit_response(settings, consultation.id, citizen, None, items)
    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    await services.compute_results(settings, consultation.id)
    detail = (await client.get(f"/consultations/{consultation.id}")).text
    assert '<span class="badge badge-ok">Clôturée</span>' in detail
    assert ">Close<" not in detail
    results = (await client.get(f"/consultations/{consultation.id}/results")).text
    assert '<th scope="col">Réponse</th>' in results
    assert '<th scope="col">Répondre</th>' not in results


async def test_closing_early_asks_for_confirmation_and_shows_the_real_closing_time(
    client: httpx.AsyncClient, admin: User
) -> None:
    consultation, _ = await consultation_open()  # announced to close in 7 days
    planned = consultation.closes_at
    assert planned is not None
    await log_in(client, admin)
    phase = f"/admin/consultations/{consultation.id}/phase"
    first = await post_form(client, phase, {"phase": "closed"})
    assert first.status_code == 303
    assert first.headers["location"] == f"/admin/consultations/{consultation.id}/close"
    assert (await Consultation.get(id=consultation.id)).phase == Phase.OPEN  # not yet
    confirm = await client.get(first.headers["location"])
    assert confirm.status_code == 200
    assert format_datetime(planned, language="fr") in confirm.text
    assert 'name="confirm" value="yes"' in confirm.text
    closed = await post_form(
        client, phase, {"phase": "closed", "confirm": "yes"}, page=first.headers["location"]
    )
    assert closed.status_code == 303
    now = await Consultation.get(id=consultation.id)
    assert now.phase == Phase.CLOSED and now.phase_changed_at is not None
    assert await PhaseSwitch.filter(consultation=consultation, to_phase=Phase.CLOSED).count() == 1
    page = (await client.get(f"/consultations/{consultation.id}")).text
    assert f"Clôturée le {format_datetime(now.phase_changed_at, language='fr')}" in page
    assert format_datetime(planned, language="fr") not in page  # the date that never came
    # once closed there is nothing to confirm
    again = await client.get(f"/admin/consultations/{consultation.id}/close")
    assert again.status_code == 303


def test_closed_at_is_when_answering_really_ended() -> None:
    from datetime import UTC, datetime

    planned = datetime(2026, 12, 20, 18, tzinfo=UTC)
    early = planned - timedelta(days=3)
    late_cron = planned + timedelta(minutes=4)
    assert domain.closed_at(Phase.CLOSED, early, planned) == early
    assert domain.closed_at(Phase.CLOSED, late_cron, planned) == planned
    assert domain.closed_at(Phase.CLOSED, early, None) == early
    assert domain.closed_at(Phase.OPEN, early, planned) is None
    assert domain.closing_early(Phase.OPEN, planned, early)
    assert domain.closing_early(Phase.OPEN, None, early)
    assert not domain.closing_early(Phase.OPEN, planned, late_cron)
    assert not domain.closing_early(Phase.PREPARATION, planned, early)
