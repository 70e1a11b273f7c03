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
"""

from __future__ import annotations

from copy import deepcopy

from tortoise.migrations.exceptions import IncompatibleStateError
from tortoise.migrations.operations import DIRECT_RELATION_FIELDS, TortoiseOperation
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
