"""Verification methods (issue #19, participation/residents/methods): the resident record says
which method verified it, until when, who verified it in person and with which kind of proof,
and its revocation; a census row may be the anchor another method made (`source`), which may
not know the birth year. Existing records are the census method's (the defaults). Written by
`participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


# SQLite rebuilds a table to make a column nullable (new table, copy, DROP, rename): the DROP of
# budgets_census_entry would cascade to the voter register and the residencies. Foreign keys are
# switched off around the rebuild, which SQLite allows only outside a transaction (hence
# atomic = False); PostgreSQL alters the column in place.
async def foreign_keys_off(apps, schema_editor):
    if schema_editor.client.capabilities.dialect == "sqlite":
        await schema_editor.client.execute_script("PRAGMA foreign_keys = OFF")


async def foreign_keys_on(apps, schema_editor):
    if schema_editor.client.capabilities.dialect == "sqlite":
        await schema_editor.client.execute_script("PRAGMA foreign_keys = ON")


class Migration(migrations.Migration):
    dependencies = [("participation", "0013_space_roles")]

    initial = False
    atomic = False

    operations = [
        ops.RunPython(foreign_keys_off, foreign_keys_off),
        ops.AlterField(
            model_name="CensusEntry",
            name="birth_year",
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name="CensusEntry",
            name="source",
            field=fields.CharField(default="census", db_default="census", max_length=20),
        ),
        ops.AlterField(
            model_name="Residency",
            name="birth_date",
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name="Residency",
            name="expires_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Residency",
            name="method",
            field=fields.CharField(default="census", db_default="census", max_length=20),
        ),
        ops.AddField(
            model_name="Residency",
            name="proof",
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.AddField(
            model_name="Residency",
            name="revoked_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Residency",
            name="revoked_by",
            field=fields.ForeignKeyField(
                "participation.User",
                source_field="revoked_by_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddField(
            model_name="Residency",
            name="revoked_reason",
            field=fields.CharField(null=True, max_length=500),
        ),
        ops.AddField(
            model_name="Residency",
            name="verified_by",
            field=fields.ForeignKeyField(
                "participation.User",
                source_field="verified_by_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.RunPython(foreign_keys_on, foreign_keys_on),
    ]
