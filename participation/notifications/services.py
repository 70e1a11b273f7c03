"""Record notifications inside the caller's transaction; e-mails are dispatched after commit.

Each (person, event key) is UNIQUE in the database: recording the same event twice notifies
nobody twice, and sends no second e-mail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise import timezone
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from participation import features, formatting, i18n, mail
from participation.accounts.domain import FORMER_PARTICIPANT
from participation.accounts.models import User
from participation.db import fetch_rows
from participation.features import NotificationKind
from participation.i18n import N_, gettext
from participation.notifications.models import Notification, NotificationPreference
from participation.notifications.preferences import (
    DIGEST_KIND,
    Channel,
    after_unsubscribe,
    channel_for,
    stored_changes,
)
from participation.settings import Settings
from participation.urls import url


class Kind:
    COMMENT = "comment"
    REPLY = "reply"
    ANSWER = "answer"
    STATE = "state"
    THRESHOLD = "threshold"
    AMENDMENT_SUGGESTED = "amendment_suggested"
    AMENDMENT_ACCEPTED = "amendment_accepted"
    CONSULTATION_OUTCOME = "consultation_outcome"  # no proposal: event key "consultation:<id>:..."
    MODERATION = "moderation"  # a moderator's decision on the recipient's content
    # follow-up of commitments; no proposal: event key "followup:<id>:status|milestone:<id>"
    FOLLOWUP_STATUS = "followup_status"
    FOLLOWUP_MILESTONE = "followup_milestone"


# kind -> (subject, sentence); {title} is the proposal, {actor} who acted, {state} the new state
MESSAGES = {
    Kind.COMMENT: (N_("New comment on your proposal"), N_("{actor} commented on “{title}”.")),
    Kind.REPLY: (
        N_("New reply to your comment"),
        N_("{actor} replied to your comment on “{title}”."),
    ),
    Kind.ANSWER: (
        N_("Official answer to a proposal"),
        N_("The council answered the proposal “{title}”."),
    ),
    Kind.STATE: (N_("A proposal changed state"), N_("The proposal “{title}” is now: {state}.")),
    Kind.THRESHOLD: (
        N_("A proposal reached its support threshold"),
        N_("The proposal “{title}” reached its support threshold."),
    ),
    Kind.AMENDMENT_SUGGESTED: (
        N_("An amendment was suggested"),
        N_("{actor} suggested an amendment to “{title}”."),
    ),
    Kind.AMENDMENT_ACCEPTED: (
        N_("Your amendment was accepted"),
        N_("Your amendment to “{title}” was accepted."),
    ),
    Kind.CONSULTATION_OUTCOME: (
        N_("The council answered a consultation"),
        N_("The council published its response to a consultation you took part in."),
    ),
    Kind.FOLLOWUP_STATUS: (
        N_("A commitment changed status"),
        N_("A commitment you took part in changed status."),
    ),
    Kind.FOLLOWUP_MILESTONE: (
        N_("A commitment has a new milestone"),
        N_("A commitment you took part in has a new milestone."),
    ),
    Kind.MODERATION: (
        N_("A moderator reviewed your contribution"),
        N_("Your contribution on “{title}” was reviewed by a moderator: {state}."),
    ),
}


@contextmanager
def speaking(language: str) -> Iterator[None]:
    token = i18n.current_language.set(language)
    try:
        yield
    finally:
        i18n.current_language.reset(token)


def sentence(kind: str, **params: str) -> str:
    """The translated sentence of a notification (in the current language)."""
    _subject, text = _messages(kind)
    values = {"actor": "", "title": "", "state": "", **params}
    if state := values["state"]:
        values["state"] = gettext(state)
    return gettext(text).format(**values)


# In-app sentences of the kinds whose e-mail is worded by its caller (`notify_users`), used
# when the notification stored the title (rows written before it was stored keep the short one)
TITLED = {
    Kind.CONSULTATION_OUTCOME: N_(
        "The council published its response to the consultation “{title}”."
    ),
    Kind.FOLLOWUP_STATUS: N_("The commitment “{title}” is now: {state}."),
    Kind.FOLLOWUP_MILESTONE: N_("The commitment “{title}” has a new milestone."),
}


def declared(kind: str) -> NotificationKind | None:
    """The kind as a feature declares it in its manifest (`Feature.notification_kinds`), or
    None for the kinds above. Read at call time: the features are loaded lazily."""
    for feature in features.FEATURES:
        for declared_kind in feature.notification_kinds:
            if declared_kind.kind == kind:
                return declared_kind
    return None


def _messages(kind: str) -> tuple[str, str]:
    """(e-mail subject, sentence) of a kind, of the core or of a feature."""
    if kind in MESSAGES:
        return MESSAGES[kind]
    feature_kind = declared(kind)
    if feature_kind is None:
        raise KeyError(kind)
    return feature_kind.subject, feature_kind.titled


def describe(notification: Any) -> str:
    """The sentence of a stored notification in the list, in the current language: the same
    facts as its e-mail (who acted, the new state, the title), from what the row stored."""
    n = notification
    actor = n.actor
    if actor is None:
        name = ""
    elif actor.deleted_at is not None:
        name = gettext(FORMER_PARTICIPANT)
    else:
        name = actor.display_name
    title = n.proposal.title if n.proposal is not None else n.title
    feature_kind = declared(n.kind)
    titled = TITLED.get(n.kind) or (feature_kind.titled if feature_kind else None)
    if titled is not None:
        if not title:
            return sentence(n.kind)
        return gettext(titled).format(title=title, state=gettext(n.state) if n.state else "")
    if n.kind == Kind.MODERATION:  # the decision and its reason are on /moderation/mine
        if title:
            return gettext(
                "A moderator reviewed your contribution on “%(title)s”: see the decision and "
                "its reason."
            ) % {"title": title}
        return gettext("A moderator reviewed your contribution: see the decision and its reason.")
    return sentence(n.kind, title=title, actor=name, state=n.state)


def link_of(notification: Any) -> str:
    """Where a notification in the list leads."""
    n = notification
    if (feature_kind := declared(n.kind)) is not None:
        return feature_kind.link(n.event_key)
    if n.kind == Kind.CONSULTATION_OUTCOME:
        return url("consultations:outcome", consultation_id=n.event_key.split(":")[1])
    if n.kind in TITLED:
        return url("followup:detail", commitment_id=n.event_key.split(":")[1])
    if n.kind == Kind.MODERATION:
        return url("moderation:mine")
    if not n.comment_id:
        return url("proposals:detail", id=n.proposal_id)
    # the comment's address: `?comment=` opens the thread's page holding it (comments.domain)
    return url(
        "proposals:detail",
        id=n.proposal_id,
        query={"comment": n.comment_id},
        anchor=f"comment-{n.comment_id}",
    )


async def notify(
    settings: Settings,
    kind: str,
    event_key: str,
    recipients: Iterable[Any],
    proposal: Any,
    comment: Any = None,
    exclude: int | None = None,
    reason: str = "",
    link: str = "",
    title: str = "",
    actor: Any = None,
    state: str = "",
) -> list[mail.OutboxEmail]:
    """Notify each recipient once for `event_key`; call inside the transaction of the event and
    pass the returned e-mails to `dispatch` after commit. `proposal` may be None for content
    that is not about a proposal (a budget project): then give its `title` and `link`.
    `actor` is the person who acted (a User), `state` the msgid of the new state or decision:
    both are stored with the notification, so the in-app list says what the e-mail says."""
    # a deleted account is notified of nothing (its address is erased: docs/privacy.md)
    people = {
        user.id: user
        for user in recipients
        if user.id != exclude and getattr(user, "deleted_at", None) is None
    }
    if not people:
        return []
    already = set(
        await Notification.filter(event_key=event_key, user_id__in=list(people)).values_list(
            "user_id", flat=True
        )
    )
    new = [user for user_id, user in people.items() if user_id not in already]
    channels = await channels_of([user.id for user in new], kind)
    await Notification.bulk_create(
        [
            Notification(
                user_id=user.id,
                kind=kind,
                event_key=event_key,
                proposal_id=proposal.id if proposal is not None else None,
                comment_id=comment.id if comment is not None else None,
                actor_id=actor.id if actor is not None else None,
                state=state,
                title="" if proposal is not None else title[:200],
                delivery=channels[user.id],
            )
            for user in new
        ],
        ignore_conflicts=True,
    )
    link = link or settings.base_url + url("proposals:detail", id=proposal.id)
    params = {"state": state, "actor": actor.display_name if actor is not None else ""}

    def text() -> str:
        words = sentence(kind, title=proposal.title if proposal else title, **params)
        if reason:  # a moderator's reason, in their words
            words += "\n\n" + gettext("Reason given: {reason}").format(reason=reason)
        return words

    return [
        await _email(settings, user, kind, text, link)
        for user in new
        if channels[user.id] == Channel.EMAIL
    ]


async def notify_users(
    settings: Settings,
    kind: str,
    event_key: str,
    user_ids: Iterable[int],
    message: str,
    link: str,
    translated: tuple[str, ...] = (),
    **params: str | date,
) -> list[mail.OutboxEmail]:
    """Notify each person once for `event_key`, about no proposal: `message` is a msgid
    worded in each recipient's language with `params` (those named in `translated` are msgids
    too; dates and moments are written by `formatting`, in the town's time). Call inside the
    event's transaction; pass the returned e-mails to `dispatch` after commit."""
    wanted = set(user_ids)
    if not wanted:
        return []
    already = set(
        await Notification.filter(event_key=event_key, user_id__in=list(wanted)).values_list(
            "user_id", flat=True
        )
    )
    # a deleted account is notified of nothing (its address is erased: docs/privacy.md)
    people = await User.filter(id__in=list(wanted - already), deleted_at__isnull=True).order_by(
        "id"
    )
    stored = {"title": str(params.get("title", ""))[:200], "state": str(params.get("status", ""))}
    channels = await channels_of([user.id for user in people], kind)
    await Notification.bulk_create(
        [
            Notification(
                user_id=user.id,
                kind=kind,
                event_key=event_key,
                delivery=channels[user.id],
                **stored,
            )
            for user in people
        ],
        ignore_conflicts=True,
    )

    def text() -> str:
        values = {k: _worded(v, k in translated) for k, v in params.items()}
        return gettext(message).format(**values)

    return [
        await _email(settings, user, kind, text, link)
        for user in people
        if channels[user.id] == Channel.EMAIL
    ]


