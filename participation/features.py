"""The installed features, each declared once by the `FEATURE` of its `<package>/manifest.py`.

A feature (in the manner of Decidim's `component.rb`) says what it brings: routes, models, jobs,
cron jobs, content kinds for moderation, personal data for the RGPD export and erasure, a demo,
header links, links on the Administration page, notification kinds, links shown on other
features' pages, middleware, reads joined to the session lookup, its Atom feeds, and the only
other features that it may import (`depends_on`, enforced by tests/test_layers.py). The app,
the worker, the database configuration, the demo town, the privacy export and erasure,
moderation, the notifications (`participation/notifications/services.py`), the related links
(`participation/related.py`), the Atom feeds (`participation/feeds.py`) and the Administration
page loop over `FEATURES`; nothing else lists
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
first to need them (they were import-time registrations before); `login_options`,
`logout_redirect` and `account_section` with OpenID Connect log-in (issue #19), so that the
core's log-in, log-out and account pages name no feature; `feeds` (issue #20, the Atom feeds);
`space_components` and `outcomes` with the participatory spaces and the home page, `audit_words`
with the readable audit log (issue #18); `indicator_sections` with the signalements (issue #24),
so that the indicators name no feature that they do not count themselves; `rate_limits` (issue
#18: the settings page lists every feature's limited actions, which the core's ratelimit.py used
to name); `person_section`
(issue #18: moderation's blocks on the administrators' page of a person); `participants`
(issue #18: the home page's participants this year); `open_participation` (issue #19: a
verification may not move a person to another census row while their row holds an open vote);
`metrics` (issue #21: figures for /metrics); `api` (issue #21: the public read API's
collections and the open datasets); `activity` (issue #19: the account's "My activity", what
each feature ties to the account); `commentables` and `comment_section` (issue #18: comments on
budget projects and what else a feature declares, without importing the comments);
`email_subscriptions` (issue #24: a report's followers known by an address only, whose e-mails
carry the one-click unsubscribe as the notifications' do); `picture_owners` (issue #22: an image
is served only to who may see what holds it).
New fields come after the loader's fields, with defaults, so that no manifest's positional use
breaks.

Loading is lazy: `FEATURES` is read at call time (`features.FEATURES`), never at import, so that a
feature's modules may use the registry although the manifests import them.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: the manifests import these modules, not the reverse
    from starlette.routing import BaseRoute

    from participation.auditlog.wording import AuditWords
    from participation.contributions import ContentKind
    from participation.participants import Since
    from participation.ratelimit import RateLimitedAction
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
    "oidc",
    "signalements",
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
    # "" (everyone), "moderator", "evaluator" or "admin": who sees the link in the header; on the
    # Administration page, "agent" marks a link desk officers see too (issue #19)
    role: str = ""


@dataclass(frozen=True)
class AdminLine:
    """One line of the Administration page (templates/admin/index.html): its links, shown
    separated by " · ". Lines are shown by `position` (the features' order breaks ties): the
    page's order is not the order of `INSTALLED` (the dashboard of indicators, installed last,
    comes before the commitments of followup). Each link is a `NavLink`: the page is for
    administrators, and a desk officer sees there only the links whose `role` is "agent"."""

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
class EmailSubscription:
    """E-mails a feature sends to someone it knows by an address only, not as a notified
    account (signalements: a report's followers without an account), which the e-mail's
    one-click unsubscribe link stops (participation/accounts/routes.py `unsubscribe`): `kind`
    (unique across features and notification kinds), `label` (msgid, on the unsubscribe page),
    `stop(id)` ends the subscription of that id (stopping twice is harmless), `stopped(id)`
    whether it is ended. The e-mail is queued with `mail.unsubscribe_value(id, kind)`."""

    kind: str
    label: str
    stop: Callable[[int], Awaitable[None]]
    stopped: Callable[[int], Awaitable[bool]]


@dataclass(frozen=True)
class SessionColumn:
    """A value read with the session on every signed-in request, in the same query
    (participation.accounts.services.session_lookup): `sql` is a correlated subquery on
    `"accounts_session"`, whose text never changes (PostgreSQL keeps the lookup prepared);
    `convert(value, now)` is set on the user as `attribute`.

    `writes_allowed`: when the value lets a feature's middleware refuse the person's writes (a
    blocked account), the SQL condition on `"accounts_session"` that holds when it does not,
    with `{now}` where the request's time goes. A route's fast POST answers before the
    features' middlewares, without the lookup (participation.middleware.Prefetch.fast_post):
    its statement writes nothing unless every such condition holds."""

    attribute: str
    sql: str
    convert: Callable[[Any, datetime], Any]
    writes_allowed: str = ""


@dataclass(frozen=True)
class FeedEntry:
    """One entry of the Atom feeds (participation/feeds.py): `key` names it for good across the
    site ("proposal/12", "proposal/12/answer": the entry's id is a tag: URI made of it, so it
    never changes), `path` is its page, `updated` and `published` are aware datetimes (shown in
    UTC), `summary` plain text; `space_id` the participatory space it belongs to (None: none),
    which puts it in that space's feed too."""

    key: str
    title: str
    path: str
    updated: datetime
    published: datetime
    summary: str = ""
    space_id: int | None = None


@dataclass(frozen=True)
class FeedSource:
    """A feature's feed, served at /feeds/<name>.atom and merged into the site-wide feed:
    `title` is a msgid; `entries(limit)` returns at most `limit` public entries, the newest
    first; pages under the path of the route `pages` link to it in their head. A feature whose
    contents belong to participatory spaces gives `space_entries(space_id, limit)`: the same
    entries, of that space only (one indexed query), for the space's feed."""

    name: str
    title: str
    entries: Callable[[int], Awaitable[list[FeedEntry]]]
    pages: str = ""
    space_entries: Callable[[int, int], Awaitable[list[FeedEntry]]] | None = None


@dataclass(frozen=True)
class LoginOption:
    """A way to log in offered on the log-in and sign-up pages (a button "Log in with
    FranceConnect"): `label` already translated, `href` the path that starts it."""

    label: str
    href: str


@dataclass(frozen=True)
class AccountSection:
    """A part of the person's account page (templates/accounts/profile.html): `template` is
    included with `section` (this object) in its context; `context` is what it shows."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActivityItem:
    """One line of a person's "My activity" (participation/accounts: /account/activity): `at`
    when (aware datetime; a day only at its midnight UTC), `what` a msgid ("Proposal written",
    "Proposal supported"...), `title` and `link` the content, `note` a msgid said after it ("draft",
    "answers not linked to your account")."""

    at: datetime
    what: str
    title: str
    link: str
    note: str = ""


@dataclass(frozen=True)
class SpaceComponent:
    """One thing a feature attached to a participatory space (participation/spaces), as the
    space's page lists it: `kind` a msgid ("Participatory budget"), `title`, `url` its page,
    `state` a msgid ("Vote open"), `deadline` when that state ends, `at` when it takes place
    (an event), None when there is no such date. `public` False: staff only (a draft); the
    space's page leaves it out, but the space still holds it (it cannot be deleted).
    `calendar`: an iCalendar feed of the space's events of this kind, offered once on the
    space's page (meetings)."""

    kind: str
    title: str
    url: str
    state: str = ""
    deadline: datetime | None = None
    at: datetime | None = None
    public: bool = True
    calendar: str = ""


@dataclass(frozen=True)
class CommentTarget:
    """What a comment is on, as its feature describes it to the comments (issue #18): its title,
    the page showing the thread, its participatory space (None: it belongs to none), whether it
    takes comments now apart from the space's switch (`open`: False when closed), and the people
    told of a new comment (its authors, `author_ids`). Who may comment is the comments' to ask:
    its space's switch and audience rule (participation/commenting.py), the same for every kind."""

    title: str
    url: str
    space_id: int | None = None
    open: bool = True
    author_ids: tuple[int, ...] = ()
    # what the notifications of its comments are stored against (a proposal: the notification
    # names it and links to its page); None: they keep the title and link to `url`
    subject: Any = None


@dataclass(frozen=True)
class Commentable:
    """A kind of thing a feature lets people comment on: `target(user, id)` is the
    `CommentTarget` if this person may see it, None otherwise (the comments answer 404, as the
    target's page does)."""

    kind: str  # "budget_project": in URLs (/comments/<kind>/<id>) and in comments.target_kind
    label: str  # msgid: "budget project"
    target: Callable[[Any, int], Awaitable[CommentTarget | None]]
    # the comments' foreign key to its targets, if they have one ("proposal"; with what the
    # target reads through it: "proposal__collection" reads its collection too), and the target
    # as a list shows it (title, url, space, open), made from that row: lists of comments
    # (moderation's queue, "My activity") read it with the comments, in the same statement;
    # who is told is read by `target`. None: one `target(None, id)` per target listed
    relation: str = ""
    listed: Callable[[Any], CommentTarget] | None = None
    # moves the target's count of shown comments by +1/-1, in the caller's transaction (a
    # proposal's `comment_count`); None: it keeps no count
    counted: Callable[[int, int], Awaitable[None]] | None = None
    # where its comments' actions answer, "{id}" the target's ("/proposals/{id}/comments");
    # "": /comments/<kind>/<id>
    prefix: str = ""
    # its own page showing a comment form sent back with its errors (422), given the request,
    # the target's id and the form (`name`, `values`, `errors`); None: the comments' own page
    refused_page: Callable[[Any, int, Any], Awaitable[Any]] | None = None
    # the spaces of these targets (those in one), read with a row lock on what decides it held
    # until the caller's transaction ends: a moderation case on a comment reads its space so
    # while staff may be moving the target to another space (issue #18; a consultation's
    # outcome, a meeting). None: read plainly through `target` (a kind that is moderated
    # content itself locks in its `ContentKind.spaces_of`)
    spaces_of: Callable[[list[int]], Awaitable[dict[int, int]]] | None = None
    # the targets anybody sees, as a query of their ids (`.values("id")`), read as a subquery by
    # the public API's /api/v1/comments (participation/comments/api.py) with the rule of the
    # target's page for a visitor; None: its comments stay out of the API
    public: Callable[[], Any] | None = None


@dataclass(frozen=True)
class PictureOwner:
    """Rows of a feature that hold images of the core's picture service (participation/pictures,
    issue #22): `model` names its picture by a nullable foreign key (`field`, its column),
    `seen(user, picture_id)` says whether this person (a visitor: `AnonymousUser`) may see the
    row holding it, by the row's own rule (its page's): the image's route answers 404
    otherwise. `model` also tells the nightly sweep which pictures are still held."""

    kind: str  # "proposal", "budget_project", "meeting"
    model: Any
    seen: Callable[[Any, int], Awaitable[bool]]
    field: str = "image_id"


@dataclass(frozen=True)
class Outcome:
    """An outcome a feature published (a budget's results, a consultation's outcome, an
    official answer), as the home page lists the latest: `kind` a msgid, `published_at`."""

    kind: str
    title: str
    url: str
    published_at: datetime


@dataclass(frozen=True)
class IndicatorColumn:
    """A column of an `IndicatorTable`: `key` in each row's values, `label` a msgid, `kind`
    how it reads ("count", "days", "share" from 0 to 1). A count is hidden when it is below
    the indicators' threshold (with secondary suppression, as the other sections); any value
    is hidden when the count named by `base` in its row is (a median of 3 reports is not
    shown)."""

    key: str
    label: str
    kind: str = "count"
    base: str = ""


@dataclass(frozen=True)
class IndicatorTable:
    """One table of a feature's indicators section: figures per group (a category, a
    district), `group_label` the msgid of the first column; `rows` are (group name, values),
    "" naming the unknown group; `total` the same values for everyone."""

    key: str
    title: str
    group_label: str
    columns: Sequence[IndicatorColumn]
    rows: Sequence[tuple[str, dict[str, float | int | None]]]
    total: dict[str, float | int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorSection:
    """A feature's section of the indicators dashboard (indicators/): `name` its stable key,
    `title` a msgid, `compute()` its tables, already aggregated (counts, never rows about a
    person). The indicators job calls it, applies its small-group suppression and stores the
    result; the dashboard shows the stored figures."""

    name: str
    title: str
    compute: Callable[[], Awaitable[Sequence[IndicatorTable]]]


@dataclass(frozen=True)
class MetricSample:
    """One value of a gauge on /metrics: `name` without the `participation_` prefix, its help
    text, the value and its labels (bounded values, never a person's)."""

    name: str
    help: str
    value: float
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiField:
    """A property of a public API resource (participation/api.py), and a column of its open
    dataset: `type` is "integer", "number", "string", "boolean", "datetime" (UTC, RFC 3339),
    "date" or "integers" (a list of integers, never in a dataset); `description` a msgid: as
    written in the OpenAPI document and the Table Schema, translated on the readable pages."""

    name: str
    type: str
    description: str
    nullable: bool = False


@dataclass(frozen=True)
class ApiFilter:
    """A query parameter that narrows a collection of the public API (participation/api.py
    checks it, a 400 naming it when its value is wrong, and documents it in the OpenAPI
    document): `type` is "integer" (an identifier, 1 to 2,147,483,647), "string" (at most
    `max_length` characters, no more than the column it filters holds: Tortoise refuses a
    longer value even in a filter; `choices`, when given, the only values allowed) or
    "datetime" (RFC 3339
    with its offset, or a date: midnight UTC); `description` a msgid. `lookup` is the Tortoise
    filter a query-built collection applies (`participation.keyset`: `budget_id`,
    `category__name`, `published_at__gte`; default: the name); a collection that builds its
    pages itself reads the parsed value under `name`."""

    name: str
    type: str
    description: str
    choices: tuple[str, ...] = ()
    lookup: str = ""
    max_length: int = 100


@dataclass(frozen=True)
class ApiRow:
    """One item of a collection and its place in the keyset order (`key`: integers, compared
    as a tuple; the cursor of the next page carries the last one)."""

    key: tuple[int, ...]
    item: dict[str, Any]


@dataclass(frozen=True)
class ApiResource:
    """A read-only collection of the public API, served at /api/v1/<name> (participation/api.py)
    and documented in its OpenAPI document: `title` and `description` are msgids;
    `page(after, limit, filters)` returns at most `limit` `ApiRow`s of what a visitor who is
    not signed in sees (never hidden, pending, refused, unpublished or private content), in
    keyset order, after the key `after` (None: from the start), narrowed by `filters` (the
    parsed values of the declared `filters` present in the request, by name); `key` names the
    key's parts (its arity); `example` an item as the page documents it. `item(id)`, when
    given, is the item `id` as a page would show it, or None when no page would show it
    (/api/v1/<name>/<id>: 404). `participation.keyset.query_resource` builds `page` and
    `item` from one query and one row function. `dataset`: also an open dataset
    (/donnees-ouvertes: CSV for people and machines, ODS, Table Schema), its fields scalars."""

    name: str
    title: str
    description: str
    fields: Sequence[ApiField]
    page: Callable[[tuple[int, ...] | None, int, Mapping[str, Any]], Awaitable[list[ApiRow]]]
    example: dict[str, Any]
    key: tuple[str, ...] = ("id",)
    dataset: bool = False
    filters: Sequence[ApiFilter] = ()
    item: Callable[[int], Awaitable[dict[str, Any] | None]] | None = None


@dataclass(frozen=True)
class Command:
    """A subcommand of `participation` (participation/cli.py), declared without importing its
    code (issue #23): `participation --help` lists `name` and `help`; `configure` is
    "module:function", imported only to run this command or show its own help. The function
    gets the argparse parser made for the command (`name`, `help`) and adds its arguments, its
    description and its `func` (`parser.set_defaults(func=...)`)."""

    name: str
    help: str
    configure: str


def commands_of(package: str) -> tuple[Command, ...]:
    """The subcommands a feature package declares in its `cli.py` (`COMMANDS`), () if it has
    none. `cli.py` declares and imports nothing heavy: the manifest, which imports the
    feature's routes, models and templates, is not read (issue #23: `participation tally`
    imported every feature's web code to build its parser)."""
    if importlib.util.find_spec(f"{package}.cli") is None:
        return ()
    declared = importlib.import_module(f"{package}.cli").COMMANDS
    if not all(isinstance(command, Command) for command in declared):
        raise TypeError(f"{package}.cli.COMMANDS holds something else than a Command")
    return tuple(declared)


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
    # values read with the session (moderation: whether the person is blocked)
    session_columns: Sequence[SessionColumn] = ()
    # a hot route's reads joined to the session lookup (participation.middleware.Prefetch)
    session_prefetch: Sequence[Any] = ()
    # other ways to log in, shown on the log-in and sign-up pages: `login_options(page, next)`,
    # page "login" or "signup", returns `LoginOption`s (oidc: the identity providers)
    login_options: Callable[[str, str], Awaitable[Sequence[LoginOption]]] | None = None
    # `logout_redirect(request)`, called by the log-out before the session ends: where to send
    # the browser instead of the home page (oidc: the provider's end of session), or None
    logout_redirect: Callable[[Any], Awaitable[str | None]] | None = None
    # `account_section(user)`: the feature's part of the account page, or None
    account_section: Callable[[Any], Awaitable[AccountSection | None]] | None = None
    # set by the loader, not by manifests:
    package: str = ""  # dotted package, where `manifest.py` and `migrations/` are
    app_label: str = ""  # Tortoise app of `models`: `name`, or `participation` inside it
    # its entries in the Atom feeds (participation/feeds.py: /feeds/<name>.atom, /feeds/all.atom)
    feeds: Sequence[FeedSource] = ()
    # what the feature attached to a participatory space (participation/spaces):
    # `space_components(space_id)` returns `SpaceComponent`s, listed on the space's page
    space_components: Callable[[int], Awaitable[list[SpaceComponent]]] | None = None
    # its latest published outcomes, for the home page: `outcomes(limit)`, newest first
    outcomes: Callable[[int], Awaitable[list[Outcome]]] | None = None
    # how its actions read in the audit log, and how its objects are named there
    # (participation/auditlog/wording.py: AuditWords)
    audit_words: AuditWords | None = None
    # its sections of the indicators dashboard (indicators/: computed by its job, suppressed,
    # stored, shown to admins), e.g. signalements' received and resolved reports
    indicator_sections: Sequence[IndicatorSection] = ()
    # its rate-limited actions, their limits and labels (participation/ratelimit.py merges them
    # after the core's own; /admin/settings lists them, each switched on or off)
    rate_limits: Sequence[RateLimitedAction] = ()
    # its part of a person's page in /admin/people (participation/people: administrators):
    # `person_section(person, errors, values)` (the page's errors and typed values, after a
    # refused form of the section) returns an `AccountSection` or None (moderation: blocks)
    # who took part since a moment, for the home page's "participants this year"
    # (participation/participants.py): `participants(since)` returns person keys ("user:<id>",
    # "census:<id>") in one query; budgets answer from their voter register, never from ballots
    participants: Callable[[Since], Awaitable[set[str]]] | None = None
    person_section: (
        Callable[[Any, Mapping[str, str], Mapping[str, str]], Awaitable[AccountSection | None]]
        | None
    ) = None
    # its part of the agent's page of a person at the counter (participation/counter:
    # /admin/counter/people/<id>, contributions taken on behalf of people who are not online):
    # `counter_section(person, errors, values)`, the same contract as `person_section`
    # (proposals: record a proposal or a support in the person's name)
    counter_section: (
        Callable[[Any, Mapping[str, str], Mapping[str, str]], Awaitable[AccountSection | None]]
        | None
    ) = None
    # whether a census row (`CensusEntry` id: a person's row of the council's file or the
    # anchor of their account) has taken part in something still open, through which a second
    # row could take part once more: `open_participation(census_entry_id)`. Asked before a
    # verification moves a person to another row (participation/residents/services.py:
    # one person, one vote); budgets: a register row in a budget whose vote is not closed.
    # Says whether, never how (no ballot is read)
    open_participation: Callable[[int], Awaitable[bool]] | None = None
    # figures for /metrics (participation/metrics.py), read at each scrape: `metrics()` returns
    # `MetricSample`s in one or two aggregate queries (budgets: ballots cast per channel). Counts
    # only: no label may name a person
    metrics: Callable[[], Awaitable[list[MetricSample]]] | None = None
    # its collections of the public read API (participation/api.py: /api/v1/<name>, the
    # OpenAPI document) and, those marked `dataset`, of the open data (participation/opendata.py)
    api: Sequence[ApiResource] = ()
    # what the person did that is tied to their account, for "My activity" (issue #19):
    # `activity(user_id, limit)` returns at most `limit` `ActivityItem`s, newest first. Never
    # ballots nor anonymous answers (docs/security.md): those are tied to nobody
    activity: Callable[[int, int], Awaitable[list[ActivityItem]]] | None = None
    # what people may comment on, besides proposals (issue #18: comments everywhere); the
    # thread is shown by participation/commenting.py's `section`, which the comments provide
    commentables: Sequence[Commentable] = ()
    # the comments feature's own: the HTML of a target's thread and form for a page
    # (`comment_section(request, kind, target_id, target)`)
    comment_section: Callable[[Any, str, int, CommentTarget], Awaitable[Any]] | None = None
    # e-mails to addresses without an account that their one-click link stops (issue #24)
    email_subscriptions: Sequence[EmailSubscription] = ()
    # what holds its images (participation/pictures: `PictureOwner`), so that an image is served
    # only to who may see what holds it, and a picture nothing holds any more is swept
    picture_owners: Sequence[PictureOwner] = ()


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
