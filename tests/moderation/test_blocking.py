"""Blocking: a blocked person reads but every POST is refused with a clear 403 page; their
pending content is hidden; admins unblock; all of it in their history and the audit log."""

from __future__ import annotations

from typing import Any

from moderation.models import ModerationCase, UserBlock
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.settings import Settings
from tests.conftest import create_user, logged_in, post_form
from tests.moderation.helpers import make_comment, moderated_proposal, pending_case
from tests.participation.proposal_factories import good_form, make_proposal

MV = ModerationState


async def test_a_blocked_person_reads_but_cannot_act_until_unblocked(
    app: Any, settings: Settings, citizen: User, moderator: User, admin: User
) -> None:
    other = await create_user(settings, "other@example.org")
    public = await make_proposal(other, title="Une proposition à commenter")
    pending = await moderated_proposal(citizen, MV.PENDING, "Proposition en attente du bloqué")
    await pending_case("proposal", pending.id, citizen.id)
    pending_comment = await make_comment(
        public, citizen, "<p>Commentaire en attente.</p>", MV.PENDING
    )
    await pending_case("comment", pending_comment.id, citizen.id)
    async with logged_in(app, moderator) as mod:
        url = f"/moderation/users/{citizen.id}/block"
        response = await post_form(mod, url, {"duration": "7d", "reason": ""})
        assert response.status_code == 422 and "Indiquez un motif" in response.text
        response = await post_form(mod, url, {"duration": "7d", "reason": "Insultes répétées."})
        assert response.status_code == 303
        history = (await mod.get(f"/moderation/users/{citizen.id}")).text
        assert "Insultes répétées." in history and "Bloqué jusqu’au" in history
        # moderators cannot unblock
        unblock = f"/moderation/users/{citizen.id}/unblock"
        assert (await post_form(mod, unblock, {"reason": "Non"})).status_code == 403
        assert "en attente du bloqué" not in (await mod.get("/moderation")).text
    await pending.refresh_from_db()
    assert pending.moderation_state == MV.HIDDEN
    await pending_comment.refresh_from_db()
    assert pending_comment.moderation_state == MV.HIDDEN
    assert await ModerationCase.filter(status="open").count() == 0
    block = await UserBlock.get(user_id=citizen.id)
    assert block.ends_at is not None and block.blocked_by_id == moderator.id  # type: ignore[attr-defined]

    page = f"/proposals/{public.id}"
    async with logged_in(app, citizen) as c:
        assert (await c.get(page)).status_code == 200  # reading is fine
        attempts = [
            (f"{page}/comments", {"body": "Je commente quand même", "stance": "for"}),
            (f"{page}/support", {}),
            ("/proposals/new", await good_form()),
            (f"/moderation/report/proposal/{public.id}", {"reason": "spam"}),
        ]
        for url, data in attempts:
            response = await post_form(c, url, data)
            assert response.status_code == 403, url
            assert "Votre compte est bloqué" in response.text
            assert "Insultes répétées." in response.text
        assert (await post_form(c, "/account/logout", {})).status_code == 303
    assert await Comment.filter(body__contains="quand même").count() == 0

    async with logged_in(app, admin) as c:
        unblock = f"/moderation/users/{citizen.id}/unblock"
        response = await post_form(c, unblock, {"reason": "Excuses présentées."})
        assert response.status_code == 303
    async with logged_in(app, citizen) as c:
        data = {"body": "Merci pour le déblocage", "stance": "for"}
        assert (await post_form(c, f"{page}/comments", data, page=page)).status_code == 303
    actions = await AuditLogEntry.all().order_by("id").values_list("action", flat=True)
    assert actions == ["user_blocked", "user_unblocked"]


async def test_only_admins_block_moderators(
    app: Any, settings: Settings, moderator: User, admin: User
) -> None:
    colleague = await create_user(settings, "colleague@example.org", moderator.role)
    async with logged_in(app, moderator) as c:
        url = f"/moderation/users/{colleague.id}/block"
        response = await post_form(c, url, {"duration": "1d", "reason": "Abus."})
        assert response.status_code == 422 and "Seul un administrateur" in response.text
        url = f"/moderation/users/{moderator.id}/block"
        response = await post_form(c, url, {"duration": "1d", "reason": "Moi ?"})
        assert response.status_code == 422
    async with logged_in(app, admin) as c:
        url = f"/moderation/users/{colleague.id}/block"
        response = await post_form(c, url, {"duration": "permanent", "reason": "Abus."})
        assert response.status_code == 303
    block = await UserBlock.get(user_id=colleague.id)
    assert block.ends_at is None


async def test_a_block_ends_by_itself_and_a_lifted_one_no_longer_counts(
    app: Any, settings: Settings, citizen: User, moderator: User
) -> None:
    from datetime import timedelta

    from tortoise import timezone

    other = await create_user(settings, "other@example.org")
    proposal = await make_proposal(other, title="Une proposition à soutenir")
    now = timezone.now()
    await UserBlock.create(user_id=citizen.id, reason="Fini", ends_at=now - timedelta(minutes=1))
    await UserBlock.create(user_id=citizen.id, reason="Levé", ends_at=None, lifted_at=now)
    page = f"/proposals/{proposal.id}"
    async with logged_in(app, citizen) as c:
        assert (await post_form(c, f"{page}/support", {}, page=page)).status_code == 303
        await UserBlock.create(
            user_id=citizen.id, reason="En cours", ends_at=now + timedelta(hours=1)
        )
        refused = await post_form(c, f"{page}/unsupport", {}, page=page)
        assert refused.status_code == 403 and "En cours" in refused.text
