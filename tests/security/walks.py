"""What a feature gives the route walkers, from its own tests folder.

The walkers try every route of the app: the access matrix, POST-redirect-GET, the form fields
and the CSV exports (tests/security), the not-found page (tests/participation/test_not_found.py),
the axe audit's list of pages (tests/browser/pages.py) and the links of the header and of the
Administration page (tests/participation/test_nav.py). A route they meet must be known to
them (who may use it, valid data for it...): a feature says it in `tests/<name>/walks.py`
(`WALKS = Walks(...)`, `<name>` its `Feature.name`: the tests folder has the package's name),
found through `features.FEATURES` at call time. So a walker file names no feature that has
one, and a new feature's routes are walked as soon as it is installed (tests/test_new_feature.py
installs tests/petitions, whose `walks.py` gives its rows). A feature without it is walked all
the same, and its routes fail the walkers until the shared files or a `walks.py` list them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from participation import features
from participation.settings import Settings

if TYPE_CHECKING:  # world.py imports this module (feature_walks) to seed the features' objects
    from tests.security.world import World

# What a person gets from a route (tests/security/test_access_matrix.py)
PAGE = "page"  # 200: the page
DONE = "done"  # 303 elsewhere than log-in: the action went through (or said why in a flash)
FORM = "form"  # 422: past the permission check, the form is shown again with its errors
LOGIN = "login"  # 303 to the log-in page
DENIED = "denied"  # 403
HIDDEN = "hidden"  # 404: the object does not exist for this person
REFUSED = "refused"  # 409: allowed to try, but the action is not possible now
BAD = "bad"  # 400: an invalid or used link
WRONG = "wrong password"  # 401
DOWN = "unavailable"  # 503: the database is down (never in this test)

# a row of the access matrix: (anonymous, owner, other, moderator, agent, admin, evaluator)
Access = tuple[str, str, str, str, str, str, str]
Data = dict[str, Any]
MISSING = 999_999  # the id of no object (tests/participation/test_not_found.py)


@dataclass
class Ctx:
    """The world, and what it does not hold but some steps need (`extra`: the world's hidden
    objects and the people made by tests/security/test_post_redirect_get.py's `_extras`)."""

    world: World
    settings: Settings
    extra: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)  # logged in, per role

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()


Make = Callable[[Ctx], Awaitable[Data]]


def ids_with(**overrides: str) -> Make:
    """The world's ids, some replaced by objects of `Ctx.extra` (the world's hidden ones...)."""

    async def make(ctx: Ctx) -> Data:
        return {**ctx.world.ids, **{name: ctx.extra[key] for name, key in overrides.items()}}

    return make


@dataclass
class Step:
    """One POST: who sends it, what, to which objects (`ids` replaces the world's ids)."""

    route: str
    role: str
    data: Data | Make = field(default_factory=dict)
    ids: Make | None = None
    files: dict[str, tuple[str, bytes]] | None = None


@dataclass(frozen=True)
class Walks:
    """A feature's part of each walker (every field optional)."""

    # makes the feature's objects in the world and puts their ids in `world.ids` under the
    # names of its routes' path parameters (run after the core's world, before the figures)
    seed: Callable[[Settings, World], Awaitable[None]] | None = None
    # access matrix rows: "METHOD /path/{param}" -> what each person gets (Access)
    matrix: Mapping[str, Access] = field(default_factory=dict)
    # POST-redirect-GET: valid data for each POST route (run after the core's steps, before
    # those that delete things and log out), and input a person could type wrongly (422)
    steps: Sequence[Step] = ()
    refused: Sequence[Step] = ()
    # steps that delete or block things: after every feature's steps, before the core's last
    # ones (the account's deletion, the log-out)
    last_steps: Sequence[Step] = ()
    # POST routes that show a secret once: they answer 200, never cached, instead of 303
    shown_once: frozenset[str] = frozenset()
    # form fields: POST routes whose form no page of the world shows, and the fields they read
    no_form_in_the_world: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # CSV exports: puts `formula` in the texts its exports show; its export routes
    formulas: Callable[[Settings, World, str], Awaitable[None]] | None = None
    csv_exports: frozenset[str] = frozenset()
    # paths of a missing object (MISSING as its id): the translated 404 page
    not_found: Sequence[str] = ()
    # browser: route name -> test module that audits it with axe (its path under tests/, e.g.
    # "<name>/test_browser"); or why not
    audited: Mapping[str, str] = field(default_factory=dict)
    exempt: Mapping[str, str] = field(default_factory=dict)
    # the header and the Administration page: route name -> what its link reads in French
    # (tests/participation/test_nav.py)
    menu_words: Mapping[str, str] = field(default_factory=dict)


# Core concepts whose tests folder gives the walkers their rows the same way (a `walks.py`),
# walked before the features: they are always installed.
CORE_WALKS = ("spaces", "residents", "counter", "pictures")


def feature_walks() -> list[Walks]:
    """The `WALKS` of the core concepts of `CORE_WALKS`, then of each installed feature that has
    a `tests/<name>/walks.py`, in order."""
    found = []
    for name in (*CORE_WALKS, *(feature.name for feature in features.FEATURES)):
        folder = f"tests.{name}"
        if importlib.util.find_spec(folder) is None:
            continue
        if importlib.util.find_spec(f"{folder}.walks") is not None:
            walks = importlib.import_module(f"{folder}.walks").WALKS
            assert isinstance(walks, Walks), f"{folder}.walks.WALKS is not a Walks"
            found.append(walks)
    return found


def merged(core: Mapping[str, Any], part: Callable[[Walks], Mapping[str, Any]]) -> dict[str, Any]:
    """The core's entries and each feature's (a key given twice is a mistake)."""
    result = dict(core)
    for walks in feature_walks():
        for key, value in part(walks).items():
            assert key not in result, f"{key} given twice to the walkers"
            result[key] = value
    return result
