"""Answering through HTTP: every question type, invalid input, conditions, audience, closing,
one response per person (also under concurrency), anonymity."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
from tortoise import timezone

from consultations.models import (
    Audience,
    Consultation,
    Option,
    Participant,
    Phase,
    Question,
    Response,
)
from participation.accounts.models import User
from participation.residents import services as residents
from participation.settings import Settings
from tests.conftest import create_user, log_in
from tests.consultations.factories import consultation_open, opened, options, valid_answers

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def token_of(client: httpx.AsyncClient) -> str:
    match = TOKEN.search((await client.get("/")).text)
    assert match
    return match.group(1)


async def answer(
    client: httpx.AsyncClient, consultation: Consultation, fields: dict[str, Any]
) -> httpx.Response:
    data = {**fields, "csrf_token": await token_of(client)}
    return await client.post(f"/consultations/{consultation.id}/answer", data=data)


async def test_answer_every_question_type_then_change_the_answers(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    consultation, questions = await consultation_open(anonymous=True)
    await log_in(client, citizen)
    page = await client.get(f"/consultations/{consultation.id}/answer")
    assert page.status_code == 200
    assert page.text.count("<fieldset") == 8 and "<legend>" in page.text
    assert "Question 1 sur 8" in page.text
    fields = await valid_answers(questions)
    response = await answer(client, consultation, fields)
    assert response.status_code == 303, response.text[:3000]
    stored = await Response.get(consultation=consultation)
    assert stored.user_id is None  # anonymous: the register knows who, not what
    assert await Participant.filter(consultation=consultation, user=citizen).count() == 1
    assert stored.answers == "" and stored.sealed  # sealed: no answer in clear in the database
    answers = opened(settings, stored)
    assert answers[str(questions["scale"].id)] == 4
    assert str(questions["why"].id) not in answers  # hidden: "Oui" was chosen

    # the form shows the answers again; a new submission replaces them
    again = await client.get(f"/consultations/{consultation.id}/answer")
    assert "Vous avez déjà répondu" in again.text
    assert 'value="4" checked' in again.text
    no = await Option.get(question=questions["single"], label="Non")
    changed = {**fields, f"q{questions['single'].id}": str(no.id)}
    changed[f"q{questions['why'].id}"] = "Trop loin"
    assert (await answer(client, consultation, changed)).status_code == 303
    assert await Response.filter(consultation=consultation).count() == 1
    answers = opened(settings, await Response.get(consultation=consultation))
    assert answers[str(questions["why"].id)] == "<p>Trop loin</p>"


async def test_conditional_question_required_only_when_shown(
    client: httpx.AsyncClient, citizen: User
) -> None:
    consultation, questions = await consultation_open()
    await log_in(client, citizen)
    no = await Option.get(question=questions["single"], label="Non")
    fields = {**await valid_answers(questions), f"q{questions['single'].id}": str(no.id)}
    response = await answer(client, consultation, fields)
    assert response.status_code == 422
    assert f'id="q{questions["why"].id}-error"' in response.text
    assert "Répondez à cette question." in response.text


async def test_invalid_answers_are_refused_field_by_field(
    client: httpx.AsyncClient, citizen: User
) -> None:
    consultation, questions = await consultation_open()
    other, other_questions = await consultation_open(title="Autre consultation")
    await log_in(client, citizen)
    q = questions
    fields = await valid_answers(questions)
    ranking = await options(q["ranking"])
    foreign = (await options(other_questions["single"]))[0]
    bad = {
        **fields,
        f"q{q['single'].id}": str(foreign),  # an option of another consultation
        f"q{q['multiple'].id}": [str(o) for o in await options(q["multiple"])],  # 3 > max 2
        f"q{q['ranking'].id}-o{ranking[0]}": "1",  # two options ranked 1
        f"q{q['scale'].id}": "7",
        f"q{q['number'].id}": "beaucoup",
        f"q{q['short'].id}": "x" * 300,
    }
    del bad[f"q{q['majority'].id}-o{(await options(q['majority']))[0]}"]
    response = await answer(client, consultation, bad)
    assert response.status_code == 422
    for key, message in [
        ("single", "Ce choix n’est pas proposé."),
        ("multiple", "Choisissez au plus 2 réponses (vous en avez choisi 3)."),
        ("ranking", "Donnez à chaque option un rang différent, de 1 à 3."),
        ("scale", "Choisissez un point de l’échelle."),
        ("majority", "Évaluez chaque option."),
        ("number", "Saisissez un nombre, par exemple 12 ou 3,5."),
        ("short", "Écrivez au plus 200 caractères."),
    ]:
        assert f'id="q{q[key].id}-error"' in response.text, key
        assert message in response.text, key
    assert 'aria-invalid="true"' in response.text
    assert await Response.all().count() == 0
    # "other" chosen without its text
    other_choice = {**fields, f"q{q['single'].id}": "0"}
    response = await answer(client, consultation, other_choice)
    assert response.status_code == 422 and f'id="q{q["single"].id}-other-error"' in response.text
    assert other.id != consultation.id


async def test_free_text_is_sanitized(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    consultation, questions = await consultation_open()
    await log_in(client, citizen)
    fields = {
        **await valid_answers(questions),
        f"q{questions['short'].id}": '<script>alert(1)</script><img src=x onerror="alert(2)">ok',
        f"q{questions['single'].id}": "0",
        f"q{questions['single'].id}-other": "<a href='javascript:alert(3)'>lien</a>",
    }
    assert (await answer(client, consultation, fields)).status_code == 303
    stored = json.dumps(opened(settings, await Response.get(consultation=consultation)))
    assert "<script" not in stored and "onerror" not in stored and "javascript:" not in stored
    page = await client.get(f"/consultations/{consultation.id}/answer")
    assert "<script>alert" not in page.text


async def test_audience_rules(client: httpx.AsyncClient, settings: Settings) -> None:
    signed_in, _ = await consultation_open(Audience.SIGNED_IN)
    refused = await client.get(f"/consultations/{signed_in.id}/answer")
    assert refused.status_code == 403 and "Connectez-vous pour répondre" in refused.text
    posted = await client.post(
        f"/consultations/{signed_in.id}/answer", data={"csrf_token": await token_of(client)}
    )
    assert posted.status_code == 403

    from tests.budgets.factories import CENSUS, PERSON

    district, _ = await consultation_open(Audience.DISTRICT, district="Sud", title="Quartier Sud")
    person = await create_user(settings, "nord@example.org")
    await log_in(client, person)
    not_verified = await client.get(f"/consultations/{district.id}/answer")
    assert (
        not_verified.status_code == 403
        and "confirmez d’abord que vous habitez" in not_verified.text
    )
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_residency(settings, person, *PERSON.values())  # Nord
    wrong = await client.get(f"/consultations/{district.id}/answer")
    assert wrong.status_code == 403 and "habitants de Sud" in wrong.text


async def test_everyone_audience_one_response_per_browser(client: httpx.AsyncClient) -> None:
    consultation, questions = await consultation_open(Audience.EVERYONE)
    page = await client.get(f"/consultations/{consultation.id}/answer")
    assert page.status_code == 200
    fields = await valid_answers(questions)
    assert (await answer(client, consultation, fields)).status_code == 303
    assert (await answer(client, consultation, fields)).status_code == 303
    assert await Response.filter(consultation=consultation).count() == 1
    assert await Participant.all().count() == 0


async def test_named_consultation_keeps_who_answered(
    client: httpx.AsyncClient, citizen: User
) -> None:
    consultation, questions = await consultation_open(anonymous=False)
    await log_in(client, citizen)
    assert (await answer(client, consultation, await valid_answers(questions))).status_code == 303
    assert (await Response.get(consultation=consultation)).user_id == citizen.id


async def test_answers_after_closing_are_refused(client: httpx.AsyncClient, citizen: User) -> None:
    consultation, questions = await consultation_open()
    await log_in(client, citizen)
    fields = await valid_answers(questions)
    # the closing date has passed but the cron has not run yet
    await Consultation.filter(id=consultation.id).update(closes_at=timezone.now())
    response = await answer(client, consultation, fields)
    assert response.status_code == 403 and "Cette consultation est close" in response.text
    from consultations import services

    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    response = await answer(client, consultation, fields)
    assert response.status_code == 403
    assert await Response.all().count() == 0


async def test_concurrent_double_submit_leaves_one_response(
    client: httpx.AsyncClient, citizen: User
) -> None:
    consultation, questions = await consultation_open()
    await log_in(client, citizen)
    fields = await valid_answers(questions)
    token = await token_of(client)
    url = f"/consultations/{consultation.id}/answer"

    async def submit(n: int) -> int:
        data = {**fields, f"q{questions['number'].id}": str(n), "csrf_token": token}
        return (await client.post(url, data=data)).status_code

    statuses = await asyncio.gather(*(submit(n) for n in range(20)))
    assert set(statuses) == {303}, statuses
    assert await Response.filter(consultation=consultation).count() == 1
    assert await Participant.filter(consultation=consultation).count() == 1


async def test_preparation_consultations_are_not_public(client: httpx.AsyncClient) -> None:
    consultation, _ = await consultation_open()
    await Consultation.filter(id=consultation.id).update(phase=Phase.PREPARATION)
    assert (await client.get(f"/consultations/{consultation.id}")).status_code == 404
    assert consultation.title not in (await client.get("/consultations")).text
    assert await Question.filter(consultation=consultation).count() == 8


async def test_the_answer_page_says_exactly_who_sees_the_answers(
    client: httpx.AsyncClient, citizen: User
) -> None:
    anonymous, _ = await consultation_open(anonymous=True)
    named, _ = await consultation_open(anonymous=False, title="Nominative")
    await log_in(client, citizen)
    page = (await client.get(f"/consultations/{anonymous.id}/answer")).text
    assert "Qui voit vos réponses" in page
    assert "la mairie sait que vous avez répondu (votre compte et le jour)" in page
    assert "pas ce que vous avez répondu" in page
    assert "chiffrées dès leur envoi" in page and "pas dans la base de données" in page
    assert "le serveur qui calcule les résultats détient cette clé" in page  # the limit, said
    assert "Vos réponses sont anonymes." not in page  # the old, unqualified promise
    page = (await client.get(f"/consultations/{named.id}/answer")).text
    assert "Réponses nominatives\u00a0: le personnel de la mairie voit qui a répondu quoi" in page
    assert "chiffrées" not in page
    detail = (await client.get(f"/consultations/{anonymous.id}")).text
    assert "la mairie sait qui a répondu, pas quoi" in detail
