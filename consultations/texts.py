"""Free-text answers under moderation: one `TextReview` row per distinct text of a question.

A text is registered by the results job that first reads it in a response (pending when
PREMODERATED_CONTENT lists `consultation_answer`, with an open case in the moderation queue;
visible otherwise), never at submission (see `rewrite`). The
stored results (`Result`, computed by the results job) list the texts that were visible when
they were computed; every read of them goes through `published_content`, which drops the texts
that are no longer visible, so that hiding a text takes effect at once, without recomputing.
Approving one asks for the results again (`ConsultationAnswerKind.after_commit`).

The texts listed in the stored results are stored as shown (issue #21): the results job, the
only code that opens sealed responses, sanitises them with the current allow-list
(`stored_as_shown`) and the row says so (`Result.sanitized_with`), so the results page shows
them without bleach. Each listed text keeps the digest of the text as answered (`digests`),
which is what `TextReview` rows and moderation decisions know it by. The `TextReview` rows hold
the same text as shown (`rewrite`): the staff's texts page lists them, so staff review what
residents will read, and the page opens no sealed answer.

Nothing here links a text to a person: rows carry no response, no author and the day only,
and their ids are random.
"""

from __future__ import annotations

import copy
import hashlib
import json
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
from participation.richtext import ALLOW_LIST_VERSION, stored_again

CONTENT_KIND = "consultation_answer"
ID_LIMIT = 2**31 - 1  # ids fit the INTEGER column of moderation (`target_id`)

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


def as_shown(row: dict[str, Any]) -> dict[str, Any]:
    """A text row rewritten by `rewrite`: as it was, its text sanitised with the current
    allow-list if it says another (a row written before rows said it; the migration did so)."""
    if row.pop("sanitized_with") != ALLOW_LIST_VERSION:
        row["text"] = stored_again(row["text"])
    return {**row, "sanitized_with": ALLOW_LIST_VERSION}


async def rewrite(
    consultation_id: int, found: Mapping[Key, str], premoderated: bool, today: date
) -> int:
    """Give each new distinct text of the consultation its row, by the results job (never at
    submission: a row written then lines up with the participant row by rowid or `xmin`).

    When there is a new text, every text row of the consultation is rewritten in a random
    order in one transaction (DELETE + INSERT, ids, states and days kept): all rows then share
    one `xmin` and shuffled rowids, so neither tells which text came before which. New pending
    texts open a case in the queue, in the same random order, dated to the day. Texts already
    known keep their state, whoever wrote them. Returns the number of new texts.

    Each text is stored as the results show it (`stored_again`, the row saying the allow-list:
    the consultation's texts page lists the rows as stored, without opening sealed answers nor
    calling bleach, issue #21), under the digest of the text as answered."""
    if not found:
        return 0
    async with in_transaction():
        # the consultation's row is the lock that review_text takes too: no decision is lost
        await Consultation.filter(id=consultation_id).select_for_update().get()
        existing = await TextReview.filter(question__consultation_id=consultation_id).values(
            "id",
            "question_id",
            "text_digest",
            "text",
            "moderation_state",
            "created_on",
            "sanitized_with",
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
                    text=stored_again(found[(question_id, digest)]),  # as the results show it
                    moderation_state=state,
                    created_on=today,
                    sanitized_with=ALLOW_LIST_VERSION,
                )
            )
        rows = [TextReview(**as_shown(r)) for r in existing] + new_rows
        _random.shuffle(rows)
        if existing:
            await TextReview.filter(id__in=[r["id"] for r in existing]).delete()
        await TextReview.bulk_create(rows)
        if premoderated:
            fresh = {row.id for row in new_rows}
            for row in rows:
                if row.id in fresh:
                    await moderation.open_pending_case(
                        CONTENT_KIND, int(row.id), None, opened_at=case_day(today)
                    )
    return len(new_rows)


async def published(consultation_id: int) -> dict[Key, int]:
    """(question id, digest) -> id of the texts of a consultation that may be shown now."""
    rows = await TextReview.filter(
        question__consultation_id=consultation_id, moderation_state=ModerationState.VISIBLE
    ).values_list("question_id", "text_digest", "id")
    return {(int(q), str(d)): int(i) for q, d, i in rows}


def _listed_texts(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The lists of texts of stored results (a text question's, a choice question's others)."""
    found = []
    for item in content.get("questions", {}).values():
        for name in ("texts", "others"):
            texts = item.get(name)
            if isinstance(texts, dict) and isinstance(texts.get("approved"), list):
                found.append(texts)
    return found


def stored_as_shown(content: dict[str, Any]) -> dict[str, Any]:
    """Stored results with their listed texts sanitised with the current allow-list (each
    distinct text once), each keeping the digest of the text as answered (`digests`, beside
    `approved`). Sanitising again what is already so changes nothing."""
    cleaned: dict[str, str] = {}
    for texts in _listed_texts(content):
        approved = texts["approved"]
        if not isinstance(texts.get("digests"), list):
            texts["digests"] = [text_digest(text) for text in approved]
        for i, text in enumerate(approved):
            if text not in cleaned:
                cleaned[text] = stored_again(text)
            approved[i] = cleaned[text]
    return content


def content_again(stored: str) -> str:
    """Stored results (JSON) of an older allow-list, as the page showed them (`resanitize`)."""
    return json.dumps(stored_as_shown(json.loads(stored)), ensure_ascii=False, sort_keys=True)


def published_content(
    content: dict[str, Any], shown: Mapping[Key, int]
) -> tuple[dict[str, Any], dict[Key, int]]:
    """The stored results without the texts that are no longer visible, and the id of each
    text listed, by (question id, text), for the report links. A text is known by the digest
    of the text as answered (`digests`; results stored before it: the digest of the text)."""
    content = copy.deepcopy(content)
    ids: dict[Key, int] = {}
    for question_id, item in content.get("questions", {}).items():
        for name in ("texts", "others"):
            texts = item.get(name)
            if not isinstance(texts, dict) or "approved" not in texts:
                continue
            digests = texts.pop("digests", None) or [text_digest(t) for t in texts["approved"]]
            kept = []
            for text, digest in zip(texts["approved"], digests, strict=True):
                found = shown.get((int(question_id), digest))
                if found is not None:
                    kept.append(text)
                    ids[(int(question_id), text)] = found
            texts["approved"] = kept
    return content, ids
