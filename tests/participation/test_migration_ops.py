"""MoveModel (participation/migration_ops.py) on a migration state of its own: the model is
re-keyed under the new app with its table, the relations that pointed at it follow, the models
it points at are rendered again, and moving it twice or from the wrong app is refused."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import fields
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise.migrations.exceptions import IncompatibleStateError
from tortoise.migrations.schema_generator.state import State
from tortoise.migrations.schema_generator.state_apps import StateApps

from participation.migration_ops import MoveModel


def _model(state: State, app: str, name: str, *fields_: tuple[str, Any]) -> None:
    """Creates `app.name` in `state`, table `app_name`, with an id and `fields_`."""
    ops.CreateModel(
        name=name,
        fields=[("id", fields.IntField(primary_key=True)), *fields_],
        options={"table": f"{app}_{name.lower()}", "app": app},
    ).state_forward(app, state)


def _link(name: str, kind: Any, model: str, related_name: str) -> tuple[str, Any]:
    """A relation field `name` (column `name_id`) to `model`, deleted with it."""
    return name, kind(
        model, source_field=f"{name}_id", related_name=related_name, on_delete=OnDelete.CASCADE
    )


def _state() -> State:
    state = State(models={}, apps=StateApps())
    _model(state, "core", "Person")
    _model(state, "feature", "Entry", ("district", fields.CharField(max_length=100, null=True)))
    _model(
        state, "feature", "Vote", _link("entry", fields.ForeignKeyField, "feature.Entry", "votes")
    )
    _model(
        state,
        "feature",
        "Residency",
        _link("entry", fields.OneToOneField, "feature.Entry", "residency"),
        _link("person", fields.ForeignKeyField, "core.Person", "residencies"),
    )
    return state


def test_a_moved_model_keeps_its_table_and_the_relations_follow() -> None:
    state = _state()
    MoveModel("Entry", from_app="feature").state_forward("core", state)
    MoveModel("Residency", from_app="feature").state_forward("core", state)

    assert ("feature", "Entry") not in state.models and ("feature", "Residency") not in state.models
    entry = state.models[("core", "Entry")]
    assert (entry.app, entry.table, entry.options["app"]) == ("core", "feature_entry", "core")
    assert state.models[("core", "Residency")].table == "feature_residency"
    assert state.models[("feature", "Vote")].fields["entry"].model_name == "core.Entry"
    assert state.models[("core", "Residency")].fields["entry"].model_name == "core.Entry"
    # the rendered models agree: reverse relations are on the moved model, once
    rendered = state.apps.get_model("core.Entry")
    assert {"votes", "residency"} <= set(rendered._meta.fields_map)
    assert "residencies" in state.apps.get_model("core.Person")._meta.fields_map
    assert state.apps.get_model("feature.Vote")._meta.fields_map["entry"].related_model is rendered
    state.validate_relations_initialized()


def test_moving_a_model_that_is_not_there_is_refused() -> None:
    state = _state()
    with pytest.raises(IncompatibleStateError):
        MoveModel("Entry", from_app="core").state_forward("feature", state)
    MoveModel("Entry", from_app="feature").state_forward("core", state)
    with pytest.raises(IncompatibleStateError):
        MoveModel("Entry", from_app="feature").state_forward("core", state)


class Untouchable:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the schema editor was used: {name}")


async def test_the_database_is_not_touched() -> None:
    state = _state()
    operation = MoveModel("Entry", from_app="feature")
    old = state.clone()
    operation.state_forward("core", state)
    editor: Any = Untouchable()  # any use of the schema editor fails the test
    await operation.database_forward("core", old, state, editor)
    await operation.database_backward("core", state, old, editor)
    assert operation.describe() == "Move model feature.Entry (state only, the table stays)"
