"""Rich text is sanitised once, on write, and shown as stored (issue #21), for every text staff
write besides proposals and comments (tests/participation/test_comments_and_notifications.py):
a consultation's context, its outcome (« ce que nous avons entendu », « ce que nous décidons »),
its questions' decisions and the free-text answers listed in its results (stored as shown by the
results job, where sealed answers are open), a meeting's description and minutes, a budget's
description, a budget project's and a participatory space's description, and the site's content
pages (help, legal notice...).

For each one, the XSS corpus of tests/security/xss.py is written through the service: the row
says the current allow-list, no payload reaches the page as markup, and rendering the page runs
no code of bleach (counted with a profile hook over the request, every thread). Then the same
corpus is written by another path (raw SQL, `sanitized_with` 0; `ELSEWHERE`): the page still
shows nothing that runs and runs no bleach, showing the words only (`richtext.as_words`); and
the migrations' job (`richtext.resanitize`) stores it cleaned, after which the page shows its
markup, without bleach."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import bleach
import pytest
from tortoise import Tortoise, connections, timezone

from budgets import domain as budget_domain
from budgets import services as budget_services
from budgets.models import Budget, Project
from consultations import services as consultation_services
from consultations import texts as consultation_texts
from consultations.models import Consultation, Option, Phase, Question, Result, TextReview
from meetings import services as meeting_services
from meetings.domain import Format, MeetingForm, MinutesForm
from meetings.models import Meeting
from participation.accounts.models import User
from participation.contributions import ModerationState
from participation.pagecache import invalidate
from participation.richtext import (
    ALLOW_LIST_VERSION,
    from_markdown,
    page_again,
    resanitize,
    stored_again,
    written,
)
from participation.settings import Settings
from participation.sitepages import services as sitepage_services
from participation.sitepages.domain import PageForm
from participation.sitepages.models import SitePage
from participation.spaces import services as space_services
from participation.spaces.domain import Audience, SpaceForm
from participation.spaces.models import Space
from tests.budgets.factories import budget_in_voting
from tests.conftest import create_user, logged_in
from tests.consultations.factories import consultation_open, valid_answers
from tests.consultations.test_results import items
from tests.meetings.factories import meeting_started
from tests.security.test_access_matrix import _attempts
from tests.security.world import app_routes, logged_in_client, seed_world
from tests.security.xss import PAYLOADS, all_payloads, injected_markup

BLEACH = os.path.dirname(bleach.__file__)


@contextmanager
def bleach_calls() -> Iterator[list[int]]:
    """How many functions of bleach (and the html5lib it carries) run inside the block."""
    count = [0]

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.startswith(BLEACH):
            count[0] += 1

    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        yield count
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]


# Each scenario writes the corpus through the service that staff use and returns the page that
# shows it, the model, the row's id and its rich-text columns.
Scenario = Callable[[Settings, User], Awaitable[tuple[str, Any, int, tuple[str, ...]]]]


async def _context(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    consultation, _ = await consultation_open(visible=True)
    form = consultation_services.ConsultationForm(
        title=consultation.title,
        context=all_payloads("Le contexte "),
        closes_at=consultation.closes_at,
        results_visible_while_open=True,
    )
    await consultation_services.save_consultation(form, consultation.id, admin)
    return f"/consultations/{consultation.id}", Consultation, consultation.id, ("context",)


async def _outcome(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    consultation, questions = await consultation_open()
    await consultation_services.switch_phase(consultation.id, Phase.CLOSED, None)
    await consultation_services.compute_results(settings, consultation.id)
    form = consultation_services.OutcomeForm(
        heard=all_payloads("Entendu "), decided=all_payloads("Décidé "), decisions={}
    )
    await consultation_services.publish_outcome(settings, consultation.id, form)
    page = f"/consultations/{consultation.id}/outcome"
    return page, Consultation, consultation.id, ("outcome_heard", "outcome_decided")


async def _decision(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    consultation, questions = await consultation_open()
    await consultation_services.switch_phase(consultation.id, Phase.CLOSED, None)
    await consultation_services.compute_results(settings, consultation.id)
    question = questions["single"]
    form = consultation_services.OutcomeForm(
        heard="Entendu.",
        decided="Décidé.",
        decisions={question.id: all_payloads("La décision ")},
    )
    await consultation_services.publish_outcome(settings, consultation.id, form)
    return f"/consultations/{consultation.id}/outcome", Question, question.id, ("decision",)


async def _meeting(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    start = timezone.now() + timedelta(days=7)
    form = MeetingForm(
        title="Réunion publique",
        description=all_payloads("La réunion "),
        format=Format.IN_PERSON,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        address="Salle des fêtes",
        accessibility="",
        online_url="",
        capacity=None,
    )
    meeting = await meeting_services.create_meeting(form, admin)
    return f"/meetings/{meeting.id}", Meeting, meeting.id, ("description",)


async def _minutes(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    meeting = await meeting_started(description="<p>Ordre du jour</p>")
    form = MinutesForm(all_payloads("Le compte rendu "), (), ())
    await meeting_services.publish_minutes(meeting.id, form, admin)
    return f"/meetings/{meeting.id}", Meeting, meeting.id, ("minutes",)


async def _budget(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    budget, _ = await budget_in_voting()
    form = budget_services.BudgetForm(
        title=budget.title,
        description=all_payloads("Le budget "),
        total_amount=100_000,
        districts={"Nord": 30_000},
        categories=("Nature", "Sport"),
        rule=budget_domain.BallotRule(budget.ballot_kind),
        winner_rule=budget.winner_rule,
    )
    await budget_services.save_budget(form, budget.id, admin)
    return f"/budgets/{budget.id}", Budget, budget.id, ("description",)


async def _project(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    budget, projects = await budget_in_voting()
    project = projects[0]
    # written as its services write it (budgets/project_services.py: Markdown, then the version)
    await Project.filter(id=project.id).update(
        **written(None, ("description",), description=from_markdown(all_payloads("Projet ")))
    )
    return f"/budgets/{budget.id}/projects/{project.id}", Project, project.id, ("description",)


async def _space(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    now = timezone.now()
    form = SpaceForm(
        title="Budget participatif 2027",
        slug="budget-2027",
        summary="Proposez, votez.",
        description=all_payloads("La démarche "),
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
        audience=Audience.SIGNED_IN,
        minimum_age=0,
        districts=(),
        published=True,
        base_version=None,
    )
    space = await space_services.create(form, None, admin)
    return f"/demarches/{space.slug}", Space, space.id, ("description",)


async def _answers(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    """A free-text answer of a sealed (anonymous) response, listed in the published results."""
    consultation, questions = await consultation_open(visible=True)
    assert consultation.anonymous
    fields = await valid_answers(questions)
    no = await Option.get(question=questions["single"], label="Non")
    fields[f"q{questions['single'].id}"] = str(no.id)
    fields[f"q{questions['why'].id}"] = all_payloads("Ma réponse ")
    person = await create_user(settings, "repondant@example.org")
    await consultation_services.submit_response(
        settings, consultation.id, person, None, items(fields)
    )
    await consultation_services.compute_results(settings, consultation.id)
    for review in await TextReview.filter(question__consultation_id=consultation.id):
        await consultation_services.review_text(review.question_id, review.text_digest, True, admin)
    await consultation_services.compute_results(settings, consultation.id)
    result = await Result.get(consultation_id=consultation.id)
    return f"/consultations/{consultation.id}/results", Result, result.id, ("content",)


async def _answers_elsewhere(row_id: int, raw: str) -> None:
    """Results stored before the texts were stored as shown: the text as answered in the JSON,
    no digests; moderation knows the text by its digest."""
    result = await Result.get(id=row_id)
    content = json.loads(result.content)
    for question_id, item in content["questions"].items():
        if isinstance(item.get("texts"), dict) and item["texts"]["approved"]:
            item["texts"] = {"count": 1, "approved": [raw]}
            await TextReview.create(
                id=consultation_texts.new_id(),
                question_id=int(question_id),
                text_digest=consultation_texts.text_digest(raw),
                text=raw,
                moderation_state=ModerationState.VISIBLE,
            )
    await Result.filter(id=row_id).update(
        content=json.dumps(content, ensure_ascii=False), sanitized_with=0
    )


TABLE = (
    '<table><thead><tr><th scope="col">Donnée</th><th scope="col">Durée</th></tr></thead>'
    "<tbody><tr><td>E-mail</td><td>3 ans</td></tr></tbody></table>"
)


async def _page(settings: Settings, admin: User) -> tuple[str, Any, int, tuple[str, ...]]:
    """A content page (« Comment participer »), saved by staff, with a table that stacks."""
    form = PageForm(all_payloads("L'aide ") + TABLE, "", "1")
    await sitepage_services.save("aide", form, admin)
    row = await SitePage.get(slug="aide")
    assert 'class="stack"' in row.body_fr and 'data-label="Durée"' in row.body_fr
    return "/aide", SitePage, row.id, ("body_fr",)


async def _columns_elsewhere(model: Any, columns: tuple[str, ...], row_id: int, raw: str) -> None:
    await model.filter(id=row_id).update(**dict.fromkeys(columns, raw), sanitized_with=0)


# How another path writes the corpus, and how the migrations' job cleans it, when not as the
# other rows (a JSON column; the pages' own allow-list)
ELSEWHERE: dict[Any, Callable[[int, str], Awaitable[None]]] = {Result: _answers_elsewhere}
AGAIN: dict[Any, Callable[[str], str]] = {
    Result: consultation_texts.content_again,
    SitePage: page_again,
}


@pytest.mark.parametrize(
    "scenario",
    [
        _context,
        _outcome,
        _decision,
        _answers,
        _meeting,
        _minutes,
        _budget,
        _project,
        _space,
        _page,
    ],
    ids=lambda s: s.__name__.strip("_"),
)
async def test_shown_as_stored_without_bleach_and_no_payload_runs(
    app: Any, settings: Settings, admin: User, citizen: User, scenario: Scenario
) -> None:
    page, model, row_id, columns = await scenario(settings, admin)
    row = await model.get(id=row_id)
    assert row.sanitized_with == ALLOW_LIST_VERSION  # stored as shown
    assert all("<script" not in getattr(row, c) and "__xss" in getattr(row, c) for c in columns)
    async with logged_in(app, citizen) as person:  # signed in: no page cache in between
        with bleach_calls() as calls:
            shown = await person.get(page)
        assert shown.status_code == 200, (page, shown.status_code)
        assert injected_markup(shown.text) == []
        assert calls[0] == 0, f"{page}: bleach ran {calls[0]} times"

        # the same corpus written by another path: its words only, escaped, without bleach
        raw = "<p>Écrit <strong>ailleurs</strong></p>" + "".join(PAYLOADS)
        if model in ELSEWHERE:
            await ELSEWHERE[model](row_id, raw)
        else:
            await _columns_elsewhere(model, columns, row_id, raw)
        # written behind the app's back: no write through it emptied the parts kept for
        # residents (a consultation's results, issue #23); a restart after it would
        await invalidate(app.state.redis)
        with bleach_calls() as calls:
            before = await person.get(page)
        assert injected_markup(before.text) == [] and "Écrit ailleurs" in before.text
        assert "<strong>ailleurs</strong>" not in before.text  # markup of unknown safety: none
        assert calls[0] == 0
        with bleach_calls() as calls:
            stored_again(raw)
        assert calls[0] > 0  # the counter sees bleach when it runs

        # the migrations' job stores it as it was shown; the page is the same, without bleach
        table = model._meta.db_table
        stale = await model.exclude(sanitized_with=ALLOW_LIST_VERSION).count()  # the factory's too
        assert stale >= 1
        again = AGAIN.get(model, stored_again)
        assert await resanitize(connections.get("default"), table, model.rich_text, again) == stale
        assert (await model.get(id=row_id)).sanitized_with == ALLOW_LIST_VERSION
        await invalidate(app.state.redis)  # `participation migrate` runs before the processes
        with bleach_calls() as calls:
            after = await person.get(page)
        assert calls[0] == 0
        assert injected_markup(after.text) == [] and "Écrit <strong>ailleurs</strong>" in after.text
        assert await resanitize(connections.get("default"), table, model.rich_text, again) == 0


async def test_a_partial_write_stores_the_other_texts_as_shown(
    settings: Settings, admin: User
) -> None:
    """Publishing minutes on a meeting whose description was written by another path: the
    row will say the current allow-list, so its description is stored cleaned too."""
    meeting = await meeting_started(description="<p>Avant</p><script>alert(1)</script>")
    assert meeting.sanitized_with == 0
    await meeting_services.publish_minutes(meeting.id, MinutesForm("Compte rendu", (), ()), admin)
    again = await Meeting.get(id=meeting.id)
    assert again.sanitized_with == ALLOW_LIST_VERSION
    assert again.description == "<p>Avant</p>alert(1)" and again.minutes == "<p>Compte rendu</p>"


async def test_no_page_api_response_nor_export_runs_bleach(app: Any, settings: Settings) -> None:
    """Every GET route of the site (pages, edit forms, fragments, the API, the exports, feeds),
    as staff see it in the access matrix's world (its free-text answers read by the results
    job, comments, proposals, meetings, budgets, spaces, content pages): none runs bleach."""
    world = await seed_world(settings)
    ran: dict[str, int] = {}
    statuses: dict[int, int] = {}
    async with logged_in_client(app, world.admin) as staff:
        for endpoint in app_routes(app):
            if endpoint.method != "GET":
                continue
            for key, url in _attempts(endpoint, world):
                with bleach_calls() as calls:
                    response = await staff.get(url)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if calls[0]:
                    ran[key] = calls[0]
    assert ran == {}
    assert statuses[200] >= 100, statuses  # the pages were shown, not refused


def _migrations_that_resanitize() -> str:
    root = Path(__file__).resolve().parents[2]
    return "\n".join(
        text
        for path in root.glob("*/**/migrations/*.py")
        if ".venv" not in path.parts and "resanitize" in (text := path.read_text())
    )


async def test_every_table_of_rich_text_has_a_migration_that_stores_it_as_shown(
    app: Any,
) -> None:
    """Every table of rich text (a model with `sanitized_with`) has a migration that stores its
    rows again with the current allow-list (`resanitize`), so that after the migrations no row
    shows its words only (`richtext.as_words`); the demo's writers say the current version too
    (tests/participation/test_cli.py)."""
    sources = _migrations_that_resanitize()
    tables = {
        model._meta.db_table
        for app in Tortoise.apps.values()
        for model in app.values()
        if "sanitized_with" in model._meta.fields_map
    }
    assert "consultations_text_review" in tables and len(tables) >= 10
    missing = {t for t in tables if f'"{t}"' not in sources and f"'{t}'" not in sources}
    assert missing == set(), "tables of rich text that no migration sanitises again"
