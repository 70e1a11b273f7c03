"""Free-text answers under moderation: one `TextReview` row per distinct text of a question.

A text is registered by the results job that first reads it in a response (pending when
PREMODERATED_CONTENT lists `consultation_answer`, with an open case in the moderation queue;
visible otherwise), never at submission (see `rewrite`). The
stored results (`Result`, computed by the results job) list the texts that were visible when
they were computed; every read of them goes through `published_content`, which drops the texts
that are no longer visible, so that hiding a text takes effect at once, without recomputing.
Approving one asks for the results again (`ConsultationAnswerKind.after_commit`).

Nothing here links a text to a person: rows carry no response, no author and the day only,
and their ids are random.
"""

from __future__ import annotations

import copy
import hashlib
import random
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from tortoise.transactions import in_transaction

from consultations.models import Consultation, TextReview
from consultations.questions import KINDS, QuestionSpec
from moderation import services as moderation
from participation.contributions import ModerationState

CONTENT_TYPE = "consultation_answer"
ID_LIMIT = 2**31 - 1  # ids fit the INTEGER columns of moderation (content_id, target_id)

Key = tuple[int, str]  # (question id, text digest)
_random = random.SystemRandom()


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_id() -> int:
    return secrets.randbelow(ID_LIMIT - 1) + 1


def free_texts_of(
    specs: Sequence[QuestionSpec], stored: Mapping[str, Any]
) -> list[tuple[int, str]]:
    """(question id, text) of every free text in one stored response: the answers to text
    questions and the "other" answers of choice questions."""
    found = []
    for spec in specs:
        key = str(spec.id)
        if KINDS[spec.kind].free_text and isinstance(stored.get(key), str):
            found.append((spec.id, stored[key]))
        if isinstance(stored.get(f"{key}-other"), str):
            found.append((spec.id, stored[f"{key}-other"]))
    return [(question_id, text) for question_id, text in found if text]


def case_day(day: date) -> datetime:
    """When a text's pending case opened, as far as anyone is told: the day's midnight (UTC),
    never the time of the answer."""
    return datetime.combine(day, time(), tzinfo=UTC)


async def rewrite(
    consultation_id: int, found: Mapping[Key, str], premoderated: bool, today: date
) -> int:
    """Give each new distinct text of the consultation its row, by the results job (never at
    submission: a row written then lines up with the participant row by rowid or `xmin`).

    When there is a new text, every text row of the consultation is rewritten in a random
    order in one transaction (DELETE + INSERT, ids, states and days kept): all rows then share
    one `xmin` and shuffled rowids, so neither tells which text came before which. New pending
    texts open a case in the queue, in the same random order, dated to the day. Texts already
    known keep their state, whoever wrote them. Returns the number of new texts."""
    if not found:
        return 0
    async with in_transaction():
        # the consultation's row is the lock that review_text takes too: no decision is lost
        await Consultation.filter(id=consultation_id).select_for_update().get()
        existing = await TextReview.filter(question__consultation_id=consultation_id).values(
            "id", "question_id", "text_digest", "text", "moderation_state", "created_on"
        )
        known = {(int(r["question_id"]), str(r["text_digest"])) for r in existing}
        missing = [key for key in found if key not in known]
        if not missing:
            return 0
        taken = {int(r["id"]) for r in existing}
        state = ModerationState.PENDING if premoderated else ModerationState.VISIBLE
        new_rows = []
        for question_id, digest in missing:
            row_id = new_id()
            while row_id in taken or await TextReview.exists(id=row_id):
                row_id = new_id()
            taken.add(row_id)
            new_rows.append(
                TextReview(
                    id=row_id,
                    question_id=question_id,
                    text_digest=digest,
                    text=found[(question_id, digest)],
                    moderation_state=state,
                    created_on=today,
                )
            )
        rows = [TextReview(**r) for r in existing] + new_rows
        _random.shuffle(rows)
        if existing:
            await TextReview.filter(id__in=[r["id"] for r in existing]).delete()
        await TextReview.bulk_create(rows)
        if premoderated:
            fresh = {row.id for row in new_rows}
            for row in rows:
                if row.id in fresh:
                    await moderation.open_pending_case(
                        CONTENT_TYPE, int(row.id), None, opened_at=case_day(today)
                    )
    return len(new_rows)


async def published(consultation_id: int) -> dict[Key, int]:
    """(question id, digest) -> id of the texts of a consultation that may be shown now."""
    rows = await TextReview.filter(
        question__consultation_id=consultation_id, moderation_state=ModerationState.VISIBLE
    ).values_list("question_id", "text_digest", "id")
    return {(int(q), str(d)): int(i) for q, d, i in rows}


def published_content(
    content: dict[str, Any], shown: Mapping[Key, int]
) -> tuple[dict[str, Any], dict[Key, int]]:
    """The stored results without the texts that are no longer visible, and the id of each
    text listed, by (question id, text), for the report links."""
    content = copy.deepcopy(content)
    ids: dict[Key, int] = {}
    for question_id, item in content.get("questions", {}).items():
        for name in ("texts", "others"):
            texts = item.get(name)
            if not isinstance(texts, dict) or "approved" not in texts:
                continue
            kept = []
            for text in texts["approved"]:
                found = shown.get((int(question_id), text_digest(text)))
                if found is not None:
                    kept.append(text)
                    ids[(int(question_id), text)] = found
            texts["approved"] = kept
    return content, ids
