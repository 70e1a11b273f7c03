"""Faster `participation migrate`: Tortoise's migration state, rendered only when read.

Tortoise 1.x keeps the models of the migrations as descriptions and as rendered model classes.
After each operation it renders again the model changed and every model related to it (with
our models, nearly all relate to the users: all sixty), and before each operation it copies
the whole state, rendered again, for the operation to read the state of before; each `migrate`
first replays every migration already applied that way. Most of this is never read: a replay
reads nothing, and most operations read one side only.

`_LazyState` here renders on read: a change marks the classes out of date, the first read
renders every model from the descriptions (as Tortoise's own copy does), and the copy taken
before an operation takes over the classes already rendered. Every class rendered asks for the
filter table of each of its fields, written once here (`get_filters_for_field`). A fresh
install went from 10.3 to 6.5 s of CPU with the filter tables, and a migration test from about
15 to 9 s with the lazy state. Installed by `migrate` below (`participation migrate` and the
migration tests); a Tortoise whose `State` no longer looks the way this was written against is
left alone (only slower).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any, cast

from tortoise import filters as tortoise_filters
from tortoise import models as tortoise_models
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.operations import DIRECT_RELATION_FIELDS
from tortoise.migrations.schema_generator.state import ModelState, State
from tortoise.migrations.schema_generator.state_apps import StateApps


class _PendingApps:
    """The `apps` of a state changed since its classes were last rendered. The two things an
    operation asks of them while changing the state (a reference split into app and model, a
    model forgotten) are answered without rendering; anything else renders the whole state
    again, once, and asks that."""

    def __init__(self, state: _LazyState) -> None:
        self._state = state

    def split_reference(self, reference: Any) -> tuple[str, str]:
        return StateApps.split_reference(self, reference)  # type: ignore[arg-type]

    def unregister_model(self, app_label: str, model_name: str) -> None:
        """Nothing to do: the next rendering only has the models the state still has."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._state.rendered(), name)


class _LazyState(State):
    """A migration state whose model classes are rendered when they are read, not each time
    it changes.

    Tortoise renders the classes again after each operation changes the state: the model
    changed and every model related to it, recursively (with our models, nearly all relate
    to the users: all sixty), and a copy is rendered before each operation for it to read the
    state of before. A replay of the migrations already applied (each `migrate` starts with
    one) rendered the whole state once per operation and never read it. Here a change only
    marks the classes out of date; the first read renders every model from the descriptions,
    as Tortoise's own clone does; and the copy taken before an operation takes over the
    classes already rendered (they show the state of that moment, which the copy is)."""

    def __init__(
        self,
        models: dict[tuple[str, str], ModelState],
        default_connections: dict[str, str],
        connections: Any,
        rendered: StateApps | None = None,
    ) -> None:
        self.models = models
        self._default_connections = default_connections
        self._connections = connections
        self._rendered = rendered

    @property  # type: ignore[override]
    def apps(self) -> StateApps:
        if self._rendered is None:
            return cast(StateApps, _PendingApps(self))
        return self._rendered

    @apps.setter
    def apps(self, value: StateApps) -> None:
        self._rendered = value

    def rendered(self) -> StateApps:
        if self._rendered is None:
            apps = StateApps(
                default_connections=dict(self._default_connections),
                connections=self._connections,
            )
            for (app_label, _name), model_state in self.models.items():
                # from copies of the fields (render's default): initialising the relations
                # changes the fields of the classes, and the descriptions stay as written
                apps.register_model(app_label, model_state.render(apps))
            apps._init_relations()
            apps._build_initial_querysets()
            self._rendered = apps
        return self._rendered

    def _reload(self, models_to_reload: set[tuple[str, str]]) -> None:
        self._rendered = None

    def reload_model(self, app_label: str, model_name: str) -> None:
        if (app_label, model_name) not in self.models:
            raise LookupError(f"Model state {app_label}.{model_name} is unknown")
        self._rendered = None

    def reload_models(self, model_tuples: Iterable[tuple[str, str]]) -> None:
        self._rendered = None

    def validate_relations_initialized(self) -> None:
        """Tortoise's check after each migration (every relation points to a model of the
        state), read from the descriptions when the classes are not rendered: rendering them
        only for it was a full rendering per migration."""
        if self._rendered is not None:
            return super().validate_relations_initialized()
        missing = sorted(
            f"{model_state.app}.{model_state.name}"
            for model_state in self.models.values()
            for field in model_state.fields.values()
            if isinstance(field, DIRECT_RELATION_FIELDS)
            and isinstance(field.model_name, str)
            and tuple(field.model_name.split(".", 1)) not in self.models
        )
        if missing:
            raise RuntimeError(
                "The following models still have uninitialized relations after applying all "
                f"operations: {', '.join(missing)}."
            )

    def _find_related_models(self, app_label: str, model_name: str) -> set[tuple[str, str]]:
        self.rendered()
        return super()._find_related_models(app_label, model_name)

    def clone(self) -> State:
        models = {key: model.clone() for key, model in self.models.items()}
        # the copy is the state of this moment, which these classes show; this state, about
        # to be changed by an operation, renders its own again when it is read
        rendered, self._rendered = self._rendered, None
        return _LazyState(models, self._default_connections, self._connections, rendered)


