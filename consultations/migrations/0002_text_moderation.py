"""Free-text answers join the moderation queue (issue #7): each distinct text keeps its text and
a moderation state instead of `approved`. Reviewed texts keep their decision (approved:
visible, refused: hidden); texts never reviewed become pending, each with an open case in the
queue, since they were never published. The ids of new rows are random (see the model)."""

import hashlib
import json
import secrets
from datetime import UTC, date, datetime, time

from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.contributions import ModerationState
from tortoise import fields

TEXT_KINDS = ("short-text", "long-text")


def _marks(postgres, n, start=1):
    return ", ".join(f"${i}" if postgres else "?" for i in range(start, start + n))


def _day(value):
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def moderate_texts(apps, schema_editor):
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    await client.execute_query(
        'UPDATE "consultations_text_review" SET "moderation_state" = '
        "CASE WHEN \"approved\" THEN 'visible' ELSE 'hidden' END"
    )
    _, questions = await client.execute_query(
        'SELECT "id", "kind", "consultation_id" FROM "consultations_question"'
    )
    kinds = {row["id"]: row["kind"] for row in questions}
    _, reviews = await client.execute_query(
        'SELECT "id", "question_id", "text_digest" FROM "consultations_text_review"'
    )
    known = {(row["question_id"], row["text_digest"]): row["id"] for row in reviews}
    ids = set(known.values())
    found = {}  # (question, digest) -> (text, first day)
    _, responses = await client.execute_query(
        'SELECT "answers", "submitted_on" FROM "consultations_response"'
    )
    for row in responses:
        stored = json.loads(str(row["answers"]))
        for key, value in stored.items():
            question_id = int(key.removesuffix("-other"))
            if question_id not in kinds or not isinstance(value, str):
                continue
            if not key.endswith("-other") and kinds[question_id] not in TEXT_KINDS:
                continue
            digest = hashlib.sha256(value.encode()).hexdigest()
            day = _day(row["submitted_on"])
            text, first = found.get((question_id, digest), (value, day))
            found[(question_id, digest)] = (text, min(first, day))
    now = datetime.now(UTC)
    for (question_id, digest), (text, day) in sorted(found.items()):
        if (question_id, digest) in known:
            await client.execute_query(
                'UPDATE "consultations_text_review" SET "text" = '
                f"{_marks(postgres, 1)}, \"created_on\" = {_marks(postgres, 1, 2)} "
                f'WHERE "id" = {_marks(postgres, 1, 3)}',
                [text, day, known[(question_id, digest)]],
            )
            continue
        new_id = secrets.randbelow(2**31 - 2) + 1
        while new_id in ids:
            new_id = secrets.randbelow(2**31 - 2) + 1
        ids.add(new_id)
        await client.execute_query(
            'INSERT INTO "consultations_text_review" ("id", "question_id", "text_digest", '
            '"text", "moderation_state", "created_on", "approved", "reviewed_at") '
            f"VALUES ({_marks(postgres, 8)})",  # the last two columns go in this migration
            [new_id, question_id, digest, text, "pending", day, False, now],
        )
        await client.execute_query(
            'INSERT INTO "moderation_case" ("content_type", "content_id", "status", "kind", '
            f'"open_reports", "opened_at") VALUES ({_marks(postgres, 6)})',
            [
                "consultation_answer",
                new_id,
                "open",
                "pending",
                0,
                datetime.combine(day, time(), tzinfo=UTC) if day else now,
            ],
        )


class Migration(migrations.Migration):
    dependencies = [('consultations', '0001_initial'), ('moderation', '0002_reason_templates'), ('participation', '0003_proposal_sort_ties'), ('participation', '0004_account_deletion')]

    initial = False

    operations = [
        ops.AddField(
            model_name='TextReview',
            name='created_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='TextReview',
            name='moderation_state',
            field=fields.CharEnumField(default=ModerationState.VISIBLE, description='VISIBLE: visible\nPENDING: pending\nHIDDEN: hidden', db_default=ModerationState.VISIBLE, enum_type=ModerationState, max_length=10),
        ),
        ops.AddField(
            model_name='TextReview',
            name='text',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.RunPython(moderate_texts, ops.RunPython.noop),
        ops.RemoveField(model_name='TextReview', name='approved'),
        ops.RemoveField(model_name='TextReview', name='reviewed_at'),
    ]
