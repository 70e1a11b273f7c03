"""Comments on the features' targets (issue #18, participation/commenting.py): a budget project,
a published consultation outcome and a meeting take the threaded comments of a proposal (post,
reply, moderation, XSS, CSRF), closed where their participatory space says so, and not at all
where the target is out of sight or closed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tortoise import timezone

from budgets.models import Budget, Phase, Project
from consultations.models import Consultation
from consultations.models import Phase as ConsultationPhase
from meetings.domain import Status as MeetingStatus
from meetings.models import Meeting
from moderation.models import ModerationCase
from participation.accounts.models import User
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.notifications.models import Notification
from participation.settings import Settings
from participation.spaces.models import Space
from tests.budgets.factories import budget_without_key
from tests.conftest import create_user, logged_in, post_form
from tests.consultations.factories import consultation_open
from tests.meetings.factories import meeting_next_week
from tests.moderation.helpers import browser, decide, report
from tests.security.xss import all_payloads, injected_markup
from tests.spaces.factories import space_open_with_a_vote

OUTSIDE = "Cette démarche est réservée aux habitants vérifiés."


async def project_taking_comments(author: User | None = None) -> tuple[Budget, Project, str]:
    """Scenario: a budget taking projects, its "Jardin partagé" project (by `author`), and
    the project's page."""
    budget, projects = await budget_without_key()
    await Budget.filter(id=budget.id).update(phase=Phase.SUBMISSION)
    project = projects[0]
    if author is not None:
        await Project.filter(id=project.id).update(author_id=author.id)
    return budget, project, f"/budgets/{budget.id}/projects/{project.id}"


async def comment(
    c: httpx.AsyncClient, project: Project, page: str, body: str, parent: int | None = None
) -> httpx.Response:
    data = {"body": body, "stance": "for", **({"parent": str(parent)} if parent else {})}
    return await post_form(c, f"/comments/budget_project/{project.id}", data, page=page)


async def test_a_budget_project_takes_comments_replies_and_moderation(
    app: Any, settings: Settings, citizen: User, moderator: User
) -> None:
    author = await create_user(settings, "author@example.org", display_name="Alex Auteur")
    _, project, page = await project_taking_comments(author)
    async with logged_in(app, citizen) as c:
        response = await comment(c, project, page, "<p>Très bonne idée pour le quartier</p>")
        assert response.status_code == 303
        top = await Comment.get()
        assert response.headers["location"] == f"{page}?comment={top.id}#comment-{top.id}"
        assert (top.target_kind, top.target_id, top.proposal_id) == (
            "budget_project",
            project.id,
            None,
        )
        # the one reply form: asked for by the link (the page again), or by htmx (the form alone)
        form = await c.get(f"/comments/budget_project/{project.id}/reply?reply={top.id}")
        assert form.status_code == 200 and 'name="parent"' in form.text
        assert "<html" not in form.text
    assert await Notification.filter(user_id=author.id, kind="comment").count() == 1
    async with logged_in(app, author) as c:
        assert 'name="parent"' in (await c.get(f"{page}?reply={top.id}")).text
        assert (await comment(c, project, page, "Merci !", parent=top.id)).status_code == 303
    reply = await Comment.get(parent_id=top.id)
    assert reply.depth == 1 and reply.target_id == project.id
    assert await Notification.filter(user_id=citizen.id, kind="reply").count() == 1
    async with browser(app) as anonymous:
        shown = (await anonymous.get(page)).text
        assert "Très bonne idée" in shown and "Merci !" in shown and "2 commentaires" in shown
    # reported, then hidden from the queue: the public no longer sees it, its author does
    async with logged_in(app, await create_user(settings, "reporter@example.org")) as c:
        assert (await report(c, "comment", reply.id, "offensive")).status_code == 303
    case = await ModerationCase.get(target_kind="comment", target_id=reply.id)
    async with logged_in(app, moderator) as c:
        queue = (await c.get("/moderation")).text
        assert "Jardin partagé" in queue
        assert (await decide(c, [case.id], "hide", "Propos hors sujet.")).status_code == 303
    await reply.refresh_from_db()
    assert reply.moderation_state == ModerationState.HIDDEN
    async with browser(app) as anonymous:
        shown = (await anonymous.get(page)).text
        assert "Très bonne idée" in shown and "Merci !" not in shown and "1 commentaire" in shown
    async with logged_in(app, author) as c:
        assert "Merci !" in (await c.get(page)).text
    async with logged_in(app, citizen) as c:  # the person's data and activity name the project
        exported = (await c.get("/account/data.json")).json()["comments"]
        assert [(e["target_kind"], e["target_id"]) for e in exported] == [
            ("budget_project", project.id)
        ]
        assert (
            f"{page}?comment={top.id}#comment-{top.id}" in (await c.get("/account/activity")).text
        )


