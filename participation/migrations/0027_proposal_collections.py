"""Proposals collections (issue #18): a participatory space's ideas box with its own support
threshold, pre-moderation, amendments and opening. A proposal may belong to one (a nullable
foreign key; a collection holding proposals cannot be deleted). The proposals that exist go
into one collection, « Boîte à idées », of the default space (« Démarche générale », created
when there is none: participation/migration_ops.py), whose rules are the site's settings of
that moment: the support threshold and whether proposals were pre-moderated, from the settings
saved in the browser (`sitesettings_settings`), else from the environment
(`PROPOSAL_SUPPORT_THRESHOLD`, `PREMODERATED_CONTENT`, with their defaults). A database without
proposals gets no collection. Their URLs (/proposals/<id>) do not change."""

import os
from datetime import UTC, datetime

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from participation.migration_ops import AddForeignKey, default_space

# copied here, not imported, so that the migration stays the same when the code changes
COLLECTION_TITLE = "Boîte à idées"
THRESHOLD_DEFAULT = 300  # participation/settings.py: PROPOSAL_SUPPORT_THRESHOLD's default
PREMODERATED_DEFAULT = "consultation_answer"  # PREMODERATED_CONTENT's default


def _kinds(raw: str) -> set[str]:
    return {name.strip() for name in raw.replace(";", ",").split(",") if name.strip()}


async def _site_rules(client) -> tuple[int, bool]:
    """The site's support threshold and whether proposals are pre-moderated, as the site used
    them until now: the browser's settings when saved, else the environment's."""
    _, rows = await client.execute_query(
        'SELECT "proposal_support_threshold", "premoderated_content" '
        'FROM "sitesettings_settings" ORDER BY "id" LIMIT 1'
    )
    if rows:
        row = dict(rows[0])
        return int(row["proposal_support_threshold"]), "proposal" in _kinds(
            row["premoderated_content"] or ""
        )
    raw = os.environ.get("PROPOSAL_SUPPORT_THRESHOLD", "").strip()
    threshold = int(raw) if raw.isdigit() and int(raw) >= 1 else THRESHOLD_DEFAULT
    kinds = _kinds(os.environ.get("PREMODERATED_CONTENT", PREMODERATED_DEFAULT))
    return threshold, "proposal" in kinds


async def into_default_collection(apps, schema_editor):
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"

    def mark(n: int) -> str:
        return f"${n}" if postgres else "?"

    _, rows = await client.execute_query(
        'SELECT 1 FROM "proposals_proposal" WHERE "collection_id" IS NULL LIMIT 1'
    )
    if not rows:
        return
    space_id = await default_space(client)
    threshold, premoderated = await _site_rules(client)
    now = datetime.now(UTC)
    await client.execute_query(
        'INSERT INTO "proposals_collection" ("space_id", "title", "support_threshold", '
        '"premoderated", "amendments_open", "accepting", "version", "created_at") VALUES '
        f"({mark(1)}, {mark(2)}, {mark(3)}, {mark(4)}, {mark(5)}, {mark(6)}, 1, {mark(7)})",
        [space_id, COLLECTION_TITLE, threshold, premoderated, True, True, now],
    )
    _, found = await client.execute_query(
        f'SELECT MAX("id") AS "id" FROM "proposals_collection" WHERE "space_id" = {mark(1)}',
        [space_id],
    )
    collection_id = int(dict(found[0])["id"])
    await client.execute_query(
        f'UPDATE "proposals_proposal" SET "collection_id" = {mark(1)} '
        'WHERE "collection_id" IS NULL',
        [collection_id],
    )


class Migration(migrations.Migration):
    dependencies = [("participation", "0026_proposal_comment_targets")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ProposalCollection",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "space",
                    fields.ForeignKeyField(
                        "participation.Space",
                        source_field="space_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="proposal_collections",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("title", fields.CharField(max_length=150)),
                ("support_threshold", fields.IntField()),
                ("premoderated", fields.BooleanField(default=False)),
                ("amendments_open", fields.BooleanField(default=True)),
                ("accepting", fields.BooleanField(default=True)),
                ("opens_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("closes_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("version", fields.IntField(default=1)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "proposals_collection", "app": "participation", "pk_attr": "id"},
            bases=["Model"],
        ),
        AddForeignKey(
            model_name="Proposal",
            name="collection",
            field=fields.ForeignKeyField(
                "participation.ProposalCollection",
                source_field="collection_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="proposals",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.RunPython(into_default_collection, ops.RunPython.noop),
    ]
