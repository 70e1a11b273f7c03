"""Consultation commands: they take ids and plain data, own their transaction, return a result.

Integrity lives in the database: one register row per person and consultation (UNIQUE), one
response per keyed token (UNIQUE), one stored result per consultation (UNIQUE).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nacl.public import SealedBox
from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from consultations import domain, texts
from consultations.models import (
    Audience,
    Consultation,
    Option,
    Participant,
    Phase,
    PhaseSwitch,
    Question,
    QuestionKind,
    Response,
    Result,
    TextReview,
)
from consultations.questions import KINDS, SETTINGS
from consultations.questions.base import QuestionSettings
from moderation import services as moderation
from participation import mail, outbox, phases, sealing
from participation.audit import audit
from participation.contributions import ModerationState
from participation.db import fetch_rows
from participation.i18n import N_
from participation.notifications.services import Kind, notify_users
from participation.numbers import is_whole_number
from participation.refusals import NotFound, Problem, Refused, refuse
from participation.residents import services as residents
from participation.richtext import ALLOW_LIST_VERSION, from_markdown, sanitize, to_text, written
from participation.settings import Settings
from participation.spaces import audience
from participation.spaces import services as spaces
from participation.spaces.domain import AudienceRule
from participation.spaces.domain import Person as SpacePerson
from participation.urls import url
from tally._collector import paused

text_digest = texts.text_digest  # (kept here: callers and tests know it as services.text_digest)

RESULTS_JOB = "compute_consultation_results"
OPEN_THREADS = 2  # the servers of this project have 2 cores
OPEN_IN_THREADS_FROM = 2_000  # sealed responses; fewer are opened at once (about 40 µs each)
_random = random.SystemRandom()


# --- consultations and phases ----------------------------------------------------------------


@dataclass(frozen=True)
class ConsultationForm:
    title: str
    context: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    audience: Audience = Audience.SIGNED_IN
    district: str | None = None
    anonymous: bool = True
    results_visible_while_open: bool = False
    space_id: int | None = None  # its participatory space (participation/spaces)


AUDITED_FIELDS = (
    "title",
    "opens_at",
    "closes_at",
    "audience",
    "district",
    "anonymous",
    "results_visible_while_open",
    "space_id",
)


def _audited(consultation: Consultation) -> dict[str, Any]:
    return {name: getattr(consultation, name) for name in AUDITED_FIELDS}


async def save_consultation(
    form: ConsultationForm, consultation_id: int | None = None, by_user: Any = None
) -> int:
    problems = []
    if not form.title.strip():
        problems.append(domain.Problem(N_("Enter a title."), {}, "title"))
    if form.audience == Audience.DISTRICT and not (form.district or "").strip():
        problems.append(domain.Problem(N_("Name the district."), {}, "district"))
    problems += domain.dates_problems(form.opens_at, form.closes_at)
    if problems:
        raise Refused(problems)
    await spaces.check_choice(form.space_id)
    values: dict[str, Any] = {
        "title": form.title.strip()[:200],
        "opens_at": form.opens_at,
        "closes_at": form.closes_at,
        "audience": form.audience,
        "district": (form.district or "").strip() or None,
        "results_visible_while_open": form.results_visible_while_open,
        "space_id": form.space_id,
    }
    context = from_markdown(form.context)
    if consultation_id is None:
        values.update(written(None, Consultation.rich_text, context=context))
        async with in_transaction():
            consultation = await Consultation.create(anonymous=form.anonymous, **values)
            after = _audited(consultation)
            await audit(by_user, "consultation_created", "consultation", consultation.id, "", after)
        return consultation.id
    async with in_transaction():
        consultation = await Consultation.filter(id=consultation_id).select_for_update().get()
        has_responses = await Response.filter(consultation_id=consultation_id).exists()
        if has_responses and consultation.anonymous != form.anonymous:
            raise refuse(
                N_("Responses exist: whether answers are anonymous can no longer change."),
                "anonymous",
            )
        before = _audited(consultation)
        values.update(written(consultation, Consultation.rich_text, context=context))
        await Consultation.filter(id=consultation_id).update(anonymous=form.anonymous, **values)
        if form.space_id != consultation.space_id:
            # the cases of its free-text answers and of the comments on its outcome follow it
            # to the new space's moderators; its row is locked above, the lock a case being
            # made on them reads the space with (ConsultationAnswerKind.spaces_of, the outcome's
            # `Commentable.spaces_of`): such a case waits and reads the new space, or committed
            # first and moves here
            questions = Question.filter(consultation_id=consultation_id).values("id")
            answers = TextReview.filter(question_id__in=Subquery(questions)).values("id")
            await moderation.move_cases(texts.CONTENT_KIND, Subquery(answers), form.space_id)
            await moderation.move_cases("consultation_outcome", [consultation_id], form.space_id)
        after = _audited(await Consultation.get(id=consultation_id))
        await audit(by_user, "consultation_updated", "consultation", consultation_id, before, after)
    return consultation_id


async def switch_phase(consultation_id: int, to_phase: Phase, by_user: Any | None) -> bool:
    """Move a consultation to `to_phase` (logged); a conditional update, so two staff members
    clicking at once switch it once. Closing computes the results in the background."""
    async with in_transaction():
        consultation = await Consultation.get(id=consultation_id)
        switched = await phases.switch_phase(
            Consultation, PhaseSwitch, consultation_id, consultation.phase, to_phase, by_user
        )
        if not switched:
            return False
        before, after = {"phase": str(consultation.phase)}, {"phase": str(to_phase)}
        reason = "" if by_user is not None else "consultation dates"  # the schedule switched it
        await audit(
            by_user, "consultation_phase", "consultation", consultation_id, before, after, reason
        )
        # recorded with the switch: a Redis restart cannot lose the results (participation/outbox)
        results = (
            await outbox.record(RESULTS_JOB, consultation_id) if to_phase == Phase.CLOSED else None
        )
    if results is not None:
        await outbox.dispatch(results)
    return True


async def apply_schedule(now: datetime) -> list[int]:
    """Open and close the consultations whose dates have come; returns the ids switched."""
    switched = []
    candidates = await Consultation.filter(phase__in=[Phase.PREPARATION, Phase.OPEN])
    for consultation in candidates:
        due = phases.automatic_switch(
            domain.PHASES.order,
            consultation.phase,
            consultation.phase_changed_at,
            domain.phase_starts(consultation.opens_at, consultation.closes_at),
            now,
        )
        if due is not None and await switch_phase(consultation.id, due, None):
            switched.append(consultation.id)
    return switched


# --- questions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionForm(QuestionSettings):
    kind: QuestionKind
    text: str
    help_text: str = ""
    options: tuple[str, ...] = ()  # labels
    show_if: str = ""  # "<question id>:<option id>" or ""


def spec_of(question: Question, option_ids: Iterable[int]) -> domain.QuestionSpec:
    return domain.QuestionSpec(
        id=question.id,
        kind=question.kind,
        text=question.text,
        required=question.required,
        options=tuple(option_ids),
        min_choices=question.min_choices,
        max_choices=question.max_choices,
        allow_other=question.allow_other,
        scale_style=question.scale_style,
        min_value=question.min_value,
        max_value=question.max_value,
        show_if_question=question.show_if_question_id,
        show_if_option=question.show_if_option_id,
    )


async def question_specs(consultation_id: int) -> list[domain.QuestionSpec]:
    """The questionnaire as plain data, in order (two queries)."""
    questions = await Question.filter(consultation_id=consultation_id).order_by("position", "id")
    options: dict[int, list[int]] = {q.id: [] for q in questions}
    for option_id, question_id in (
        await Option.filter(question_id__in=list(options))
        .order_by("position", "id")
        .values_list("id", "question_id")
    ):
        options[question_id].append(option_id)
    return [spec_of(q, options[q.id]) for q in questions]


def _condition(raw: str) -> tuple[int | None, int | None]:
    question, _, option = raw.partition(":")
    if is_whole_number(question) and is_whole_number(option):
        return int(question), int(option)
    return None, None


async def save_question(
    consultation_id: int, form: QuestionForm, question_id: int | None = None, by_user: Any = None
) -> int:
    """Add or edit a question; the questionnaire is locked once someone has answered."""
    if await Response.filter(consultation_id=consultation_id).exists():
        raise refuse(N_("The questionnaire is locked: people have already answered."))
    specs = await question_specs(consultation_id)
    if question_id is not None and question_id not in {s.id for s in specs}:
        raise refuse(N_("This question is not part of this consultation."))
    earlier = specs if question_id is None else specs[: [s.id for s in specs].index(question_id)]
    show_question, show_option = _condition(form.show_if)
    kind = KINDS[form.kind]
    labels = tuple(label.strip()[:200] for label in form.options if label.strip())
    if "options" not in kind.settings:
        labels = ()
    spec = domain.QuestionSpec(
        id=question_id or 0,
        kind=form.kind,
        text=form.text,
        required=form.required,
        options=tuple(range(1, len(labels) + 1)),
        min_choices=form.min_choices,
        max_choices=form.max_choices,
        min_value=form.min_value,
        max_value=form.max_value,
        show_if_question=show_question,
        show_if_option=show_option,
    )
    problems = domain.question_problems(spec, earlier)
    if problems:
        raise Refused(problems)
    values: dict[str, Any] = {
        "kind": form.kind,
        "text": form.text.strip()[:300],
        "help_text": form.help_text.strip(),
        "required": form.required,
        # the settings of other kinds are stored empty
        **{
            name: getattr(form, name) if name in kind.settings else empty
            for name, empty in SETTINGS.items()
            if name != "options"
        },
        "scale_style": form.scale_style,
        "show_if_question_id": show_question,
        "show_if_option_id": show_option,
    }
    async with in_transaction():
        await Consultation.filter(id=consultation_id).select_for_update().get()
        before: Any = ""
        if question_id is not None:
            before = await _question_audit(question_id)
        if question_id is None:
            position = len(specs) + 1
            question = await Question.create(  # its decision empty: stored as shown
                consultation_id=consultation_id,
                position=position,
                sanitized_with=ALLOW_LIST_VERSION,
                **values,
            )
            question_id = question.id
        else:
            await Question.filter(id=question_id).update(**values)
        # options keep their ids by position, so conditions on them stay valid
        existing = await Option.filter(question_id=question_id).order_by("position", "id")
        for n, label in enumerate(labels, start=1):
            if n <= len(existing):
                await Option.filter(id=existing[n - 1].id).update(position=n, label=label)
            else:
                await Option.create(question_id=question_id, position=n, label=label)
        removed = [o.id for o in existing[len(labels) :]]
        if removed:
            await Option.filter(id__in=removed).delete()
            await Question.filter(show_if_option_id__in=removed).update(
                show_if_question_id=None, show_if_option_id=None
            )
        action = "consultation_question_added" if before == "" else "consultation_question_edited"
        after = await _question_audit(question_id)
        await audit(by_user, action, "consultation", consultation_id, before, after)
    return question_id


async def _question_audit(question_id: int) -> dict[str, Any]:
    question = await Question.get(id=question_id)
    options = await Option.filter(question_id=question_id).order_by("position")
    return {
        "question": question_id,
        "kind": question.kind,
        "text": question.text,
        "required": question.required,
        "options": [o.label for o in options],
    }


async def delete_question(consultation_id: int, question_id: int, by_user: Any = None) -> None:
    if await Response.filter(consultation_id=consultation_id).exists():
        raise refuse(N_("The questionnaire is locked: people have already answered."))
    async with in_transaction():
        if not await Question.exists(id=question_id, consultation_id=consultation_id):
            raise NotFound()  # a forged id, or a question of another consultation
        before = await _question_audit(question_id)
        await Question.filter(id=question_id, consultation_id=consultation_id).delete()
        await audit(
            by_user, "consultation_question_deleted", "consultation", consultation_id, before
        )


# --- answering -------------------------------------------------------------------------------


async def person_of(user: Any) -> domain.Person:
    person, _ = await people_of(user)
    return person


async def people_of(user: Any) -> tuple[domain.Person, SpacePerson]:
    """The person as the consultation's audience sees them, and as its space's does."""
    if not getattr(user, "is_authenticated", False):
        return domain.Person(signed_in=False), SpacePerson(signed_in=False)
    resident, _ = await residents.resident_of(user)
    return domain.Person(True, resident.verified, resident.district), audience.person_of(
        user, resident
    )


async def _people_for(
    consultation: Consultation, user: Any, rule: AudienceRule | None
) -> tuple[domain.Person, SpacePerson]:
    """`people_of`, the register read only when the consultation's audience or its space's
    rule asks more than an account (issue #23): for "everyone" and "anyone signed in" the
    person is their account alone, which is all either rule looks at."""
    if domain.audience_reads_register(consultation.audience) or audience.asks_more_than_an_account(
        rule
    ):
        return await people_of(user)
    signed_in = bool(getattr(user, "is_authenticated", False))
    return domain.Person(signed_in), SpacePerson(signed_in)


async def audience_refusal(consultation: Consultation, user: Any) -> Problem | None:
    """Why this person may not answer: the consultation's own audience, then its space's
    (issue #19); None when they may. The space's rule is read first (one statement when the
    consultation belongs to a space), the register only when a rule needs it."""
    return await audience_refusal_under(
        consultation, user, await audience.rule_of(consultation.space_id)
    )


async def audience_refusal_under(
    consultation: Consultation, user: Any, rule: AudienceRule | None
) -> Problem | None:
    """`audience_refusal` with its space's rule read before (`audience.rule_of`: the
    questionnaire kept for every resident, consultations/routes.py): the person only is read,
    and only when the consultation's audience or the rule asks more than an account."""
    person, space_person = await _people_for(consultation, user, rule)
    if problem := domain.audience_problem(consultation.audience, consultation.district, person):
        return problem
    if rule is None:
        return None
    return audience.audience_refusal(rule, space_person, timezone.now().date())


