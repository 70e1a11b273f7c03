"""Commands and reads of people and roles: plain data in, their own transaction.

A role change is refused when it would leave no administrator. Two administrators removing each
other's role at the same moment must not both succeed: the change locks every administrator's
row (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs one writer at a time) before it counts
them, so the second change counts again after the first committed, and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from participation.accounts.models import Role, User
from participation.audit import audit
from participation.people.domain import PAGE_SIZE, PeopleFilters, role_change_problem
from participation.refusals import DomainError, NotFound


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
