"""Commitments: staff create and move them, residents who took part are notified once per
status change and once per milestone, the public page lists and filters them."""

from __future__ import annotations

import json
from typing import Any

import httpx
from tortoise import timezone

from budgets.models import Budget, Channel, Phase, Project, TallyResult, VoterRegister
from followup.models import Commitment, StatusChange
from participation.accounts.models import Role, User
from participation.mail import OutboxEmail
from participation.notifications.models import Notification
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal, Support
from participation.residents.models import CensusEntry, Residency
from participation.settings import Settings
from tests.conftest import create_user, log_in, post_form
from tests.participation.proposal_factories import make_proposal


async def _accepted_proposal(settings: Settings) -> tuple[Proposal, list[User]]:
    author = await create_user(settings, "autrice@example.org", display_name="Autrice")
    fans = [await create_user(settings, f"fan{i}@example.org") for i in range(3)]
    proposal = await make_proposal(
        author, ProposalState.ACCEPTED, title="Un jardin partagé", body="<p>Oui</p>"
    )
    for fan in fans:
        await Support.create(proposal=proposal, user=fan)
    return proposal, [author, *fans]


async def _commitment_to_it(settings: Settings) -> Commitment:
    """Scenario: the city committed itself to `_accepted_proposal` (nothing done yet)."""
    proposal, _people = await _accepted_proposal(settings)
    return await Commitment.create(
        target_kind="proposal", target_id=proposal.id, title=proposal.title
    )


async def _notifications(user: User) -> int:
    return await Notification.filter(user=user).count()


