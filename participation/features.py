"""The installed features, each declared once by the `FEATURE` of its `<package>/manifest.py`.

A feature (in the manner of Decidim's `component.rb`) says what it brings: routes, models, jobs,
cron jobs, content kinds for moderation, personal data for the RGPD export and erasure, a demo,
header links, links on the Administration page, notification kinds, links shown on other
features' pages, middleware, reads joined to the session lookup, and the only other features
that it may import (`depends_on`, enforced by tests/test_layers.py). The app, the worker, the
database configuration, the demo town, the privacy export and erasure, moderation, the
notifications (`participation/notifications/services.py`), the related links
(`participation/related.py`) and the Administration page loop over `FEATURES`; nothing else lists
features, and a manifest registers nothing at import (no side effect: it only builds `FEATURE`).
Adding a feature is its package plus one line in `INSTALLED`.

What is a feature: every top-level package but `participation`, and the sub-packages of
`participation` that one could remove without the rest noticing: proposals and comments (the
participatory texts). accounts, notifications, sections and pages are the core: every feature
uses them (users, permissions, notifications), so they are not features; the core mounts their
routes itself and the account's own data is exported by `participation.accounts.privacy`.

Differences from the first sketch of this API (common brief): `package` and `app_label` exist
because proposals and comments live in `participation/` and keep their tables in the
`participation` Tortoise app (no migration); `jobs` also takes arq `Function`s (a job with its own
options); `nav` is a tuple of `NavLink`; `middleware` and `session_prefetch` were added for
moderation's block check and the ballot's one-round-trip session lookup; `notification_kinds`,
`related_links` and `admin` were added with the meetings feature (issue #20), which was the
first to need them (they were import-time registrations before).

Loading is lazy: `FEATURES` is read at call time (`features.FEATURES`), never at import, so that a
feature's modules may use the registry although the manifests import them.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: the manifests import these modules, not the reverse
    from starlette.routing import BaseRoute

    from participation.auditlog.wording import AuditWords
    from participation.contributions import ContentKind
    from participation.settings import Settings

# One line per feature, in the order of the demo, the routes and the moderation queue's kinds.
INSTALLED: tuple[str, ...] = (
    "participation.proposals",
    "participation.comments",
    "budgets",
    "consultations",
    "moderation",
    "followup",
    "meetings",
    "indicators",  # last: its demo computes figures of everything above
)


@dataclass(frozen=True)
class DemoContext:
    """What a feature's demo gets: the settings and the demo accounts (citizen, moderator,
    admin: participation.demo.DEMO_ACCOUNTS); `notes` are printed by `participation demo`."""

    settings: Settings
    users: list[Any]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PersonalData:
    """A feature's part of the RGPD rights (docs/privacy.md).

    `export(user, translate)` returns `{key: JSON-ready data}` merged into the person's copy of
    their data (`translate` localizes notes); `erase(user)` runs inside the deletion's one
    transaction, before the account row is erased."""

    export: Callable[[Any, Callable[[str], str]], Awaitable[dict[str, Any]]] | None = None
    erase: Callable[[Any], Awaitable[None]] | None = None


@dataclass(frozen=True)
class NavLink:
    """A link of the site's header: `label` is a msgid, `route` the route name it leads to (its
    path also marks the current page)."""

    label: str
    route: str
    role: str = ""  # "" (everyone), "moderator" or "admin": who sees the link


@dataclass(frozen=True)
class AdminLine:
    """One line of the Administration page (templates/admin/index.html): its links, shown
    separated by " · ". Lines are shown by `position` (the features' order breaks ties): the
    page's order is not the order of `INSTALLED` (the dashboard of indicators, installed last,
    comes before the commitments of followup). Each link is a `NavLink` (its `role` unused: the
    page is for administrators)."""

    position: int
    links: tuple[NavLink, ...]


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification a feature sends (participation/notifications/services.py):
    `kind` is stored on the notification (unique across features: prefix it with the feature's
    name), `subject` the e-mail's subject and `titled` the in-app sentence (msgids; `titled`
    says `{title}`), `link(event_key)` the page the notification leads to."""

    kind: str
    subject: str
    titled: str
    link: Callable[[str], str]