async def test_project_comments_are_escaped_and_need_the_sites_form(
    app: Any, citizen: User
) -> None:
    _, project, page = await project_taking_comments()
    async with logged_in(app, citizen) as c:
        assert (await comment(c, project, page, all_payloads("<p>Avis</p>"))).status_code == 303
        assert injected_markup((await c.get(page)).text) == []
        forged = await c.post(
            f"/comments/budget_project/{project.id}", data={"body": "Sans jeton", "stance": "for"}
        )
        assert forged.status_code == 403
        empty = await comment(c, project, page, " ")
        assert empty.status_code == 422 and "Écrivez votre commentaire" in empty.text
    assert await Comment.filter(body__contains="Sans jeton").count() == 0


async def test_a_space_closes_its_comments_and_keeps_them_to_its_audience(
    app: Any, citizen: User, admin: User
) -> None:
    """The space's switch, then its audience rule (verified residents): outside it, the page
    says why instead of the form and a comment sent anyway is a 403; staff are not asked."""
    budget, project, page = await project_taking_comments()
    space = await space_open_with_a_vote(comments_open=False)
    await Budget.filter(id=budget.id).update(space_id=space.id)
    async with logged_in(app, citizen) as c:
        shown = (await c.get(page)).text
        assert 'name="body"' not in shown and "Les commentaires sont fermés ici." in shown
        refused = await comment(c, project, page, "Malgré tout")
        assert refused.status_code == 403
        assert "Les commentaires sont fermés ici." in refused.text
        await Space.filter(id=space.id).update(comments_open=True)
        assert (await comment(c, project, page, "Maintenant ouvert")).status_code == 303
        await Space.filter(id=space.id).update(audience="residents")
        shown = (await c.get(page)).text
        assert 'name="body"' not in shown and OUTSIDE in shown
        refused = await comment(c, project, page, "Hors du public")
        assert refused.status_code == 403 and OUTSIDE in refused.text
    async with logged_in(app, admin) as c:
        assert 'name="body"' in (await c.get(page)).text
        assert (await comment(c, project, page, "Réponse de la mairie")).status_code == 303
    assert await Comment.all().count() == 2


async def test_no_comments_on_what_one_may_not_see(app: Any, citizen: User) -> None:
    budget, project, page = await project_taking_comments()
    async with logged_in(app, citizen) as c:
        for kind, target in (("budget_project", 999_999), ("nothing", project.id)):
            missing = await post_form(
                c, f"/comments/{kind}/{target}", {"body": "Bonjour", "stance": "for"}
            )
            assert missing.status_code == 404
        await Budget.filter(id=budget.id).update(phase=Phase.PREPARATION)  # staff's draft
        hidden = await post_form(
            c, f"/comments/budget_project/{project.id}", {"body": "Bonjour", "stance": "for"}
        )
        assert hidden.status_code == 404
        assert (await c.get(page)).status_code == 404
    assert await Comment.all().count() == 0


