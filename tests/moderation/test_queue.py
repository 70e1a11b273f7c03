"""The moderation queue: oldest first, filters, decisions with a required reason, bulk
actions, htmx and plain forms, pagination at a fixed number of queries; the audit log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

from moderation.domain import CaseKind, CaseStatus
from moderation.models import ModerationCase, ModerationDecision, ReasonTemplate, Report
from participation.accounts.models import User
from participation.audit import AppendOnly, AuditLogEntry
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.conftest import count_queries, create_user, log_in, logged_in
from tests.moderation.helpers import decide, make_comment, moderated_proposal, pending_case
from tests.participation.proposal_factories import at_proposal, make_proposal

MV = ModerationState


async def _pending_proposals(author: User, n: int) -> list[ModerationCase]:
    cases = []
    for i in range(n):
        p = await moderated_proposal(author, MV.PENDING, f"Proposition en attente {i:02d}")
        cases.append(await pending_case("proposal", p.id, author.id))
    return cases


async def test_a_decision_needs_a_reason_and_changes_nothing_without_one(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    [case] = await _pending_proposals(citizen, 1)
    await log_in(client, moderator)
    response = await decide(client, [case.id], "approve", "  ")
    assert response.status_code == 422 and "Indiquez un motif" in response.text
    await case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert await Proposal.filter(moderation_state=MV.PENDING).count() == 1
    assert await ModerationDecision.all().count() == 0 and await AuditLogEntry.all().count() == 0
    # a ready-made reason is enough; the moderator's language (French here) is sent
    template = await ReasonTemplate.create(
        text_fr="Votre contribution respecte la charte de participation.",
        text_en="Your contribution follows the participation charter.",
    )
    queue = await client.get("/moderation")
    assert f'<option value="{template.id}">Votre contribution respecte' in queue.text
    response = await decide(client, [case.id], "approve", "", reason_template=str(template.id))
    assert response.status_code == 303
    decision = await ModerationDecision.get()
    assert decision.reason == "Votre contribution respecte la charte de participation."


async def test_bulk_actions_and_the_audit_trail(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    cases = await _pending_proposals(citizen, 3)
    await log_in(client, moderator)
    response = await decide(client, [c.id for c in cases], "reject", "Hors charte.")
    assert response.status_code == 303
    flashed = (await client.get(response.headers["location"])).text
    assert "3 contributions rejetées." in flashed
    assert await Proposal.filter(moderation_state=MV.HIDDEN).count() == 3
    assert await ModerationCase.filter(status=CaseStatus.OPEN).count() == 0
    entries = await AuditLogEntry.filter(action="decision:reject").order_by("id")
    assert len(entries) == 3
    assert all(e.actor_id == moderator.id and e.reason == "Hors charte." for e in entries)
    assert '"pending"' in entries[0].before and '"hidden"' in entries[0].after
    # deciding again on closed cases does nothing
    response = await decide(client, [cases[0].id], "approve", "Finalement oui.")
    assert response.status_code == 303
    assert await Proposal.filter(moderation_state=MV.HIDDEN).count() == 3


async def test_reject_applies_to_pending_content_only(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    proposal = await make_proposal(citizen)
    comment = await make_comment(proposal, citizen)
    case = await ModerationCase.create(
        target_kind="comment",
        target_id=comment.id,
        author_id=citizen.id,
        kind=CaseKind.REPORTED,
        opened_at=timezone.now(),
    )
    await log_in(client, moderator)
    await decide(client, [case.id], "reject", "Non.")
    await comment.refresh_from_db()
    assert comment.moderation_state == MV.VISIBLE  # skipped: it was not pending
    await decide(client, [case.id], "hide", "Propos injurieux.")
    await comment.refresh_from_db()
    await proposal.refresh_from_db()
    assert comment.moderation_state == MV.HIDDEN and proposal.comment_count == 0


async def test_htmx_gets_the_queue_fragment(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    cases = await _pending_proposals(citizen, 2)
    await log_in(client, moderator)
    fragment = await client.get("/moderation", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Proposition en attente 00" in fragment.text
    from tests.conftest import csrf_token

    token = await csrf_token(client)
    response = await client.post(
        "/moderation/decide",
        data={"case": str(cases[0].id), "action": "approve", "reason": "OK."},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert "Proposition en attente 00" not in response.text
    assert "Proposition en attente 01" in response.text
    assert "1 contribution approuvée." in response.text
    # errors come back in the fragment, 422 as without htmx (base.html's htmx-config swaps it)
    response = await client.post(
        "/moderation/decide",
        data={"case": str(cases[1].id), "action": "hide", "reason": ""},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 422 and "Indiquez un motif" in response.text
    assert "<html" not in response.text


async def test_queue_is_oldest_first_with_filters(
    client: httpx.AsyncClient, moderator: User, citizen: User, settings: Settings
) -> None:
    old, new = await _pending_proposals(citizen, 2)
    await ModerationCase.filter(id=new.id).update(opened_at=timezone.now() - timedelta(days=2))
    proposal = await make_proposal(citizen, title="Proposition avec un commentaire")
    comment = await make_comment(proposal, citizen, "<p>Commentaire signalé pour spam</p>")
    reporter = await create_user(settings, "reporter@example.org")
    reported = await ModerationCase.create(
        target_kind="comment",
        target_id=comment.id,
        author_id=citizen.id,
        kind=CaseKind.REPORTED,
        open_reports=1,
        opened_at=timezone.now() - timedelta(days=5),
    )
    await Report.create(
        case_id=reported.id,
        target_kind="comment",
        target_id=comment.id,
        reporter_id=reporter.id,
        reason="spam",
    )
    await log_in(client, moderator)
    text = (await client.get("/moderation")).text
    assert (
        text.index("Commentaire signalé")
        < text.index("Proposition en attente 01")
        < text.index("Proposition en attente 00")
    )
    only_comments = (await client.get("/moderation?type=comment")).text
    assert "Commentaire signalé" in only_comments and "en attente 0" not in only_comments
    spam = (await client.get("/moderation?reason=spam")).text
    assert "Commentaire signalé" in spam and "en attente 0" not in spam
    assert "Commentaire signalé" not in (await client.get("/moderation?reason=offensive")).text
    pending = (await client.get("/moderation?kind=pending")).text
    assert "Commentaire signalé" not in pending and "en attente 01" in pending


@pytest.mark.parametrize("size", [30, 10_000])
async def test_a_large_queue_stays_paginated_at_a_fixed_number_of_queries(
    client: httpx.AsyncClient, moderator: User, citizen: User, size: int
) -> None:
    proposal = await make_proposal(citizen, title="Le sujet des commentaires")
    now = timezone.now()
    await Comment.bulk_create(
        [
            Comment(
                proposal_id=proposal.id,
                author_id=citizen.id,
                body=f"<p>Commentaire en attente {i}</p>",
                moderation_state=MV.PENDING,
            )
            for i in range(size)
        ],
        batch_size=1000,
    )
    ids = await Comment.all().order_by("id").values_list("id", flat=True)
    await ModerationCase.bulk_create(
        [
            ModerationCase(
                target_kind="comment",
                target_id=comment_id,
                author_id=citizen.id,
                kind=CaseKind.PENDING,
                opened_at=now + timedelta(seconds=i),
            )
            for i, comment_id in enumerate(ids)
        ],
        batch_size=1000,
    )
    await log_in(client, moderator)
    queries, response = await count_queries(client, "/moderation?page=2")
    assert response.status_code == 200
    assert "Commentaire en attente 20" in response.text
    assert "Commentaire en attente 19<" not in response.text
    assert f"{size:,} contributions en attente".replace(",", "\u202f") in response.text  # 10 000
    assert ('rel="next"' in response.text) == (size > 40)
    assert queries <= 8, queries


async def test_audit_log_is_browsed_and_exported_by_admins_only(
    app: Any, admin: User, moderator: User, citizen: User
) -> None:

    [case] = await _pending_proposals(citizen, 1)
    async with logged_in(app, moderator) as c:
        await decide(c, [case.id], "approve", '=HYPERLINK("http://x")')
        assert (await c.get("/admin/audit")).status_code == 403
        assert (await c.get("/admin/audit.csv")).status_code == 403
    async with logged_in(app, admin) as c:
        page = (await c.get("/admin/audit")).text
        assert "decision:approve" in page and moderator.display_name in page
        assert "decision:approve" in (await c.get("/admin/audit?action=decision")).text
        assert "decision:approve" not in (await c.get("/admin/audit?action=user_blocked")).text
        export = await c.get("/admin/audit.csv")
        assert export.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(export.text)))
        assert rows[0]["action"] == "decision:approve"
        assert rows[0]["reason"].startswith("'=")  # no formula injection in spreadsheets


async def test_no_route_changes_the_audit_log(app: Any, moderator: User) -> None:
    from starlette.routing import Route

    for route in app.routes:
        if isinstance(route, Route) and "audit" in route.path:
            assert route.methods is not None and route.methods <= {"GET", "HEAD"}, route.path
    entry = await AuditLogEntry.create(action="test", target_kind="user", target_id=1)
    entry.reason = "changed"
    with pytest.raises(AppendOnly):
        await entry.save()
    with pytest.raises(AppendOnly):
        await entry.delete()
    assert await AuditLogEntry.filter(reason="changed").count() == 0


async def test_council_actions_on_proposals_are_audited(
    client: httpx.AsyncClient, admin: User, citizen: User
) -> None:
    from tests.conftest import post_form

    proposal, page = await at_proposal(client, citizen, admin)
    await post_form(client, f"{page}/state", {"state": "under_analysis"}, page=page)
    data = {"answer": "La mairie installera les arceaux.", "state": "accepted"}
    await post_form(client, f"{page}/answer", data, page=page)
    entries = await AuditLogEntry.all().order_by("id")
    assert [e.action for e in entries] == ["proposal_state", "proposal_answer"]
    assert '"under_analysis"' in entries[0].after and "arceaux" in entries[1].after
    assert all(e.actor_id == admin.id for e in entries)


async def test_a_page_mixing_every_content_kind_costs_at_most_8_queries(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    from budgets.models import Project
    from tests.budgets.factories import budget_in_voting

    _, projects = await budget_in_voting()
    proposal = await make_proposal(citizen, title="Le sujet des commentaires")
    comments = [
        await Comment.create(proposal_id=proposal.id, author_id=citizen.id, body=f"<p>Avis {i}</p>")
        for i in range(5)
    ]
    await Project.filter(id__in=[p.id for p in projects]).update(moderation_state=MV.PENDING)
    now = timezone.now()
    items = (
        [("proposal", proposal.id)]
        + [("comment", c.id) for c in comments]
        + [("budget_project", p.id) for p in projects]
    )
    for i, (target_kind, target_id) in enumerate(items):
        await ModerationCase.create(
            target_kind=target_kind,
            target_id=target_id,
            author_id=citizen.id,
            kind=CaseKind.PENDING,
            opened_at=now + timedelta(seconds=i),
        )
    await ReasonTemplate.create(text_fr="Motif.", text_en="Reason.")
    await log_in(client, moderator)
    queries, response = await count_queries(client, "/moderation")
    assert response.status_code == 200
    assert "Avis 4" in response.text and "Skatepark" in response.text
    assert "Le sujet des commentaires" in response.text
    assert queries <= 8, queries