@dataclass(frozen=True)
class SessionColumn:
    """A value read with the session on every signed-in request, in the same query
    (participation.accounts.services.session_lookup): `sql` is a correlated subquery on
    `"accounts_session"`, whose text never changes (PostgreSQL keeps the lookup prepared);
    `convert(value, now)` is set on the user as `attribute`."""

    attribute: str
    sql: str
    convert: Callable[[Any, datetime], Any]


@dataclass(frozen=True)
class Feature:
    name: str  # package's last part = template folder = route-name prefix = Tortoise app label
    path: str = ""  # URL prefix where `routes` are mounted ("" = the routes carry their paths)
    routes: Sequence[BaseRoute] = ()
    models: Sequence[str] = ()  # model modules (dotted)
    jobs: Sequence[Any] = ()  # arq job functions, or arq `func(...)` for a job with options
    cron: Sequence[Any] = ()  # arq `cron(...)` jobs
    content_kinds: Sequence[ContentKind] = ()  # what moderation may show, hide and restore
    personal_data: PersonalData | None = None
    demo: Callable[[DemoContext], Awaitable[None]] | None = None
    depends_on: tuple[str, ...] = ()  # names of the only other features this one may import
    nav: Sequence[NavLink] = ()
    admin: Sequence[AdminLine] = ()  # its lines on the Administration page
    notification_kinds: Sequence[NotificationKind] = ()
    # what links to other features' contents, shown on their pages (participation/related.py):
    # `related_links(kind, id)`, kind "proposal" or "consultation", returns `RelatedLink`s
    related_links: Callable[[str, int], Awaitable[list[Any]]] | None = None
    # the app's middleware run after authentication (participation.middleware.AuthMiddleware)
    middleware: Sequence[Any] = ()  # ASGI middleware classes, no options
    # adds the feature's subcommands to the `participation` command (argparse subparsers)
    commands: Callable[[Any], None] | None = None
    # values read with the session (moderation: whether the person is blocked)
    session_columns: Sequence[SessionColumn] = ()
    # a hot route's reads joined to the session lookup (participation.middleware.Prefetch)
    session_prefetch: Sequence[Any] = ()
    # set by the loader, not by manifests:
    package: str = ""  # dotted package, where `manifest.py` and `migrations/` are
    app_label: str = ""  # Tortoise app of `models`: `name`, or `participation` inside it
    # how its actions read in the audit log, and how its objects are named there
    # (participation/auditlog/wording.py: AuditWords)
    audit_words: AuditWords | None = None


def load(packages: Sequence[str]) -> tuple[Feature, ...]:
    """The `FEATURE` of each package's manifest, in order, with `package` filled in; names must
    be unique and every `depends_on` installed."""
    loaded: list[Feature] = []
    for package in packages:
        manifest = importlib.import_module(f"{package}.manifest")
        feature = manifest.FEATURE
        if not isinstance(feature, Feature):
            raise TypeError(f"{package}.manifest.FEATURE is not a Feature")
        # proposals and comments keep their tables in the `participation` app (no migration)
        app_label = "participation" if package.startswith("participation.") else feature.name
        loaded.append(dataclasses.replace(feature, package=package, app_label=app_label))
    names = [f.name for f in loaded]
    if len(set(names)) != len(names):
        raise ValueError(f"two installed features share a name: {names}")
    for feature in loaded:
        missing = set(feature.depends_on) - set(names)
        if missing:
            raise ValueError(f"{feature.name} depends on features not installed: {missing}")
    return tuple(loaded)


_LOADED: dict[tuple[str, ...], tuple[Feature, ...]] = {}


def installed() -> tuple[Feature, ...]:
    """The features of `INSTALLED` (loaded once; a test may change `INSTALLED`)."""
    key = INSTALLED
    if key not in _LOADED:
        _LOADED[key] = load(key)
    return _LOADED[key]


def __getattr__(name: str) -> Any:
    # `features.FEATURES`: loaded on first use, never at import (see the module's docstring)
    if name == "FEATURES":
        return installed()
    raise AttributeError(name)


FEATURES: tuple[Feature, ...]  # provided by __getattr__ above


def feature(name: str) -> Feature:
    for candidate in installed():
        if candidate.name == name:
            return candidate
    raise LookupError(name)
