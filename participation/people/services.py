"""Commands and reads of people and roles: plain data in, their own transaction.

A role change is refused when it would leave no administrator. Two administrators removing each
other's role at the same moment must not both succeed: the change locks every administrator's
row (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs one writer at a time) before it counts
them, so the second change counts again after the first committed, and is refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise import timezone
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from participation import mail
from participation.accounts.domain import normalize_email
from participation.accounts.models import Role, User
from participation.accounts.services import token_hash
from participation.audit import audit
from participation.i18n import gettext
from participation.notifications.services import speaking
from participation.people.domain import (
    INVITATION_DAYS,
    PAGE_SIZE,
    ROLES,
    SPACE_ROLES,
    PeopleFilters,
    invitation_problems,
    invitation_state,
    role_after_invitation,
    role_change_problem,
    space_role_problem,
)
from participation.people.models import SpaceRole, StaffInvitation
from participation.refusals import DomainError, NotFound, refuse_fields
from participation.settings import Settings
from participation.spaces.models import Space
from participation.urls import url


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str
    email: str
    role: str
    confirmed: bool
    deleted: bool


def _person(user: User) -> Person:
    return Person(
        user.id,
        user.display_name,
        user.email,
        str(user.role),
        user.email_confirmed_at is not None,
        user.deleted_at is not None,
    )


async def people_page(filters: PeopleFilters) -> tuple[list[Person], bool]:
    """One page of accounts (deleted ones left out), by name; whether there is a next page."""
    qs = User.filter(deleted_at=None)
    if filters.q:
        qs = qs.filter(Q(display_name__icontains=filters.q) | Q(email__icontains=filters.q))
    if filters.role:
        qs = qs.filter(role=filters.role)
    rows = (
        await qs.order_by("display_name", "id")
        .offset((filters.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    return [_person(row) for row in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


async def person(person_id: int) -> Person:
    user = await User.get_or_none(id=person_id)
    if user is None:
        raise NotFound(person_id)
    return _person(user)


async def change_role(actor: Any, person_id: int, new_role: str, reason: str = "") -> bool:
    """Give the person `new_role` (site-wide); False when it was already theirs. DomainError
    when `role_change_problem` refuses it (the last administrator...)."""
    async with in_transaction():
        admins = await User.filter(role=Role.ADMIN, deleted_at=None).select_for_update()
        user = await User.get_or_none(id=person_id)
        if user is None:
            raise NotFound(person_id)
        if problem := role_change_problem(
            str(user.role), new_role, len(admins), user.deleted_at is not None
        ):
            raise DomainError(problem)
        if user.role == new_role:
            return False
        before = str(user.role)
        await User.filter(id=user.id).update(role=new_role)
        await audit(
            actor,
            "person_role",
            "user",
            user.id,
            {"role": before, "name": user.display_name},
            {"role": new_role, "name": user.display_name},
            reason,
        )
    return True


# --- roles in one participatory space ---------------------------------------------------------


@dataclass(frozen=True)
class HeldSpaceRole:
    id: int
    role: str
    space_id: int
    space_title: str


async def space_roles(person_id: int) -> list[HeldSpaceRole]:
    rows = (
        await SpaceRole.filter(user_id=person_id)
        .order_by("space__title", "id")
        .values_list("id", "role", "space_id", "space__title")
    )
    return [HeldSpaceRole(int(i), str(r), int(s), str(t)) for i, r, s, t in rows]


async def _spaces_with_role(user_id: int, role: str) -> frozenset[int]:
    rows = await SpaceRole.filter(user_id=user_id, role=role).values_list("space_id", flat=True)
    return frozenset(int(str(i)) for i in rows)


async def moderated_spaces(user_id: int) -> frozenset[int]:
    """The spaces whose content this person moderates (besides a site-wide moderator role)."""
    return await _spaces_with_role(user_id, "moderator")


async def evaluated_spaces(user_id: int) -> frozenset[int]:
    """The spaces whose budget projects this person evaluates (`permissions.
    can_evaluate_in_space`): read on each request of the evaluation pages, so a withdrawn role
    closes them at once."""
    return await _spaces_with_role(user_id, "evaluator")


def space_role_sql(role: str) -> str:
    """Whether the session's person holds `role` in some space, as a column read with the
    session (`Feature.session_columns`): the header's links ask it with no query of their own.
    Its text never changes, so PostgreSQL keeps the session lookup prepared."""
    if role not in SPACE_ROLES:  # a constant of the code, never a value from a request
        raise ValueError(role)
    return (
        'EXISTS (SELECT 1 FROM "people_space_role" AS "r" '
        f'WHERE "r"."user_id" = "accounts_session"."user_id" AND "r"."role" = \'{role}\')'
    )


# Whether the person evaluates budget projects in some space (issue #18), for
# `permissions.can_reach_evaluation` (read by budgets, the feature that offers the evaluation)
EVALUATES_A_SPACE_SQL = space_role_sql("evaluator")


def as_flag(value: object, now: datetime) -> bool:
    """An EXISTS read with the session: 0/1 on SQLite, a boolean on PostgreSQL."""
    return bool(value)


async def grant_space_role(
    actor: Any, person_id: int, space_id: int | None, role: str, reason: str = ""
) -> HeldSpaceRole:
    """Give the person `role` in one space, audited; `Refused` (field `space` or
    `space_role`) when the choice is wrong or already held."""
    async with in_transaction():
        user = await User.get_or_none(id=person_id)
        if user is None:
            raise NotFound(person_id)
        space = await Space.get_or_none(id=space_id) if space_id is not None else None
        held = space is not None and await SpaceRole.exists(
            user_id=user.id, space_id=space.id, role=role
        )
        if problem := space_role_problem(
            role, space is not None, held, user.deleted_at is not None
        ):
            field = "space_role" if role not in SPACE_ROLES or user.deleted_at else "space"
            raise refuse_fields({field: problem})
        assert space is not None
        row = await SpaceRole.create(user_id=user.id, space_id=space.id, role=role)
        after = {"space": space.title, "space_id": space.id, "role": role}
        action = "space_evaluator_granted" if role == "evaluator" else "space_role_granted"
        await audit(actor, action, "user", user.id, "", after, reason)
    return HeldSpaceRole(row.id, role, space.id, space.title)


async def withdraw_space_role(actor: Any, role_id: int, reason: str = "") -> int | None:
    """Withdraw one role in a space, audited: the person's id, or None when there is no such
    role (withdrawn already, by another administrator perhaps)."""
    async with in_transaction():
        row = await SpaceRole.get_or_none(id=role_id).select_related("space")
        if row is None or not await SpaceRole.filter(id=row.id).delete():
            return None
        before = {"space": row.space.title, "space_id": row.space_id, "role": row.role}
        action = "space_evaluator_withdrawn" if row.role == "evaluator" else "space_role_withdrawn"
        await audit(actor, action, "user", row.user_id, before, "", reason)
    return row.user_id


# --- staff invitations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    id: int
    email: str
    role: str
    invited_by: str
    expires_at: datetime
    accepted: bool
    expired: bool


def _invitation(row: StaffInvitation, now: datetime) -> Invitation:
    return Invitation(
        row.id,
        row.email,
        row.role,
        row.invited_by_name,
        row.expires_at,
        row.accepted_at is not None,
        row.expires_at <= now,
    )


async def invite(settings: Settings, actor: Any, email: str, role: str) -> Invitation:
    """Record an invitation and e-mail its link (the token is stored hashed, the link in the
    outbox encrypted); audited. Refused (fields `invite_email`, `invite_role`) when wrong."""
    email = normalize_email(email)
    if problems := invitation_problems(email, role):
        raise refuse_fields(problems)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    async with in_transaction():
        row = await StaffInvitation.create(
            token_hash=token_hash(token),
            email=email,
            role=role,
            invited_by_id=getattr(actor, "id", None),
            invited_by_name=getattr(actor, "display_name", ""),
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        link = settings.base_url + url("people:invitation", token=token)
        with speaking(settings.default_language):
            role_name = gettext(ROLES[role])
            body = gettext(
                "Hello,\n\n{name} invites you to take the role \u201c{role}\u201d on {site}. "
                "Open this link within {days} days, signed in with this address (create an "
                "account with it first if you have none):\n{link}\n\nIf you do not know why "
                "you received this message, ignore it."
            ).format(
                name=row.invited_by_name,
                role=role_name,
                site=settings.site_name,
                days=INVITATION_DAYS,
                link=mail.SECRET,
            )
            subject = gettext("An invitation to help run {site}").format(site=settings.site_name)
        message = await mail.queue_secret_email(
            settings, email, f"[{settings.site_name}] {subject}", body, link
        )
        await audit(
            actor, "person_invited", "invitation", row.id, "", {"email": email, "role": role}
        )
    await mail.dispatch(message)
    return _invitation(row, now)


async def pending_invitations() -> list[Invitation]:
    """Invitations not accepted and not expired, newest first."""
    now = timezone.now()
    rows = await StaffInvitation.filter(accepted_at=None, expires_at__gt=now).order_by("-id")
    return [_invitation(row, now) for row in rows]


async def invitation(token: str) -> Invitation | None:
    row = await StaffInvitation.get_or_none(token_hash=token_hash(token))
    return None if row is None else _invitation(row, timezone.now())


async def accept(token: str, user: User) -> str:
    """The signed-in person accepts: the invitation is used (once, by a conditional update),
    their role becomes the invited one (never lower than theirs) and their address confirmed
    (the link reached it). Returns the state of `invitation_state` ("open" when accepted)."""
    now = timezone.now()
    async with in_transaction():
        row = await StaffInvitation.get_or_none(token_hash=token_hash(token))
        if row is None:
            raise NotFound("invitation")
        state = invitation_state(
            row.email, row.accepted_at is not None, row.expires_at <= now, user.email
        )
        if state != "open":
            return state
        if not await StaffInvitation.filter(id=row.id, accepted_at=None).update(
            accepted_at=now, accepted_by_id=user.id
        ):
            return "used"
        fresh = await User.get(id=user.id)
        role = role_after_invitation(str(fresh.role), row.role)
        await User.filter(id=user.id).update(
            role=role, email_confirmed_at=fresh.email_confirmed_at or now
        )
        await audit(
            user,
            "invitation_accepted",
            "invitation",
            row.id,
            {"role": str(fresh.role)},
            {"role": role, "email": row.email},
        )
    return "open"
