"""Free-text answers under moderation: one `TextReview` row per distinct text of a question.

A text is registered with the response that brings it (pending when PREMODERATED_CONTENT lists
`consultation_answer`, with an open case in the moderation queue; visible otherwise). The
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
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from consultations import domain
from consultations.models import TextReview
from participation.proposals.domain import ModerationState

CONTENT_TYPE = "consultation_answer"
ID_LIMIT = 2**31 - 1  # ids fit the INTEGER columns of moderation (content_id, target_id)

Key = tuple[int, str]  # (question id, text digest)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_id() -> int:
    return secrets.randbelow(ID_LIMIT - 1) + 1


def free_texts_of(
    specs: Sequence[domain.QuestionSpec], stored: Mapping[str, Any]
) -> list[tuple[int, str]]:
    """(question id, text) of every free text in one stored response: the answers to text
    questions and the "other" answers of choice questions."""
    found = []
    for spec in specs:
        key = str(spec.id)
        if spec.kind in domain.TEXT_KINDS and isinstance(stored.get(key), str):
            found.append((spec.id, stored[key]))
        if isinstance(stored.get(f"{key}-other"), str):
            found.append((spec.id, stored[f"{key}-other"]))
    return [(question_id, text) for question_id, text in found if text]


def case_day(day: date) -> datetime:
    """When a text's pending case opened, as far as anyone is told: the day's midnight (UTC),
    never the time of the answer."""
    return datetime.combine(day, time(), tzinfo=UTC)


async def register(texts: Iterable[tuple[int, str]], premoderated: bool, today: date) -> None:
    """Give each new distinct text its row (inside the caller's transaction); new pending texts
    open a case in the queue. Texts already known keep their state, whoever wrote them."""
    from moderation import services as moderation

    wanted: dict[Key, str] = {(q, text_digest(t)): t for q, t in texts}
    if not wanted:
        return
    state = ModerationState.PENDING if premoderated else ModerationState.VISIBLE
    for _attempt in range(5):  # a random id may collide (1 in ~10^6 per text): draw again
        known = set(
            await TextReview.filter(
                question_id__in={q for q, _ in wanted}, text_digest__in={d for _, d in wanted}
            ).values_list("question_id", "text_digest")
        )
        missing = sorted(key for key in wanted if key not in known)
        if not missing:
            return
        rows = [
            TextReview(
                id=new_id(),
                question_id=q,
                text_digest=d,
                text=wanted[(q, d)],
                moderation_state=state,
                created_on=today,
            )
            for q, d in missing
        ]
        await TextReview.bulk_create(rows, ignore_conflicts=True)
        if premoderated:
            ours = {(row.id, row.question_id, row.text_digest) for row in rows}
            inserted = await TextReview.filter(id__in=[row.id for row in rows]).values_list(
                "id", "question_id", "text_digest"
            )
            for row_id, question_id, digest in inserted:
                if (row_id, question_id, digest) in ours:  # not a row that had this id already
                    await moderation.open_pending_case(
                        CONTENT_TYPE, int(row_id), None, opened_at=case_day(today)
                    )
        wanted = {key: wanted[key] for key in missing}


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
