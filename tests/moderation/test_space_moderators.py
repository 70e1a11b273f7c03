"""Moderators of one participatory space (issue #18): an administrator gives the role on the
person's page (/admin/people/{id}, the space chosen), audited; such a moderator sees and
decides the moderation queue's items of content in that space only (budget projects through
their budget, free-text answers through their consultation); another space's cases are as
unknown to them as ids of no case (404, nothing decided)."""

from __future__ import annotations

from typing import Any

from tortoise import timezone

from budgets.models import Budget, Project
from consultations.models import Consultation, TextReview
from moderation import services
from moderation.models import ModerationCase
from participation.accounts.models import Role, User
from participation.accounts.privacy import delete_account, export_personal_data
from participation.audit import AuditLogEntry
from participation.contributions import ModerationState, content_kinds
from participation.i18n import gettext
from participation.people.models import SpaceRole
from participation.spaces.models import Space
from tests.budgets.factories import budget_taking_projects
from tests.conftest import (
    create_user,
    csrf_token,
    field_error,
    logged_in,
    logged_queries,
    post_form,
)
from tests.consultations.factories import consultation_open
from tests.spaces.factories import space_open_with_a_vote


async def _pending_project(space: Space, author: User, title: str) -> tuple[Project, int]:
    """A project idea awaiting moderation in a budget of `space`, and its case."""
    budget = await budget_taking_projects()
    await Budget.filter(id=budget.id).update(space_id=space.id)
    project = await Project.create(
        budget=budget,
        title=title,
        description="<p>Une idée.</p>",
        cost=1000,
        author=author,
        moderation_state=ModerationState.PENDING,
    )
    await services.open_pending_case("budget_project", project.id, author.id)
    case = await ModerationCase.get(target_kind="budget_project", target_id=project.id)
    return project, case.id


async def _two_spaces(settings: Any, citizen: User) -> dict[str, Any]:
    ours = await space_open_with_a_vote()
    theirs = await space_open_with_a_vote(title="Consultation du port", slug="port")
    mine, mine_case = await _pending_project(ours, citizen, "Un banc au square")
    other, other_case = await _pending_project(theirs, citizen, "Une cale pour les kayaks")
    keeper = await create_user(settings, "gardien@example.org", display_name="Gaël Gardien")
    await SpaceRole.create(user=keeper, space=ours, role="moderator")
    return {"ours": ours, "keeper": keeper, "mine": (mine, mine_case), "other": (other, other_case)}


async def test_a_case_knows_the_space_of_its_content(
    app: Any, settings: Any, citizen: User
) -> None:
    world = await _two_spaces(settings, citizen)
    case = await ModerationCase.get(id=world["mine"][1])
    assert case.space_id == world["ours"].id


async def test_a_space_moderator_sees_and_decides_only_their_space(
    app: Any, settings: Any, citizen: User
) -> None:
    world = await _two_spaces(settings, citizen)
    (mine, mine_case), (other, other_case) = world["mine"], world["other"]
    async with logged_in(app, world["keeper"]) as c:
        queue = await c.get("/moderation")
        assert queue.status_code == 200
        assert "Un banc au square" in queue.text
        assert "Une cale pour les kayaks" not in queue.text
        assert "/moderation/users/" not in queue.text  # people's history: site moderators only
        decision = {"case": str(other_case), "action": "approve", "reason": "Conforme."}
        response = await post_form(c, "/moderation/decide", decision, page="/moderation")
        assert response.status_code == 404
        for outside in (other_case, other_case + 1_000):  # another space's, or no case at all
            both = {"case": [str(mine_case), str(outside)], "action": "approve", "reason": "Ok."}
            response = await post_form(c, "/moderation/decide", both, page="/moderation")  # type: ignore[arg-type]
            assert response.status_code == 404  # one case out of reach: nothing decided
        assert (await Project.get(id=mine.id)).moderation_state == ModerationState.PENDING
        decision = {"case": str(mine_case), "action": "approve", "reason": "Conforme."}
        response = await post_form(c, "/moderation/decide", decision, page="/moderation")
        assert response.status_code == 303
        assert (await c.get(f"/moderation/users/{citizen.id}")).status_code == 403
    assert (await Project.get(id=mine.id)).moderation_state == ModerationState.VISIBLE
    assert (await Project.get(id=other.id)).moderation_state == ModerationState.PENDING


def _space_role_reads(statements: list[str]) -> int:
    return sum(1 for q in statements if "space_role" in q.lower() and "session" not in q.lower())


async def test_a_space_moderator_s_request_reads_their_spaces_once(
    app: Any, settings: Any, citizen: User
) -> None:
    world = await _two_spaces(settings, citizen)
    mine, mine_case = world["mine"]
    async with logged_in(app, world["keeper"]) as c:
        with logged_queries() as statements:
            queue = await c.get("/moderation")
        assert "Un banc au square" in queue.text
        assert _space_role_reads(statements) == 1, statements
        token = await csrf_token(c, "/moderation")
        with logged_queries() as statements:  # no reason: the queue again, the item's error
            refused = await c.post(
                f"/moderation/cases/{mine_case}/decide",
                data={"action": "approve", "reason": "", "csrf_token": token},
            )
        assert refused.status_code == 422
        assert _space_role_reads(statements) == 1, statements
    assert (await Project.get(id=mine.id)).moderation_state == ModerationState.PENDING


