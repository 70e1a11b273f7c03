"""Faster `participation migrate`: Tortoise's migration state, cloned without rendering models
that nobody reads.

Before each operation of each migration, Tortoise 1.x clones the whole migration state (every
model class of every app rendered again: about 0.1 s with our 60 models), so that the
operation's `database_forward` can read the state *before* it. Most operations never read it
(creating a model, adding a field, an index or a constraint, raw SQL): a fresh install spent
more than half of its 10 to 20 s of CPU rendering states that were thrown away.

`State.clone` here copies the model descriptions at once (cheap, and what makes a clone
independent of later changes) and renders the model classes from that copy only when its
`apps` are first read: the same classes, from the same copy, as Tortoise's own clone would
have made. And every model class rendered asks for the filter table of each of its fields,
which is written once here (`get_filters_for_field`: a fresh install 10.3 → 6.5 s of CPU).
Installed by `migrate` below (`participation migrate` and the migration tests); a
Tortoise whose `State` no longer looks the way this was written against is left alone (only
slower).
"""

from __future__ import annotations

import inspect
from typing import Any

from tortoise import filters as tortoise_filters
from tortoise import models as tortoise_models
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.schema_generator.state import ModelState, State
from tortoise.migrations.schema_generator.state_apps import StateApps


class _DeferredState(State):
    """A clone whose model classes are rendered on first use, from the copy taken at clone
    time (`models`), with the connections its source had then."""

    def __init__(self, models: dict[tuple[str, str], ModelState], source: StateApps) -> None:
        self.models = models
        self._empty_apps = StateApps(
            default_connections=dict(source._default_connections),
            connections=source._connections,
        )
        self._rendered: StateApps | None = None

    @property  # type: ignore[override]
    def apps(self) -> StateApps:
        if self._rendered is None:
            self._rendered = self._empty_apps.clone(model_states=self.models)
        return self._rendered

    @apps.setter
    def apps(self, value: StateApps) -> None:
        self._rendered = value


_TORTOISE_CLONE = State.clone


def _clone(self: State) -> State:
    source: Any = self.apps
    if not hasattr(source, "_default_connections") or not hasattr(source, "_connections"):
        return _TORTOISE_CLONE(self)
    models = {key: model.clone() for key, model in self.models.items()}
    return _DeferredState(models, source)


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
    )


def install() -> None:
    if State.clone is not _clone and _looks_as_expected():
        State.clone = _clone  # type: ignore[method-assign]
        tortoise_models.get_filters_for_field = get_filters_for_field  # what ModelMeta calls


async def migrate(config: dict[str, Any], target: str | None = None) -> None:
    """Tortoise's `migrate` (up to `target`, a migration's `app.name`; all without one), with
    the migration state cloned lazily."""
    install()
    await tortoise_migrate(config=config, target=target)
