"""Public consultations: questionnaires, their responses, stored results and the outcome.

One response per person by construction: `Participant` records who answered (one row per
person and consultation, UNIQUE) and nothing of what; `Response` holds the answers and, for a
named consultation only, the person. An anonymous response is found again (to edit it) by a
keyed hash of (consultation, person) that only the server can compute.
No docstrings on models: Tortoise turns them into SQL comments.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from participation import phases
from participation.contributions import ModerationState
from participation.residents.models import DISTRICT_NAME_LENGTH


class Phase(StrEnum):
    PREPARATION = "preparation"  # drafted by staff, not public
    OPEN = "open"  # answering
    CLOSED = "closed"  # results computed; the outcome may be published


def closed_at(
    phase: Phase, phase_changed_at: datetime | None, closes_at: datetime | None
) -> datetime | None:
    """When answering really ended: the switch to closed (by hand, possibly early), or the
    announced closing time if that came first (answers stop at it, before the cron job runs)."""
    if phase != Phase.CLOSED:
        return None
    moments = [m for m in (phase_changed_at, closes_at) if m is not None]
    return min(moments) if moments else None


class Audience(StrEnum):
    EVERYONE = "everyone"  # visitors without an account too (one response per browser)
    SIGNED_IN = "signed-in"
    VERIFIED = "verified"  # on the resident register
    DISTRICT = "district"  # verified residents of one district


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    RANKING = "ranking"
    SCALE = "scale"
    MAJORITY = "majority"  # majority judgment
    NUMBER = "number"
    SHORT_TEXT = "short-text"
    LONG_TEXT = "long-text"


class ScaleStyle(StrEnum):
    NUMERIC = "numeric"  # 1 to 5
    AGREEMENT = "agreement"  # strongly disagree .. strongly agree


class Consultation(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    context = fields.TextField(default="")  # sanitized HTML
    # the allow-list `context` and the outcome's texts were sanitised with
    # (participation.richtext.ALLOW_LIST_VERSION: shown as stored; 0, any other: cleaned again
    # on output), set by every writer (issue #21; `richtext.written`)
    sanitized_with = fields.IntField(default=0, db_default=0)
    rich_text = ("context", "outcome_heard", "outcome_decided")
    phase = fields.CharEnumField(Phase, max_length=16, default=Phase.PREPARATION)
    phase_changed_at = fields.DatetimeField(null=True)
    opens_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    audience = fields.CharEnumField(Audience, max_length=16, default=Audience.SIGNED_IN)
    district = fields.CharField(max_length=DISTRICT_NAME_LENGTH, null=True)  # Audience.DISTRICT
    anonymous = fields.BooleanField(default=True)
    results_visible_while_open = fields.BooleanField(default=False)
    # the council's response, shown once published
    outcome_heard = fields.TextField(default="")  # sanitized HTML: « ce que nous avons entendu »
    outcome_decided = fields.TextField(default="")  # sanitized HTML: « ce que nous décidons »
    outcome_published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # the participatory space it belongs to (participation/spaces); a space holding it cannot
    # be deleted (archived instead)
    space: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.Space", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    space_id: int | None
    # when a column the public sees last changed (participation/touch.py, migration 0005)
    updated_at = fields.DatetimeField(auto_now=True, null=True)
    touched_by = (
        "title",
        "context",
        "phase",
        "opens_at",
        "closes_at",
        "results_visible_while_open",
        "outcome_heard",
        "outcome_decided",
        "outcome_published_at",
        "space_id",
    )

    questions: fields.ReverseRelation[Question]

    class Meta:
        table = "consultations_consultation"

    @property
    def closed_at(self) -> Any:
        """When answering really ended (None unless closed): `closed_at`."""
        return closed_at(self.phase, self.phase_changed_at, self.closes_at)


# Every phase switch of a consultation (participation/phases.py).
class PhaseSwitch(phases.PhaseSwitch):
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "consultations.Consultation", related_name="phase_switches", on_delete=fields.CASCADE
    )
    from_phase = fields.CharEnumField(Phase, max_length=16)
    to_phase = fields.CharEnumField(Phase, max_length=16)

    process_field = "consultation"

    class Meta:
        table = "consultations_phase_switch"


class Question(Model):
    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "consultations.Consultation", related_name="questions", on_delete=fields.CASCADE
    )
    position = fields.IntField(default=0)
    kind = fields.CharEnumField(QuestionKind, max_length=16)
    text = fields.CharField(max_length=300)
    help_text = fields.TextField(default="")
    required = fields.BooleanField(default=True)
    min_choices = fields.IntField(default=0)  # multiple choice
    max_choices = fields.IntField(null=True)  # multiple choice
    allow_other = fields.BooleanField(default=False)  # single/multiple: an "other" free answer
    scale_style = fields.CharEnumField(ScaleStyle, max_length=16, default=ScaleStyle.NUMERIC)
    min_value = fields.FloatField(null=True)  # number
    max_value = fields.FloatField(null=True)  # number
    # show this question only if an earlier (choice) question was answered with this option
    show_if_question: fields.ForeignKeyNullableRelation[Question] = fields.ForeignKeyField(
        "consultations.Question", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    # an option id of that question (no foreign key: options and questions would form a cycle)
    show_if_option_id = fields.IntField(null=True)
    decision = fields.TextField(default="")  # sanitized HTML: the council's decision
    # the allow-list `decision` was sanitised with (participation.richtext.ALLOW_LIST_VERSION:
    # shown as stored; 0, any other: cleaned again on output), set by every writer (issue #21)
    sanitized_with = fields.IntField(default=0, db_default=0)
    rich_text = ("decision",)
    consultation_id: int
    show_if_question_id: int | None

    options: fields.ReverseRelation[Option]

    class Meta:
        table = "consultations_question"
        ordering = ["position", "id"]


class Option(Model):
    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "consultations.Question", related_name="options", on_delete=fields.CASCADE
    )
    position = fields.IntField(default=0)
    label = fields.CharField(max_length=200)
    question_id: int

    class Meta:
        table = "consultations_option"
        ordering = ["position", "id"]


# Who answered (never what): one row per person and consultation.
class Participant(Model):
    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "consultations.Consultation", related_name="participants", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, on_delete=fields.CASCADE
    )
    answered_on = fields.DateField()
    user_id: int

    class Meta:
        table = "consultations_participant"
        unique_together = (("consultation", "user"),)


# What was answered. `token` is a keyed hash of (consultation, person or visitor): the person
# edits their response with it; `user` is set only for a named consultation.
# Anonymous consultation: `answers` is empty and `sealed` holds the answers in a sealed box
# (participation.sealing, key outside the database); this row is written at submission, so a
# copy of the database can line it up with the participant row: only the seal protects it.
# Named consultation: `answers` in clear (the council sees who answered what), `sealed` null.
class Response(Model):
    # random, not autoincrement: an id sequence would follow the register's and link them
    id = fields.UUIDField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "consultations.Consultation", related_name="responses", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    answers = fields.TextField(default="")  # JSON {question_id: value}; see consultations.domain
    sealed = fields.BinaryField(null=True)  # the same JSON, sealed (anonymous consultation)
    submitted_on = fields.DateField()  # the day only
    consultation_id: int

    class Meta:
        table = "consultations_response"


# A free-text answer under moderation (a short or long text, or the "other" answer of a choice
# question): one row per distinct text of a question, so identical answers are one item and an
# edited answer (read by a later run) is a new one. Created by the results job, never with the
# response: every row of the consultation is rewritten in a random order when a new text comes
# (consultations.texts.rewrite, issue #16) (pending when PREMODERATED_CONTENT lists
# `consultation_answer`); results and exports list a text only while it is `visible`. The id is
# random (consultations.texts.new_id): it is shown in public report links, and a sequence would
# tell which texts came in together. The day only, like `Response.submitted_on`.
class TextReview(Model):
    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "consultations.Question", related_name="text_reviews", on_delete=fields.CASCADE
    )
    text_digest = fields.CharField(max_length=64)
    # the text as the results show it (the answer's sanitised rich text, sanitised again by the
    # results job with the current allow-list: `consultations.texts.rewrite`); `text_digest` is
    # the digest of the text as answered, which moderation decisions and the results know it by
    text = fields.TextField(default="", db_default="")
    moderation_state = fields.CharEnumField(
        ModerationState,
        max_length=10,
        default=ModerationState.VISIBLE,
        db_default=ModerationState.VISIBLE,
    )
    created_on = fields.DateField(null=True)
    # the allow-list `text` was sanitised with (participation.richtext.ALLOW_LIST_VERSION: shown
    # as stored; written by the results job only, issue #21); 0: a row written before it said
    sanitized_with = fields.IntField(default=0, db_default=0)
    rich_text = ("text",)
    question_id: int

    class Meta:
        table = "consultations_text_review"
        unique_together = (("question", "text_digest"),)


# Stored results: one row per consultation; rerunning replaces it with the same content.
class Result(Model):
    id = fields.IntField(primary_key=True)
    consultation: fields.OneToOneRelation[Consultation] = fields.OneToOneField(
        "consultations.Consultation", related_name="result", on_delete=fields.CASCADE
    )
    content = fields.TextField()  # JSON, see consultations.domain.aggregate
    responses_count = fields.IntField()
    input_digest = fields.CharField(max_length=64)
    computed_at = fields.DatetimeField(auto_now=True)
    # the allow-list the free texts listed in `content` were sanitised with by the results job
    # (participation.richtext.ALLOW_LIST_VERSION: shown as stored; 0, any other: cleaned again
    # on output; consultations.texts.stored_as_shown, issue #21)
    sanitized_with = fields.IntField(default=0, db_default=0)
    rich_text = ("content",)
    consultation_id: int

    class Meta:
        table = "consultations_result"
