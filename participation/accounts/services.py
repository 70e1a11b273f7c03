"""Account commands: they take plain data, own their transaction and return a result.

Routes turn the results into responses; e-mails are dispatched after commit.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from participation import features, mail
from participation.accounts.domain import (
    SignUpForm,
    display_name_problem,
    email_change_problems,
    has_password,
    normalize_email,
    password_change_problems,
    password_problem,
    sign_up_problems,
)
from participation.accounts.models import (
    EmailChange,
    PasswordResetToken,
    Role,
    User,
    UserSession,
)
from participation.db import database_dialect, fetch_rows
from participation.features import SessionColumn
from participation.i18n import N_, gettext
from participation.notifications.services import UNREAD_COUNT_SQL
from participation.refusals import refuse_fields
from participation.residents.domain import record_is_valid
from participation.settings import Settings
from participation.sitepages import services as sitepages
from participation.sitesettings.models import VERSION_SQL as SITE_SETTINGS_VERSION_SQL
from participation.urls import url

SESSION_LIFETIME = timedelta(days=14)
PASSWORD_RESET_LIFETIME = timedelta(hours=1)
EMAIL_CONFIRMATION_MAX_AGE = int(timedelta(days=7).total_seconds())
EMAIL_CHANGE_LIFETIME = timedelta(hours=24)


@cache
def _hasher(fast: bool) -> PasswordHasher:
    # The test environment uses cheap parameters: the suite hashes hundreds of passwords.
    return (
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    )


def hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.environment == "test")


async def hash_password(settings: Settings, password: str) -> str:
    return await asyncio.to_thread(hasher(settings).hash, password)


async def verify_password(settings: Settings, password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(hasher(settings).verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """What is stored of a secret token (sessions, reset links, staff invitations)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _confirmation_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="email-confirmation")


async def sign_up(settings: Settings, form: SignUpForm, language: str) -> User:
    problems = sign_up_problems(form)
    if problems:
        raise refuse_fields(problems)
    email = normalize_email(form.email)
    password_hash = await hash_password(settings, form.password)
    try:
        async with in_transaction():
            user = await User.create(
                email=email,
                display_name=form.display_name.strip(),
                password_hash=password_hash,
                language=language,
                # the box was ticked on the page that linked the current conditions
                terms_version=await sitepages.current_terms_version(),
                terms_accepted_at=timezone.now(),
            )
            message = await confirmation_email(settings, user)
    except IntegrityError:
        raise refuse_fields(
            {"email": N_("An account already uses this e-mail address. Log in instead.")}
        ) from None
    await mail.dispatch(message)
    return user


async def confirmation_email(settings: Settings, user: User) -> mail.OutboxEmail:
    token = _confirmation_serializer(settings).dumps({"user": user.id, "email": user.email})
    link = settings.base_url + url("accounts:confirm", token=token)
    body = gettext(
        "Hello {name},\n\nTo confirm your e-mail address on {site}, open this link:\n{link}\n\n"
        "If you did not create this account, ignore this message."
    ).format(name=user.display_name, site=settings.site_name, link=mail.SECRET)
    subject = gettext("Confirm your e-mail address")
    return await mail.queue_secret_email(
        settings, user.email, f"[{settings.site_name}] {subject}", body, link
    )


async def resend_confirmation(settings: Settings, user: User) -> None:
    if user.email_confirmed_at is None:
        await mail.dispatch(await confirmation_email(settings, user))


