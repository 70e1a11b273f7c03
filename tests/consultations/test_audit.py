"""Consultation administration is in the append-only audit log (who, what, when,
before/after): creation and edits, questions, phases, free-text reviews, the outcome. Answers
and their authors stay out of it."""

from __future__ import annotations

import json

import httpx

from consultations import services
from consultations.models import Consultation, Phase, Question, Response
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.settings import Settings
from tests.conftest import log_in, post_form
from tests.consultations.factories import consultation_open, opened
from tests.consultations.test_results import answered_by

FORM = {
    "title": "Plan vélo",
    "context": "Contexte",
    "opens_at": "2026-03-01T09:00",
    "closes_at": "2026-03-31T18:00",
    "audience": "everyone",
    "anonymous": "on",
}


async def only(action: str) -> AuditLogEntry:
    [entry] = await AuditLogEntry.filter(action=action)
    return entry


async def test_building_a_consultation_is_audited(client: httpx.AsyncClient, admin: User) -> None:
    await log_in(client, admin)
    assert (await post_form(client, "/admin/consultations/new", FORM)).status_code == 303
    consultation = await Consultation.get(title="Plan vélo")
    base = f"/admin/consultations/{consultation.id}"
    edited = {**FORM, "title": "Plan vélo 2027"}
    assert (await post_form(client, f"{base}/edit", edited)).status_code == 303
    question = {"kind": "single", "text": "Roulez-vous ?", "options": "Oui\nNon"}
    assert (await post_form(client, f"{base}/questions/new", question)).status_code == 303
    q = await Question.get(consultation=consultation)
    changed = {**question, "options": "Oui\nNon\nParfois"}
    assert (await post_form(client, f"{base}/questions/{q.id}", changed)).status_code == 303
    assert (await post_form(client, f"{base}/questions/{q.id}/delete", {})).status_code == 303
    assert (await post_form(client, f"{base}/phase", {"phase": "open"})).status_code == 303

    created = await only("consultation_created")
    assert created.actor_id == admin.id and json.loads(created.after)["title"] == "Plan vélo"
    updated = await only("consultation_updated")
    assert json.loads(updated.before)["title"] == "Plan vélo"
    assert json.loads(updated.after)["title"] == "Plan vélo 2027"
    assert json.loads((await only("consultation_question_added")).after)["options"] == [
        "Oui",
        "Non",
    ]
    edit = await only("consultation_question_edited")
    assert json.loads(edit.before)["options"] == ["Oui", "Non"]
    assert json.loads(edit.after)["options"] == ["Oui", "Non", "Parfois"]
    deleted = await only("consultation_question_deleted")
    assert json.loads(deleted.before)["text"] == "Roulez-vous ?"
    phase = await only("consultation_phase")
    assert json.loads(phase.after) == {"phase": "open"} and phase.actor_id == admin.id
    listing = await client.get("/admin/audit?target_type=consultation")
    assert "consultation_question_edited" in listing.text and "Parfois" in listing.text


async def test_text_reviews_and_the_outcome_are_audited_without_answers(
    client: httpx.AsyncClient, settings: Settings, admin: User, moderator: User
) -> None:
    consultation, questions = await consultation_open()
    people = await answered_by(settings, consultation, questions, 1)
    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    await services.compute_results(settings, consultation.id)  # registers the texts to review
    text = opened(settings, await Response.first())[  # type: ignore[arg-type]
        str(questions["short"].id)
    ]
    await log_in(client, moderator)
    review = {
        "question_id": str(questions["short"].id),
        "digest": services.text_digest(text),
        "decision": "reject",
    }
    url = f"/admin/consultations/{consultation.id}/texts"
    assert (await post_form(client, url, review)).status_code == 303
    hidden = await only("consultation_text_hidden")
    assert hidden.actor_id == moderator.id
    assert json.loads(hidden.after)["approved"] is False
    await post_form(client, "/account/logout", {})
    await log_in(client, admin)
    outcome = {"heard": "Vous voulez de l'ombre.", "decided": "Nous plantons 40 arbres."}
    url = f"/admin/consultations/{consultation.id}/outcome"
    assert (await post_form(client, url, outcome)).status_code == 303
    published = await only("consultation_outcome")
    assert json.loads(published.after)["decided"] == "Nous plantons 40 arbres."
    assert json.loads(published.before)["decided"] == ""
    url = f"/admin/consultations/{consultation.id}/results"
    assert (await post_form(client, url, {})).status_code == 303
    assert (await only("consultation_results_requested")).actor_id == admin.id
    everything = " ".join(f"{e.before} {e.after}" for e in await AuditLogEntry.all())
    assert "Idée numéro" not in everything  # the answer itself is never copied
    assert people[0].display_name not in everything and people[0].email not in everything
