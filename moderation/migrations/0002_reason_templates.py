from datetime import UTC, datetime

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# The ready-made reasons a new installation starts with, copied here (not imported) so that
# this migration stays the same when the defaults change.
DEFAULTS = (
    (
        "Votre contribution respecte la charte de participation.",
        "Your contribution follows the participation charter.",
    ),
    (
        "Votre contribution contient des insultes ou des attaques personnelles.",
        "Your contribution contains insults or personal attacks.",
    ),
    (
        "Votre contribution est de la publicité ou du spam.",
        "Your contribution is advertising or spam.",
    ),
    (
        "Votre contribution contient des données personnelles sur une personne.",
        "Your contribution contains personal data about someone.",
    ),
    (
        "Votre contribution ne concerne pas les projets de la commune.",
        "Your contribution does not concern the town's projects.",
    ),
)


async def add_default_reasons(apps, schema_editor):
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, 6))
    now = datetime.now(UTC)
    for position, (text_fr, text_en) in enumerate(DEFAULTS, start=1):
        await client.execute_query(
            'INSERT INTO "moderation_reasontemplate" '
            '("text_fr", "text_en", "position", "created_at", "updated_at") '
            f"VALUES ({marks})",
            [text_fr, text_en, position, now, now],
        )


class Migration(migrations.Migration):
    dependencies = [('moderation', '0001_initial'), ('participation', '0001_initial'), ('participation', '0002_proposals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReasonTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('text_fr', fields.TextField(unique=False)),
                ('text_en', fields.TextField(unique=False)),
                ('position', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'moderation_reasontemplate', 'app': 'moderation', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(add_default_reasons, ops.RunPython.noop),
    ]
