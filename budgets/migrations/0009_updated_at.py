"""`updated_at` true whoever writes (issue #21, the public API's `updated_since`): budgets and
their projects get the column (the rows of before: their creation) and a database trigger that
sets it when a column the public sees changes (participation/touch.py says why a trigger)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from participation import touch

# copied here, not read from the models, so that the migration stays the same when they change
BUDGET_COLUMNS = (
    "title", "description", "currency", "total_amount", "phase", "ballot_kind", "winner_rule",
    "voting_opens_at", "voting_closes_at", "results_published_at", "space_id",
)
PROJECT_COLUMNS = (
    "budget_id", "title", "description", "cost", "adjusted_cost", "district_id", "category_id",
    "location", "feasibility", "moderation_state",
)


async def install(apps, schema_editor):
    await touch.install(schema_editor.client, "budgets_budget", BUDGET_COLUMNS)
    await touch.install(schema_editor.client, "budgets_project", PROJECT_COLUMNS)


async def remove(apps, schema_editor):
    await touch.drop(schema_editor.client, "budgets_budget")
    await touch.drop(schema_editor.client, "budgets_project")


class Migration(migrations.Migration):
    dependencies = [("budgets", "0008_project_place")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Budget",
            name="updated_at",
            field=fields.DatetimeField(null=True, auto_now=True, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Project",
            name="updated_at",
            field=fields.DatetimeField(null=True, auto_now=True, auto_now_add=False),
        ),
        ops.RunSQL('UPDATE "budgets_budget" SET "updated_at" = "created_at"', "SELECT 1"),
        ops.RunSQL('UPDATE "budgets_project" SET "updated_at" = "created_at"', "SELECT 1"),
        ops.RunPython(install, remove),
    ]