def _worded(value: str | date, translated: bool) -> str:
    """One parameter of a notification, in the recipient's language (set by `speaking`)."""
    if isinstance(value, datetime):
        return formatting.format_datetime(value)
    if isinstance(value, date):
        return formatting.format_date(value)
    return gettext(value) if translated else value


async def _email(
    settings: Settings, user: Any, kind: str, text: Callable[[], str], link: str
) -> mail.OutboxEmail:
    """One notification e-mail, worded (`text()` too) in the recipient's language; it carries
    a link to the preferences and List-Unsubscribe for its kind (participation/mail.py)."""
    with speaking(user.language or settings.default_language):
        subject = gettext(_messages(kind)[0])
        body = gettext(
            "Hello {name},\n\n{text}\n\n{link}\n\nYour notifications: {all}\n"
            "Choose which e-mails you receive: {preferences}"
        ).format(
            name=user.display_name,
            text=text(),
            link=link,
            all=settings.base_url + url("notifications:index"),
            preferences=settings.base_url + url("accounts:notifications"),
        )
    return await mail.queue_email(
        user.email,
        f"[{settings.site_name}] {subject}",
        body,
        unsubscribe=mail.unsubscribe_value(user.id, kind),
    )


async def channels_of(user_ids: list[int], kind: str) -> dict[int, Channel]:
    """Where a notification of `kind` goes for each person (their stored choice or the
    default): one query."""
    if not user_ids:
        return {}
    chosen = dict(
        await NotificationPreference.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "channel"
        )
    )
    return {
        user_id: channel_for(kind, {kind: chosen[user_id]} if user_id in chosen else {})
        for user_id in user_ids
    }


