"""Budget projects under moderation: pre-moderation of residents' projects, reports and the
auto-hide threshold, the queue, blocks; hidden projects reach no listing, ballot, tally,
result or export; once voting opens, moderation can no longer change which projects count."""

from __future__ import annotations

from typing import Any

from budgets import ballot_services, domain, project_services, services
from budgets.jobs import tally_budget
from budgets.models import Budget, Phase, Project
from moderation.models import ModerationCase
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.contributions import ModerationState
from participation.mail import OutboxEmail
from participation.notifications.models import Notification
from participation.residents import services as residents
from participation.richtext import ALLOW_LIST_VERSION
from tests.budgets.factories import CENSUS, budget_in_voting, budget_taking_projects, open_and_count
from tests.conftest import create_user, logged_in, post_form
from tests.moderation.helpers import browser, configure, decide, report

MV = ModerationState
PROJECT = {"title": "Un kiosque à musique", "description": "<p>Au parc</p>", "cost": "9000"}


async def premoderated_submission(app: Any, tmp_path: Any, redis_url: str) -> tuple[Budget, User]:
    """Scenario: budget projects pre-moderated, a budget taking projects and a resident about
    to submit one (resident@example.org)."""
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="budget_project")
    return await budget_taking_projects(), await create_user(settings, "resident@example.org")


async def test_a_premoderated_project_waits_for_approval(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    budget, resident = await premoderated_submission(app, tmp_path, redis_url)
    url = f"/budgets/{budget.id}/projects/new"
    async with logged_in(app, resident) as c:
        response = await post_form(c, url, PROJECT, page=url)
        assert response.status_code == 303
        mine = await c.get(response.headers["location"])
        assert mine.status_code == 200 and "seuls vous et les modérateurs" in mine.text
    project = await Project.get(title="Un kiosque à musique")
    assert project.moderation_state == MV.PENDING
    page = f"/budgets/{budget.id}/projects/{project.id}"
    async with browser(app) as anonymous:
        assert (await anonymous.get(page)).status_code == 404
        assert "kiosque" not in (await anonymous.get(f"/budgets/{budget.id}")).text
    case = await ModerationCase.get(target_kind="budget_project", target_id=project.id)
    async with logged_in(app, moderator) as c:
        queue = await c.get("/moderation?type=budget_project")
        assert "Un kiosque à musique" in queue.text
        assert "Projet du budget «\u00a0Budget participatif 2026\u00a0»" in queue.text
        await decide(c, [case.id], "approve", "Conforme.")
    async with browser(app) as anonymous:
        assert "kiosque" in (await anonymous.get(f"/budgets/{budget.id}")).text
        assert (await anonymous.get(page)).status_code == 200
    # the author is told once, with the reason, in the list and by e-mail
    [notification] = await Notification.filter(user_id=resident.id, kind="moderation")
    assert notification.proposal_id is None  # type: ignore[attr-defined]
    [email] = await OutboxEmail.filter(recipient=resident.email, body__contains="Conforme.")
    assert "Un kiosque à musique" in email.body
    async with logged_in(app, resident) as c:
        listed = (await c.get("/notifications")).text
        assert "Un modérateur a examiné votre contribution" in listed
        assert "Un kiosque à musique" in (await c.get("/moderation/mine")).text


async def test_staff_projects_are_not_premoderated(
    app: Any, tmp_path: Any, redis_url: str, admin: User
) -> None:
    configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="budget_project")
    budget = await budget_taking_projects()
    url = f"/budgets/{budget.id}/projects/new"
    async with logged_in(app, admin) as c:
        assert (await post_form(c, url, PROJECT, page=url)).status_code == 303
    assert (await Project.get(title="Un kiosque à musique")).moderation_state == MV.VISIBLE
    assert not await ModerationCase.exists()


async def test_a_project_hidden_before_the_vote_is_in_no_ballot_tally_result_or_export(
    app: Any, tmp_path: Any, redis_url: str
) -> None:
    settings = configure(app, tmp_path, redis_url, MODERATION_REPORT_THRESHOLD="1")
    budget, projects = await budget_in_voting()
    await Budget.filter(id=budget.id).update(phase=Phase.REVIEW)
    skatepark = next(p for p in projects if p.title == "Skatepark")
    async with logged_in(app, await create_user(settings, "reporter@example.org")) as c:
        response = await report(c, "budget_project", skatepark.id, "offensive", "Insultant")
        assert response.status_code == 303
    await skatepark.refresh_from_db()
    assert skatepark.moderation_state == MV.HIDDEN
    assert await AuditLogEntry.filter(action="auto_hide", target_kind="budget_project").exists()
    await services.switch_phase(budget.id, Phase.VOTING, by_user=None)

    context = await ballot_services.ballot_context(await Budget.get(id=budget.id))
    assert skatepark.id not in context.projects and len(context.projects) == 4
    await residents.import_census(settings, CENSUS.encode())
    entry, born = await residents.find_census_entry(settings, "VB-001", "1984-03-21", "44000")
    voter = domain.Voter(True, born, entry.district)
    resident = await create_user(settings, "vb001@example.org")
    await residents.verify_residency(settings, resident, "VB-001", "1984-03-21", "44000")
    async with logged_in(app, resident) as c:
        ballot = await c.get(f"/budgets/{budget.id}/ballot")
        assert ballot.status_code == 200 and "Jardin partagé" in ballot.text
        assert "Skatepark" not in ballot.text
    refused = None
    try:  # a forged ballot choosing the hidden project is refused like any unknown project
        await ballot_services.cast_ballot(settings, budget.id, entry, voter, {skatepark.id: 1})
    except services.Refused as error:
        refused = error
    assert refused is not None
    others = {p.id: 1 for p in projects if p.title in ("Jardin partagé", "Bancs du parc Nord")}
    await ballot_services.cast_ballot(settings, budget.id, entry, voter, others)
    await services.switch_phase(budget.id, Phase.TALLY, by_user=None)
    assert await tally_budget({}, budget.id) == "sealed"  # the trustees open the ballots first
    assert await open_and_count(budget.id) == 1
    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    async with browser(app) as anonymous:
        base = f"/budgets/{budget.id}"
        for url in (base, f"{base}/results", f"{base}/results.csv", f"{base}/ballots.pb"):
            response = await anonymous.get(url)
            assert response.status_code == 200, url
            assert "Jardin partagé" in response.text, url  # the visible ones are listed
            assert "Skatepark" not in response.text, url
        assert (await anonymous.get(f"{base}/projects/{skatepark.id}")).status_code == 404
        counted = await anonymous.get(base)
        assert '<span class="count">(4)</span>' in counted.text  # five projects, one hidden


