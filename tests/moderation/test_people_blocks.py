"""Blocks from an administrator's page of a person (/admin/people/{id}, issue #18): moderation's
blocks (moderation/services.py), shown and decided there through `Feature.person_section`:
with a reason, audited; the role form and the last-administrator rule are untouched."""

from __future__ import annotations

from typing import Any

from moderation.models import UserBlock
from participation.accounts.models import Role, User
from participation.audit import AuditLogEntry
from tests.conftest import create_user, field_error, logged_in, post_form


async def test_an_administrator_blocks_and_unblocks_a_person_from_their_page(
    app: Any, admin: User, citizen: User
) -> None:
    page = f"/admin/people/{citizen.id}"
    async with logged_in(app, admin) as c:
        html = (await c.get(page)).text
        assert "Pas de blocage." in html and "Bloquer ce compte" in html
        data = {"block_duration": "7d", "block_reason": "Messages insultants répétés"}
        response = await post_form(c, f"{page}/block", data, page=page)
        assert response.status_code == 303 and response.headers["location"] == page
        html = (await c.get(page)).text
        assert "Le compte est bloqué." in html and "Bloqué jusqu’au" in html
        assert "Messages insultants répétés" in html and "Débloquer" in html
        block = await UserBlock.get(user_id=citizen.id)
        assert block.blocked_by_id == admin.id and block.ends_at is not None
        data = {"unblock_reason": "Excuses présentées"}
        response = await post_form(c, f"{page}/unblock", data, page=page)
        assert response.status_code == 303 and response.headers["location"] == page
        assert "Le compte est débloqué." in (await c.get(page)).text
    await block.refresh_from_db()
    assert block.lifted_by_id == admin.id
    entries = await AuditLogEntry.filter(target_kind="user", target_id=citizen.id).order_by("id")
    assert [(e.action, e.reason, e.actor_id) for e in entries] == [
        ("user_blocked", "Messages insultants répétés", admin.id),
        ("user_unblocked", "Excuses présentées", admin.id),
    ]


async def test_a_block_without_reason_or_duration_is_refused_and_nothing_is_written(
    app: Any, admin: User, citizen: User
) -> None:
    page = f"/admin/people/{citizen.id}"
    async with logged_in(app, admin) as c:
        data = {"block_duration": "forever", "block_reason": "  "}
        response = await post_form(c, f"{page}/block", data, page=page)
        assert response.status_code == 422
        assert "Choisissez la durée" in field_error(response.text, "block_duration")
        assert "Indiquez un motif" in field_error(response.text, "block_reason")
        assert "Changer le rôle" in response.text  # the person's page, the role form intact
        response = await post_form(c, f"{page}/unblock", {"unblock_reason": "Erreur"}, page=page)
        assert response.status_code == 409
        assert 'id="unblock_reason"' in response.text and "pas bloquée" in response.text
    assert await UserBlock.filter(user_id=citizen.id).count() == 0
    assert await AuditLogEntry.filter(target_kind="user").count() == 0


async def test_an_administrator_cannot_block_themself_and_stays_the_last_administrator(
    app: Any, admin: User
) -> None:
    page = f"/admin/people/{admin.id}"
    async with logged_in(app, admin) as c:
        html = (await c.get(page)).text
        assert "Vous ne pouvez pas vous bloquer vous-même." in html
        assert f'action="{page}/block"' not in html
        data = {"block_duration": "permanent", "block_reason": "Essai"}
        response = await post_form(c, f"{page}/block", data, page=page)
        assert response.status_code == 422
        assert 'id="block_duration"' in response.text and "vous bloquer" in response.text
        response = await post_form(c, f"{page}/role", {"role": "citizen"}, page=page)
        assert response.status_code == 409  # the last administrator: untouched by blocks
    await admin.refresh_from_db()
    assert admin.role == Role.ADMIN and await UserBlock.all().count() == 0


async def test_only_administrators_block_from_the_people_pages(
    app: Any, settings: Any, moderator: User, citizen: User
) -> None:
    page = f"/admin/people/{citizen.id}"
    data = {"block_duration": "1d", "block_reason": "Abus"}
    async with logged_in(app, moderator) as c:
        # a moderator blocks from the moderation pages, not from the administrators'
        assert (await post_form(c, f"{page}/block", data)).status_code == 403
    blocked = await create_user(settings, "bloque@example.org")
    async with logged_in(app, citizen) as c:
        assert (await post_form(c, f"/admin/people/{blocked.id}/block", data)).status_code == 403
    assert await UserBlock.all().count() == 0
