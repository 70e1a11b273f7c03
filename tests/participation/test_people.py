"""People and roles (issue #18, participation/people): administrators list the accounts
(search, role filter, pages) and grant or withdraw roles, audited; the site never loses its
last administrator; only administrators reach these pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from tortoise import timezone

from participation.accounts.models import Role, User
from participation.audit import AuditLogEntry
from participation.mail import OutboxEmail, sent_text
from participation.people import services
from participation.people.domain import PAGE_SIZE, PeopleFilters, role_change_problem
from participation.people.models import StaffInvitation
from participation.refusals import DomainError
from tests.conftest import (
    browser_of,
    create_user,
    csrf_token,
    field_error,
    logged_in,
    post_form,
)


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


# --- staff invitations ------------------------------------------------------------------------


async def _invite(c: Any, email: str, role: str = "moderator") -> Any:
    data = {"invite_email": email, "invite_role": role}
    return await post_form(c, "/admin/people/invite", data, page="/admin/people")


async def _invitation_link(settings: Any, email: str) -> str:
    """The link as the invited person reads it in the e-mail (the outbox keeps it sealed)."""
    message = await OutboxEmail.filter(recipient=email).order_by("-id").first()
    assert message is not None and "/account/invitation/" not in message.body
    match = re.search(r"http://testserver(/account/invitation/\S+)", sent_text(settings, message))
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("current", "invited", "after"),
    [
        ("citizen", "moderator", "moderator"),
        ("admin", "moderator", "admin"),
        ("moderator", "admin", "admin"),
    ],
)
def test_an_invitation_never_lowers_a_role(current: str, invited: str, after: str) -> None:
    from participation.people.domain import role_after_invitation

    assert role_after_invitation(current, invited) == after


@pytest.mark.parametrize(
    ("accepted", "expired", "signed_in", "state"),
    [
        (False, False, "new@example.org", "open"),
        (False, False, None, "sign_in"),
        (False, False, "other@example.org", "other_address"),
        (False, True, "new@example.org", "expired"),
        (True, False, "new@example.org", "used"),
    ],
)
def test_invitation_states(
    accepted: bool, expired: bool, signed_in: str | None, state: str
) -> None:
    from participation.people.domain import invitation_state

    assert invitation_state("new@example.org", accepted, expired, signed_in) == state


async def test_an_invited_person_signs_up_then_accepts_and_gets_the_role(
    app: Any, admin: User, settings: Any
) -> None:
    async with logged_in(app, admin) as c:
        response = await _invite(c, "  Nouvelle.Moderatrice@Example.org ")
        assert response.status_code == 303
        page = (await c.get("/admin/people")).text
        assert "L’invitation est envoyée à nouvelle.moderatrice@example.org" in page
        assert "Invitations en attente" in page
    link = await _invitation_link(settings, "nouvelle.moderatrice@example.org")
    invitation = await StaffInvitation.get()
    assert link.rsplit("/", 1)[1] not in invitation.token_hash  # only its hash is stored
    async with browser_of(app) as visitor:
        page = await visitor.get(link)
        assert page.status_code == 200 and "Connectez-vous avec cette adresse" in page.text
        token = await csrf_token(visitor, link)
        response = await visitor.post(link, data={"csrf_token": token})
        assert response.status_code == 303 and "/account/login" in response.headers["location"]
    person = await create_user(
        settings, "nouvelle.moderatrice@example.org", confirmed=False, display_name="Inès"
    )
    async with logged_in(app, person) as c:
        assert "Accepter l’invitation" in (await c.get(link)).text
        response = await post_form(c, link, {}, page=link)
        assert response.status_code == 303
        again = await c.get(link)
        assert again.status_code == 409 and "déjà été acceptée" in again.text
        assert (await post_form(c, link, {}, page="/aide")).status_code == 409  # once only
    await person.refresh_from_db()
    assert person.role == Role.MODERATOR and person.email_confirmed_at is not None
    actions = await AuditLogEntry.all().order_by("id").values_list("action", flat=True)
    assert actions == ["person_invited", "invitation_accepted"]


async def test_an_invitation_is_accepted_only_by_its_address_and_before_it_expires(
    app: Any, admin: User, citizen: User, settings: Any
) -> None:
    async with logged_in(app, admin) as c:
        assert (await _invite(c, "invitee@example.org", "admin")).status_code == 303
    link = await _invitation_link(settings, "invitee@example.org")
    async with logged_in(app, citizen) as c:  # someone else who got hold of the link
        page = await c.get(link)
        assert page.status_code == 409 and "avec une autre adresse" in page.text
        assert (await post_form(c, link, {}, page="/aide")).status_code == 409
    await citizen.refresh_from_db()
    assert citizen.role == Role.CITIZEN
    invitee = await create_user(settings, "invitee@example.org")
    await StaffInvitation.all().update(expires_at=timezone.now() - timedelta(minutes=1))
    async with logged_in(app, invitee) as c:
        page = await c.get(link)
        assert page.status_code == 409 and "a expiré" in page.text
        assert (await post_form(c, link, {}, page="/aide")).status_code == 409
        assert (await c.get("/account/invitation/not-a-real-token")).status_code == 404
    await invitee.refresh_from_db()
    assert invitee.role == Role.CITIZEN


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [
        ("pas-une-adresse", "moderator", "invite_email"),
        ("", "moderator", "invite_email"),
        ("x@example.org", "citizen", "invite_role"),
        ("x@example.org", "superuser", "invite_role"),
    ],
)
async def test_a_wrong_invitation_is_refused_and_nothing_sent(
    app: Any, admin: User, email: str, role: str, field: str
) -> None:
    async with logged_in(app, admin) as c:
        response = await _invite(c, email, role)
    assert response.status_code == 422
    assert field_error(response.text, field)
    assert not await StaffInvitation.exists() and not await OutboxEmail.exists()


async def test_only_administrators_invite(app: Any, moderator: User) -> None:
    async with logged_in(app, moderator) as c:
        assert (await _invite(c, "x@example.org")).status_code == 403
    assert not await StaffInvitation.exists()
