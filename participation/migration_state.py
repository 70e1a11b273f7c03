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
have made. Installed by `migrate` below (`participation migrate` and the migration tests); a
Tortoise whose `State` no longer looks the way this was written against is left alone (only
slower).
"""

from __future__ import annotations

import inspect
from typing import Any

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


def _looks_as_expected() -> bool:
    """The signatures this relies on are still there (Tortoise 1.1)."""
    return (
        "model_states" in inspect.signature(StateApps.clone).parameters
        and {"default_connections", "connections"}
        <= set(inspect.signature(StateApps.__init__).parameters)
        and list(State.__dataclass_fields__) == ["models", "apps"]
    )


def install() -> None:
    if State.clone is not _clone and _looks_as_expected():
        State.clone = _clone  # type: ignore[method-assign]


async def migrate(config: dict[str, Any], target: str | None = None) -> None:
    """Tortoise's `migrate` (up to `target`, a migration's `app.name`; all without one), with
    the migration state cloned lazily."""
    install()
    await tortoise_migrate(config=config, target=target)
