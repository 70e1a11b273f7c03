"""Consultation answers taken on behalf of people who are not online (issue #20,
docs/counter.md): an agent types, on the person's page at the counter, the answers the person
gives at the counter, by phone, on a paper questionnaire or at a public meeting.

The answer is stored by the very command an online answer goes through
(`services.submit_response`, for the person's account): in an anonymous consultation it is
sealed and unlinkable to the person exactly as an online answer is (docs/security.md), and the
participant register notes that the person answered. The agent never reads an answer already
given (the form is never filled with the stored one: that would open a sealed answer); a new
answer replaces it, as the person's own would. The agent and the channel go to the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from tortoise import timezone

from consultations import domain, queries, services
from consultations.models import Consultation, Phase
from consultations.questions.majority import grade_labels
from consultations.questions.scale import agreement_labels
from participation import web
from participation.audit import audit
from participation.counter import domain as counter_rules
from participation.counter import routes as counter_routes
from participation.counter import services as counter
from participation.features import AccountSection
from participation.i18n import gettext
from participation.refusals import Refused
from participation.templating import flash, render
from participation.urls import url

IGNORED = frozenset({"csrf_token", "channel"})  # the agent's fields, not answers


async def section(
    person: Any, errors: Mapping[str, str], values: Mapping[str, str]
) -> AccountSection | None:
    """The open consultations, each a link to its questionnaire for this person."""
    now = timezone.now()
    open_now = [
        c
        for c in await Consultation.filter(phase=Phase.OPEN).order_by("id")
        if domain.answering_is_open(c.phase, c.closes_at, now)
    ]
    if not open_now:
        return None
    return AccountSection("consultations/_counter.html", {"consultations": open_now})


async def _page(
    request: Request,
    person: Any,
    consultation: Consultation,
    values: dict[str, list[str]],
    errors: dict[str, str],
    status_code: int,
) -> Response:
    context = {
        "consultation": consultation,
        "questions": await queries.questionnaire(consultation.id),
        "values": values,
        "errors": errors,
        "grades": grade_labels(),
        "agreement": agreement_labels(),
        "counter_person": person,
        "channels": counter_routes.channels(),
        "answer_action": url(
            "consultations:counter_answer", person_id=person.id, consultation_id=consultation.id
        ),
    }
    return render(request, "consultations/answer.html", context, status_code=status_code)


async def answer_for(request: Request) -> Response:
    """GET: the questionnaire, empty, with the channel; POST: the person's answers."""
    agent = web.require(request, counter_rules.may_record)
    person = await counter.person(request.path_params["person_id"])
    consultation = await web.object_or_404(request, Consultation, "consultation_id")
    if not domain.answering_is_open(consultation.phase, consultation.closes_at, timezone.now()):
        context = {"consultation": consultation, "errors": {}}
        return render(request, "consultations/closed.html", context, status_code=403)
    if request.method == "GET":
        return await _page(request, person, consultation, {}, {}, 200)
    form = await web.parsed_form(request)
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    raw_channel = next((v for k, v in items if k == "channel"), "")
    answers = [(k, v) for k, v in items if k not in IGNORED]
    try:
        channel = counter.channel_of(raw_channel)
        await services.submit_response(
            web.settings_of(request), consultation.id, person, None, answers
        )
    except Refused as refused:
        values: dict[str, list[str]] = {}
        for key, value in items:
            values.setdefault(key, []).append(value)
        errors = web.errors_of(refused.problems)
        return await _page(request, person, consultation, values, errors, 422)
    # the register (consultations_participant) already says that the person answered: the
    # audit adds who took the answer and how, never what was answered
    after = {"channel": channel.value, "person": person.id}
    await audit(agent, "counter_answer", "consultation", consultation.id, "", after)
    flash(request, gettext("The answers are recorded in the person's name."))
    return web.redirect(url("counter:person", person_id=person.id))


routes = [
    web.form_route(
        "/admin/counter/people/{person_id:id}/consultations/{consultation_id:id}",
        answer_for,
        "consultations:counter_answer",
    )
]