_TORTOISE_CLONE = State.clone


def _clone(self: State) -> State:
    """`State.clone` for a state Tortoise made: the copy is a lazy one."""
    source: Any = self.apps
    if not hasattr(source, "_default_connections") or not hasattr(source, "_connections"):
        return _TORTOISE_CLONE(self)
    models = {key: model.clone() for key, model in self.models.items()}
    return _LazyState(models, dict(source._default_connections), source._connections)


_TORTOISE_PROJECT_STATE = MigrationExecutor._project_state


async def _project_state(
    self: MigrationExecutor, applied: set[Any], *, upto: Any | None = None
) -> State:
    """Tortoise's `_project_state` (the state after the migrations already applied, replayed
    without a database) on a lazy state: the replay renders nothing."""
    default_connections = {
        label: config.get("default_connection", "default")
        for label, config in self.loader.apps_config.items()
    }
    connections = StateApps(default_connections=default_connections)._connections
    state = _LazyState({}, default_connections, connections)
    for key in self._full_plan():
        if key not in applied:
            continue
        if upto and key == upto:
            break
        migration = self.loader.graph.nodes[key]
        if migration is None:
            raise ValueError(f"Missing migration for {key}")
        await migration.apply(state, dry_run=True, schema_editor=None)
    return state


_TORTOISE_FIELD_FILTERS = tortoise_filters.get_filters_for_field
_field_filters: dict[tuple[str, str, str, bool], dict[str, Any]] = {}
# relations, JSON and arrays: their filters depend on more than the names (left to Tortoise)
_FIELDS_OF_THEIR_OWN = (
    tortoise_filters.ManyToManyFieldInstance,
    tortoise_filters.BackwardFKRelation,
    tortoise_filters.JSONField,
    tortoise_filters.ArrayField,
)


def get_filters_for_field(field_name: str, field: Any, source_field: str) -> dict[str, Any]:
    """Tortoise's `get_filters_for_field`, each table written once. Every model class Tortoise
    makes (~40 per operation of a migration, as it renders the state again) asks for the
    filters of each of its fields: a table of 30 dicts that depends only on the field's name,
    its column, the attribute a `pk` filter reads and whether it is a full-text vector; it was
    a fifth of a migration's CPU. The tables' dicts are shared, never changed (Tortoise copies
    one before it overrides its operator); the caller gets its own outer dict."""
    if field is not None and isinstance(field, _FIELDS_OF_THEIR_OWN):
        return _TORTOISE_FIELD_FILTERS(field_name, field, source_field)
    actual_field_name = field.model_field_name if field_name == "pk" and field else field_name
    vector = isinstance(field, tortoise_filters.TSVectorField) if field else False
    key = (field_name, source_field, actual_field_name, vector)
    table = _field_filters.get(key)
    if table is None:
        table = _field_filters[key] = _TORTOISE_FIELD_FILTERS(field_name, field, source_field)
    return dict(table)


def _looks_as_expected() -> bool:
    """The signatures this relies on are still there (Tortoise 1.1)."""
    return (
        "model_states" in inspect.signature(StateApps.clone).parameters
        and {"default_connections", "connections"}
        <= set(inspect.signature(StateApps.__init__).parameters)
        and list(State.__dataclass_fields__) == ["models", "apps"]
        and tortoise_models.get_filters_for_field is _TORTOISE_FIELD_FILTERS
        and list(inspect.signature(_TORTOISE_FIELD_FILTERS).parameters)
        == ["field_name", "field", "source_field"]
        and all(hasattr(tortoise_filters, kind.__name__) for kind in _FIELDS_OF_THEIR_OWN)
        and all(hasattr(State, name) for name in ("_reload", "reload_models", "reload_model"))
        and hasattr(StateApps, "_build_initial_querysets")
        and list(inspect.signature(_TORTOISE_PROJECT_STATE).parameters)
        == ["self", "applied", "upto"]
        and hasattr(MigrationExecutor, "_full_plan")
    )


def install() -> None:
    if State.clone is not _clone and _looks_as_expected():
        State.clone = _clone  # type: ignore[method-assign]
        MigrationExecutor._project_state = _project_state  # type: ignore[method-assign]
        tortoise_models.get_filters_for_field = get_filters_for_field  # what ModelMeta calls


async def migrate(config: dict[str, Any], target: str | None = None) -> None:
    """Tortoise's `migrate` (up to `target`, a migration's `app.name`; all without one), with
    the migration state cloned lazily."""
    install()
    await tortoise_migrate(config=config, target=target)
