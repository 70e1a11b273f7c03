"""Free-text consultation answers under moderation: pre-moderated by default and approved in the
queue, reported from the published results, hidden at the threshold; what is hidden leaves the
results page, the exports and the counts at once; nothing shown links an answer to a person."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest

from consultations import services
from consultations.models import Consultation, Phase, Question, TextReview
from moderation.models import ModerationCase, ModerationDecision, Report
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.contributions import ModerationState
from participation.notifications.models import Notification
from participation.outbox import OutboxJob
from participation.settings import Settings
from tests.conftest import count_queries, create_user, log_in, logged_in, post_form
from tests.consultations.factories import consultation_open, valid_answers
from tests.moderation.helpers import browser, decide, make_comment, pending_case, report

MV = ModerationState
SECRET_NAME = "Bérénice Secrète"
SECRET_EMAIL = "berenice.secrete@example.org"
IDEA = "Un banc ombragé près de la fontaine"


def _items(fields: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]


async def _answer(
    settings: Settings,
    consultation: Consultation,
    questions: dict[str, Question],
    person: User,
    short: str = IDEA,
    other: str = "",
) -> None:
    fields = await valid_answers(questions)
    fields[f"q{questions['short'].id}"] = short
    if other:
        fields[f"q{questions['single'].id}"] = "0"
        fields[f"q{questions['single'].id}-other"] = other
    await services.submit_response(settings, consultation.id, person, None, _items(fields))
    # the worker's run registers the new texts for moderation (never the submission itself)
    await services.compute_results(settings, consultation.id)


async def _published(
    settings: Settings, anonymous: bool = True, short: str = IDEA, other: str = ""
) -> tuple[Consultation, dict[str, Question], User]:
    """A closed consultation whose results are computed, answered by a person whose name and
    address must never show."""
    consultation, questions = await consultation_open(anonymous=anonymous)
    author = await create_user(settings, SECRET_EMAIL, display_name=SECRET_NAME)
    await _answer(settings, consultation, questions, author, short, other)
    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    await services.compute_results(settings, consultation.id)
    return consultation, questions, author


async def _exports(client: httpx.AsyncClient, consultation: Consultation) -> dict[str, str]:
    base = f"/consultations/{consultation.id}"
    names = ("results", "results.csv", "results.json", "responses.csv")
    pages = {name: await client.get(f"{base}/{name}") for name in names}
    assert all(page.status_code == 200 for page in pages.values())
    return {name: page.text for name, page in pages.items()}


def _texts_published(aggregates_csv: str, question: Question) -> str:
    rows = list(csv.reader(io.StringIO(aggregates_csv)))
    [row] = [r for r in rows if r[1] == question.text and r[3] == "texts_published"]
    return row[4]


async def test_answers_wait_for_approval_by_default_and_are_approved_in_the_queue(
    app: Any, settings: Settings, moderator: User, admin: User
) -> None:
    assert settings.premoderates("consultation_answer")  # the default
    consultation, questions, author = await _published(settings, other="Une piste cyclable")
    short, other = await TextReview.all().order_by("text")  # "Un banc...", "Une piste..."
    assert {short.moderation_state, other.moderation_state} == {MV.PENDING}
    cases = await ModerationCase.filter(target_kind="consultation_answer").order_by("id")
    assert {c.target_id for c in cases} == {short.id, other.id}
    assert all(c.kind == "pending" and c.author_id is None for c in cases)
    assert all(c.opened_at.hour == 0 and c.opened_at.minute == 0 for c in cases)  # the day only
    async with browser(app) as visitor:
        exports = await _exports(visitor, consultation)
        assert IDEA not in exports["results"] and "piste cyclable" not in exports["results"]
        assert IDEA not in exports["results.json"] and IDEA not in exports["responses.csv"]
    async with logged_in(app, moderator) as c:
        queue = await c.get("/moderation?type=consultation_answer")
        assert IDEA in queue.text and "Une piste cyclable" in queue.text
        # with its question and consultation as context
        assert questions["short"].text in queue.text and questions["single"].text in queue.text
        assert "Réponse à la consultation «\u00a0Avenir du parc des Tilleuls\u00a0»" in queue.text
        assert "rien ne relie cette réponse à une personne" in queue.text
        assert SECRET_NAME not in queue.text and SECRET_EMAIL not in queue.text
        # a decision needs a reason
        refused = await decide(c, [cases[0].id], "approve", "")
        assert refused.status_code == 422 and "Indiquez un motif" in refused.text
        assert (await TextReview.get(id=short.id)).moderation_state == MV.PENDING
        done = await decide(c, [case.id for case in cases], "approve", "Conforme à la charte.")
        assert done.status_code == 303
    assert {r.moderation_state for r in await TextReview.all()} == {MV.VISIBLE}
    # approving asked for the results again (through the job outbox)
    assert await OutboxJob.filter(name=services.RESULTS_JOB).count() >= 2
    await services.compute_results(settings, consultation.id)
    async with browser(app) as visitor:
        exports = await _exports(visitor, consultation)
        assert IDEA in exports["results"]
        assert "Une piste cyclable" in exports["results"]
        listed = json.loads(exports["results.json"])["results"]["questions"]
        assert listed[str(questions["short"].id)]["texts"]["approved"] == [f"<p>{IDEA}</p>"]
        assert IDEA in exports["responses.csv"]
        assert _texts_published(exports["results.csv"], questions["short"]) == "1"
        assert "/moderation/report/" not in exports["results"]  # visitors get no report link
    decisions = await AuditLogEntry.filter(action="decision:approve").order_by("id")
    assert [(e.target_kind, e.target_id) for e in decisions] == [
        ("consultation_answer", case.target_id) for case in cases
    ]
    assert all(
        e.actor_id == moderator.id and e.reason == "Conforme à la charte." for e in decisions
    )
    async with logged_in(app, admin) as c:
        audit = (await c.get("/admin/audit.csv")).text + (await c.get("/admin/audit")).text
        assert SECRET_NAME not in audit and SECRET_EMAIL not in audit and IDEA not in audit


@pytest.mark.settings(PREMODERATED_CONTENT="", MODERATION_REPORT_THRESHOLD="2")
async def test_a_reported_answer_is_hidden_at_the_threshold_everywhere_at_once(
    app: Any, settings: Settings, moderator: User
) -> None:
    consultation, questions, author = await _published(settings)
    [text] = await TextReview.all()
    assert text.moderation_state == MV.VISIBLE  # pre-moderation off: published at once
    first = await create_user(settings, "first@example.org")
    second = await create_user(settings, "second@example.org")
    report_url = f"/moderation/report/consultation_answer/{text.id}"
    async with browser(app) as visitor:
        exports = await _exports(visitor, consultation)
        assert (
            IDEA in exports["responses.csv"]
            and IDEA
            in json.loads(exports["results.json"])["results"]["questions"][
                str(questions["short"].id)
            ]["texts"]["approved"][0]
        )
        assert _texts_published(exports["results.csv"], questions["short"]) == "1"
        assert report_url not in exports["results"]
        assert (await visitor.get(report_url)).headers["location"].startswith("/account/login")
    async with logged_in(app, first) as c:
        page = (await c.get(f"/consultations/{consultation.id}/results")).text
        assert f'href="{report_url}"' in page  # a report link beside the listed answer
        form = await c.get(report_url)
        assert form.status_code == 200 and "Avenir du parc des Tilleuls" in form.text
        assert SECRET_NAME not in form.text
        missing = await report(c, "consultation_answer", text.id, "other", "")
        assert missing.status_code == 422  # "other" needs a few words
        assert (await report(c, "consultation_answer", text.id, "personal_data")).status_code == 303
        again = await report(c, "consultation_answer", text.id, "spam")
        assert again.status_code == 409 and "déjà signalé" in again.text
    assert await Report.filter(target_kind="consultation_answer").count() == 1
    assert (await TextReview.get(id=text.id)).moderation_state == MV.VISIBLE
    async with logged_in(app, second) as c:
        hid = await report(c, "consultation_answer", text.id, "offensive")
        assert hid.status_code == 303
        assert hid.headers["location"] == f"/consultations/{consultation.id}/results"
        assert (await c.get(report_url)).status_code == 404  # hidden: no longer reportable
    assert (await TextReview.get(id=text.id)).moderation_state == MV.HIDDEN
    [auto] = await AuditLogEntry.filter(action="auto_hide")
    assert (auto.target_kind, auto.target_id, auto.actor_id) == (
        "consultation_answer",
        text.id,
        None,
    )
    # gone from the page, the exports and the counts, without recomputing the results
    async with browser(app) as visitor:
        exports = await _exports(visitor, consultation)
        assert all(IDEA not in body for body in exports.values())
        listed = json.loads(exports["results.json"])["results"]["questions"]
        assert listed[str(questions["short"].id)]["texts"] == {"approved": [], "count": 1}
        assert _texts_published(exports["results.csv"], questions["short"]) == "0"
        assert "0 réponse publiée après modération" in exports["results"]
    async with logged_in(app, moderator) as c:
        queue = await c.get("/moderation?type=consultation_answer&reason=personal_data")
        assert IDEA in queue.text and "données personnelles" in queue.text
        assert "masqué" in queue.text and SECRET_NAME not in queue.text
        case = await ModerationCase.get(target_kind="consultation_answer", target_id=text.id)
        assert (await decide(c, [case.id], "approve", "Rien de personnel.")).status_code == 303
    await services.compute_results(settings, consultation.id)
    async with browser(app) as visitor:
        assert IDEA in (await _exports(visitor, consultation))["responses.csv"]


@pytest.mark.settings(PREMODERATED_CONTENT="consultation_answer")
async def test_bulk_decisions_and_the_consultation_texts_page_agree(
    app: Any, settings: Settings, moderator: User
) -> None:
    consultation, questions = await consultation_open()
    for i in range(3):
        person = await create_user(settings, f"p{i}@example.org")
        await _answer(settings, consultation, questions, person, short=f"Idée {i}")
    # the same text from someone else is the same item
    await _answer(settings, consultation, questions, await create_user(settings), short="Idée 0")
    assert await TextReview.all().count() == 3
    cases = list(await ModerationCase.filter(target_kind="consultation_answer").order_by("id"))
    assert len(cases) == 3
    async with logged_in(app, moderator) as c:
        done = await decide(c, [cases[0].id, cases[1].id], "reject", "Hors sujet.")
        assert done.status_code == 303
        flash = (await c.get("/moderation")).text
        assert "2 contributions rejetées." in flash
        rows = {r.id: r.moderation_state for r in await TextReview.all()}
        assert sorted(rows.values()) == [MV.HIDDEN, MV.HIDDEN, MV.PENDING]
        entries = await AuditLogEntry.filter(action="decision:reject").count()
        assert entries == 2
        assert await ModerationDecision.filter(author_id=None, action="reject").count() == 2
        texts_page = await c.get(f"/admin/consultations/{consultation.id}/texts")
        assert texts_page.text.count("rejetée") == 2 and "à examiner" in texts_page.text
        # deciding on the texts page closes the case in the queue
        pending = next(r for r in await TextReview.all() if r.moderation_state == MV.PENDING)
        await services.review_text(pending.question_id, pending.text_digest, True, moderator)
        assert (await TextReview.get(id=pending.id)).moderation_state == MV.VISIBLE
        queue = await c.get("/moderation")
        assert "Aucun contenu n’attend de modération." in queue.text
        # a moderator who decides it from a queue shown before is told where it was decided
        case = await ModerationCase.get(target_kind="consultation_answer", target_id=pending.id)
        url = f"/moderation/cases/{case.id}/decide"
        late = await post_form(c, url, {"action": "hide", "reason": "Vif."}, page="/moderation")
        assert late.status_code == 409
        told = late.text.replace("\u00a0", " ")
        assert "Contribution examinée par Camille Test sur la page de sa consultation : « " in told


async def test_a_named_consultation_shows_no_author_either(
    app: Any, settings: Settings, moderator: User
) -> None:
    consultation, questions, author = await _published(settings, anonymous=False)
    [text] = await TextReview.all()
    async with logged_in(app, moderator) as c:
        queue = await c.get("/moderation")
        assert "Les réponses identiques forment une seule contribution" in queue.text
        assert SECRET_NAME not in queue.text
        case = await ModerationCase.get(target_kind="consultation_answer", target_id=text.id)
        await decide(c, [case.id], "hide", "Propos injurieux.")
    # the decision is not sent to anyone: an item may stand for several people's answers
    assert not await Notification.filter(user_id=author.id).exists()
    async with logged_in(app, author) as c:
        assert "Propos injurieux" not in (await c.get("/moderation/mine")).text


async def test_an_answer_shown_in_the_queue_is_escaped(
    app: Any, settings: Settings, moderator: User
) -> None:
    consultation, questions = await consultation_open()
    payload = '<img src=x onerror="alert(1)">Bonjour <script>alert("x")</script> 1 < 2 & "ok"'
    await _answer(settings, consultation, questions, await create_user(settings), short=payload)
    async with logged_in(app, moderator) as c:
        queue = (await c.get("/moderation")).text
        assert "Bonjour" in queue and "1 &lt; 2 &amp; &#34;ok&#34;" in queue
        assert (
            "<script>alert" not in queue and "<img src=x" not in queue and "onerror=" not in queue
        )


async def test_a_queue_page_with_every_content_kind_costs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, settings: Settings, moderator: User, citizen: User
) -> None:
    from tests.participation.proposal_factories import make_proposal

    consultation, questions = await consultation_open()
    await _answer(settings, consultation, questions, citizen)
    proposal = await make_proposal(citizen)
    comment = await make_comment(proposal, citizen, state=MV.PENDING)
    await pending_case("comment", comment.id, citizen.id)
    await pending_case("proposal", proposal.id, citizen.id)
    await log_in(client, moderator)
    queries, response = await count_queries(client, "/moderation")
    assert response.status_code == 200 and IDEA in response.text
    assert queries <= 9, queries


async def test_an_edited_answer_is_a_new_item(app: Any, settings: Settings, citizen: User) -> None:
    consultation, questions = await consultation_open()
    await _answer(settings, consultation, questions, citizen, short="Première idée")
    await _answer(settings, consultation, questions, citizen, short="Seconde idée")
    texts = {r.text: r.moderation_state for r in await TextReview.all()}
    assert texts == {"<p>Première idée</p>": MV.PENDING, "<p>Seconde idée</p>": MV.PENDING}
    # the earlier text is in no response any more: it stays an item, but no result lists it
    assert await ModerationCase.filter(status="open").count() == 2
