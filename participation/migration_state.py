"""Faster `participation migrate`: Tortoise's migration state, rendered only when read, and
only as much as is read.

Tortoise 1.x keeps the models of the migrations as descriptions and as rendered model classes.
After each operation it renders again the model changed and every model related to it (with
our models, nearly all relate to the users: all sixty), and before each operation it copies
the whole state, rendered again, for the operation to read the state of before; each `migrate`
first replays every migration already applied that way. Most of this is never read: a replay
reads nothing, and an operation reads one model (its table, columns and foreign keys).

`_LazyState` here renders on read: a change marks the classes out of date; an operation asking
for one model (`get_model`) gets it rendered with the models its relations lead to
(`rendered_for`), anything else renders every model from the descriptions (as Tortoise's own
copy does); the copy taken before an operation takes over the classes already rendered. A
class is finished for queries (filters, base query) only when something queries it
(`_finish_when_queried`): the schema editor never does, a data migration that queries a model
does. Every class rendered asks for the filter table of each of its fields, written once here
(`get_filters_for_field`). CPU of a fresh install (`participation migrate`, SQLite): 10.3 s
at first, 6.5 s with the filter tables and the lazy state, 2.5 s with one model rendered per
operation and classes finished when queried; a migration test 15 → 9 → 3.6 s. Installed by
`migrate` below (`participation migrate` and the migration tests); a Tortoise whose `State`
no longer looks the way this was written against is left alone (only slower).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from typing import Any, cast

from pypika_tortoise import Query, Table
from tortoise import filters as tortoise_filters
from tortoise import models as tortoise_models
from tortoise.fields.relational import ManyToManyFieldInstance
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.operations import DIRECT_RELATION_FIELDS
from tortoise.migrations.schema_generator.state import ModelState, State
from tortoise.migrations.schema_generator.state_apps import StateApps
from tortoise.models import MetaInfo


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

    def get_model(self, app_label: str, model_name: str | None = None) -> type[Any]:
        """One model, as the schema operations ask for the model they change: rendered with
        the models its relations lead to, not the whole state (see `_LazyState.rendered_for`)."""
        if model_name is None:
            app_label, model_name = self.split_reference(app_label)
        return self._state.rendered_for(app_label, model_name).get_model(app_label, model_name)

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
        # a rendering of some models only (`rendered_for`), and which, while nothing changes
        self._partial: tuple[frozenset[tuple[str, str]], StateApps] | None = None

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
            self._rendered = self._render(self.models)
            self._partial = None
        return self._rendered

    def rendered_for(self, app_label: str, model_name: str) -> StateApps:
        """Classes in which model `app_label.model_name` can be read: the whole state when it
        is rendered already, else the model and the models its relations lead to, recursively
        (what the schema editor reads of it: its table, columns, and the tables and keys its
        foreign keys point at). A schema operation reads one model; rendering the whole state
        for it (all sixty, since each relates to the users) was most of a migration's CPU."""
        key = (app_label, model_name)
        if self._rendered is not None or key not in self.models:
            return self.rendered()
        if self._partial is None or key not in self._partial[0]:
            wanted = _relations_closure(self.models, key)
            self._partial = (frozenset(wanted), self._render(wanted))
        return self._partial[1]

    def _render(self, models: dict[tuple[str, str], ModelState]) -> StateApps:
        apps = StateApps(
            default_connections=dict(self._default_connections), connections=self._connections
        )
        for (app_label, _name), model_state in models.items():
            # from copies of the fields (render's default): initialising the relations changes
            # the fields of the classes, and the descriptions stay as written
            apps.register_model(app_label, model_state.render(apps))
        apps._init_relations()
        _finish_when_queried(apps)
        return apps

    def _changed(self) -> None:
        self._rendered = None
        self._partial = None

    def _reload(self, models_to_reload: set[tuple[str, str]]) -> None:
        self._changed()

    def reload_model(self, app_label: str, model_name: str) -> None:
        if (app_label, model_name) not in self.models:
            raise LookupError(f"Model state {app_label}.{model_name} is unknown")
        self._changed()

    def reload_models(self, model_tuples: Iterable[tuple[str, str]]) -> None:
        self._changed()

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
        """Which models to render again after `app_label.model_name` changed: here every
        change renders the whole state again when it is next read (`_changed`), so the model
        itself says enough (rendering the state to find its relations was a full rendering)."""
        return {(app_label, model_name)}

    def clone(self) -> State:
        models = {key: model.clone() for key, model in self.models.items()}
        # the copy is the state of this moment, which these classes show; this state, about
        # to be changed by an operation, renders its own again when it is read
        copy = _LazyState(models, self._default_connections, self._connections, self._rendered)
        copy._partial = self._partial
        self._changed()
        return copy


