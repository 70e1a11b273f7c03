"""A budget, a consultation or a meeting that staff move to another space in its edit form
takes the moderation cases of everything under it along (issue #18): its projects' reports and
their comments', its free-text answers' and the comments on its outcome, the comments on the
meeting. The new space's moderators see them in their queue, the former's no longer; the change
is audited with the space."""

from __future__ import annotations

import json
from typing import Any

import httpx
from tortoise import timezone

from budgets.models import Budget, Phase, Project
from consultations.models import Consultation, TextReview
from meetings.models import Meeting
from moderation import services as moderation
from moderation.models import ModerationCase
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.people.models import SpaceRole
from participation.settings import Settings
from participation.spaces.models import Space
from tests.budgets.test_admin import BUDGET_FORM
from tests.conftest import create_user, log_in, logged_in, post_form
from tests.consultations.factories import consultation_open
from tests.meetings.walks import MEETING
from tests.spaces.factories import space_open_with_a_vote


async def _two_spaces(settings: Settings) -> tuple[Space, Space, User, User]:
    """Two spaces, each with a moderator of its own."""
    former = await space_open_with_a_vote()
    new = await space_open_with_a_vote(title="Consultation du port", slug="port")
    former_keeper = await create_user(settings, "ancien@example.org", display_name="Ana Ancienne")
    new_keeper = await create_user(settings, "nouveau@example.org", display_name="Noé Nouveau")
    await SpaceRole.create(user=former_keeper, space=former, role="moderator")
    await SpaceRole.create(user=new_keeper, space=new, role="moderator")
    return former, new, former_keeper, new_keeper


async def _queue(app: Any, keeper: User) -> str:
    async with logged_in(app, keeper) as c:
        response = await c.get("/moderation")
        assert response.status_code == 200
        return response.text


async def _pending_comment(settings: Settings, kind: str, target_id: int, body: str) -> Comment:
    author = await create_user(settings, f"{kind}@example.org")
    comment = await Comment.create(
        target_kind=kind, target_id=target_id, author_id=author.id, body=f"<p>{body}</p>",
        moderation_state=ModerationState.PENDING,
    )  # fmt: skip
    await moderation.open_pending_case("comment", comment.id, author.id)
    return comment


async def test_a_budget_moved_to_another_space_takes_its_cases_along(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User, citizen: User
) -> None:
    former, new, former_keeper, new_keeper = await _two_spaces(settings)
    await log_in(client, admin)
    created = await post_form(
        client, "/admin/budgets/new", {**BUDGET_FORM, "space": str(former.id)}
    )
    assert created.status_code == 303
    budget = await Budget.get(title=BUDGET_FORM["title"])
    await Budget.filter(id=budget.id).update(phase=Phase.SUBMISSION)
    author = await create_user(settings, "porteuse@example.org")
    project = await Project.create(
        budget_id=budget.id, title="Une cale pour les kayaks", description="<p>Au port.</p>",
        cost=1000, author=author, moderation_state=ModerationState.VISIBLE,
    )  # fmt: skip
    await moderation.report(settings, citizen, "budget_project", project.id, "spam", "")
    comment = await _pending_comment(
        settings, "budget_project", project.id, "Un avis en attente sur la cale"
    )
    for text in (project.title, "Un avis en attente sur la cale"):
        assert text in await _queue(app, former_keeper)
        assert text not in await _queue(app, new_keeper)

    url = f"/admin/budgets/{budget.id}/edit"
    moved = await post_form(client, url, {**BUDGET_FORM, "space": str(new.id)}, page=url)
    assert moved.status_code == 303
    for text in (project.title, "Un avis en attente sur la cale"):
        assert text in await _queue(app, new_keeper)
        assert text not in await _queue(app, former_keeper)
    cases = ModerationCase.filter(target_kind__in=["budget_project", "comment"])
    assert sorted(await cases.values_list("target_id", "space_id")) == sorted(  # type: ignore[misc]
        [(project.id, new.id), (comment.id, new.id)]
    )
    entry = await AuditLogEntry.filter(action="budget_updated", target_id=budget.id).get()
    assert json.loads(entry.before)["space_id"] == former.id
    assert json.loads(entry.after)["space_id"] == new.id


async def test_a_consultation_moved_to_another_space_takes_its_cases_along(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    former, new, former_keeper, new_keeper = await _two_spaces(settings)
    consultation, questions = await consultation_open()
    await Consultation.filter(id=consultation.id).update(
        space_id=former.id, outcome_published_at=timezone.now()
    )
    review = await TextReview.create(
        question_id=questions["short"].id, text_digest="0" * 64,
        text="Des bancs à l'ombre des tilleuls", moderation_state=ModerationState.PENDING,
        created_on=timezone.now().date(),
    )  # fmt: skip
    await moderation.open_pending_case("consultation_answer", review.id, None)
    comment = await _pending_comment(
        settings, "consultation_outcome", consultation.id, "Un avis en attente sur le parc"
    )
    for text in ("Des bancs à l&#39;ombre des tilleuls", "Un avis en attente sur le parc"):
        assert text in await _queue(app, former_keeper)
        assert text not in await _queue(app, new_keeper)

    await log_in(client, admin)
    url = f"/admin/consultations/{consultation.id}/edit"
    values = {"title": consultation.title, "anonymous": "on", "space": str(new.id)}
    moved = await post_form(client, url, values, page=url)
    assert moved.status_code == 303
    for text in ("Des bancs à l&#39;ombre des tilleuls", "Un avis en attente sur le parc"):
        assert text in await _queue(app, new_keeper)
        assert text not in await _queue(app, former_keeper)
    cases = ModerationCase.filter(target_kind__in=["consultation_answer", "comment"])
    assert sorted(await cases.values_list("target_id", "space_id")) == sorted(  # type: ignore[misc]
        [(review.id, new.id), (comment.id, new.id)]
    )
    entry = await AuditLogEntry.filter(action="consultation_updated").get()
    assert json.loads(entry.before)["space_id"] == former.id
    assert json.loads(entry.after)["space_id"] == new.id


async def test_a_meeting_moved_to_another_space_takes_its_comments_cases_along(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    former, new, former_keeper, new_keeper = await _two_spaces(settings)
    await log_in(client, admin)
    created = await post_form(client, "/admin/meetings/new", {**MEETING, "space": str(former.id)})
    assert created.status_code == 303
    meeting = await Meeting.get(title=MEETING["title"])
    comment = await _pending_comment(
        settings, "meeting", meeting.id, "Un avis en attente sur la réunion"
    )
    assert "Un avis en attente sur la réunion" in await _queue(app, former_keeper)
    assert "Un avis en attente sur la réunion" not in await _queue(app, new_keeper)

    url = f"/admin/meetings/{meeting.id}"
    moved = await post_form(client, url, {**MEETING, "space": str(new.id)}, page=url)
    assert moved.status_code == 303
    assert "Un avis en attente sur la réunion" in await _queue(app, new_keeper)
    assert "Un avis en attente sur la réunion" not in await _queue(app, former_keeper)
    case = await ModerationCase.get(target_kind="comment", target_id=comment.id)
    assert case.space_id == new.id
    entry = await AuditLogEntry.filter(action="meeting_updated", target_id=meeting.id).get()
    assert json.loads(entry.before)["space_id"] == former.id
    assert json.loads(entry.after)["space_id"] == new.id
