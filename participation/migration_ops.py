"""Migration operations that Tortoise's built-in migrations do not have.

`MoveModel`: a model changes Tortoise app (its code moves from a feature into the core, say
`budgets.CensusEntry` -> `participation.CensusEntry`) while its table stays where it is
(`Meta.table` keeps the name). Tortoise keys a model's migration state by (app, model name), so
without this operation the autodetector would see one model deleted and another created, and
write a migration that drops the table and creates an empty one. This operation only changes
the migration state: the model is re-keyed under the migration's app, and every relation
pointing at "<old app>.<Model>" now points at "<new app>.<Model>". The database is not touched
(`database_forward` and `database_backward` do nothing), so data, indexes and constraints stay.

Put it in a migration of the app that receives the model, depending on the old app's latest
migration; move a model before the moved models that point at it (the references follow).

`RenameFieldKeepColumn`: a field gets a new name in Python while its column keeps the old one
(the new field's `source_field`). Tortoise's `RenameField` renames the column too, and its
autodetector drops and recreates the UNIQUE constraints that name the field; this operation
only changes the migration state (the field, `unique_together` and the indexes' fields): no
SQL. Given `field`, the state takes it instead (an enum's values in its description, say): on
SQLite an `AlterField` would rebuild the table for a description alone.

`ChangeFieldState`: a field's declaration changes in what the database does not keep (an enum
gains a value: its description lists them): the state only, for the same reason.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.fields.base import OnDelete
from tortoise.migrations.exceptions import IncompatibleStateError
from tortoise.migrations.operations import (
    DIRECT_RELATION_FIELDS,
    AddField,
    RemoveField,
    RunPython,
    TortoiseOperation,
)
from tortoise.migrations.schema_generator.state import State


class MoveModel(TortoiseOperation):
    """Move model `name` from app `from_app` to the migration's app: state only, no SQL."""

    def __init__(self, name: str, from_app: str) -> None:
        self.name = name
        self.from_app = from_app

    def describe(self) -> str:
        return f"Move model {self.from_app}.{self.name} (state only, the table stays)"

    def state_forward(self, app_label: str, state: State) -> None:
        model_state = state.models.get((self.from_app, self.name))
        if model_state is None or (app_label, self.name) in state.models:
            raise IncompatibleStateError(f"cannot move {self.from_app}.{self.name}")
        # the models it relates to are rendered again: their reverse relations (User.audit_entries,
        # ...) were added by the model's old class
        related = state._find_related_models(self.from_app, self.name) - {
            (self.from_app, self.name)
        }
        del state.models[(self.from_app, self.name)]
        state.apps.unregister_model(self.from_app, self.name)
        model_state.app = app_label
        model_state.options["app"] = app_label
        state.models[(app_label, self.name)] = model_state
        old_reference = f"{self.from_app}.{self.name}"
        new_reference = f"{app_label}.{self.name}"
        to_reload = {(app_label, self.name), *related}
        for key, other in state.models.items():
            for field_name, field in other.fields.items():
                if isinstance(field, DIRECT_RELATION_FIELDS) and field.model_name == old_reference:
                    moved = deepcopy(field)
                    moved.model_name = new_reference
                    other.fields[field_name] = moved
                    to_reload.add(key)
        state.reload_models(to_reload)


class RenameFieldKeepColumn(TortoiseOperation):
    """Rename field `old_name` of `model_name` to `new_name`: state only, the column stays."""

    def __init__(self, model_name: str, old_name: str, new_name: str, field: Any = None) -> None:
        self.model_name = model_name
        self.old_name = old_name
        self.new_name = new_name
        self.field = field  # the field as the model now declares it, if more than its name changed

    def describe(self) -> str:
        return f"Rename field {self.old_name} to {self.new_name} on {self.model_name} (column kept)"

    def state_forward(self, app_label: str, state: State) -> None:
        model_state = self.get_model_state(state, app_label, self.model_name)
        field = model_state.fields.pop(self.old_name, None)
        if field is None or self.new_name in model_state.fields:
            raise IncompatibleStateError(f"cannot rename {self.model_name}.{self.old_name}")
        renamed = deepcopy(self.field if self.field is not None else field)
        renamed.source_field = field.source_field or self.old_name
        model_state.fields[self.new_name] = renamed

        def rename(names: Any) -> tuple[str, ...]:
            return tuple(self.new_name if name == self.old_name else name for name in names)

        if model_state.options.get("unique_together"):
            model_state.options["unique_together"] = tuple(
                rename(names) for names in model_state.options["unique_together"]
            )
        if model_state.options.get("indexes"):  # the index keeps its name and its columns
            model_state.options["indexes"] = [
                _index_renaming(index, rename) for index in model_state.options["indexes"]
            ]
        state.reload_model(app_label, self.model_name)


class ChangeFieldState(TortoiseOperation):
    """Field `name` of `model_name` is now declared as `field`, in what the database does not
    keep (an enum's values, in its description): state only, no SQL. On SQLite Tortoise's
    `AlterField` rebuilds the table for a description alone, and dropping a table that rows of
    other tables point at (the users) fails on their foreign keys."""

    def __init__(self, model_name: str, name: str, field: Any) -> None:
        self.model_name = model_name
        self.name = name
        self.field = field

    def describe(self) -> str:
        return f"Change field {self.name} of {self.model_name} (state only)"

    def state_forward(self, app_label: str, state: State) -> None:
        model_state = self.get_model_state(state, app_label, self.model_name)
        if self.name not in model_state.fields:
            raise IncompatibleStateError(f"no field {self.model_name}.{self.name}")
        model_state.fields[self.name] = deepcopy(self.field)
        state.reload_model(app_label, self.model_name)