def response_token(settings: Settings, consultation_id: int, who: str) -> str:
    """Finds a response again (to edit it); keyed with ANSWERS_KEY (participation.sealing), so
    that a copy of the database with SECRET_KEY cannot compute a person's token.
    `who` is `user:<id>`, or `visitor:<random>` for a visitor without an account."""
    return sealing.lookup_token(settings.answers_key, consultation_id, who)


def legacy_token(settings: Settings, consultation_id: int, who: str) -> str:
    """The token of responses stored before issue #16 (keyed with SECRET_KEY); a response found
    by it gets the new token when it is next changed."""
    message = f"consultation|{consultation_id}|{who}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def seal_answers(settings: Settings, consultation_id: int, content: str) -> bytes:
    return sealing.seal(sealing.public_key(settings.answers_key, consultation_id), content.encode())


def open_answers(settings: Settings, consultation_id: int, answers: str, sealed: Any) -> str:
    """The JSON of one stored response, sealed (anonymous) or not (named)."""
    if sealed is None:
        return answers
    key = sealing.private_key(settings.answers_key, consultation_id)
    return sealing.unseal(key, sealed).decode()


async def stored_answers(settings: Settings, consultation_id: int) -> list[str]:
    """The JSON of every response of a consultation, opened in memory, in a random order (the
    order of the rows is the order of the participants)."""
    rows = await Response.filter(consultation_id=consultation_id).values_list("answers", "sealed")
    opener = SealedBox(sealing.private_key(settings.answers_key, consultation_id))

    def open_all(part: list[tuple[Any, Any]]) -> list[str]:
        return [str(a) if b is None else sealing.unseal(opener, b).decode() for a, b in part]

    if len(rows) < OPEN_IN_THREADS_FROM:
        found = open_all(rows)
    else:  # libsodium runs without the GIL (cffi): one thread per core, the loop stays free
        parts = await asyncio.gather(
            *(asyncio.to_thread(open_all, rows[n::OPEN_THREADS]) for n in range(OPEN_THREADS))
        )
        found = [answers for part in parts for answers in part]
    del rows
    _random.shuffle(found)
    return found


