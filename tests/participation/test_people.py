"""People and roles (issue #18, participation/people): administrators list the accounts
(search, role filter, pages) and grant or withdraw roles, audited; the site never loses its
last administrator; only administrators reach these pages."""

from __future__ import annotations

from typing import Any

import pytest

from participation.accounts.models import Role, User
from participation.audit import AuditLogEntry
from participation.people import services
from participation.people.domain import PAGE_SIZE, PeopleFilters, role_change_problem
from participation.refusals import DomainError
from tests.conftest import create_user, csrf_token, field_error, logged_in, post_form


@pytest.mark.parametrize(
    ("target", "new", "admins", "deleted", "refused"),
    [
        ("citizen", "moderator", 1, False, False),
        ("citizen", "admin", 1, False, False),
        ("moderator", "citizen", 1, False, False),
        ("admin", "admin", 1, False, False),  # unchanged: nothing to refuse
        ("admin", "moderator", 2, False, False),
        ("admin", "citizen", 2, False, False),
        ("admin", "moderator", 1, False, True),  # the last administrator
        ("admin", "citizen", 1, False, True),
        ("citizen", "superuser", 3, False, True),  # no such role
        ("citizen", "", 3, False, True),
        ("citizen", "moderator", 3, True, True),  # a deleted account
    ],
)
def test_role_change_rules(
    target: str, new: str, admins: int, deleted: bool, refused: bool
) -> None:
    assert (role_change_problem(target, new, admins, deleted) is not None) is refused


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, PeopleFilters("", "", 1)),
        (
            {"q": "  Marie   Dupont ", "role": "admin", "page": "3"},
            PeopleFilters("Marie Dupont", "admin", 3),
        ),
        ({"role": "superuser", "page": "-1"}, PeopleFilters("", "", 1)),
        ({"q": "x" * 500, "page": "99999999999"}, PeopleFilters("x" * 100, "", 1)),
    ],
)
def test_filters_read_from_the_query(query: dict[str, str], expected: PeopleFilters) -> None:
    assert PeopleFilters.from_query(query) == expected


async def test_the_list_searches_names_and_addresses_and_filters_by_role(
    app: Any, admin: User, settings: Any
) -> None:
    await create_user(settings, "marie.dupont@example.org", display_name="Marie Dupont")
    await create_user(settings, "jean@example.org", Role.MODERATOR, display_name="Jean Martin")
    async with logged_in(app, admin) as c:
        everyone = (await c.get("/admin/people")).text
        assert "Marie Dupont" in everyone and "Jean Martin" in everyone
        by_name = (await c.get("/admin/people?q=dupont")).text
        assert "Marie Dupont" in by_name and "Jean Martin" not in by_name
        by_address = (await c.get("/admin/people?q=JEAN@")).text
        assert "Jean Martin" in by_address and "Marie Dupont" not in by_address
        moderators = (await c.get("/admin/people?role=moderator")).text
        assert "Jean Martin" in moderators and "Marie Dupont" not in moderators
        assert "Personne ne correspond" in (await c.get("/admin/people?q=zzz")).text
        hostile = await c.get("/admin/people?q=<script>alert(1)</script>&role=<b>&page=x")
        assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.text


async def test_the_list_is_paginated(app: Any, admin: User, settings: Any) -> None:
    for number in range(PAGE_SIZE):
        await User.create(
            email=f"p{number:03}@example.org",
            display_name=f"Personne {number:03}",
            password_hash="x",
        )
    async with logged_in(app, admin) as c:
        first = (await c.get("/admin/people")).text
        second = (await c.get("/admin/people?page=2")).text
    assert 'rel="next"' in first and "Personne 049" not in first
    assert "Personne 049" in second and 'rel="prev"' in second and 'rel="next"' not in second