def kinds() -> list[tuple[str, str]]:
    """Every kind of notification the installed app sends: (kind, its e-mail subject msgid),
    the core's first, then each feature's (`Feature.notification_kinds`)."""
    listed = [(kind, subject) for kind, (subject, _text) in MESSAGES.items()]
    for feature in features.FEATURES:
        listed.extend((k.kind, k.subject) for k in feature.notification_kinds)
    return listed


async def dispatch(emails: Iterable[mail.OutboxEmail]) -> None:
    for email in emails:
        await mail.dispatch(email)


def _shown(user_id: int) -> Q:
    """Hidden means hidden: no notification about a hidden or pending comment, nor about a
    hidden or pending proposal of somebody else (moderation decisions are always shown)."""
    # the models of the notification's own foreign keys (proposals and comments are features)
    fields = Notification._meta.fields_map
    comments: Any = fields["comment"].related_model  # type: ignore[attr-defined]
    proposals: Any = fields["proposal"].related_model  # type: ignore[attr-defined]
    visible = "visible"
    hidden_comments = comments.filter(moderation_state__not=visible).values("id")
    hidden_proposals = (
        proposals.filter(moderation_state__not=visible).exclude(author_id=user_id).values("id")
    )
    return Q(kind=Kind.MODERATION) | (
        (Q(comment_id=None) | ~Q(comment_id__in=Subquery(hidden_comments)))
        & (Q(proposal_id=None) | ~Q(proposal_id__in=Subquery(hidden_proposals)))
    )