async def seal_clear_responses(settings: Settings) -> int:
    """Seal the responses of anonymous consultations stored in clear before issue #16 (one
    transaction per consultation); the results cron runs it. Returns the number sealed."""
    sealed = 0
    consultation_ids: set[int] = set(
        await Response.filter(
            sealed=None, consultation__anonymous=True, answers__not=""
        ).values_list("consultation_id", flat=True)  # type: ignore[arg-type]
    )
    for consultation_id in sorted(consultation_ids):
        async with in_transaction():
            rows = await Response.filter(
                consultation_id=consultation_id, sealed=None, answers__not=""
            ).values_list("id", "answers")
            for row_id, answers in rows:
                box = seal_answers(settings, consultation_id, str(answers))
                await Response.filter(id=row_id).update(sealed=box, answers="")
            sealed += len(rows)
    return sealed


def who_of(user: Any, visitor: str | None) -> str | None:
    if getattr(user, "is_authenticated", False):
        return f"user:{user.id}"
    return f"visitor:{visitor}" if visitor else None


async def current_answers(settings: Settings, consultation_id: int, who: str | None) -> Any:
    """The person's stored response, opened (None: they have not answered), found by its token
    or, stored before issue #16, by its legacy one, in one plain statement (issue #23: the
    questionnaire reads it on every visit; the models' query cost more to build than to run)."""
    if who is None:
        return None
    tokens = (
        response_token(settings, consultation_id, who),
        legacy_token(settings, consultation_id, who),
    )
    rows = await fetch_rows(CURRENT_ANSWERS_SQL, [consultation_id, *tokens])
    found = {row["token"]: row for row in rows}
    row = found[tokens[0]] if tokens[0] in found else found.get(tokens[1])
    if row is None:
        return None
    sealed = None if row["sealed"] is None else bytes(row["sealed"])
    return json.loads(open_answers(settings, consultation_id, row["answers"], sealed))