async def test_once_voting_opens_moderation_cannot_change_the_ballot(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    settings = configure(app, tmp_path, redis_url, MODERATION_REPORT_THRESHOLD="1")
    budget, projects = await budget_in_voting()
    fountain = next(p for p in projects if p.title == "Fontaine")
    async with logged_in(app, await create_user(settings, "reporter@example.org")) as c:
        assert (await report(c, "budget_project", fountain.id, "spam")).status_code == 303
    await fountain.refresh_from_db()
    assert fountain.moderation_state == MV.VISIBLE  # reported, but not hidden: ballots count it
    case = await ModerationCase.get(target_kind="budget_project", target_id=fountain.id)
    assert case.status == "open"
    async with logged_in(app, moderator) as c:
        response = await decide(c, [case.id], "hide", "Publicité.")
        flashed = (await c.get(response.headers["location"])).text
        assert "0 contribution masquée." in flashed
    await fountain.refresh_from_db()
    assert fountain.moderation_state == MV.VISIBLE
    assert fountain.id in (await ballot_services.ballot_context(budget)).projects
    await case.refresh_from_db()
    assert case.status == "open"  # still waiting: staff may correct the text instead


async def test_blocking_hides_a_pending_project(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    budget, resident = await premoderated_submission(app, tmp_path, redis_url)
    form = project_services.ProjectForm(PROJECT["title"], PROJECT["description"], PROJECT["cost"])
    project = await project_services.submit_project(budget.id, form, resident, premoderated=True)
    async with logged_in(app, moderator) as c:
        data = {"duration": "7d", "reason": "Spam répété."}
        url = f"/moderation/users/{resident.id}/block"
        assert (await post_form(c, url, data, page="/moderation")).status_code == 303
    await project.refresh_from_db()
    assert project.moderation_state == MV.HIDDEN
    case = await ModerationCase.get(target_kind="budget_project", target_id=project.id)
    assert case.status == "closed"


async def test_staff_correct_a_project_text_during_the_vote_with_an_audit_entry(
    app: Any, settings: Any, admin: User, citizen: User
) -> None:
    budget, projects = await budget_in_voting()
    fountain = next(p for p in projects if p.title == "Fontaine")
    url = f"/admin/budgets/{budget.id}/projects/{fountain.id}/edit"
    async with logged_in(app, citizen) as c:
        assert (await c.get(url)).status_code == 403
        data = {"title": "Piraté", "description": "<p>x</p>", "reason": "?"}
        assert (await post_form(c, url, data)).status_code == 403
    async with logged_in(app, admin) as c:
        form = await c.get(url)
        assert form.status_code == 200 and "Fontaine" in form.text
        data = {"title": "Fontaine à boire", "description": "<p>Détails</p>", "location": ""}
        refused = await post_form(c, url, {**data, "title": " "}, page=url)
        assert refused.status_code == 422 and 'aria-describedby="title-error"' in refused.text
        assert 'id="reason-error"' in refused.text  # the reason is required too
        data["reason"] = "Nom trompeur signalé par des habitants."
        data["description"] = "<p>Une fontaine</p><script>alert(1)</script>"
        assert (await post_form(c, url, data, page=url)).status_code == 303
    await fountain.refresh_from_db()
    assert fountain.title == "Fontaine à boire" and "<script" not in fountain.description
    assert fountain.sanitized_with == ALLOW_LIST_VERSION  # the factory's row: now as shown
    assert fountain.cost == 5_000  # the cost voted on does not change
    entry = await AuditLogEntry.get(action="budget_project_edited")
    assert entry.actor_id == admin.id and entry.reason == "Nom trompeur signalé par des habitants."
    assert '"Fontaine"' in entry.before and '"Fontaine à boire"' in entry.after
    assert fountain.id in (await ballot_services.ballot_context(budget)).projects