async def test_status_changes_and_milestones_notify_each_participant_once(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    proposal, people = await _accepted_proposal(settings)
    bystander = await create_user(settings, "autre@example.org")
    await log_in(client, admin)
    response = await post_form(
        client, "/admin/followup/new", {"kind": "proposal", "target_id": str(proposal.id)}
    )
    assert response.status_code == 303
    commitment = await Commitment.get(target_id=proposal.id)
    page = f"/admin/followup/{commitment.id}"
    assert response.headers["location"] == page
    # following it twice gives the same commitment
    await post_form(
        client, "/admin/followup/new", {"kind": "proposal", "target_id": str(proposal.id)}
    )
    assert await Commitment.all().count() == 1

    emails_before = await OutboxEmail.all().count()
    response = await post_form(
        client, f"{page}/status", {"status": "in-progress", "progress": "30", "reason": ""}, page
    )
    assert response.status_code == 303
    assert [await _notifications(p) for p in people] == [1, 1, 1, 1]
    assert await _notifications(bystander) == 0
    assert await OutboxEmail.all().count() == emails_before + 4
    email = await OutboxEmail.filter(recipient="autrice@example.org").first()
    assert email is not None and "Un jardin partagé" in email.body and "En cours" in email.body

    # progress alone is no new status: nobody is notified again
    await post_form(client, f"{page}/status", {"status": "in-progress", "progress": "60"}, page)
    assert [await _notifications(p) for p in people] == [1, 1, 1, 1]
    assert (await Commitment.get(id=commitment.id)).progress == 60

    # a milestone, then a new status: one notification each
    response = await post_form(
        client, f"{page}/milestones", {"on": "2026-04-01", "text": "Premières plantations"}, page
    )
    assert response.status_code == 303
    await post_form(client, f"{page}/status", {"status": "done", "progress": "80"}, page)
    assert [await _notifications(p) for p in people] == [3, 3, 3, 3]
    assert await StatusChange.filter(commitment_id=commitment.id).count() == 2
    saved = await Commitment.get(id=commitment.id)
    assert (saved.status.value, saved.progress) == ("done", 100)

    from participation.audit import AuditLogEntry

    actions = (
        await AuditLogEntry.filter(target_kind="commitment")
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert [a for a, _ in actions] == [
        "commitment_created",
        *["commitment_updated"] * 2,
        "commitment_milestone",
        "commitment_updated",
    ]
    assert {actor for _, actor in actions} == {admin.id}

    public = (await client.get(f"/followup/{commitment.id}")).text
    assert "Premières plantations" in public and "01/04/2026" in public
    assert 'value="100"' in public


async def test_voters_of_a_budget_hear_about_its_funded_projects(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    budget = await Budget.create(title="Budget 2025", total_amount=1000, phase=Phase.RESULTS)
    funded = await Project.create(budget=budget, title="Un kiosque", description="", cost=500)
    other = await Project.create(budget=budget, title="Une fontaine", description="", cost=800)
    outcome = {"envelopes": [{"selected": [funded.id]}]}
    await TallyResult.create(
        budget=budget,
        rule=budget.winner_rule.value,
        outcome=json.dumps(outcome),
        ballots_count=2,
        input_digest="x",
    )
    voter = await create_user(settings, "votante@example.org")
    entry = await CensusEntry.create(lookup_hash="h1", district="Sud", birth_year=1980)
    await Residency.create(user=voter, census_entry=entry, birth_date="1980-01-01")
    await VoterRegister.create(budget=budget, census_entry=entry, channel=Channel.WEB)
    non_voter = await create_user(settings, "absente@example.org")
    await Residency.create(
        user=non_voter,
        census_entry=await CensusEntry.create(lookup_hash="h2", district="Sud", birth_year=1990),
        birth_date="1990-01-01",
    )

    await log_in(client, admin)
    listing = (await client.get("/admin/followup")).text
    assert "Un kiosque" in listing and "Une fontaine" not in listing  # only what was funded
    refused = await post_form(
        client, "/admin/followup/new", {"kind": "budget_project", "target_id": str(other.id)}
    )
    assert refused.status_code == 409
    await post_form(
        client, "/admin/followup/new", {"kind": "budget_project", "target_id": str(funded.id)}
    )
    commitment = await Commitment.get(target_id=funded.id)
    page = f"/admin/followup/{commitment.id}"
    await post_form(client, f"{page}/status", {"status": "in-progress", "progress": "10"}, page)
    assert await _notifications(voter) == 1
    assert await _notifications(non_voter) == 0
    assert await _notifications(admin) == 0


async def test_bad_input_shows_the_form_again_with_the_field_highlighted(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    commitment = await _commitment_to_it(settings)
    page = f"/admin/followup/{commitment.id}"
    await log_in(client, admin)
    response = await post_form(
        client, f"{page}/status", {"status": "abandoned", "progress": "40", "reason": " "}, page
    )
    assert response.status_code == 422
    assert 'id="reason" name="reason"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Dites pourquoi l’engagement est abandonné." in response.text
    response = await post_form(
        client, f"{page}/milestones", {"on": "31/02/2026", "text": "<b>x</b>"}, page
    )
    assert response.status_code == 422
    assert "&lt;b&gt;x&lt;/b&gt;" in response.text  # shown back escaped, never as markup
    assert (await Commitment.get(id=commitment.id)).status.value == "upcoming"  # nothing written
    assert await Notification.all().count() == 0


async def test_only_staff_manage_commitments(
    app: Any, client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    commitment = await _commitment_to_it(settings)
    await log_in(client, citizen)
    assert (await client.get("/admin/followup")).status_code == 403
    response = await post_form(
        client, f"/admin/followup/{commitment.id}/status", {"status": "done", "progress": "100"}
    )
    assert response.status_code == 403
    assert (await Commitment.get(id=commitment.id)).status.value == "upcoming"


async def test_the_public_list_filters_by_status_type_and_district(
    app: Any, client: httpx.AsyncClient
) -> None:
    await Commitment.create(
        target_kind="proposal",
        target_id=1,
        title="Jardin",
        status="done",
        progress=100,
        district="Nord",
    )
    await Commitment.create(
        target_kind="budget_project",
        target_id=2,
        title="Kiosque",
        status="abandoned",
        reason="Trop cher",
        district="Sud",
    )
    await Commitment.create(
        target_kind="consultation", target_id=3, title="Parc", status="in-progress", progress=50
    )
    everything = (await client.get("/followup")).text
    assert all(title in everything for title in ("Jardin", "Kiosque", "Parc"))
    done = (await client.get("/followup?status=done")).text
    assert "Jardin" in done and "Kiosque" not in done and "Parc" not in done
    south = (await client.get("/followup?district=Sud")).text
    assert "Kiosque" in south and "Jardin" not in south
    projects = await client.get("/followup?kind=budget_project", headers={"HX-Request": "true"})
    assert "Kiosque" in projects.text and "Parc" not in projects.text
    assert "<html" not in projects.text  # htmx gets the list only
    # the spelling used before issue #17 (links already shared) still filters the same way
    former = await client.get("/followup?kind=budget-project", headers={"HX-Request": "true"})
    assert former.text == projects.text
    page = (await client.get("/followup?kind=budget-project")).text
    assert '<option value="budget_project" selected>' in page
    assert (await client.get("/followup?status=%3Cscript%3E")).status_code == 200


async def test_the_admin_can_reach_everything_from_the_admin_index(
    app: Any, client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    html = (await client.get("/admin")).text
    assert 'href="/admin/indicators"' in html and 'href="/admin/followup"' in html
    assert 'href="/followup"' in html and 'href="/indicators"' in html  # site navigation
    assert admin.role == Role.ADMIN


async def test_a_consultation_is_followed_once_its_decision_is_published(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    from consultations.models import Consultation, Participant
    from consultations.models import Phase as ConsultationPhase

    undecided = await Consultation.create(title="Sans décision", phase=ConsultationPhase.CLOSED)
    decided = await Consultation.create(
        title="Horaires", phase=ConsultationPhase.CLOSED, outcome_published_at=timezone.now()
    )
    answered = await create_user(settings, "repondu@example.org")
    elsewhere = await create_user(settings, "ailleurs@example.org")
    await Participant.create(consultation=decided, user=answered, answered_on=timezone.now())
    await Participant.create(consultation=undecided, user=elsewhere, answered_on=timezone.now())

    await log_in(client, admin)
    listing = (await client.get("/admin/followup")).text
    assert "Horaires" in listing and "Sans décision" not in listing
    refused = await post_form(
        client, "/admin/followup/new", {"kind": "consultation", "target_id": str(undecided.id)}
    )
    assert refused.status_code == 409
    forged = await post_form(client, "/admin/followup/new", {"kind": "x", "target_id": "1; --"})
    assert forged.status_code == 409
    for too_big in ("1" + "0" * 20, "9999999999"):  # beyond the id column: refused, not a 500
        forged = await post_form(
            client, "/admin/followup/new", {"kind": "consultation", "target_id": too_big}
        )
        assert forged.status_code == 409
    await post_form(
        client, "/admin/followup/new", {"kind": "consultation", "target_id": str(decided.id)}
    )
    commitment = await Commitment.get(target_kind="consultation")
    assert commitment.target_id == decided.id
    page = f"/admin/followup/{commitment.id}"
    await post_form(client, f"{page}/milestones", {"on": "2026-09-01", "text": "Essai"}, page)
    assert await _notifications(answered) == 1
    assert await _notifications(elsewhere) == 0
    mine = await log_in_and_read_notifications(client, answered)
    assert f'href="/followup/{commitment.id}"' in mine


async def log_in_and_read_notifications(client: httpx.AsyncClient, user: User) -> str:
    client.cookies.clear()
    await log_in(client, user)
    return (await client.get("/notifications")).text


async def test_every_followable_source_gets_its_commitment_from_the_job(
    app: Any, settings: Settings
) -> None:
    from consultations.models import Consultation
    from consultations.models import Phase as ConsultationPhase
    from followup import jobs
    from participation.worker import cron_jobs

    proposal, _people = await _accepted_proposal(settings)
    refused = await Proposal.create(
        author_id=proposal.author_id,
        title="Refusée",
        body="<p>Non</p>",
        state=ProposalState.REFUSED,
        published_at=timezone.now(),
    )
    decided = await Consultation.create(
        title="Horaires", phase=ConsultationPhase.CLOSED, outcome_published_at=timezone.now()
    )
    assert await jobs.follow_new_sources({}) == 2
    assert await jobs.follow_new_sources({}) == 0  # idempotent
    followed = {(c.target_kind.value, c.target_id, c.status.value) for c in await Commitment.all()}
    assert followed == {
        ("proposal", proposal.id, "upcoming"),
        ("consultation", decided.id, "upcoming"),
    }
    assert refused.id not in {c.target_id for c in await Commitment.filter(target_kind="proposal")}
    assert await Notification.all().count() == 0  # announcing is no status change
    assert any(c.name == "cron:follow_new_sources" for c in cron_jobs())


async def test_a_commitment_whose_source_was_deleted_can_still_be_updated(
    app: Any, client: httpx.AsyncClient, admin: User
) -> None:
    gone = await Commitment.create(target_kind="budget_project", target_id=999, title="Kiosque")
    page = f"/admin/followup/{gone.id}"
    await log_in(client, admin)
    response = await post_form(
        client, f"{page}/status", {"status": "in-progress", "progress": "10"}, page
    )
    assert response.status_code == 303
    assert (await Commitment.get(id=gone.id)).status.value == "in-progress"
    assert (await client.get(f"/followup/{gone.id}")).status_code == 200