async def test_a_space_moderator_cannot_decide_a_case_of_content_in_no_space(
    app: Any, settings: Any, citizen: User
) -> None:
    world = await _two_spaces(settings, citizen)
    mine, mine_case = world["mine"]
    budget_id = (await Project.get(id=mine.id)).budget_id
    await Budget.filter(id=budget_id).update(space_id=None)  # its budget left the space
    await ModerationCase.filter(id=mine_case).update(space_id=None)
    async with logged_in(app, world["keeper"]) as c:
        decision = {"case": str(mine_case), "action": "approve", "reason": "Conforme."}
        response = await post_form(c, "/moderation/decide", decision, page="/moderation")
        assert response.status_code == 404
    assert (await Project.get(id=mine.id)).moderation_state == ModerationState.PENDING


async def test_a_resident_without_a_space_role_is_refused_the_queue(
    app: Any, settings: Any, citizen: User
) -> None:
    await _two_spaces(settings, citizen)
    async with logged_in(app, citizen) as c:
        assert (await c.get("/moderation")).status_code == 403


async def test_older_cases_get_their_space_when_a_space_moderator_reads_the_queue(
    app: Any, settings: Any, citizen: User
) -> None:
    world = await _two_spaces(settings, citizen)
    # made before cases knew their space; one of them of content that has since left its space
    await ModerationCase.all().update(space_id=None, space_examined=False)
    other, other_case = world["other"]
    await Budget.filter(id=(await Project.get(id=other.id)).budget_id).update(space_id=None)
    async with logged_in(app, world["keeper"]) as c:
        assert "Un banc au square" in (await c.get("/moderation")).text
    assert (await ModerationCase.get(id=world["mine"][1])).space_id == world["ours"].id
    assert (await ModerationCase.get(id=other_case)).space_id is None
    # each case was examined once, the one in no space too: the next call examines nothing
    with logged_queries() as queries:
        await services.attach_spaces()
    assert len(queries) == 1, queries  # the one selection of cases not yet examined


async def test_an_administrator_gives_and_withdraws_the_role_in_a_space_audited(
    app: Any, settings: Any, admin: User, citizen: User
) -> None:
    space = await space_open_with_a_vote()
    page = f"/admin/people/{citizen.id}"
    async with logged_in(app, admin) as c:
        html = (await c.get(page)).text
        assert "Aucun rôle dans une démarche." in html
        assert f'<option value="{space.id}"' in html
        data = {"space": str(space.id), "space_role": "moderator", "space_reason": "Renfort"}
        response = await post_form(c, f"{page}/spaces", data, page=page)
        assert response.status_code == 303 and response.headers["location"] == page
        html = (await c.get(page)).text
        assert "Modération de la démarche · Budget participatif 2027" in html
        again = await post_form(c, f"{page}/spaces", data, page=page)
        assert again.status_code == 422
        assert "déjà ce rôle" in field_error(again.text, "space")
        forged = await post_form(c, f"{page}/spaces", {**data, "space": "999999"}, page=page)
        assert "Choisissez une démarche" in field_error(forged.text, "space")
        held = await SpaceRole.get(user_id=citizen.id)
        response = await post_form(
            c, f"/admin/people/space-roles/{held.id}/withdraw", {}, page=page
        )
        assert response.status_code == 303
        assert "Le rôle dans la démarche est retiré." in (await c.get(page)).text
        audit_page = (await c.get("/admin/audit")).text
    assert await SpaceRole.filter(user_id=citizen.id).count() == 0
    await citizen.refresh_from_db()
    assert citizen.role == Role.CITIZEN  # the site-wide role is another thing
    actions = (
        await AuditLogEntry.filter(target_id=citizen.id)
        .order_by("id")
        .values_list("action", "reason")
    )
    assert actions == [("space_role_granted", "Renfort"), ("space_role_withdrawn", "")]
    assert "modératrice de la démarche «\u00a0Budget participatif 2027\u00a0»" in audit_page


async def test_only_administrators_give_roles_in_a_space(
    app: Any, settings: Any, moderator: User, citizen: User
) -> None:
    space = await space_open_with_a_vote()
    data = {"space": str(space.id), "space_role": "moderator"}
    async with logged_in(app, moderator) as c:
        response = await post_form(c, f"/admin/people/{citizen.id}/spaces", data)
        assert response.status_code == 403
    assert await SpaceRole.all().count() == 0


async def test_a_persons_roles_in_spaces_are_in_their_copy_and_go_with_their_account(
    app: Any, settings: Any, citizen: User
) -> None:
    space = await space_open_with_a_vote()
    await SpaceRole.create(user=citizen, space=space, role="moderator")
    data = await export_personal_data(citizen, gettext)
    assert [(r["space__title"], r["role"]) for r in data["space_roles"]] == [
        ("Budget participatif 2027", "moderator")
    ]
    await delete_account(citizen)
    assert await SpaceRole.all().count() == 0


async def test_a_free_text_answer_belongs_to_the_space_of_its_consultation(app: Any) -> None:
    space = await space_open_with_a_vote()
    consultation, questions = await consultation_open()
    await Consultation.filter(id=consultation.id).update(space_id=space.id)
    question = next(iter(questions.values()))
    review = await TextReview.create(
        id=424242,
        question_id=question.id,
        text_digest="0" * 64,
        text="<p>Plus de bancs.</p>",
        moderation_state=ModerationState.PENDING,
        created_on=timezone.now().date(),
    )
    assert await content_kinds()["consultation_answer"].spaces_of([review.id]) == {
        review.id: space.id
    }
    assert await content_kinds()["comment"].spaces_of([1, 2]) == {}  # comments: no space yet