CURRENT_ANSWERS_SQL = (
    'SELECT "token", "answers", "sealed" FROM "consultations_response" '
    'WHERE "consultation_id" = $1 AND "token" IN ($2, $3)'
)


async def submit_response(
    settings: Settings,
    consultation_id: int,
    user: Any,
    visitor: str | None,
    items: Iterable[tuple[str, str]],
) -> bool:
    """Record or replace a person's response; True when it replaced an earlier one.

    Who answered and what are written by two transactions, never one (issue #16): first the
    participant row (signed-in people), then the response, found again by its keyed token and
    replaced, or inserted. For an anonymous consultation the response is sealed (only the
    results job and this person's own page open it) and its free texts are registered for
    moderation by the results job, never here. Concurrent submissions by one person leave
    exactly one response (UNIQUE participant row and token).
    """
    consultation = await Consultation.get(id=consultation_id)
    now = timezone.now()
    if not domain.answering_is_open(consultation.phase, consultation.closes_at, now):
        raise refuse(N_("This consultation is closed: answers are no longer accepted."))
    if problem := await audience_refusal(consultation, user):
        raise Refused([problem])
    signed_in = bool(getattr(user, "is_authenticated", False))
    who = who_of(user, visitor)
    if who is None:
        raise refuse(N_("Your browser must accept cookies to answer."))
    specs = await question_specs(consultation_id)
    stored, problems = domain.read_answers(specs, domain.Form(items))
    if problems:
        raise Refused(problems)
    for spec in specs:  # free text is kept as sanitized rich text
        key = str(spec.id)
        if KINDS[spec.kind].free_text and key in stored:
            stored[key] = sanitize(stored[key])
        if f"{key}-other" in stored:
            stored[f"{key}-other"] = sanitize(stored[f"{key}-other"])
    content = json.dumps(stored, ensure_ascii=False, sort_keys=True)
    token = response_token(settings, consultation_id, who)
    values: dict[str, Any] = (
        {"answers": "", "sealed": seal_answers(settings, consultation_id, content)}
        if consultation.anonymous
        else {"answers": content, "sealed": None}
    )
    if signed_in:
        try:
            async with in_transaction():
                await Participant.create(
                    consultation_id=consultation_id, user_id=user.id, answered_on=now.date()
                )
        except IntegrityError:
            pass  # answered before: the response is replaced below
    for _attempt in range(3):
        updated = await Response.filter(token=token, consultation_id=consultation_id).update(
            submitted_on=now.date(), **values
        )
        if not updated:  # a response stored before issue #16, by its old token
            updated = await Response.filter(
                token=legacy_token(settings, consultation_id, who), consultation_id=consultation_id
            ).update(token=token, submitted_on=now.date(), **values)
        if updated:
            return True
        try:
            await Response.create(
                consultation_id=consultation_id,
                token=token,
                user_id=user.id if signed_in and not consultation.anonymous else None,
                submitted_on=now.date(),
                **values,
            )
        except IntegrityError:
            continue  # a concurrent submission by the same person inserted it first
        return False
    raise refuse(N_("Your answer could not be saved. Try again."))  # pragma: no cover