def _relations_closure(
    models: dict[tuple[str, str], ModelState], start: tuple[str, str]
) -> dict[tuple[str, str], ModelState]:
    """`start` and the models its relations (foreign keys, one-to-one, many-to-many) lead to,
    recursively, as they are described in `models`; and the models with a many-to-many to one
    of those (its other side is a field of the class, whose join table the schema editor
    creates with it)."""

    def targets(model_state: ModelState) -> Iterator[tuple[str, str]]:
        for field in model_state.fields.values():
            if isinstance(field, DIRECT_RELATION_FIELDS) and isinstance(field.model_name, str):
                app_label, _, model_name = field.model_name.partition(".")
                yield app_label, model_name

    many_to_many_into: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, model_state in models.items():
        for field in model_state.fields.values():
            if isinstance(field, ManyToManyFieldInstance) and isinstance(field.model_name, str):
                app_label, _, model_name = field.model_name.partition(".")
                many_to_many_into.setdefault((app_label, model_name), []).append(key)
    wanted: dict[tuple[str, str], ModelState] = {}
    todo = [start]
    while todo:
        key = todo.pop()
        if key in wanted or key not in models:
            continue
        wanted[key] = models[key]
        todo.extend(targets(models[key]))
        todo.extend(many_to_many_into.get(key, ()))
    return wanted


# What Tortoise computes when it finishes a model for queries (`MetaInfo.finalise_model` and the
# base query of `_build_initial_querysets`), none of which the schema editor reads
_FOR_QUERIES = (
    "filters",
    "basetable",
    "basequery",
    "basequery_all_fields",
    "db_native_fields",
    "db_default_fields",
    "db_complex_fields",
)


class _UnfinishedMeta(MetaInfo):
    """The `_meta` of a rendered class not yet finished for queries: the first read of what
    finishing computes finishes it (as `StateApps._build_initial_querysets` does) and makes it
    a plain `MetaInfo` again."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:  # only called for an attribute not set
        if name not in _FOR_QUERIES:
            raise AttributeError(name)
        self.__class__ = MetaInfo  # type: ignore[assignment]
        for attribute in _FOR_QUERIES:  # back to what MetaInfo starts with
            setattr(self, attribute, [] if attribute.startswith("db_") else {})
        self.finalise_model()
        self.basetable = Table(name=self.db_table, schema=self.schema)
        basequery = self.db.query_class.from_(self.basetable)
        self.basequery = cast(Query, basequery)
        self.basequery_all_fields = cast(Query, basequery.select(*self.db_fields))
        return getattr(self, name)


def _finish_when_queried(apps: StateApps) -> None:
    """`StateApps._build_initial_querysets`, each model finished only when something queries
    it. Of a rendering, the operations read the tables, columns and relations (the schema
    editor); finishing every class for queries (~30 filters per field, the columns' kinds, the
    base query) was half of a migration's CPU, read only by the few data migrations that query
    a model."""
    if apps._connections._db_config is None:  # state-only, as Tortoise's own skips it
        return
    for app in apps.apps.values():
        for model in app.values():
            meta = model._meta
            if meta.default_connection is None or not meta._inited:
                continue
            # the properties of the relations on instances: set now, an instance may be made
            # before anything is queried
            meta._generate_lazy_fk_m2m_fields()
            meta._resolve_index_expressions()
            for attribute in _FOR_QUERIES:
                delattr(meta, attribute)
            meta.__class__ = _UnfinishedMeta


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
