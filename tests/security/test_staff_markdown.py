"""Staff write Markdown too (participation/richtext.py): a budget's description, a consultation's
context, its outcome (« ce que nous avons entendu », « ce que nous décidons ») and its questions'
decisions, a meeting's description and minutes, a participatory space's description, the
official answer to a proposal.

Through the real forms, for a row written before (HTML of the allow-list, with bold, a link and
a list): the edit form shows Markdown, never the stored tags, with the hint that says so, and
runs no code of bleach (issue #21: an edit form is a page too); saved
unchanged, the row and the public page show the same text, formatting kept, nothing escaped
twice; saved again, the row does not change (the Markdown derived from the HTML is a fixpoint)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

from budgets.models import Budget
from consultations import services as consultation_services
from consultations.models import Consultation, Phase, Question
from meetings.models import Meeting
from participation.accounts.models import User
from participation.proposals.models import Proposal
from participation.richtext import ALLOW_LIST_VERSION, sanitize
from participation.settings import Settings
from participation.spaces.models import Space
from tests.budgets.factories import budget_taking_projects
from tests.conftest import create_user, logged_in
from tests.consultations.factories import consultation_open
from tests.meetings.factories import meeting_next_week, meeting_started
from tests.participation.proposal_factories import make_proposal
from tests.security.forms import post_forms
from tests.security.test_stored_as_shown import bleach_calls
from tests.spaces.factories import space_open_with_a_vote

# what staff's plain text and HTML were stored as before (richtext.sanitize), marked as shown
STORED = sanitize(
    '<p>Le <strong>parc</strong> rouvre, voir <a href="https://example.org/plan_2027">le plan</a>'
    " (3 * 4 = 12 &amp; plus).</p><ul><li>des bancs</li><li>une <em>fontaine</em></li></ul>"
)
MARKDOWN = "- des bancs\n- une *fontaine*"
SHOWN = [
    "<strong>parc</strong>",
    '<a href="https://example.org/plan_2027" rel="nofollow ugc">le plan</a>',
    "3 * 4 = 12 &amp; plus",
    "<li>des bancs</li>",
    "<li>une <em>fontaine</em></li>",
]
HINT = "Markdown\u00a0: **gras**, *italique*"


@dataclass
class Text:
    model: Any
    row_id: int
    column: str
    field: str  # the form's field


@dataclass
class Scenario:
    edit: str  # the staff page with the form
    action: str  # where its form posts
    texts: list[Text]
    public: str  # the page that shows the texts


async def _budget(settings: Settings) -> Scenario:
    budget = await budget_taking_projects()
    await Budget.filter(id=budget.id).update(description=STORED, sanitized_with=ALLOW_LIST_VERSION)
    edit = f"/admin/budgets/{budget.id}/edit"
    texts = [Text(Budget, budget.id, "description", "description")]
    return Scenario(edit, edit, texts, f"/budgets/{budget.id}")


async def _context(settings: Settings) -> Scenario:
    consultation, _ = await consultation_open(visible=True)
    await Consultation.filter(id=consultation.id).update(
        context=STORED, sanitized_with=ALLOW_LIST_VERSION
    )
    edit = f"/admin/consultations/{consultation.id}/edit"
    texts = [Text(Consultation, consultation.id, "context", "context")]
    return Scenario(edit, edit, texts, f"/consultations/{consultation.id}")


async def _outcome(settings: Settings) -> Scenario:
    consultation, questions = await consultation_open()
    await consultation_services.switch_phase(consultation.id, Phase.CLOSED, None)
    await consultation_services.compute_results(settings, consultation.id)
    form = consultation_services.OutcomeForm(heard="Entendu.", decided="Décidé.", decisions={})
    await consultation_services.publish_outcome(settings, consultation.id, form)
    await Consultation.filter(id=consultation.id).update(
        outcome_heard=STORED, outcome_decided=STORED, sanitized_with=ALLOW_LIST_VERSION
    )
    question = questions["single"]
    await Question.filter(id=question.id).update(decision=STORED, sanitized_with=1)
    edit = f"/admin/consultations/{consultation.id}/outcome"
    texts = [
        Text(Consultation, consultation.id, "outcome_heard", "heard"),
        Text(Consultation, consultation.id, "outcome_decided", "decided"),
        Text(Question, question.id, "decision", f"decision-{question.id}"),
    ]
    return Scenario(edit, edit, texts, f"/consultations/{consultation.id}/outcome")


async def _meeting(settings: Settings) -> Scenario:
    meeting = await meeting_next_week(description=STORED, sanitized_with=ALLOW_LIST_VERSION)
    edit = f"/admin/meetings/{meeting.id}"
    texts = [Text(Meeting, meeting.id, "description", "description")]
    return Scenario(edit, edit, texts, f"/meetings/{meeting.id}")


async def _minutes(settings: Settings) -> Scenario:
    meeting = await meeting_started(
        minutes=STORED,
        minutes_published_at=timezone.now() - timedelta(minutes=1),
        sanitized_with=ALLOW_LIST_VERSION,
    )
    edit = f"/admin/meetings/{meeting.id}"
    texts = [Text(Meeting, meeting.id, "minutes", "minutes")]
    return Scenario(edit, f"{edit}/minutes", texts, f"/meetings/{meeting.id}")


async def _space(settings: Settings) -> Scenario:
    space = await space_open_with_a_vote(description=STORED, sanitized_with=ALLOW_LIST_VERSION)
    edit = f"/admin/spaces/{space.id}"
    texts = [Text(Space, space.id, "description", "description")]
    return Scenario(edit, edit, texts, f"/demarches/{space.slug}")


async def _answer(settings: Settings) -> Scenario:
    author = await create_user(settings, "autrice@example.org")
    proposal = await make_proposal(
        author,
        answer_body=STORED,
        answered_at=timezone.now(),
        sanitized_with=ALLOW_LIST_VERSION,
    )
    page = f"/proposals/{proposal.id}"
    texts = [Text(Proposal, proposal.id, "answer_body", "answer")]
    return Scenario(page, f"{page}/answer", texts, page)


def _checked(html: str) -> dict[str, list[str]]:
    """The checkboxes a browser sends as the page shows them (checked ones only)."""
    sent: dict[str, list[str]] = {}
    for tag in re.findall(r'<input[^>]*type="checkbox"[^>]*>', html):
        name = re.search(r'name="([^"]+)"', tag)
        if name and re.search(r"\schecked\b", tag):
            value = re.search(r'value="([^"]*)"', tag)
            sent.setdefault(name.group(1), []).append(value.group(1) if value else "on")
    return sent


async def _save_unchanged(staff: httpx.AsyncClient, scenario: Scenario) -> dict[str, str]:
    """Open the edit form, check what its textareas show, send it back as it is; returns the
    Markdown the form showed."""
    with bleach_calls() as calls:
        page = await staff.get(scenario.edit)
    assert page.status_code == 200, (scenario.edit, page.status_code)
    assert calls[0] == 0, f"{scenario.edit}: bleach ran {calls[0]} times"  # issue #21
    form = next(f for f in post_forms(page.text, scenario.edit) if f.action == scenario.action)
    data: dict[str, Any] = {
        name: value
        for name, value in form.fields.items()
        if form.types.get(name) not in ("checkbox", "button")
    }
    data.update(_checked(page.text))
    shown = {}
    for text in scenario.texts:
        markdown = form.fields[text.field]
        assert "<p>" not in markdown and "<strong>" not in markdown, markdown
        assert "**parc**" in markdown and "[le plan](https://example.org/plan_2027)" in markdown
        assert MARKDOWN in markdown, markdown
        shown[text.field] = markdown
    assert "&amp;lt;" not in page.text and "&lt;p&gt;" not in page.text
    assert HINT in page.text  # the hint under the field, in French
    saved = await staff.post(scenario.action, data=data)
    assert saved.status_code == 303, (scenario.action, saved.status_code, saved.text[:3000])
    return shown


Make = Callable[[Settings], Awaitable[Scenario]]


@pytest.mark.parametrize(
    "make",
    [_budget, _context, _outcome, _meeting, _minutes, _space, _answer],
    ids=lambda m: m.__name__.strip("_"),
)
async def test_an_edit_form_shows_markdown_and_saving_it_unchanged_keeps_the_text(
    app: Any, settings: Settings, admin: User, make: Make
) -> None:
    scenario = await make(settings)
    async with logged_in(app, admin) as staff:
        first = await _save_unchanged(staff, scenario)
        stored = []
        for text in scenario.texts:
            row = await text.model.get(id=text.row_id)
            value = getattr(row, text.column)
            assert value.replace("\n", "") == STORED, (text.column, value)
            assert row.sanitized_with == ALLOW_LIST_VERSION
            stored.append(value)
        public = await staff.get(scenario.public)
        assert public.status_code == 200
        shown = public.text.replace("\n", "")
        for piece in SHOWN:
            assert shown.count(piece) >= len(scenario.texts), piece
        assert "&amp;amp;" not in public.text and "&lt;p&gt;" not in public.text
        # saved again: the same Markdown, the same row
        assert await _save_unchanged(staff, scenario) == first
        for text, before in zip(scenario.texts, stored, strict=True):
            assert getattr(await text.model.get(id=text.row_id), text.column) == before


async def test_staff_markdown_is_formatted_and_typed_html_is_text(
    app: Any, settings: Settings, admin: User
) -> None:
    scenario = await _space(settings)
    async with logged_in(app, admin) as staff:
        page = await staff.get(scenario.edit)
        form = next(f for f in post_forms(page.text, scenario.edit) if f.action == scenario.edit)
        data: dict[str, Any] = {
            n: v for n, v in form.fields.items() if form.types.get(n) != "checkbox"
        }
        data.update(
            _checked(page.text),
            description="La **démarche**\n\n1. un\n2. deux\n\n<script>alert(1)</script>",
        )
        assert (await staff.post(scenario.edit, data=data)).status_code == 303
        shown = (await staff.get(scenario.public)).text
    assert "La <strong>démarche</strong>" in shown and "<li>deux</li>" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>alert(1)" not in shown