async def test_an_administrator_grants_and_withdraws_a_role_audited(
    app: Any, admin: User, citizen: User
) -> None:
    page = f"/admin/people/{citizen.id}"
    async with logged_in(app, admin) as c:
        assert "Changer le rôle" in (await c.get(page)).text
        data = {"role": "moderator", "reason": "Renfort pour la consultation"}
        response = await post_form(c, f"{page}/role", data, page=page)
        assert response.status_code == 303 and response.headers["location"] == page
        assert "Le rôle est changé" in (await c.get(page)).text
        await citizen.refresh_from_db()
        assert citizen.role == Role.MODERATOR
        response = await post_form(c, f"{page}/role", {"role": "citizen"}, page=page)
        assert response.status_code == 303
    await citizen.refresh_from_db()
    assert citizen.role == Role.CITIZEN
    entries = await AuditLogEntry.filter(action="person_role").order_by("id")
    assert [e.target_id for e in entries] == [citizen.id, citizen.id]
    assert '"role": "moderator"' in entries[0].after and entries[0].reason.startswith("Renfort")
    assert entries[0].actor_id == admin.id


async def test_the_last_administrator_cannot_withdraw_their_own_role(
    app: Any, admin: User, settings: Any
) -> None:
    page = f"/admin/people/{admin.id}"
    async with logged_in(app, admin) as c:
        response = await post_form(c, f"{page}/role", {"role": "citizen"}, page=page)
        assert response.status_code == 409
        assert "seul administrateur" in field_error(response.text, "role")
        await admin.refresh_from_db()
        assert admin.role == Role.ADMIN
        # with a second administrator, they may step down
        other = await create_user(settings, "deux@example.org", Role.ADMIN)
        response = await post_form(c, f"{page}/role", {"role": "moderator"}, page=page)
        assert response.status_code == 303
    await admin.refresh_from_db()
    assert admin.role == Role.MODERATOR
    with pytest.raises(DomainError):  # now `other` is the last one
        await services.change_role(admin, other.id, "citizen")
    assert await AuditLogEntry.filter(action="person_role").count() == 1


async def test_two_administrators_removing_each_other_leave_one(
    app: Any, admin: User, settings: Any
) -> None:
    """Both changes at once: the second counts the administrators after the first committed."""
    import asyncio

    other = await create_user(settings, "deux@example.org", Role.ADMIN)
    results = await asyncio.gather(
        services.change_role(admin, other.id, "citizen"),
        services.change_role(other, admin.id, "citizen"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["DomainError", "bool"]
    assert await User.filter(role=Role.ADMIN).count() == 1


async def test_forged_roles_and_ids_are_refused(app: Any, admin: User, citizen: User) -> None:
    page = f"/admin/people/{citizen.id}"
    async with logged_in(app, admin) as c:
        response = await post_form(c, f"{page}/role", {"role": "superuser"}, page=page)
        assert response.status_code == 422
        assert "Choisissez" in field_error(response.text, "role")
        response = await post_form(c, "/admin/people/999999/role", {"role": "admin"}, page=page)
        assert response.status_code == 404
        assert (await c.get("/admin/people/999999")).status_code == 404
    await citizen.refresh_from_db()
    assert citizen.role == Role.CITIZEN


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.MODERATOR])
async def test_only_administrators_reach_people(
    app: Any, settings: Any, citizen: User, role: Role
) -> None:
    user = await create_user(settings, f"x-{role}@example.org", role)
    async with logged_in(app, user) as c:
        assert (await c.get("/admin/people")).status_code == 403
        assert (await c.get(f"/admin/people/{citizen.id}")).status_code == 403
        data = {"role": "admin", "csrf_token": await csrf_token(c, "/aide")}
        assert (await c.post(f"/admin/people/{user.id}/role", data=data)).status_code == 403
    await user.refresh_from_db()
    assert user.role == role


async def test_a_role_change_without_the_csrf_token_is_refused(
    app: Any, admin: User, citizen: User
) -> None:
    async with logged_in(app, admin) as c:
        response = await c.post(f"/admin/people/{citizen.id}/role", data={"role": "admin"})
    assert response.status_code == 403
    await citizen.refresh_from_db()
    assert citizen.role == Role.CITIZEN


async def test_names_are_text(app: Any, admin: User, settings: Any) -> None:
    await create_user(settings, "x@example.org", display_name='<img src=x onerror="alert(1)">')
    async with logged_in(app, admin) as c:
        page = (await c.get("/admin/people")).text
    assert "<img src=x" not in page and "&lt;img src=x" in page
