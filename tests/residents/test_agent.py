"""The desk officer (issue #19): a role narrower than administrator, granted from the browser,
who reaches the town-hall desk's pages and nothing else; the register's import moved from the
budgets to the verified residents (the old address answers 308). Every route's answer to an
agent is in the access matrix (tests/security/test_access_matrix.py, the `agent` column)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from participation.accounts.models import AnonymousUser, Role, User
from participation.audit import AuditLogEntry as AuditEntry
from participation.permissions import can_administer, can_work_at_desk
from participation.residents import services as residents
from participation.residents.models import Residency
from participation.settings import Settings
from tests.budgets.factories import CENSUS, budget_in_voting
from tests.conftest import create_user, csrf_token, log_in, post_form

DESK = {"proof": "energy_bill", "district": "Nord", "birth_date": "1990-04-01", "not_on_file": "on"}


@pytest.mark.parametrize(
    ("role", "desk", "administer"),
    [
        (Role.CITIZEN, False, False),
        (Role.AGENT, True, False),
        (Role.MODERATOR, False, False),
        (Role.ADMIN, True, True),
    ],
)
def test_the_desk_is_for_agents_and_administrators(
    role: Role, desk: bool, administer: bool
) -> None:
    person = User(role=role)
    assert can_work_at_desk(person) is desk
    assert can_administer(person) is administer
    assert can_work_at_desk(AnonymousUser()) is False


async def test_an_administrator_grants_and_withdraws_the_role_from_the_persons_page(
    settings: Settings, client: httpx.AsyncClient, admin: User, citizen: User
) -> None:
    await log_in(client, admin)
    page = f"/admin/people/{citizen.id}"
    shown = await client.get(page)
    assert 'value="agent"' in shown.text and "Agente ou agent d’accueil" in shown.text
    granted = await post_form(client, f"{page}/role", {"role": "agent"}, page)
    assert granted.status_code == 303
    assert (await User.get(id=citizen.id)).role == Role.AGENT
    listed = await client.get("/admin/people", params={"role": "agent"})
    assert citizen.display_name in listed.text
    withdrawn = await post_form(client, f"{page}/role", {"role": "citizen"}, page)
    assert withdrawn.status_code == 303
    entries = await AuditEntry.filter(action="person_role").order_by("id")
    assert [(json.loads(e.before)["role"], json.loads(e.after)["role"]) for e in entries] == [
        ("citizen", "agent"),
        ("agent", "citizen"),
    ]
    log = (await client.get("/admin/audit")).text
    resident = "«\u00a0Habitante ou habitant\u00a0»"
    desk = "«\u00a0Agente ou agent d’accueil\u00a0»"
    assert f"{resident} devient {desk}" in log and f"{desk} devient {resident}" in log


async def test_an_agent_sees_their_pages_only(
    settings: Settings, client: httpx.AsyncClient, app: Any
) -> None:
    agent = await create_user(settings, "agent@example.org", Role.AGENT, display_name="Ada Agent")
    budget, _ = await budget_in_voting()
    await log_in(client, agent)
    home = await client.get("/")
    assert 'href="/admin"' in home.text  # the header's link
    admin = await client.get("/admin")
    assert admin.status_code == 200
    for href in ("/admin/residents", "/admin/counter", "/admin/budgets/paper-ballots"):
        assert f'href="{href}"' in admin.text
    for href in ("/admin/settings", "/admin/people", "/admin/audit", "/admin/residents/census"):
        assert f'href="{href}"' not in admin.text
    desks = await client.get("/admin/budgets/paper-ballots")
    assert f'href="/admin/budgets/{budget.id}/paper-ballot"' in desks.text
    desk = await client.get(f"/admin/budgets/{budget.id}/paper-ballot")
    assert desk.status_code == 200 and f'href="/admin/budgets/{budget.id}"' not in desk.text
    search = await client.get("/admin/residents")
    assert 'href="/admin/residents/letters"' not in search.text
    for refused in (
        "/admin/settings",
        "/admin/people",
        f"/admin/budgets/{budget.id}",
        "/moderation",
    ):
        assert (await client.get(refused)).status_code == 403, refused


async def test_a_citizen_has_no_administration_link(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await log_in(client, citizen)
    assert 'href="/admin"' not in (await client.get("/")).text


async def test_an_agent_verifies_at_the_desk_but_does_not_withdraw(
    settings: Settings, client: httpx.AsyncClient, citizen: User
) -> None:
    await residents.import_census(settings, CENSUS.encode())  # the town's districts
    agent = await create_user(settings, "agent@example.org", Role.AGENT, display_name="Ada Agent")
    await log_in(client, agent)
    found = await client.get("/admin/residents", params={"q": "citizen@"})
    assert f"/admin/residents/{citizen.id}" in found.text
    page = f"/admin/residents/{citizen.id}"
    recorded = await post_form(client, page, DESK, page)
    assert recorded.status_code == 303, recorded.text
    record = await Residency.get(user=citizen)
    assert record.method == "desk" and record.verified_by_id == agent.id  # type: ignore[attr-defined]
    shown = await client.get(page)
    assert f"{page}/revoke" not in shown.text  # withdrawing is for administrators
    assert "Seul un administrateur peut retirer une vérification." in shown.text
    refused = await client.post(
        f"{page}/revoke", data={"reason": "Erreur", "csrf_token": await csrf_token(client, page)}
    )
    assert refused.status_code == 403
    assert (await Residency.get(user=citizen)).revoked_at is None


async def test_the_registers_old_address_moves_to_the_residents(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    moved = await client.get("/admin/census", params={"x": "1"})
    assert moved.status_code == 301
    assert moved.headers["location"] == "/admin/residents/census"
    page = await client.get("/admin/residents/census")
    assert page.status_code == 200 and "Registre des habitants" in page.text
    # a POST is never redirected (it would be sent again): the old address takes none
    token = await csrf_token(client, "/admin/residents/census")
    assert (await client.post("/admin/census", data={"csrf_token": token})).status_code == 405