async def test_a_visitor_sees_the_thread_and_a_link_to_log_in(app: Any) -> None:
    _, project, page = await project_taking_comments()
    async with browser(app) as anonymous:
        shown = (await anonymous.get(page)).text
        assert "Connectez-vous pour commenter" in shown and 'name="body"' not in shown
        refused = await anonymous.post(f"/comments/budget_project/{project.id}", data={})
        assert refused.status_code == 403  # no CSRF token: refused before anything


async def outcome_published() -> tuple[int, str]:
    """Scenario: a closed consultation whose outcome is published: its id and the outcome page."""
    consultation, _ = await consultation_open(title="Aménager la place du marché")
    await Consultation.filter(id=consultation.id).update(
        phase=ConsultationPhase.CLOSED, outcome_published_at=timezone.now()
    )
    return consultation.id, f"/consultations/{consultation.id}/outcome"


async def meeting_ahead() -> tuple[int, str]:
    meeting = await meeting_next_week()
    return meeting.id, f"/meetings/{meeting.id}"


@pytest.mark.parametrize(
    ("kind", "make"), [("consultation_outcome", outcome_published), ("meeting", meeting_ahead)]
)
async def test_outcomes_and_meetings_take_comments_and_moderation(
    app: Any, settings: Settings, citizen: User, moderator: User, kind: str, make: Any
) -> None:
    target_id, page = await make()
    action = f"/comments/{kind}/{target_id}"
    space = await space_open_with_a_vote(audience="residents")  # its space's audience first
    model = Meeting if kind == "meeting" else Consultation
    await model.filter(id=target_id).update(space_id=space.id)
    async with logged_in(app, citizen) as c:
        data = {"body": "Merci pour ce compte rendu", "stance": "for"}
        assert OUTSIDE in (await c.get(page)).text
        assert (await post_form(c, action, data, page=page)).status_code == 403
        await Space.filter(id=space.id).update(audience="signed_in")
        assert (await post_form(c, action, data, page=page)).status_code == 303
    top = await Comment.get()
    assert (top.target_kind, top.target_id) == (kind, target_id)
    async with logged_in(app, moderator) as c:
        data = {"body": "Réponse hors sujet", "stance": "against", "parent": str(top.id)}
        assert (await post_form(c, action, data, page=page)).status_code == 303
    reply = await Comment.get(parent_id=top.id)
    async with logged_in(app, await create_user(settings, "reporter@example.org")) as c:
        assert (await report(c, "comment", reply.id, "offensive")).status_code == 303
    case = await ModerationCase.get(target_kind="comment", target_id=reply.id)
    async with logged_in(app, moderator) as c:
        assert (await decide(c, [case.id], "hide", "Hors sujet.")).status_code == 303
    async with browser(app) as anonymous:
        shown = (await anonymous.get(page)).text
        assert "Merci pour ce compte rendu" in shown and "Réponse hors sujet" not in shown


async def test_a_cancelled_meeting_and_an_unpublished_outcome_take_no_comments(
    app: Any, citizen: User
) -> None:
    meeting_id, page = await meeting_ahead()
    await Comment.create(
        target_kind="meeting", target_id=meeting_id, author_id=citizen.id, body="<p>Avant</p>"
    )
    await Meeting.filter(id=meeting_id).update(status=MeetingStatus.CANCELLED)
    consultation, _ = await consultation_open(title="Sans résultat publié")
    async with logged_in(app, citizen) as c:
        shown = (await c.get(page)).text
        assert "Avant" not in shown and 'name="body"' not in shown
        data = {"body": "Après", "stance": "for"}
        assert (await post_form(c, f"/comments/meeting/{meeting_id}", data)).status_code == 403
        hidden = await post_form(c, f"/comments/consultation_outcome/{consultation.id}", data)
        assert hidden.status_code == 404
    assert await Comment.all().count() == 1
