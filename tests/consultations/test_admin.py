"""Staff pages: create and edit a consultation and its questions, switch phases (logged)."""

from __future__ import annotations

import httpx

from consultations.models import (
    Audience,
    Consultation,
    Option,
    Phase,
    PhaseSwitch,
    Question,
    QuestionKind,
)
from participation.accounts.models import User
from participation.settings import Settings
from tests.conftest import log_in, post_form
from tests.consultations.factories import consultation_open


async def test_staff_build_a_consultation_with_every_question_type(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    empty = await post_form(client, "/admin/consultations/new", {"title": " "})
    assert empty.status_code == 422 and 'id="title-error"' in empty.text
    created = await post_form(
        client,
        "/admin/consultations/new",
        {
            "title": "Plan vélo",
            "context": "*Contexte*<script>alert(1)</script>",
            "opens_at": "2026-03-01T09:00",
            "closes_at": "2026-03-31T18:00",
            "audience": "everyone",
            "anonymous": "on",
        },
    )
    assert created.status_code == 303
    consultation = await Consultation.get(title="Plan vélo")
    assert consultation.context == "<p><em>Contexte</em>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert consultation.audience == Audience.EVERYONE
    assert consultation.opens_at is not None and consultation.opens_at.hour == 8  # Paris -> UTC
    base = f"/admin/consultations/{consultation.id}/questions/new"
    for kind in QuestionKind:
        data = {"kind": kind.value, "text": f"Question {kind.value}", "required": "on"}
        if kind in (
            QuestionKind.SINGLE,
            QuestionKind.MULTIPLE,
            QuestionKind.RANKING,
            QuestionKind.MAJORITY,
        ):
            data["options"] = "Un\nDeux\nTrois"
        response = await post_form(client, base, data)
        assert response.status_code == 303, (kind, response.text[:2000])
    assert await Question.filter(consultation=consultation).count() == len(QuestionKind)
    missing_options = await post_form(
        client, base, {"kind": "ranking", "text": "Classez", "options": "Seule"}
    )
    assert missing_options.status_code == 422 and "au moins deux options" in missing_options.text
    page = await client.get(f"/admin/consultations/{consultation.id}")
    assert page.status_code == 200 and "Question majority" in page.text


async def test_conditions_must_point_to_an_earlier_question_of_the_same_consultation(
    client: httpx.AsyncClient, admin: User
) -> None:
    consultation, questions = await consultation_open()
    other, other_questions = await consultation_open(title="Autre")
    await Consultation.filter(id__in=[consultation.id, other.id]).update(phase=Phase.PREPARATION)
    await log_in(client, admin)
    foreign_option = await Option.filter(question=other_questions["single"]).first()
    assert foreign_option is not None
    url = f"/admin/consultations/{consultation.id}/questions/new"
    forged = await post_form(
        client,
        url,
        {
            "kind": "scale",
            "text": "Conditionnelle",
            "show_if": f"{other_questions['single'].id}:{foreign_option.id}",
        },
    )
    assert forged.status_code == 422 and 'id="show_if-error"' in forged.text
    # a question of another consultation cannot be edited through this one
    stolen = await post_form(
        client,
        f"/admin/consultations/{consultation.id}/questions/{other_questions['scale'].id}",
        {"kind": "scale", "text": "Volée"},
    )
    assert stolen.status_code == 404
    assert (await Question.get(id=other_questions["scale"].id)).text != "Volée"
    assert questions


async def test_questionnaire_is_locked_once_answered_and_phase_switches_are_logged(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    from consultations import services
    from tests.consultations.factories import valid_answers

    consultation, questions = await consultation_open(audience=Audience.SIGNED_IN)
    await services.submit_response(
        settings,
        consultation.id,
        admin,
        None,
        [
            (k, v)
            for k, values in (await valid_answers(questions)).items()
            for v in (values if isinstance(values, list) else [values])
        ],
    )
    await log_in(client, admin)
    locked = await post_form(
        client,
        f"/admin/consultations/{consultation.id}/questions/new",
        {"kind": "scale", "text": "Trop tard"},
    )
    assert locked.status_code == 422 and "verrouillé" in locked.text
    switched = await post_form(
        client,
        f"/admin/consultations/{consultation.id}/phase",
        {"phase": "closed", "confirm": "yes"},  # closing early is confirmed (test_flows.py)
    )
    assert switched.status_code == 303
    log = await PhaseSwitch.filter(consultation=consultation).order_by("id")
    assert [(s.to_phase, s.by_user_id) for s in log] == [
        (Phase.OPEN, None),
        (Phase.CLOSED, admin.id),
    ]


async def test_citizens_cannot_reach_staff_pages(client: httpx.AsyncClient, citizen: User) -> None:
    consultation, _ = await consultation_open()
    await log_in(client, citizen)
    assert (await client.get("/admin/consultations/new")).status_code == 403
    response = await post_form(
        client, f"/admin/consultations/{consultation.id}/phase", {"phase": "closed"}
    )
    assert response.status_code == 403
    assert (await Consultation.get(id=consultation.id)).phase == Phase.OPEN


async def test_schedule_opens_and_closes_by_date(app: object) -> None:
    from datetime import timedelta

    from tortoise import timezone

    from consultations import services

    consultation, _ = await consultation_open()
    await Consultation.filter(id=consultation.id).update(
        phase=Phase.PREPARATION,
        phase_changed_at=None,
        opens_at=timezone.now() - timedelta(hours=2),
        closes_at=timezone.now() + timedelta(hours=1),
    )
    assert await services.apply_schedule(timezone.now()) == [consultation.id]
    assert (await Consultation.get(id=consultation.id)).phase == Phase.OPEN
    assert await services.apply_schedule(timezone.now()) == []
    later = timezone.now() + timedelta(hours=2)
    assert await services.apply_schedule(later) == [consultation.id]
    assert (await Consultation.get(id=consultation.id)).phase == Phase.CLOSED