# --- results ---------------------------------------------------------------------------------


async def request_results(consultation_id: int, by_user: Any = None) -> None:
    """Record and enqueue the results job; asked by staff, it is audited (closing logs its own
    phase)."""
    if by_user is not None:
        await audit(by_user, "consultation_results_requested", "consultation", consultation_id)
    await outbox.defer(RESULTS_JOB, consultation_id)


def _input_digest(raw: list[str], approved: set[tuple[int, str]], specs: Any) -> str:
    """What the results were computed from, hashed as it streams (no second copy of every
    response); each response is length-prefixed so that no two inputs hash alike."""
    digest = hashlib.sha256()
    digest.update(
        json.dumps({"approved": sorted(approved), "questions": [repr(s) for s in specs]}).encode()
    )
    for answers in raw:
        data = answers.encode()
        digest.update(b"%d:" % len(data))
        digest.update(data)
    return digest.hexdigest()


async def approved_texts(consultation_id: int) -> set[tuple[int, str]]:
    """(question id, text digest) of the free texts that may be published now."""
    return set(await texts.published(consultation_id))  # visible free texts


def is_approved(approved: set[tuple[int, str]]) -> Callable[[int, str], bool]:
    """The question `domain.aggregate` asks of each distinct free text: may the results list
    it? (Only this function and `approved_texts` know how approval is stored.)"""
    return lambda question_id, text: (question_id, text_digest(text)) in approved