async def unread_count(user_id: int) -> int:
    return await Notification.filter(_shown(user_id), user_id=user_id, read_at=None).count()


async def recent(user_id: int, limit: int = 50) -> list[Notification]:
    return (
        await Notification.filter(_shown(user_id), user_id=user_id)
        .select_related("proposal", "comment", "actor")
        .order_by("-id")
        .limit(limit)
    )


async def listed(user_id: int, limit: int = 50) -> list[Listed]:
    """`recent` as the notifications page reads it, on every visit: the same rows in the same
    order, in one plain statement whose text never changes (no query built, no model made:
    three quarters of the page's cost, issue #23; docs/performance.md)."""
    moment = Notification._meta.fields_map["created_at"].to_python_value
    rows = await fetch_rows(LISTED_SQL, [user_id, limit])
    return [
        Listed(
            id=row["id"],
            kind=row["kind"],
            event_key=row["event_key"],
            proposal_id=row["proposal_id"],
            comment_id=row["comment_id"],
            state=row["state"],
            title=row["title"],
            created_at=moment(row["created_at"]),
            read_at=moment(row["read_at"]) if row["read_at"] is not None else None,
            proposal=None if row["proposal_id"] is None else ListedProposal(row["proposal_title"]),
            actor=None
            if row["actor_id"] is None
            else ListedActor(
                row["actor_display_name"],
                moment(row["actor_deleted_at"]) if row["actor_deleted_at"] is not None else None,
            ),
        )
        for row in rows
    ]


async def mark_all_read(user_id: int) -> int:
    return await Notification.filter(user_id=user_id, read_at=None).update(read_at=timezone.now())


# `_shown` in SQL, of the notification "n": what the session's unread count and the list read.
SHOWN_SQL = (
    """("n"."kind" = 'moderation' OR ("""
    'NOT EXISTS (SELECT 1 FROM "comments_comment" AS "c" WHERE "c"."id" = "n"."comment_id" '
    """AND "c"."moderation_state" <> 'visible') """
    'AND NOT EXISTS (SELECT 1 FROM "proposals_proposal" AS "p" '
    """WHERE "p"."id" = "n"."proposal_id" AND "p"."moderation_state" <> 'visible' """
    'AND "p"."author_id" <> "n"."user_id")))'
)