async def confirm_email(settings: Settings, token: str) -> User | None:
    """The confirmed user, or None when the link is wrong, expired or for an old address."""
    try:
        data = _confirmation_serializer(settings).loads(token, max_age=EMAIL_CONFIRMATION_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    user = await User.get_or_none(id=data.get("user"), email=data.get("email"))
    if user is not None and user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        await user.save(update_fields=["email_confirmed_at"])
    return user


async def authenticate(settings: Settings, email: str, password: str) -> User | None:
    user = await User.get_or_none(email=normalize_email(email))
    if user is None:
        # Same work as a real check, so response time does not reveal which e-mails exist.
        await verify_password(settings, _dummy_hash(settings), password)
        return None
    if not await verify_password(settings, user.password_hash, password):
        return None
    if hasher(settings).check_needs_rehash(user.password_hash):
        user.password_hash = await hash_password(settings, password)
        await user.save(update_fields=["password_hash"])
    return user


@cache
def _dummy_hash_for(fast: bool) -> str:
    return _hasher(fast).hash("not a real password")


def _dummy_hash(settings: Settings) -> str:
    return _dummy_hash_for(settings.environment == "test")


async def start_session(user: User) -> str:
    """A new session token for a login (the old session, if any, is ended by the caller)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    await UserSession.create(
        token_hash=token_hash(token), user=user, expires_at=now + SESSION_LIFETIME
    )
    user.last_login_at = now
    await user.save(update_fields=["last_login_at"])
    return token


async def end_session(token: str) -> None:
    await UserSession.filter(token_hash=token_hash(token)).delete()


@dataclass(frozen=True)
class SessionJoin:
    """A hot route's own reads, joined to the session lookup so that both take one round
    trip (participation.middleware.Prefetch). SQL: the user is `"u"`, parameters start at $2.
    """

    columns: str
    joins: str
    sqlite_columns: str | None = None  # where SQLite spells them differently (JSON functions)

    def columns_for(self, dialect: str) -> str:
        return self.sqlite_columns if dialect == "sqlite" and self.sqlite_columns else self.columns


@cache  # the installed features never change in a process
def _session_columns() -> tuple[SessionColumn, ...]:
    return tuple(column for feature in features.FEATURES for column in feature.session_columns)


@cache
def _user_columns() -> tuple[str, ...]:
    return tuple(sorted(User._meta.db_fields))


@cache
def _session_lookup_sql(join: SessionJoin | None = None, dialect: str = "postgres") -> str:
    columns = ", ".join(f'"u"."{name}"' for name in _user_columns())
    extra = "".join(
        f', {column.sql} AS "session_{column.attribute}"' for column in _session_columns()
    )
    return (
        f'SELECT "accounts_session"."expires_at" AS "session_expires_at", {columns}, '
        f'{UNREAD_COUNT_SQL} AS "unread_notifications", '
        f'{SITE_SETTINGS_VERSION_SQL} AS "site_settings_version"{extra}'
        + (f", {join.columns_for(dialect)}" if join else "")
        + ' FROM "accounts_session" JOIN "accounts_user" AS "u" '
        'ON "u"."id" = "accounts_session"."user_id"'
        + (f" {join.joins}" if join else "")
        + ' WHERE "accounts_session"."token_hash" = $1'
    )


async def session_lookup(
    token: str, join: SessionJoin | None = None, values: Sequence[object] = ()
) -> tuple[User | None, list[dict[str, Any]]]:
    """The user of a login token (None: unknown or expired) with `unread_notifications` and
    `is_blocked` (moderation), and the rows of `join`, all in one query. Plain SQL: it runs on
    every signed-in request; its text never changes, so PostgreSQL keeps it prepared (expiry
    is compared here, not in SQL, for the same reason)."""
    sql = _session_lookup_sql(join, database_dialect()) if join else _session_lookup_sql()
    rows = await fetch_rows(sql, [token_hash(token), *values])
    if not rows:
        return None, []
    row = rows[0]
    now = timezone.now()
    expires_at = UserSession._meta.fields_map["expires_at"].to_python_value(
        row["session_expires_at"]
    )
    if expires_at <= now:
        return None, []
    # the user's own columns only: the row also holds the joined route's (the ballot: ~50)
    user = User._init_from_db(**{name: row[name] for name in _user_columns()})
    user.unread_notifications = int(row["unread_notifications"])  # type: ignore[attr-defined]
    # participation/sitesettings/live.py: whether this process's settings are still current
    user.site_settings_version = int(row["site_settings_version"] or 0)  # type: ignore[attr-defined]
    for column in _session_columns():  # moderation: is_blocked
        setattr(user, column.attribute, column.convert(row[f"session_{column.attribute}"], now))
    return user, rows


@cache
def session_write_guard(token_hash: str, now: str) -> str:
    """A fast POST's condition (participation.middleware.Prefetch.fast_post), SQL on
    `"accounts_session"`: the session of `token_hash` is one the lookup would accept at `now`
    (not expired), and no feature refuses its person's writes (SessionColumn.writes_allowed:
    a blocked account). `token_hash` and `now` are SQL: parameters or literals."""
    conditions = [
        f'"accounts_session"."token_hash" = {token_hash}',
        f'"accounts_session"."expires_at" > {now}',
        *(
            f"({column.writes_allowed.format(now=now)})"
            for column in _session_columns()
            if column.writes_allowed
        ),
    ]
    return " AND ".join(conditions)


async def user_for_session(token: str) -> User | None:
    """The user of a login token, with `unread_notifications` and `is_blocked`: one query."""
    return (await session_lookup(token))[0]


async def request_password_reset(settings: Settings, email: str) -> None:
    """Send a reset link if the account exists; say nothing either way (no account probing)."""
    user = await User.get_or_none(email=normalize_email(email), deleted_at=None)
    if user is None:  # unknown, or deleted (its erased address must not be brought back)
        return
    token = secrets.token_urlsafe(32)
    async with in_transaction():
        await PasswordResetToken.create(
            token_hash=token_hash(token),
            user=user,
            expires_at=timezone.now() + PASSWORD_RESET_LIFETIME,
        )
        link = settings.base_url + url("accounts:reset_password", token=token)
        body = gettext(
            "Hello {name},\n\nTo choose a new password on {site}, open this link within one "
            "hour:\n{link}\n\nIf you did not ask for it, ignore this message: your password "
            "has not changed."
        ).format(name=user.display_name, site=settings.site_name, link=mail.SECRET)
        subject = gettext("Choose a new password")
        message = await mail.queue_secret_email(
            settings, user.email, f"[{settings.site_name}] {subject}", body, link
        )
    await mail.dispatch(message)


async def valid_reset_token(token: str) -> PasswordResetToken | None:
    return await PasswordResetToken.filter(
        token_hash=token_hash(token), used_at=None, expires_at__gt=timezone.now()
    ).first()


async def reset_password(settings: Settings, token: str, password: str, confirmation: str) -> User:
    """Set a new password with a reset token; the token works once, and every session ends."""
    reset = await valid_reset_token(token)
    if reset is None:
        raise refuse_fields({"token": N_("This link has expired or was already used.")})
    user = await reset.user
    if message := password_problem(password, user.email, user.display_name):
        raise refuse_fields({"password": message})
    if password != confirmation:
        raise refuse_fields({"password_confirmation": N_("The two passwords are not the same.")})
    password_hash = await hash_password(settings, password)
    async with in_transaction():
        # The conditional update is the single-use guarantee, even for two clicks at once.
        claimed = await PasswordResetToken.filter(id=reset.id, used_at=None).update(
            used_at=timezone.now()
        )
        if not claimed:
            raise refuse_fields({"token": N_("This link has expired or was already used.")})
        user.password_hash = password_hash
        await user.save(update_fields=["password_hash"])
        await UserSession.filter(user_id=user.id).delete()
    return user


async def create_admin(settings: Settings, email: str, display_name: str, password: str) -> User:
    """Create council staff with a confirmed address, or promote an existing account."""
    # a command cannot show the conditions of use: staff accept them at their first sign-in
    form = SignUpForm(email, display_name, password, password, accepts_terms=True)
    problems = sign_up_problems(form)
    existing = await User.get_or_none(email=normalize_email(email))
    if existing is not None:
        existing.role = Role.ADMIN
        await existing.save(update_fields=["role"])
        return existing
    if problems:
        raise refuse_fields(problems)
    return await User.create(
        email=normalize_email(email),
        display_name=display_name.strip(),
        password_hash=await hash_password(settings, password),
        role=Role.ADMIN,
        email_confirmed_at=timezone.now(),
    )


# --- the account page (docs/accounts.md) ------------------------------------------------------


async def change_display_name(user: User, name: str) -> None:
    name = name.strip()
    if message := display_name_problem(name):
        raise refuse_fields({"display_name": message})
    user.display_name = name
    await User.filter(id=user.id).update(display_name=name)


async def request_email_change(
    settings: Settings, user: User, new_email: str, password: str
) -> EmailChange:
    """Send a confirmation link to the new address, and a notice to the current one, which
    stays the account's until the link is opened (`confirm_email_change`). The password is
    asked when the account has one."""
    problems = email_change_problems(new_email, user.email)
    if has_password(user.password_hash) and not await verify_password(
        settings, user.password_hash, password
    ):
        problems["email_password"] = N_("The password is not right.")
    if problems:
        raise refuse_fields(problems)
    email = normalize_email(new_email)
    if await User.filter(email=email).exists():
        raise refuse_fields({"new_email": N_("An account already uses this e-mail address.")})
    token = secrets.token_urlsafe(32)
    async with in_transaction():
        # one change at a time: an earlier link stops working
        await EmailChange.filter(user_id=user.id, used_at=None).delete()
        change = await EmailChange.create(
            token_hash=token_hash(token),
            user=user,
            new_email=email,
            expires_at=timezone.now() + EMAIL_CHANGE_LIFETIME,
        )
        link = settings.base_url + url("accounts:confirm_email_change", token=token)
        body = gettext(
            "Hello {name},\n\nTo use this address for your account on {site}, open this link "
            "within 24 hours:\n{link}\n\nIf you did not ask for it, ignore this message: "
            "nothing changes."
        ).format(name=user.display_name, site=settings.site_name, link=mail.SECRET)
        subject = gettext("Confirm your new e-mail address")
        confirmation = await mail.queue_secret_email(
            settings, email, f"[{settings.site_name}] {subject}", body, link
        )
        notice_body = gettext(
            "Hello {name},\n\nSomebody asked to change the e-mail address of your account on "
            "{site} to {new}. Your address stays {old} until the link sent to the new address "
            "is opened.\n\nIf it was not you, choose a new password now: {reset}"
        ).format(
            name=user.display_name,
            site=settings.site_name,
            new=email,
            old=user.email,
            reset=settings.base_url + url("accounts:reset"),
        )
        notice_subject = gettext("A change of your e-mail address was asked")
        notice = await mail.queue_email(
            user.email, f"[{settings.site_name}] {notice_subject}", notice_body
        )
    await mail.dispatch(confirmation)
    await mail.dispatch(notice)
    return change


# The account page's records of the person (`profile_records`): their verified-resident record
# and their e-mail change waiting for confirmation, in one plain statement whose text never
# changes (the change's expiry compared here, as the session's).
PROFILE_RECORDS_SQL = (
    'SELECT "r"."id" AS "residency_id", "r"."revoked_at", "r"."expires_at", '
    '"e"."id" AS "change_id", "e"."new_email", "e"."expires_at" AS "change_expires_at" '
    'FROM (SELECT 1 AS "one") AS "one" '
    'LEFT JOIN "budgets_residency" AS "r" ON "r"."user_id" = $1 '
    'LEFT JOIN "accounts_email_change" AS "e" ON "e"."user_id" = $1 AND "e"."used_at" IS NULL '
    'ORDER BY "e"."id"'
)


@dataclass(frozen=True)
class ShownResidency:
    """A verified-resident record as the account page shows it."""

    revoked_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True)
class ShownEmailChange:
    new_email: str
    expires_at: datetime


@dataclass(frozen=True)
class ProfileRecords:
    verified: bool  # the record counts now (residents.resident_of: not revoked, not expired)
    residency: ShownResidency | None
    pending_email: ShownEmailChange | None


async def profile_records(user_id: int) -> ProfileRecords:
    """What the account page shows of the person's records, read as `residents.resident_of`
    and `pending_email_change` read them, in one statement where they were two, each built by
    the ORM (issue #23)."""
    rows = await fetch_rows(PROFILE_RECORDS_SQL, [user_id])
    moment = EmailChange._meta.fields_map["expires_at"].to_python_value
    now = timezone.now()
    first = rows[0]
    residency = None
    if first["residency_id"] is not None:
        residency = ShownResidency(
            moment(first["revoked_at"]) if first["revoked_at"] is not None else None,
            moment(first["expires_at"]) if first["expires_at"] is not None else None,
        )
    pending = None
    for row in rows:
        if row["change_id"] is not None and (expires := moment(row["change_expires_at"])) > now:
            pending = ShownEmailChange(row["new_email"], expires)
            break
    verified = residency is not None and record_is_valid(
        residency.revoked_at, residency.expires_at, now
    )
    return ProfileRecords(verified, residency, pending)


async def pending_email_change(user_id: int) -> EmailChange | None:
    return await EmailChange.filter(
        user_id=user_id, used_at=None, expires_at__gt=timezone.now()
    ).first()


async def confirm_email_change(token: str) -> User:
    """Give the account the new address of a valid link (single use, 24 hours); refused with
    a "token" problem when the link is wrong, expired or used, and a "new_email" problem when
    another account took the address in the meantime."""
    invalid = {"token": N_("This link has expired or was already used.")}
    change = await EmailChange.filter(
        token_hash=token_hash(token), used_at=None, expires_at__gt=timezone.now()
    ).first()
    if change is None:
        raise refuse_fields(invalid)
    try:
        async with in_transaction():
            # the conditional update is the single-use guarantee, even for two clicks at once
            if not await EmailChange.filter(id=change.id, used_at=None).update(
                used_at=timezone.now()
            ):
                raise refuse_fields(invalid)
            await User.filter(id=change.user_id, deleted_at=None).update(
                email=change.new_email, email_confirmed_at=timezone.now()
            )
    except IntegrityError:
        raise refuse_fields(
            {"new_email": N_("An account already uses this e-mail address.")}
        ) from None
    return await User.get(id=change.user_id)


async def change_password(
    settings: Settings,
    user: User,
    current: str,
    new: str,
    confirmation: str,
    session_token: str | None,
) -> None:
    """A new password; every other session of the account ends (this browser's stays)."""
    had_password = has_password(user.password_hash)
    right = had_password and await verify_password(settings, user.password_hash, current)
    problems = password_change_problems(
        had_password, right, new, confirmation, user.email, user.display_name
    )
    if problems:
        raise refuse_fields(problems)
    password_hash = await hash_password(settings, new)
    async with in_transaction():
        await User.filter(id=user.id).update(password_hash=password_hash)
        others = UserSession.filter(user_id=user.id)
        if session_token:
            others = others.exclude(token_hash=token_hash(session_token))
        await others.delete()
    user.password_hash = password_hash
