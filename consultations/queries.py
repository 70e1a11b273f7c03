"""Reads of consultations: lists, the questionnaire, stored results and the exports.

Pages read the stored aggregate (`Result`), never the responses: the results page costs a few
queries whatever the number of responses.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from tortoise import timezone

from consultations import domain, services, texts
from consultations.models import (
    Consultation,
    Option,
    Phase,
    Question,
    QuestionKind,
    Response,
    Result,
    TextReview,
)
from consultations.services import text_digest
from participation import formatting, spreadsheet
from participation.contributions import ModerationState
from participation.i18n import gettext
from participation.richtext import to_text
from participation.settings import Settings


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
    def option_labels(self) -> dict[int, str]:
        labels = {o.id: o.label for o in self.options}
        labels[domain.OTHER] = gettext("Other")
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


def grade_labels() -> list[str]:
    return [gettext(g) for g in domain.GRADES]


def agreement_labels() -> list[str]:
    return [gettext(label) for label in domain.AGREEMENT_LABELS]


def scale_label(question: Question, value: int) -> str:
    if question.scale_style == "agreement" and 1 <= value <= 5:
        return gettext(domain.AGREEMENT_LABELS[value - 1])
    return str(value)


# --- exports ---------------------------------------------------------------------------------


def aggregate_rows(
    content: dict[str, Any], views: list[QuestionView]
) -> list[tuple[int, str, str, str, str, str]]:
    """(question number, question, item, measure, value, percent) for the CSV of aggregates."""
    rows: list[tuple[int, str, str, str, str, str]] = []
    grades = grade_labels()
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
        if q.kind in domain.CHOICE_KINDS:
            for o in item["options"]:
                add(labels.get(o["id"], ""), "count", o["count"], o["percent"])
        elif q.kind == QuestionKind.SCALE:
            for p in item["points"]:
                add(scale_label(q, p["value"]), "count", p["count"], p["percent"])
            add("", "mean", item["mean"])
        elif q.kind == QuestionKind.RANKING:
            for o in item["options"]:
                add(labels.get(o["id"], ""), "borda", o["borda"])
                add(labels.get(o["id"], ""), "mean_rank", o["mean_rank"])
            winner = item["condorcet_winner"]
            add(labels.get(winner, "") if winner else "", "condorcet_winner", "")
        elif q.kind == QuestionKind.MAJORITY:
            for o in item["options"]:
                label = labels.get(o["id"], "")
                for grade, (count, share) in enumerate(
                    zip(o["distribution"], o["percents"], strict=True)
                ):
                    add(label, f"grade:{grades[grade]}", count, share)
                majority = o["majority_grade"]
                add(label, "majority_grade", grades[majority] if majority is not None else "")
                add(label, "rank", o["rank"])
        elif q.kind == QuestionKind.NUMBER:
            for measure in ("min", "q1", "median", "mean", "q3", "max"):
                add("", measure, item.get(measure))
        else:
            add("", "texts_published", len(item["texts"]["approved"]))
    return rows


def aggregates_csv(content: dict[str, Any], views: list[QuestionView]) -> str:
    out = io.StringIO()
    writer = spreadsheet.writer(out)
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
    rows = []
    for raw in await services.stored_answers(settings, consultation_id):  # opened in memory
        stored = json.loads(raw)
        row = []
        for view in views:
            q = view.question
            value = stored.get(str(q.id))
            labels = view.option_labels
            if value is None:
                row.append("")
            elif q.kind in domain.CHOICE_KINDS or q.kind == QuestionKind.RANKING:
                cells = []
                for option in value:
                    if option == domain.OTHER:
                        text = stored.get(f"{q.id}-other", "")
                        cells.append(
                            to_text(text)
                            if (q.id, text_digest(text)) in approved
                            else labels[domain.OTHER]
                        )
                    else:
                        cells.append(labels.get(option, ""))
                row.append(
                    " > ".join(cells) if q.kind == QuestionKind.RANKING else " | ".join(cells)
                )
            elif q.kind == QuestionKind.MAJORITY:
                grades = grade_labels()
                row.append(
                    " | ".join(
                        f"{labels.get(int(option), '')}: {grades[grade]}"
                        for option, grade in sorted(value.items(), key=lambda kv: int(kv[0]))
                    )
                )
            elif q.kind in domain.TEXT_KINDS:
                row.append(to_text(value) if (q.id, text_digest(value)) in approved else "")
            else:
                row.append(str(value))
        rows.append(row)
    rows.sort()
    return header, rows


async def responses_csv(settings: Settings, consultation_id: int, views: list[QuestionView]) -> str:
    header, rows = await anonymised_responses(settings, consultation_id, views)
    out = io.StringIO()
    writer = spreadsheet.writer(out)
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
    text: str
    digest: str
    approved: bool | None


async def free_texts(
    settings: Settings, consultation_id: int, views: list[QuestionView]
) -> list[PendingText]:
    """Every distinct free text of the consultation with its review state (None: pending),
    unreviewed first."""
    states = {ModerationState.VISIBLE: True, ModerationState.HIDDEN: False}
    reviews = {
        (question_id, digest): states.get(state)
        for question_id, digest, state in await TextReview.filter(
            question__consultation_id=consultation_id
        ).values_list("question_id", "text_digest", "moderation_state")
    }
    by_id = {view.question.id: view.question for view in views}
    found: dict[tuple[int, str], PendingText] = {}
    for raw in await services.stored_answers(settings, consultation_id):  # opened in memory
        stored = json.loads(raw)
        for key, value in stored.items():
            question_id = int(key.removesuffix("-other"))
            question = by_id.get(question_id)
            if question is None or not isinstance(value, str):
                continue
            if not key.endswith("-other") and question.kind not in domain.TEXT_KINDS:
                continue
            digest = text_digest(value)
            found.setdefault(
                (question_id, digest),
                PendingText(question, value, digest, reviews.get((question_id, digest))),
            )
    return sorted(found.values(), key=lambda t: (t.approved is not None, t.question.position))