# One correlated subquery that the session lookup adds to its single query (see
# accounts.services.user_for_session): the unread count costs no extra query per page.
# Like `_shown`: notifications about hidden content are not counted.
UNREAD_COUNT_SQL = (
    '(SELECT COUNT(*) FROM "notifications_notification" AS "n" '
    'WHERE "n"."user_id" = "accounts_session"."user_id" AND "n"."read_at" IS NULL '
    f"AND {SHOWN_SQL})"
)

# The list's rows (`listed`): what the page shows of each, plain SQL (issue #23).
LISTED_SQL = (
    'SELECT "n"."id", "n"."kind", "n"."event_key", "n"."proposal_id", "n"."comment_id", '
    '"n"."state", "n"."title", "n"."created_at", "n"."read_at", '
    '"pr"."title" AS "proposal_title", "a"."id" AS "actor_id", '
    '"a"."display_name" AS "actor_display_name", "a"."deleted_at" AS "actor_deleted_at" '
    'FROM "notifications_notification" AS "n" '
    'LEFT JOIN "proposals_proposal" AS "pr" ON "pr"."id" = "n"."proposal_id" '
    'LEFT JOIN "accounts_user" AS "a" ON "a"."id" = "n"."actor_id" '
    f'WHERE "n"."user_id" = $1 AND {SHOWN_SQL} '
    'ORDER BY "n"."id" DESC LIMIT $2'
)


@dataclass(frozen=True)
class ListedActor:
    display_name: str
    deleted_at: datetime | None


@dataclass(frozen=True)
class ListedProposal:
    title: str


@dataclass(frozen=True)
class Listed:
    """A notification as the list shows it (`describe`, `link_of`): its own columns, the
    title of its proposal and who acted, without the models."""

    id: int
    kind: str
    event_key: str
    proposal_id: int | None
    comment_id: int | None
    state: str
    title: str
    created_at: datetime
    read_at: datetime | None
    proposal: ListedProposal | None
    actor: ListedActor | None


# --- preferences (the account's "Notifications" page) ---------------------------------------


async def chosen_of(user_id: int) -> dict[str, str]:
    """The person's stored choices, kind -> channel (kinds left at their default have none)."""
    return dict(
        await NotificationPreference.filter(user_id=user_id).values_list("kind", "channel")  # type: ignore[arg-type]
    )


async def save_preferences(user_id: int, choices: dict[str, Channel]) -> None:
    """Store the person's choices: a row per kind set away from its default, none otherwise."""
    keep, default = stored_changes(choices)
    async with in_transaction():
        if default:
            await NotificationPreference.filter(user_id=user_id, kind__in=default).delete()
        existing = set(
            await NotificationPreference.filter(user_id=user_id, kind__in=list(keep)).values_list(
                "kind", flat=True
            )
        )
        for kind, channel in keep.items():
            if kind in existing:
                await NotificationPreference.filter(user_id=user_id, kind=kind).update(
                    channel=channel.value
                )
        await NotificationPreference.bulk_create(
            [
                NotificationPreference(user_id=user_id, kind=kind, channel=channel.value)
                for kind, channel in keep.items()
                if kind not in existing
            ],
            ignore_conflicts=True,  # two saves at once: the same rows
        )


async def is_unsubscribed(user_id: int, kind: str) -> bool:
    """Whether a one-click unsubscribe of `kind` is in effect: that kind never e-mails (the
    digest's: no kind goes to the digest)."""
    chosen = await chosen_of(user_id)
    known = [k for k, _subject in kinds()]
    if kind == DIGEST_KIND:
        return not after_unsubscribe(kind, chosen, known)
    return channel_for(kind, chosen) == Channel.NEVER


async def unsubscribe(user_id: int, kind: str) -> list[str] | None:
    """A one-click unsubscribe: the kinds now set to "never" (`after_unsubscribe`), or None
    when the account no longer exists (deleted: it receives nothing anyway)."""
    if not await User.filter(id=user_id, deleted_at__isnull=True).exists():
        return None
    chosen = await chosen_of(user_id)
    known = [k for k, _subject in kinds()]
    changed = after_unsubscribe(kind, chosen, known)
    await save_preferences(
        user_id, {k: (Channel.NEVER if k in changed else channel_for(k, chosen)) for k in known}
    )
    return changed