RESULTS_BATCH = 5_000  # responses decoded at once by the results job


def _decoded(batch: list[str]) -> list[dict[str, Any]]:
    """The stored answers of a batch (JSON objects written by `json.dumps`), decoded in one
    `json.loads` call instead of one per response."""
    decoded = json.loads("[" + ",".join(batch) + "]")
    if len(decoded) != len(batch):
        decoded = [json.loads(answers) for answers in batch]  # pragma: no cover - not JSON
    return decoded  # type: ignore[no-any-return]


async def compute_results(settings: Settings, consultation_id: int) -> str:
    """Aggregate every response and store the result; the same responses give the same row.

    Sealed responses are opened in memory, in a random order, and never written back one by
    one; the free texts they bring are registered for moderation here (`texts.rewrite`).
    Decoded and counted a batch at a time: only one batch of decoded responses is in memory."""
    specs = await question_specs(consultation_id)
    raw: list[str] = await stored_answers(settings, consultation_id)
    raw.sort()  # the digest must not depend on the row order
    found: dict[texts.Key, str] = {}
    aggregator = domain.Aggregator(specs)
    for start in range(0, len(raw), RESULTS_BATCH):
        # decoding a batch creates tens of thousands of containers that live until it is
        # counted: the cyclic garbage collector would scan them again and again for nothing
        with paused():
            batch = _decoded(raw[start : start + RESULTS_BATCH])
            aggregator.add(batch)
            _collect_texts(specs, batch, found)
    premoderated = settings.premoderates(texts.CONTENT_KIND)
    await texts.rewrite(consultation_id, found, premoderated, timezone.now().date())
    approved = await approved_texts(consultation_id)
    # the listed texts stored as shown, here where sealed answers are open (issue #21)
    content = texts.stored_as_shown(aggregator.result(is_approved(approved)))
    digest = _input_digest(raw, approved, specs)
    serialized = json.dumps(content, ensure_ascii=False, sort_keys=True)
    async with in_transaction():
        existing = await Result.filter(consultation_id=consultation_id).select_for_update().first()
        if existing is None:
            try:
                await Result.create(
                    consultation_id=consultation_id,
                    content=serialized,
                    responses_count=content["responses"],
                    input_digest=digest,
                    sanitized_with=ALLOW_LIST_VERSION,
                )
            except IntegrityError:  # pragma: no cover - a concurrent run stored it first
                pass
        elif existing.input_digest != digest or existing.sanitized_with != ALLOW_LIST_VERSION:
            existing.content = serialized
            existing.responses_count = content["responses"]
            existing.input_digest = digest
            existing.sanitized_with = ALLOW_LIST_VERSION
            await existing.save()
    return digest


def _collect_texts(
    specs: list[domain.QuestionSpec],
    batch: list[dict[str, Any]],
    found: dict[texts.Key, str],
) -> None:
    """The distinct free texts of a batch, by (question id, digest)."""
    text_questions = [s for s in specs if KINDS[s.kind].free_text or s.allow_other]
    if not text_questions:
        return
    for stored in batch:
        for question_id, text in texts.free_texts_of(text_questions, stored):
            found.setdefault((question_id, text_digest(text)), text)


