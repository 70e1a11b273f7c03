"""Comments taken on behalf of people (issue #20, docs/counter.md): an agent records a comment
for a person, with its channel, on a proposal or a budget project; moderated like any comment
(pre-moderation, a person blocked gets nothing); bad or forged input refused next to its field
(SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from budgets.models import Budget, Project
from moderation import services as moderation
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.comments import counter as comment_counter
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.counter import services as counter
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.refusals import DomainError, Refused
from participation.settings import Settings
from tests.budgets.factories import budget_in_voting, verified
from tests.conftest import field_error, log_in, post_form
from tests.participation.proposal_factories import make_proposal
from tests.spaces.factories import space_open_with_a_vote

DESK = "/admin/counter"
SAID = "Dit au guichet : il faut aussi un abri pour les poussettes."


async def test_an_agent_records_a_comment_with_its_channel(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    proposal = await make_proposal(citizen)
    person = await counter.record_person(admin, "Mme Durand", "", True)
    await log_in(client, admin)
    page = f"{DESK}/people/{person.id}"
    shown = (await client.get(page)).text
    assert "Enregistrer un commentaire" in shown and 'id="comment-body"' in shown
    data = {
        "channel": "counter",
        "kind": "proposal",
        "target": f"#{proposal.id}",
        "stance": "for",
        "body": SAID,
    }
    done = await post_form(client, f"{page}/comment", data, page)
    assert done.status_code == 303 and done.headers["location"] == page
    comment = await Comment.get(author_id=person.id)
    assert (comment.channel, comment.target_kind, comment.target_id, comment.stance) == (
        "counter",
        "proposal",
        proposal.id,
        "for",
    )
    assert comment.moderation_state == ModerationState.VISIBLE
    assert (await Proposal.get(id=proposal.id)).comment_count == 1
    entry = await AuditLogEntry.get(action="counter_comment")
    assert entry.actor_id == admin.id  # type: ignore[attr-defined]
    shown = (await client.get(f"/proposals/{proposal.id}")).text
    assert "abri pour les poussettes" in shown and "recueilli au guichet" in shown


async def test_a_comment_on_a_budget_project_goes_through_the_same_command(
    settings: Settings, admin: User
) -> None:
    budget, projects = await budget_in_voting()
    space = await space_open_with_a_vote(audience="residents")
    await Budget.filter(id=budget.id).update(space_id=space.id)
    person = await counter.record_person(admin, "", "", True)
    with pytest.raises(Refused):  # the space's audience applies to the person, as online
        await comment_counter.record_comment(
            settings, admin, person.id, "budget_project", projects[0].id, SAID, "neutral", "phone"
        )
    await verified(settings, person)
    comment = await comment_counter.record_comment(
        settings, admin, person.id, "budget_project", projects[0].id, SAID, "neutral", "phone"
    )
    assert (comment.target_kind, comment.target_id, comment.channel) == (
        "budget_project",
        projects[0].id,
        "phone",
    )
    assert comment.proposal_id is None  # type: ignore[attr-defined]


async def test_a_comment_at_the_counter_is_premoderated_like_online(
    settings: Settings, citizen: User, admin: User
) -> None:
    premoderated = replace(settings, premoderated_content=frozenset({"comment"}))
    proposal = await make_proposal(citizen)
    person = await counter.record_person(admin, "", "", True)
    comment = await comment_counter.record_comment(
        premoderated, admin, person.id, "proposal", proposal.id, SAID, "neutral", "paper"
    )
    assert comment.moderation_state == ModerationState.PENDING
    assert (await Proposal.get(id=proposal.id)).comment_count == 0


async def test_bad_and_forged_comment_forms_are_refused_next_to_their_field(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    proposal = await make_proposal(citizen)
    draft = await make_proposal(citizen, state=ProposalState.DRAFT, title="Un brouillon caché")
    hidden_project = (await budget_in_voting())[1][0]
    await Project.filter(id=hidden_project.id).update(moderation_state=ModerationState.HIDDEN)
    person = await counter.record_person(admin, "", "", True)
    await log_in(client, admin)
    page = f"{DESK}/people/{person.id}"
    good = {"channel": "meeting", "kind": "proposal", "target": str(proposal.id)}
    good |= {"stance": "neutral", "body": SAID}
    cases = [
        ({"channel": "online"}, "comment-channel", "Indiquez comment"),  # the person's own
        ({"kind": "signalement"}, "kind", "Choisissez ce que le commentaire concerne"),
        ({"target": "99999"}, "comment-target", "Aucun élément"),
        ({"target": "abc"}, "comment-target", "Aucun élément"),
        # a draft is out of the public's sight, like a hidden project: not even said to exist
        ({"target": str(draft.id)}, "comment-target", "Aucun élément"),
        ({"kind": "budget_project", "target": str(hidden_project.id)}, "comment-target", "Aucun"),
        ({"body": " "}, "comment-body", ""),
        ({"stance": "maybe"}, "stance", ""),
    ]
    for change, field, words in cases:
        refused = await post_form(client, f"{page}/comment", {**good, **change}, page)
        assert refused.status_code == 422, change
        assert words in field_error(refused.text, field), change
    assert await Comment.filter(author_id=person.id).count() == 0
    assert not await AuditLogEntry.filter(action="counter_comment").exists()


async def test_a_blocked_person_gets_no_comment_and_staff_only_record(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User, moderator: User
) -> None:
    proposal = await make_proposal(admin)
    await moderation.block(moderator, citizen.id, "7d", "Insultes répétées.")
    with pytest.raises(DomainError):
        await comment_counter.record_comment(
            settings, admin, citizen.id, "proposal", proposal.id, SAID, "neutral", "counter"
        )
    await log_in(client, citizen)  # a resident cannot use the agent's form for themselves
    page = f"/proposals/{proposal.id}"
    data = {"channel": "counter", "kind": "proposal", "target": str(proposal.id), "body": SAID}
    forged = await post_form(client, f"{DESK}/people/{citizen.id}/comment", data, page)
    assert forged.status_code == 403
    assert await Comment.all().count() == 0