def _index_renaming(index: Any, rename: Any) -> Any:
    """The index with the field renamed (a tuple of names, or an `Index` of fields): in the
    database it keeps its name, made from the old name when it was created."""
    if isinstance(index, tuple | list):
        return rename(index)
    if not getattr(index, "fields", None):
        return index
    renamed = deepcopy(index)
    renamed.fields = list(rename(index.fields))
    return renamed


# --- participatory spaces (issue #18) ----------------------------------------------------------


class AddForeignKey(AddField):
    """`AddField` for a foreign key, revertible on SQLite: there Tortoise's `remove_field`
    rebuilds the table without the relation but keeps its `<name>_id` column (the column is a
    second field of the model), so going back and forth failed with "duplicate column name".
    On SQLite the table is rebuilt from the model as it was before the field; elsewhere the
    column is dropped as usual."""

    async def database_backward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: Any = None,
    ) -> None:
        if state_editor is not None and getattr(state_editor, "DIALECT", "") == "sqlite":
            model = new_state.apps.get_model(f"{app_label}.{self.model_name}")
            await state_editor._remake_table(model)
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


class DropColumn(RemoveField):
    """`RemoveField` of a plain column from a table other tables refer to. On SQLite Tortoise's
    `remove_field` rebuilds the table (a copy, then DROP TABLE), which fails with "FOREIGN KEY
    constraint failed" as soon as rows of another table refer to it: an installation with data
    could not upgrade. SQLite (3.35 and later) drops a plain column in place; elsewhere the
    column is dropped as usual."""

    async def database_forward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: Any = None,
    ) -> None:
        if state_editor is not None and getattr(state_editor, "DIALECT", "") == "sqlite":
            model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
            column = model._meta.fields_db_projection[self.name]
            await state_editor._run_sql(
                f'ALTER TABLE "{model._meta.db_table}" DROP COLUMN "{column}"'
            )
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)


# What existed before spaces goes into one default space. Copied here, not imported, so that
# the migrations stay the same when the code changes.
DEFAULT_SPACE_SLUG = "demarche-generale"
DEFAULT_SPACE_TITLE = "Démarche générale"
DEFAULT_SPACE_SUMMARY = "Ce que la commune a ouvert avant les démarches."


def _marker(client: Any) -> Any:
    """The parameter placeholder of the connection's dialect: $1 on PostgreSQL, ? on SQLite."""
    postgres = client.capabilities.dialect == "postgres"

    def mark(n: int) -> str:
        return f"${n}" if postgres else "?"

    return mark


async def _columns(client: Any, table: str) -> set[str]:
    """The column names of `table` as the database has them now (a migration runs at any
    point of the others' history)."""
    if client.capabilities.dialect == "postgres":
        _, rows = await client.execute_query(
            "SELECT column_name AS name FROM information_schema.columns "
            "WHERE table_name = $1 AND table_schema = current_schema()",
            [table],
        )
    else:
        _, rows = await client.execute_query(f'PRAGMA table_info("{table}")')
    return {str(dict(row)["name"]) for row in rows}


async def default_space(client: Any) -> int:
    """The id of the default space (« Démarche générale »), created when there is none."""
    mark = _marker(client)
    find = f'SELECT "id" FROM "spaces_space" WHERE "slug" = {mark(1)}'
    _, found = await client.execute_query(find, [DEFAULT_SPACE_SLUG])
    if not found:
        now = datetime.now(UTC)
        # before participation.0033 a space had two image columns, without a database default
        old_image = "image_version" in await _columns(client, "spaces_space")
        image_columns, image_values = (
            ('"image_alt", "image_version", ', "'', 0, ") if old_image else ("", "")
        )
        await client.execute_query(
            'INSERT INTO "spaces_space" ("title", "slug", "summary", "description", '
            f'{image_columns}"districts", "audience", "minimum_age", '
            '"starts_at", "published", "version", "created_at") VALUES '
            f"({mark(1)}, {mark(2)}, {mark(3)}, '', {image_values}'[]', 'signed_in', 0, "
            f"{mark(4)}, {mark(5)}, 1, {mark(6)})",
            [DEFAULT_SPACE_TITLE, DEFAULT_SPACE_SLUG, DEFAULT_SPACE_SUMMARY, now, True, now],
        )
        _, found = await client.execute_query(find, [DEFAULT_SPACE_SLUG])
    return int(dict(found[0])["id"])


def into_default_space(table: str) -> Any:
    """A `RunPython` step: the rows of `table` without a space go into the default space
    ("Démarche générale", created by the first feature that has rows; none when the table is
    empty: a new installation starts without it)."""

    async def attach(apps: Any, schema_editor: Any) -> None:
        client = schema_editor.client
        mark = _marker(client)
        _, rows = await client.execute_query(
            f'SELECT 1 FROM "{table}" WHERE "space_id" IS NULL LIMIT 1'
        )
        if not rows:
            return
        space_id = await default_space(client)
        await client.execute_query(
            f'UPDATE "{table}" SET "space_id" = {mark(1)} WHERE "space_id" IS NULL', [space_id]
        )

    return attach


def space_column(model_name: str, table: str) -> list[Any]:
    """A feature's migration that attaches its model to participatory spaces: the nullable
    foreign key `space` (`ON DELETE RESTRICT`: a space holding rows is archived, never
    deleted), then the rows that exist into the default space."""
    field: Any = fields.ForeignKeyField(
        "participation.Space",
        source_field="space_id",
        null=True,
        db_constraint=True,
        to_field="id",
        related_name=False,
        on_delete=OnDelete.RESTRICT,
    )
    return [
        AddForeignKey(model_name=model_name, name="space", field=field),
        RunPython(into_default_space(table), RunPython.noop),
    ]
