"""Results: the background job (idempotent), the results page, exports without personal data,
moderated free texts, and the published outcome with its notifications."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx

from consultations import jobs, services
from consultations.models import Consultation, Option, Phase, Question, Response, Result
from participation import licence
from participation.accounts.models import User
from participation.mail import OutboxEmail
from participation.notifications.models import Notification
from participation.pagecache import changed_pages, invalidate
from participation.settings import Settings
from participation.worker import job_functions
from tests.conftest import count_queries, create_user, log_in, post_form
from tests.consultations.factories import consultation_open, opened, options, valid_answers


def items(fields: dict[str, str | list[str]]) -> list[tuple[str, str]]:
    return [
        (k, v)
        for k, values in fields.items()
        for v in (values if isinstance(values, list) else [values])
    ]


async def answered_by(
    settings: Settings, consultation: Consultation, questions: dict[str, Question], n: int
) -> list[User]:
    people = []
    for i in range(n):
        person = await create_user(
            settings, f"p{i}@example.org", display_name=f"Personne Secrète {i}"
        )
        fields = await valid_answers(questions)
        fields[f"q{questions['number'].id}"] = str(i * 10)
        fields[f"q{questions['short'].id}"] = f"Idée numéro {i}"
        await services.submit_response(settings, consultation.id, person, None, items(fields))
        people.append(person)
    return people


async def test_results_job_is_idempotent_and_the_page_reads_the_stored_result(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    consultation, questions = await consultation_open()
    await answered_by(settings, consultation, questions, 3)
    assert jobs.compute_consultation_results in job_functions()
    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    first = await jobs.compute_consultation_results({"settings": settings}, consultation.id)
    stored = await Result.get(consultation=consultation)
    second = await jobs.compute_consultation_results({"settings": settings}, consultation.id)
    again = await Result.get(consultation=consultation)
    assert first == second and stored.content == again.content
    assert await Result.filter(consultation=consultation).count() == 1
    content = json.loads(again.content)
    assert content["responses"] == 3
    assert content["questions"][str(questions["number"].id)]["median"] == 10

    page = await client.get(f"/consultations/{consultation.id}/results")
    assert page.status_code == 200
    assert 'class="bar-chart"' in page.text and "<table" in page.text
    assert "Score de Borda" in page.text
    assert "Mention majoritaire" in page.text and "Gagnant de Condorcet" in page.text
    # the free texts are not listed before moderation
    assert "Idée numéro" not in page.text


async def test_results_page_reads_only_the_stored_aggregate_and_follows_a_new_one(
    client: httpx.AsyncClient, settings: Settings, admin: User, app: Any
) -> None:
    consultation, questions = await consultation_open()
    await answered_by(settings, consultation, questions, 2)
    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    await services.compute_results(settings, consultation.id)
    await log_in(client, admin)  # signed in: no page cache, the page's content kept (issue #23)
    page = f"/consultations/{consultation.id}/results"
    read, response = await count_queries(client, page)
    assert read <= 6 and response.status_code == 200 and "2 réponses" in response.text
    first, response = await count_queries(client, page)
    assert first == 1 and "2 réponses" in response.text  # the session's statement alone
    # the responses changed (all deleted here), not aggregated yet: the stored result is shown
    await Response.filter(consultation=consultation).delete()
    again, response = await count_queries(client, page)
    assert again == first and "2 réponses" in response.text
    # the job stored a new result (the worker empties the caches after it): the page shows it
    await jobs.compute_consultation_results({"settings": settings}, consultation.id)
    assert changed_pages(jobs.compute_consultation_results, None)
    await invalidate(app.state.redis)
    _, response = await count_queries(client, page)
    assert "0 réponse" in response.text and "2 réponses" not in response.text


async def test_results_while_open_only_when_the_consultation_says_so(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    hidden, _ = await consultation_open()
    assert (await client.get(f"/consultations/{hidden.id}/results")).status_code == 404
    visible, questions = await consultation_open(visible=True, title="Visible")
    await answered_by(settings, visible, questions, 1)
    # both open ones: the run also registers new free texts for moderation
    assert await jobs.refresh_consultation_results({"settings": settings}) == 2
    await services.compute_results(settings, visible.id)
    page = await client.get(f"/consultations/{visible.id}/results")
    assert page.status_code == 200 and "encore ouverte" in page.text


async def test_exports_of_an_anonymous_consultation_hold_no_personal_data(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    consultation, questions = await consultation_open(anonymous=True)
    people = await answered_by(settings, consultation, questions, 3)
    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    await services.compute_results(settings, consultation.id)
    tokens = [r.token for r in await Response.all()]
    exports = [
        await client.get(f"/consultations/{consultation.id}/{name}")
        for name in ("results.csv", "results.json", "responses.csv")
    ]
    for export in exports:
        assert export.status_code == 200
        for person in people:
            assert person.email not in export.text and person.display_name not in export.text
        assert not any(token in export.text for token in tokens)
    rows = list(csv.reader(io.StringIO(exports[2].text)))
    assert len(rows) == 4 and rows[0][0] == "q1"
    assert all("Idée numéro" not in cell for row in rows for cell in row)  # not moderated
    aggregates = list(csv.reader(io.StringIO(exports[0].text)))
    assert ["1", "Venez-vous au parc ?", "Oui", "count", "3", "100.0", licence.VALUE] in aggregates
    assert json.loads(exports[1].text)["results"]["responses"] == 3
    # both CSVs state the licence inside the saved file: a last column, the same on every row
    for table in (rows, aggregates):
        assert table[0][-1] == "licence" and {row[-1] for row in table[1:]} == {licence.VALUE}
    assert all('rel="license"' in export.headers["link"] for export in exports)


async def test_moderated_free_texts_are_published(
    client: httpx.AsyncClient, settings: Settings, admin: User, moderator: User
) -> None:
    consultation, questions = await consultation_open()
    await answered_by(settings, consultation, questions, 2)
    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    await log_in(client, moderator)
    page = await client.get(f"/admin/consultations/{consultation.id}/texts")  # not read yet
    assert page.status_code == 200 and "Idée numéro 0" not in page.text
    assert "2 réponses sont arrivées depuis le dernier calcul des résultats" in page.text
    await services.compute_results(settings, consultation.id)  # the job that closing enqueues
    page = await client.get(f"/admin/consultations/{consultation.id}/texts")
    assert page.status_code == 200 and "Idée numéro 0" in page.text
    assert "depuis le dernier calcul" not in page.text
    from consultations.services import text_digest

    stored = opened(settings, await Response.first())  # type: ignore[arg-type]
    text = stored[str(questions["short"].id)]
    approve = {
        "question_id": str(questions["short"].id),
        "digest": text_digest(text),
        "decision": "approve",
    }
    response = await post_form(client, f"/admin/consultations/{consultation.id}/texts", approve)
    assert response.status_code == 303
    forged = await post_form(
        client,
        f"/admin/consultations/{consultation.id}/texts",
        {**approve, "digest": text_digest("<p>texte inventé</p>")},
    )
    assert forged.status_code == 404
    await services.compute_results(settings, consultation.id)
    results = await client.get(f"/consultations/{consultation.id}/results")
    shown = [t for t in ("Idée numéro 0", "Idée numéro 1") if t in results.text]
    assert len(shown) == 1


async def test_outcome_publication_notifies_participants_once(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    consultation, questions = await consultation_open()
    people = await answered_by(settings, consultation, questions, 2)
    await log_in(client, admin)
    outcome = {
        "heard": "Vous voulez de l'ombre.<script>alert(1)</script>",
        "decided": "Nous plantons 40 arbres.",
        f"decision-{questions['ranking'].id}": "L'ombre d'abord.",
    }
    url = f"/admin/consultations/{consultation.id}/outcome"
    still_open = await post_form(client, url, outcome)
    assert still_open.status_code == 422 and "Clôturez la consultation" in still_open.text
    await services.switch_phase(consultation.id, Phase.CLOSED, admin)
    empty = await post_form(client, url, {"heard": "", "decided": ""})
    assert empty.status_code == 422 and 'id="heard-error"' in empty.text
    published = await post_form(client, url, outcome)
    assert published.status_code == 303
    page = await client.get(f"/consultations/{consultation.id}/outcome")
    assert "Ce que nous avons entendu" in page.text and "Nous plantons 40 arbres." in page.text
    assert "<script>alert" not in page.text and "abord." in page.text
    assert await Notification.filter(kind="consultation_outcome").count() == 2
    assert await OutboxEmail.filter(recipient__in=[p.email for p in people]).count() == 2
    # a correction does not notify again
    assert (
        await post_form(client, url, {**outcome, "decided": "40 arbres et 3 bancs"})
    ).status_code == 303
    assert await Notification.filter(kind="consultation_outcome").count() == 2
    # the participant sees the notification and its link
    await post_form(client, "/account/logout", {})
    await log_in(client, people[0])
    notifications = await client.get("/notifications")
    assert f"/consultations/{consultation.id}/outcome" in notifications.text
    assert "a publié sa réponse" in notifications.text


async def test_forged_option_ids_in_majority_and_ranking(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    consultation, questions = await consultation_open()
    other, other_questions = await consultation_open(title="Autre")
    foreign = (await options(other_questions["majority"]))[0]
    fields = await valid_answers(questions)
    fields[f"q{questions['majority'].id}-o{foreign}"] = "0"
    try:
        await services.submit_response(settings, consultation.id, citizen, None, items(fields))
    except services.Refused as refused:
        assert [p.field for p in refused.problems] == [f"q{questions['majority'].id}"]
    else:  # pragma: no cover
        raise AssertionError("a forged option was accepted")
    assert await Response.all().count() == 0
    assert await Option.filter(id=foreign).exists() and other.id


def test_the_input_digest_changes_with_any_response_or_approval_and_only_then() -> None:
    from consultations.services import _input_digest

    responses = ['{"1": [2]}', '{"1": [3]}']
    base = _input_digest(responses, set(), ["spec"])
    assert _input_digest(list(responses), set(), ["spec"]) == base
    assert _input_digest(responses + ['{"1": [2]}'], set(), ["spec"]) != base
    assert _input_digest(['{"1": [2]}', '{"1": [4]}'], set(), ["spec"]) != base
    assert _input_digest(responses, {(1, "abc")}, ["spec"]) != base
    assert _input_digest(responses, set(), ["other spec"]) != base
    # responses are length-prefixed: moving text from one response to the next is a change
    assert _input_digest(['{"1": [2]}{', '"1": [3]}'], set(), ["spec"]) != _input_digest(
        ['{"1": [2]}', '{"1": [3]}'], set(), ["spec"]
    )
