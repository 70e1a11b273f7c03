"""What people read: times in the town's time (Europe/Paris), numbers and punctuation in their
language, on pages, in forms and in e-mails (issue #15)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import httpx

from budgets.models import Budget, Phase
from consultations.models import Consultation
from participation.accounts.models import User
from participation.comments.models import Comment
from participation.i18n import N_
from participation.mail import OutboxEmail
from participation.notifications import services as notifications
from participation.settings import Settings
from tests.budgets.factories import budget_in_voting
from tests.budgets.test_admin import BUDGET_FORM
from tests.conftest import create_user, log_in, post_form
from tests.consultations.factories import consultation_open
from tests.participation.proposal_factories import make_proposal

NBSP, NNBSP = "\u00a0", "\u202f"
LATE = datetime(2027, 12, 30, 23, 20, tzinfo=UTC)  # 00:20 on the 31st in Paris


async def test_comment_times_are_the_towns_day_after_23h(
    client: httpx.AsyncClient, citizen: User
) -> None:
    proposal = await make_proposal(citizen)
    comment = await Comment.create(proposal=proposal, author=citizen, body="<p>Bonne idée</p>")
    await Comment.filter(id=comment.id).update(created_at=LATE)
    page = (await client.get(f"/proposals/{proposal.id}")).text
    assert "31/12/2027 00:20" in page and "30/12/2027" not in page
    english = await client.get(f"/proposals/{proposal.id}", headers={"Accept-Language": "en"})
    assert f"Dec 31, 2027, 12:20{NNBSP}AM" in english.text


async def test_consultation_dates_are_the_towns_without_utc(client: httpx.AsyncClient) -> None:
    consultation, _ = await consultation_open()
    await Consultation.filter(id=consultation.id).update(closes_at=LATE)
    page = (await client.get("/consultations")).text
    assert "Clôture 31/12/2027 00:20" in page and "UTC" not in page


async def test_a_budget_page_shows_its_voting_deadline(client: httpx.AsyncClient) -> None:
    budget, _ = await budget_in_voting()
    await Budget.filter(id=budget.id).update(
        voting_closes_at=datetime(2027, 6, 15, 16, 0, tzinfo=UTC)  # summer: 18:00 in Paris
    )
    page = (await client.get(f"/budgets/{budget.id}")).text
    assert f"Vote ouvert jusqu’au 15 juin 2027, 18{NBSP}h" in page
    english = await client.get(f"/budgets/{budget.id}", headers={"Accept-Language": "en"})
    assert f"Voting open until June 15, 2027, 6:00{NNBSP}PM" in english.text
    assert f"100{NNBSP}000{NBSP}€" in page and "€100,000" in english.text


async def test_staff_type_the_towns_time_and_a_skipped_hour_is_refused(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    form = {**BUDGET_FORM, "voting_opens_at": "2027-03-28T02:30"}  # clocks go 02:00 -> 03:00
    response = await post_form(client, "/admin/budgets/new", form, page="/admin/budgets/new")
    assert response.status_code == 422
    assert "Cette heure n’existe pas" in response.text
    assert await Budget.all().count() == 0

    form = {
        **BUDGET_FORM,
        "voting_opens_at": "2027-03-28T03:00",
        "voting_closes_at": "2027-12-30T23:20",
    }
    response = await post_form(client, "/admin/budgets/new", form, page="/admin/budgets/new")
    assert response.status_code == 303
    budget = await Budget.get(title=BUDGET_FORM["title"])
    assert budget.voting_opens_at == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert budget.voting_closes_at == datetime(2027, 12, 30, 22, 20, tzinfo=UTC)  # 23:20 Paris
    edit = (await client.get(f"/admin/budgets/{budget.id}/edit")).text
    assert 'value="2027-12-30T23:20"' in edit  # shown back as typed
    await budget.refresh_from_db()
    assert budget.phase == Phase.PREPARATION


async def test_dates_in_e_mails_are_in_each_recipients_language(
    app: Any, settings: Settings
) -> None:
    french = await create_user(settings, "fr@example.org")
    english = await create_user(settings, "en@example.org")
    await User.filter(id=english.id).update(language="en")
    await notifications.notify_users(
        settings,
        notifications.Kind.FOLLOWUP_MILESTONE,
        "followup:1:milestone:1",
        [french.id, english.id],
        N_("New milestone for the commitment “{title}” ({date}): {milestone}"),
        "http://testserver/followup/1",
        title="Jardin",
        date=date(2026, 4, 1),
        milestone="Premières plantations",
    )
    body = {e.recipient: e.body for e in await OutboxEmail.all()}
    assert "(01/04/2026)" in body["fr@example.org"]
    assert "(Apr 1, 2026)" in body["en@example.org"]


async def test_results_percentages_and_counts_in_french(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    from budgets.jobs import tally_budget
    from tests.budgets.test_results import closed_budget

    budget, _, _ = await closed_budget(settings)
    await tally_budget({}, budget.id)
    await log_in(client, admin)
    page = (await client.get(f"/budgets/{budget.id}/results")).text
    assert re.search(rf"\d+,\d{NBSP}% des \d+ habitants inscrits", page), "80,0 % style"
    assert f"Résultats{NBSP}: {budget.title}" in page
    english = await client.get(f"/budgets/{budget.id}/results", headers={"Accept-Language": "en"})
    assert re.search(r"\d+\.\d% of the \d+ registered residents", english.text)
    assert f"Results: {budget.title}" in english.text


async def test_counted_messages_agree_with_their_number(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    page = await client.get("/admin/residents/census")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    one = b"identifiant;date_naissance;code_postal;quartier\nVB-001;1984-03-21;44000;Nord\n"
    response = await client.post(
        "/admin/residents/census", data={"csrf_token": token}, files={"file": ("census.csv", one)}
    )
    assert response.status_code == 303
    flashed = (await client.get(response.headers["location"])).text
    assert "1 habitant importé." in flashed  # not "1 habitants importés."
