"""Budget administration is in the append-only audit log (who, what, when, before/after,
reason), browsable and exportable with the moderation entries; no personal data of the
register and no ballot content go into it."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx

from budgets.jobs import apply_phase_schedule
from budgets.models import Budget, Phase, Project
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from tests.budgets.factories import (
    CENSUS,
    budget_in_preparation_due_to_vote,
    budget_in_voting,
)
from tests.budgets.test_admin import BUDGET_FORM
from tests.budgets.test_import import SMALL, upload
from tests.conftest import log_in, post_form


async def entries(action: str) -> list[AuditLogEntry]:
    return list(await AuditLogEntry.filter(action=action).order_by("id"))


async def test_every_budget_admin_action_is_audited(client: httpx.AsyncClient, admin: User) -> None:
    await log_in(client, admin)
    await post_form(client, "/admin/budgets/new", BUDGET_FORM, page="/admin/budgets/new")
    budget = await Budget.get(title="Budget participatif 2027")
    page = f"/admin/budgets/{budget.id}"
    edit = {**BUDGET_FORM, "title": "Budget participatif 2027 (révisé)"}
    assert (await post_form(client, f"{page}/edit", edit, page=page)).status_code == 303
    await post_form(client, f"{page}/phase", {"phase": "submission"}, page=page)
    project_form = {"title": "Un jardin", "description": "<p>Des arbres</p>", "cost": "9000"}
    url = f"/budgets/{budget.id}/projects/new"
    assert (await post_form(client, url, project_form, page=url)).status_code == 303
    project = await Project.get(title="Un jardin")
    review = {
        "title": "Un jardin",
        "cost": "9000",
        "feasibility": "unfeasible",
        "feasibility_reason": "Terrain inondable",
        "version": "1",
    }
    url = f"{page}/projects/{project.id}"
    assert (await post_form(client, url, review, page=page)).status_code == 303

    [created] = await entries("budget_created")
    assert created.actor_id == admin.id and created.target_id == budget.id
    assert json.loads(created.after)["title"] == "Budget participatif 2027"
    [updated] = await entries("budget_updated")
    assert json.loads(updated.before)["title"] == "Budget participatif 2027"
    assert json.loads(updated.after)["title"] == "Budget participatif 2027 (révisé)"
    [phase] = await entries("budget_phase")
    assert (json.loads(phase.before), json.loads(phase.after)) == (
        {"phase": "preparation"},
        {"phase": "submission"},
    )
    [staff_project] = await entries("budget_project_created")
    assert staff_project.target_id == project.id and staff_project.actor_id == admin.id
    [reviewed] = await entries("budget_project_updated")
    assert json.loads(reviewed.before)["feasibility"] == "feasible"
    assert json.loads(reviewed.after)["feasibility"] == "unfeasible"
    assert reviewed.reason == "Terrain inondable"

    # browsable and exportable like the moderation entries
    listing = await client.get("/admin/audit?target_type=budget")
    assert "budget_updated" in listing.text and "(révisé)" in listing.text
    exported = await client.get("/admin/audit.csv?action=budget_phase")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["budget_phase"]


async def test_census_paper_ballots_tally_and_import_are_audited_without_personal_data(
    client: httpx.AsyncClient, admin: User
) -> None:
    budget, projects = await budget_in_voting()
    await log_in(client, admin)
    page = await client.get("/admin/residents/census")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    files = {"file": ("census.csv", CENSUS.encode())}
    assert (
        await client.post("/admin/residents/census", data={"csrf_token": token}, files=files)
    ).is_redirect
    url = f"/admin/budgets/{budget.id}/paper-ballot"
    identity = {"identifier": "VB-004", "birth_date": "1975-01-30", "postcode": "44000"}
    assert (await post_form(client, url, identity, page=url)).status_code == 303
    data = {"project": [str(projects[1].id)], "action": "cast"}
    choices = f"{url}/choices"
    assert (await post_form(client, choices, data, page=choices)).status_code == 303
    await Budget.filter(id=budget.id).update(phase=Phase.TALLY)
    page_url = f"/admin/budgets/{budget.id}"
    assert (await post_form(client, f"{page_url}/tally", {}, page=page_url)).status_code == 303
    assert (await upload(client, SMALL.encode(), "testville.pb")).status_code == 303

    [census] = await entries("census_import")
    assert json.loads(census.after) == {"rows": 4, "new": 4}
    [paper] = await entries("budget_paper_ballot")
    assert paper.actor_id == admin.id and paper.target_id == budget.id
    [tally] = await entries("budget_tally_requested")
    assert tally.target_id == budget.id
    [imported] = await entries("budget_import")
    assert json.loads(imported.after) == {"file": "testville.pb", "projects": 3, "ballots": 3}
    everything = " ".join(f"{e.before} {e.after} {e.reason}" for e in await AuditLogEntry.all())
    for personal in ("VB-004", "1975", "44000", str(projects[1].id) + ":"):
        assert personal not in everything


async def test_scheduled_phase_switches_are_audited_as_the_platform(app: Any) -> None:
    budget = await budget_in_preparation_due_to_vote()
    assert await apply_phase_schedule({}) == [budget.id]
    last = await AuditLogEntry.filter(action="budget_phase").order_by("-id").first()
    assert last is not None and last.actor_id is None and last.reason == "phase dates"
    assert json.loads(last.after) == {"phase": "voting"}
