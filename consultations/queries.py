"""Reads of consultations: lists, the questionnaire, stored results and the exports.

Pages read the stored aggregate (`Result`), never the responses: the results page costs a few
queries whatever the number of responses.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from tortoise import timezone

from consultations import services, texts
from consultations.models import (
    Consultation,
    Option,
    Participant,
    Phase,
    Question,
    Response,
    Result,
    TextReview,
)
from consultations.questions import KINDS, OTHER, Export, Kind
from consultations.services import text_digest
from participation import features, formatting, spreadsheet
from participation.contributions import ModerationState, excerpt
from participation.features import CommentTarget, FeedEntry
from participation.i18n import N_, gettext
from participation.outcomes import latest_published
from participation.participants import Since, user_keys
from participation.permissions import can_administer
from participation.settings import Settings
from participation.urls import url


async def public_list() -> list[Consultation]:
    return await Consultation.exclude(phase=Phase.PREPARATION).order_by("-opens_at", "-id")


async def all_consultations() -> list[Consultation]:
    return await Consultation.all().order_by("-id")


@dataclass
class QuestionView:
    question: Question
    options: list[Option]
    number: int

    @property
    def kind(self) -> Kind:
        return KINDS[self.question.kind]

    @property
    def option_labels(self) -> dict[int, str]:
        labels = {o.id: o.label for o in self.options}
        labels[OTHER] = gettext("Other")
        return labels


async def questionnaire(consultation_id: int) -> list[QuestionView]:
    """The questions with their options, in order (two queries)."""
    questions = await Question.filter(consultation_id=consultation_id).order_by("position", "id")
    options: dict[int, list[Option]] = {q.id: [] for q in questions}
    for option in await Option.filter(question_id__in=list(options)).order_by("position", "id"):
        options[option.question_id].append(option)
    return [QuestionView(q, options[q.id], n) for n, q in enumerate(questions, start=1)]


def results_are_public(consultation: Consultation) -> bool:
    if consultation.phase == Phase.CLOSED:
        return True
    return consultation.phase == Phase.OPEN and consultation.results_visible_while_open


async def published_result(
    consultation_id: int,
) -> tuple[dict[str, Any], Result, dict[texts.Key, int]] | None:
    """The stored results as they may be shown now: the free texts that are no longer visible
    are left out (hidden means hidden at once, without recomputing), with the id of each text
    listed (for its report link)."""
    result = await result_row(consultation_id)
    if result is None:
        return None
    content, ids = texts.published_content(
        json.loads(result.content), await texts.published(consultation_id)
    )
    return content, result, ids


async def stored_result(consultation_id: int) -> tuple[dict[str, Any], Result] | None:
    found = await published_result(consultation_id)
    return None if found is None else (found[0], found[1])


async def result_row(consultation_id: int) -> Result | None:
    """The stored aggregate, its content not decoded (the results page decodes it only when it
    has not rendered this one yet)."""
    return await Result.get_or_none(consultation_id=consultation_id)


async def turnout(consultation_id: int) -> int:
    return await Response.filter(consultation_id=consultation_id).count()


# --- exports ---------------------------------------------------------------------------------


def aggregate_rows(
    content: dict[str, Any], views: list[QuestionView]
) -> list[tuple[int, str, str, str, str, str]]:
    """(question number, question, item, measure, value, percent) for the CSV of aggregates."""
    rows: list[tuple[int, str, str, str, str, str]] = []
    for view in views:
        q = view.question
        item = content["questions"].get(str(q.id))
        if item is None:
            continue
        labels = view.option_labels

        def add(
            label: str, measure: str, value: Any, share: Any = "", view: QuestionView = view
        ) -> None:
            value = "" if value is None else value
            shown = (view.number, view.question.text, label, measure, str(value), str(share))
            rows.append(shown)

        add("", "answered", item["answered"])
        for row in view.kind.result_rows(item, Export(q, labels)):
            add(*row)
    return rows


def aggregates_csv(content: dict[str, Any], views: list[QuestionView]) -> str:
    out = io.StringIO()
    writer = spreadsheet.writer(out, licensed=True)
    writer.writerow(["question_number", "question", "item", "measure", "value", "percent"])
    writer.writerows(aggregate_rows(content, views))
    return out.getvalue()


async def anonymised_responses(
    settings: Settings, consultation_id: int, views: list[QuestionView]
) -> tuple[list[str], list[list[str]]]:
    """One row per response, no person, no token, no date, sorted by content (so the order says
    nothing of who answered first). Free texts appear only while visible (approved)."""
    approved = set(await texts.published(consultation_id))
    header = [f"q{view.number}" for view in views]
    exports = {
        view.question.id: Export(view.question, view.option_labels, _published(approved, view))
        for view in views
    }
    rows = []
    for raw in await services.stored_answers(settings, consultation_id):  # opened in memory
        stored = json.loads(raw)
        row = []
        for view in views:
            value = stored.get(str(view.question.id))
            shown = (
                ""
                if value is None
                else view.kind.response_cell(value, stored, exports[view.question.id])
            )
            row.append(shown)
        rows.append(row)
    rows.sort()
    return header, rows


def _published(approved: set[texts.Key], view: QuestionView) -> Callable[[str], bool]:
    """Whether a free text of the question is published (approved by a moderator)."""
    return lambda text: (view.question.id, text_digest(text)) in approved


async def responses_csv(settings: Settings, consultation_id: int, views: list[QuestionView]) -> str:
    header, rows = await anonymised_responses(settings, consultation_id, views)
    out = io.StringIO()
    writer = spreadsheet.writer(out, licensed=True)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def export_json(
    consultation: Consultation, content: dict[str, Any], views: list[QuestionView]
) -> dict[str, Any]:
    return {
        "consultation": {"id": consultation.id, "title": consultation.title},
        "generated_at": formatting.iso_local(timezone.now()),
        "questions": [
            {
                "number": view.number,
                "id": view.question.id,
                "kind": view.question.kind.value,
                "text": view.question.text,
                "options": {str(o.id): o.label for o in view.options},
            }
            for view in views
        ],
        "results": content,
    }


# --- moderation of free texts ----------------------------------------------------------------


@dataclass
class PendingText:
    question: Question
    text: str  # as the results show it (stored so by the results job)
    digest: str  # of the text as answered: what a decision names it by
    approved: bool | None
    sanitized_with: int


async def free_texts(views: list[QuestionView]) -> list[PendingText]:
    """Every distinct free text of a consultation's questions (`views`) that the results job
    has read, with its review state (None: pending), unreviewed first: its `TextReview` row,
    stored as the results show it (issue #21). No sealed answer is opened here (issue #16) and
    nothing is sanitised: a text answered since the results job last ran is listed at its next
    run (`unread`)."""
    states = {ModerationState.VISIBLE: True, ModerationState.HIDDEN: False}
    by_id = {view.question.id: view for view in views}
    rows = await TextReview.filter(question_id__in=list(by_id)).values_list(
        "question_id", "text_digest", "text", "moderation_state", "sanitized_with"
    )
    found = [
        PendingText(by_id[question_id].question, text, digest, states.get(state), version)
        for question_id, digest, text, state, version in rows
    ]
    return sorted(
        found, key=lambda t: (t.approved is not None, by_id[t.question.id].number, t.text)
    )


async def unread(consultation_id: int) -> int:
    """How many responses the results job has not read yet (the texts they bring are not listed
    on the texts page until it runs): responses beyond the count of the stored results. (A
    response replaced since is not seen here: the page says when the job runs.)"""
    result = await Result.get_or_none(consultation_id=consultation_id).only("responses_count")
    counted = result.responses_count if result is not None else 0
    return max(0, await turnout(consultation_id) - counted)


async def feed_results(limit: int, space_id: int | None = None) -> list[FeedEntry]:
    """Published results of closed consultations and the council's responses (Feature.feeds),
    the newest first; of one space only when given (`FeedSource.space_entries`)."""
    within = Consultation.all() if space_id is None else Consultation.filter(space_id=space_id)
    closed = (
        await within.filter(phase=Phase.CLOSED).order_by("-phase_changed_at", "-id").limit(limit)
    )
    answered = (
        await within.filter(outcome_published_at__isnull=False)
        .exclude(phase=Phase.PREPARATION)
        .order_by("-outcome_published_at", "-id")
        .limit(limit)
    )
    entries = []
    for c in closed:
        when = c.phase_changed_at or c.created_at
        entries.append(
            FeedEntry(
                key=f"consultation/{c.id}/results",
                title=gettext("Results") + formatting.colon() + " " + c.title,
                path=url("consultations:results", consultation_id=c.id),
                updated=when,
                published=when,
                summary=excerpt(c.context),
                space_id=c.space_id,
            )
        )
    for c in answered:
        assert c.outcome_published_at is not None
        entries.append(
            FeedEntry(
                key=f"consultation/{c.id}/outcome",
                title=gettext("The council's response") + formatting.colon() + " " + c.title,
                path=url("consultations:outcome", consultation_id=c.id),
                updated=c.outcome_published_at,
                published=c.outcome_published_at,
                summary=excerpt(c.outcome_decided),
                space_id=c.space_id,
            )
        )
    return entries


async def space_feed_results(space_id: int, limit: int) -> list[FeedEntry]:
    return await feed_results(limit, space_id)


async def space_components(space_id: int) -> list[features.SpaceComponent]:
    """The consultations of a participatory space (`Feature.space_components`)."""
    found = []
    for c in await Consultation.filter(space_id=space_id).order_by("id"):
        if c.phase == Phase.OPEN:
            state, deadline = N_("Answers open"), c.closes_at
        elif c.phase == Phase.CLOSED:
            state = N_("Outcome published") if c.outcome_published_at else N_("Answers closed")
            deadline = None
        else:
            state, deadline = N_("In preparation"), None
        found.append(
            features.SpaceComponent(
                N_("Consultation"),
                c.title,
                url("consultations:detail", consultation_id=c.id),
                state,
                deadline,
                public=c.phase != Phase.PREPARATION,
            )
        )
    return found


async def outcomes(limit: int) -> list[features.Outcome]:
    """The latest published outcomes (`Feature.outcomes`, the home page)."""
    return await latest_published(
        Consultation.all(),
        "outcome_published_at",
        N_("Consultation outcome"),
        lambda c: url("consultations:outcome", consultation_id=c.id),
        limit,
    )


async def participants(since: Since) -> set[str]:
    """The people who answered a consultation since `since` (the day: `Participant` keeps no
    time), in one query; anonymous answers are never read (participation/participants.py)."""
    ids = (
        await Participant.filter(answered_on__gte=since.day)
        .distinct()
        .values_list("user_id", flat=True)
    )
    return user_keys(ids)


async def activity(user_id: int, limit: int) -> list[features.ActivityItem]:
    """The consultations the person answered (`Participant`: who answered, never what), newest
    first, for "My activity". An anonymous consultation's answers are tied to nobody
    (docs/security.md): the line says so and nothing of them is read."""
    rows = (
        await Participant.filter(user_id=user_id)
        .order_by("-answered_on", "-id")
        .limit(limit)
        .values("consultation_id", "consultation__title", "consultation__anonymous", "answered_on")
    )
    return [
        features.ActivityItem(
            datetime.combine(row["answered_on"], time(), tzinfo=UTC),
            N_("Consultation answer"),
            row["consultation__title"],
            url("consultations:detail", consultation_id=row["consultation_id"]),
            N_("anonymous: your answers are not linked to your account")
            if row["consultation__anonymous"]
            else N_("named: your answers are under your name"),
        )
        for row in rows
    ]


def outcome_comment_target(consultation: Consultation) -> CommentTarget:
    """A published outcome as the comments see it (issue #18): its page, its space."""
    return CommentTarget(
        consultation.title,
        url("consultations:outcome", consultation_id=consultation.id),
        space_id=consultation.space_id,
    )


async def locked_spaces(consultation_ids: Iterable[int]) -> dict[int, int]:
    """The spaces of these consultations (those in one), read with a row lock (FOR NO KEY
    UPDATE; SQLite has none and needs none: its writers take turns) held until the caller's
    transaction ends, the one that inserts a moderation case on an answer or on a comment on
    the outcome: a case made while staff move the consultation to another space
    (services.save_consultation, which locks the row first) waits for the move and reads the
    new space, or the move waits for it and then moves it (issue #18)."""
    ids = sorted(set(consultation_ids))
    if not ids:
        return {}
    locked = (  # rows, not values_list: Tortoise drops FOR UPDATE from a values query
        await Consultation.filter(id__in=ids)
        .order_by("id")  # one order for every locker: no deadlock between two of them
        .select_for_update(no_key=True)
    )
    return {c.id: c.space_id for c in locked if c.space_id is not None}


async def comment_target(viewer: Any, consultation_id: int) -> CommentTarget | None:
    """The consultation's outcome if published and `viewer` may see it (no viewer: moderation's
    view), as the outcome page decides."""
    consultation = await Consultation.get_or_none(id=consultation_id)
    if consultation is None or consultation.outcome_published_at is None:
        return None
    if viewer is not None and consultation.phase == Phase.PREPARATION:
        if not can_administer(viewer):
            return None
    return outcome_comment_target(consultation)
