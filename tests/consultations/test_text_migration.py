"""Migration consultations.0002 on a database that already has reviewed and unreviewed texts."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from tortoise import connections

from consultations.models import Consultation, Question, QuestionKind, TextReview
from moderation.models import ModerationCase
from tests.conftest import database_at, insert_as_before, upgrade


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def test_reviewed_texts_keep_their_decision_and_the_others_wait_in_the_queue(
    tmp_path: Path, redis_url: str
) -> None:
    async with database_at(tmp_path, redis_url, "consultations.0001_initial") as settings:
        consultation = await insert_as_before(
            Consultation(title="Ancienne consultation"),
            "space_id",
            "updated_at",
            "sanitized_with",  # consultations.0006
        )
        question = await insert_as_before(
            Question(consultation=consultation, kind=QuestionKind.SHORT_TEXT, text="Un mot"),
            "sanitized_with",  # consultations.0006
        )
        texts = ["<p>Approuvée</p>", "<p>Refusée</p>", "<p>Jamais lue</p>"]
        client = connections.get("default")
        five = "$1, $2, $3, $4, $5" if not settings.uses_sqlite else "?, ?, ?, ?, ?"
        for n, text in enumerate(texts):  # the columns of 0001 (the model has more since)
            await client.execute_query(
                'INSERT INTO "consultations_response" ("id", "consultation_id", "token", '
                f'"answers", "submitted_on") VALUES ({five})',
                [
                    str(uuid.uuid4()),
                    consultation.id,
                    f"token-{n}",
                    json.dumps({str(question.id): text}),
                    date(2026, 3, 10 + n),
                ],
            )
        marks = "$1, $2, $3, $4" if not settings.uses_sqlite else "?, ?, ?, ?"
        for text, approved in ((texts[0], True), (texts[1], False)):
            await client.execute_query(
                'INSERT INTO "consultations_text_review" '
                f'("question_id", "text_digest", "approved", "reviewed_at") VALUES ({marks})',
                [question.id, _digest(text), approved, datetime(2026, 3, 20, 10, tzinfo=UTC)],
            )

        await upgrade(settings)

        rows = {row.text: row for row in await TextReview.all()}
        assert {text: row.moderation_state.value for text, row in rows.items()} == {
            "<p>Approuvée</p>": "visible",
            "<p>Refusée</p>": "hidden",
            "<p>Jamais lue</p>": "pending",
        }
        assert rows["<p>Jamais lue</p>"].created_on == date(2026, 3, 12)
        [case] = await ModerationCase.all()
        assert (case.target_kind, case.target_id) == (
            "consultation_answer",
            rows["<p>Jamais lue</p>"].id,
        )
        assert case.status == "open" and case.kind == "pending" and case.author_id is None
        assert (case.opened_at.hour, case.opened_at.minute) == (0, 0)