async def review_text(question_id: int, digest: str, approved: bool, by_user: Any = None) -> bool:
    """The consultation's texts page: approve or hide one distinct text (known by the digest of
    the text as answered) without a reason (the queue, `/moderation`, asks for one). Its open
    case, if any, is closed with its reports. False when the results job has not registered
    such a text (`texts.rewrite`: the only writer of text rows, never at submission)."""
    state = ModerationState.VISIBLE if approved else ModerationState.HIDDEN
    async with in_transaction():
        # the lock that the results job's rewrite of the texts takes too (texts.rewrite)
        consultation_ids = await Question.filter(id=question_id).values_list(
            "consultation_id", flat=True
        )
        await Consultation.filter(id__in=list(consultation_ids)).select_for_update()
        row = await TextReview.get_or_none(question_id=question_id, text_digest=digest)
        if row is None:
            return False
        await TextReview.filter(id=row.id).update(moderation_state=state)
        # the text itself stays out of the log (it may hold personal data): its digest is enough
        after = {"question": question_id, "text_digest": digest, "approved": approved}
        action = "consultation_text_approved" if approved else "consultation_text_hidden"
        await audit(by_user, action, "consultation_text", question_id, "", after)
        # decided here, it leaves the queue (closed, reports resolved, `case_closed` audited)
        await moderation.close_case_of_removed(by_user, texts.CONTENT_KIND, row.id, action)
    return True


# --- outcome ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeForm:
    heard: str
    decided: str
    decisions: Mapping[int, str] = field(default_factory=dict)  # question id -> decision


async def publish_outcome(
    settings: Settings, consultation_id: int, form: OutcomeForm, by_user: Any = None
) -> int:
    """Publish (or correct) the council's response; each participant is notified once.
    Returns the number of people notified by this call."""
    problems = []
    if not form.heard.strip():
        problems.append(domain.Problem(N_("Say what you heard."), {}, "heard"))
    if not form.decided.strip():
        problems.append(domain.Problem(N_("Say what the council decides."), {}, "decided"))
    if problems:
        raise Refused(problems)
    emails: list[mail.OutboxEmail] = []
    async with in_transaction():
        consultation = await Consultation.filter(id=consultation_id).select_for_update().get()
        if consultation.phase != Phase.CLOSED:
            raise refuse(N_("Close the consultation before publishing its outcome."))
        question_ids = set(
            await Question.filter(consultation_id=consultation_id).values_list("id", flat=True)
        )
        for question_id, decision in form.decisions.items():
            if question_id in question_ids:  # forged ids of other consultations are ignored
                await Question.filter(id=question_id).update(
                    decision=from_markdown(decision), sanitized_with=ALLOW_LIST_VERSION
                )
        before = {
            "heard": to_text(consultation.outcome_heard),
            "decided": to_text(consultation.outcome_decided),
        }
        outcome = {
            "outcome_heard": from_markdown(form.heard),
            "outcome_decided": from_markdown(form.decided),
        }
        for name, value in written(consultation, Consultation.rich_text, **outcome).items():
            setattr(consultation, name, value)
        consultation.outcome_published_at = consultation.outcome_published_at or timezone.now()
        await consultation.save()
        after = {
            "heard": to_text(consultation.outcome_heard),
            "decided": to_text(consultation.outcome_decided),
        }
        await audit(by_user, "consultation_outcome", "consultation", consultation_id, before, after)
        emails = await _notify_participants(settings, consultation)
    for email in emails:
        await mail.dispatch(email)
    return len(emails)


async def _notify_participants(
    settings: Settings, consultation: Consultation
) -> list[mail.OutboxEmail]:
    """Everyone who answered, once (a second publication notifies nobody twice), as each chose
    for this kind (e-mail at once, digest or none: participation/notifications)."""
    user_ids: list[int] = await Participant.filter(  # type: ignore[assignment]
        consultation_id=consultation.id
    ).values_list("user_id", flat=True)
    return await notify_users(
        settings,
        Kind.CONSULTATION_OUTCOME,
        f"consultation:{consultation.id}:outcome",
        user_ids,
        N_("The council published its response to the consultation “{title}”."),
        settings.base_url + url("consultations:outcome", consultation_id=consultation.id),
        title=consultation.title,
    )
