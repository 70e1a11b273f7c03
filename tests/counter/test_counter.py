"""Contributions taken on behalf of people (issue #20): the pure rules as tables, one HTTP test
per form, and the one-support rule across channels, including two agents at once."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from consultations.models import Participant, Response
from participation.accounts.models import Role, User
from participation.audit import AuditLogEntry
from participation.comments.models import Comment
from participation.counter import domain
from participation.counter import services as counter
from participation.counter.domain import Channel
from participation.counter.models import OfflinePerson
from participation.proposals import counter as proposal_counter
from participation.proposals import services as proposals
from participation.proposals.domain import ModerationState, ProposalState, form_of
from participation.proposals.models import Proposal, Support
from participation.refusals import NotAllowed, Refused
from participation.settings import Settings
from participation.spaces.domain import Audience
from tests.budgets.factories import verified
from tests.conftest import create_user, csrf_token, field_error, log_in, logged_queries, post_form
from tests.consultations.factories import consultation_open, opened, valid_answers
from tests.participation.proposal_factories import good_form, make_proposal
from tests.proposals.factories import ideas_box
from tests.spaces.factories import space_open_with_a_vote

# --- pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "channel"),
    [
        ("counter", Channel.COUNTER),
        ("phone", Channel.PHONE),
        ("paper", Channel.PAPER),
        ("meeting", Channel.MEETING),
        (" phone ", Channel.PHONE),
        ("online", None),  # the person's own channel: never recorded by an agent
        ("COUNTER", None),
        ("", None),
        ("guichet", None),
        ("<script>", None),
    ],
)
def test_the_channel_is_one_of_the_offline_channels(raw: str, channel: Channel | None) -> None:
    assert domain.parse_channel(raw) == channel


def _user(role: str | None) -> Any:
    if role is None:
        return SimpleNamespace(is_authenticated=False, is_admin=False, is_agent=False)
    return SimpleNamespace(
        is_authenticated=True, is_admin=role == "admin", is_agent=role in ("agent", "admin")
    )


@pytest.mark.parametrize(
    ("role", "may"),
    [(None, False), ("citizen", False), ("moderator", False), ("agent", True), ("admin", True)],
)
def test_only_staff_record_for_someone_else(role: str | None, may: bool) -> None:
    assert domain.may_record(_user(role)) is may


@pytest.mark.parametrize(
    ("existing", "refused"),
    [
        (None, None),
        ("online", "This person already supports this proposal (online)."),
        ("counter", "This person already supports this proposal (recorded at the counter)."),
        ("phone", "This person already supports this proposal (recorded by phone)."),
        ("paper", "This person already supports this proposal (recorded on a paper form)."),
        ("meeting", "This person already supports this proposal (recorded at a public meeting)."),
        ("forged", "This person already supports this proposal (online)."),
    ],
)
def test_one_support_per_person_whatever_the_channel(existing: str | None, refused: str) -> None:
    assert domain.second_support_message(existing) == refused


@pytest.mark.parametrize(
    ("name", "contact", "consent", "fields"),
    [
        ("", "", True, set()),  # name and contact are optional
        ("Mme Durand", "06 12 34 56 78", True, set()),
        ("Mme Durand", "", False, {"consent"}),
        ("x" * 81, "y" * 201, True, {"name", "contact"}),
    ],
)
def test_a_person_without_an_account_gives_their_consent(
    name: str, contact: str, consent: bool, fields: set[str]
) -> None:
    assert set(domain.person_problems(name, contact, consent)) == fields


@pytest.mark.parametrize(
    ("blocked", "deleted", "may"),
    [(False, False, True), (True, False, False), (False, True, False)],
)
def test_a_blocked_or_deleted_person_gets_no_contribution(
    blocked: bool, deleted: bool, may: bool
) -> None:
    assert domain.may_contribute(blocked, deleted) is may


# --- the agent's pages ------------------------------------------------------------------------

DESK = "/admin/counter"


async def test_an_agent_records_a_proposal_for_a_person_without_an_account(
    settings: Settings, client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    no_consent = await post_form(client, f"{DESK}/people", {"name": "Mme Durand"}, DESK)
    assert no_consent.status_code == 422
    assert "sans son accord" in field_error(no_consent.text, "consent")
    assert not await OfflinePerson.exists()

    data = {"name": "Mme Durand", "contact": "06 12 34 56 78", "consent": "on"}
    done = await post_form(client, f"{DESK}/people", data, DESK)
    assert done.status_code == 303
    record = await OfflinePerson.get().select_related("user")
    person = record.user
    assert (record.contact, record.recorded_by_id) == ("06 12 34 56 78", admin.id)
    assert person.email.endswith("@invalid") and person.password_hash == "!"
    page = f"{DESK}/people/{person.id}"
    assert done.headers["location"] == page

    form = {**(await good_form()), "channel": "paper"}
    no_channel = await post_form(client, f"{page}/proposal", {**form, "channel": "online"}, page)
    assert no_channel.status_code == 422
    assert "Indiquez" in field_error(no_channel.text, "channel")
    short = await post_form(client, f"{page}/proposal", {**form, "title": "Court"}, page)
    assert short.status_code == 422 and field_error(short.text, "title")
    assert not await Proposal.exists()

    created = await post_form(client, f"{page}/proposal", form, page)
    assert created.status_code == 303
    proposal = await Proposal.get()
    assert (proposal.author_id, proposal.channel) == (person.id, "paper")
    assert proposal.state == ProposalState.PUBLISHED  # as online: no pre-moderation here
    entry = await AuditLogEntry.get(action="counter_proposal")
    assert entry.actor_id == admin.id  # type: ignore[attr-defined]
    assert json.loads(entry.after)["channel"] == "paper"
    shown = (await client.get(f"/proposals/{proposal.id}")).text
    assert "déposée sur formulaire papier" in shown and "Mme Durand" in shown
    listed = (await client.get("/proposals")).text
    assert "déposée sur formulaire papier" in listed


async def test_a_proposal_taken_at_the_counter_is_premoderated_like_online(
    settings: Settings, admin: User
) -> None:
    premoderated = replace(settings, premoderated_content=frozenset({"proposal"}))
    person = await counter.record_person(admin, "", "", True)
    assert person.display_name == domain.UNNAMED
    form, _ = form_of(await good_form())
    proposal = await proposal_counter.record_proposal(
        premoderated, admin, person.id, form, "counter"
    )
    assert (proposal.state, proposal.moderation_state) == (
        ProposalState.PENDING,
        ModerationState.PENDING,
    )


async def test_the_counter_is_for_staff_and_checks_its_token(
    client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    await log_in(client, citizen)
    assert (await client.get(DESK)).status_code == 403
    denied = await post_form(client, f"{DESK}/people", {"consent": "on"}, "/")
    assert denied.status_code == 403
    await log_in(client, admin)
    forged = await client.post(f"{DESK}/people", data={"consent": "on", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert not await OfflinePerson.exists()
    assert (await client.get(f"{DESK}/people/999999")).status_code == 404
    missing = await post_form(client, f"{DESK}/people/999999/support", {"channel": "phone"}, DESK)
    assert missing.status_code == 404
    found = await client.get(DESK, params={"q": "Camille"})
    assert found.status_code == 200 and f"{DESK}/people/{citizen.id}" in found.text


async def test_a_second_support_through_another_channel_is_refused(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    """The person supported online; the agent at the counter cannot add a second support."""
    proposal = await make_proposal(admin)
    assert await proposals.support(settings, proposal, citizen)
    await log_in(client, admin)
    page = f"{DESK}/people/{citizen.id}"
    data = {"channel": "counter", "proposal": str(proposal.id)}
    again = await post_form(client, f"{page}/support", data, page)
    assert again.status_code == 422
    assert "déjà" in field_error(again.text, "proposal")
    forged = await post_form(client, f"{page}/support", {**data, "proposal": "99999"}, page)
    assert forged.status_code == 422 and field_error(forged.text, "proposal")
    assert await Support.filter(proposal_id=proposal.id).count() == 1
    assert (await Proposal.get(id=proposal.id)).support_count == 1

    other = await counter.record_person(admin, "M. Martin", "", True)
    page = f"{DESK}/people/{other.id}"
    done = await post_form(client, f"{page}/support", {**data, "channel": "phone"}, page)
    assert done.status_code == 303
    stored = await Support.get(user_id=other.id)
    assert stored.channel == "phone"
    assert (await Proposal.get(id=proposal.id)).support_count == 2
    entry = await AuditLogEntry.get(action="counter_support")
    assert entry.actor_id == admin.id  # type: ignore[attr-defined]


async def test_two_agents_recording_one_support_at_once_make_one(
    settings: Settings, admin: User
) -> None:
    """Two agents, two channels, the same person at once: the UNIQUE constraint keeps one
    support and one count, on SQLite and PostgreSQL."""
    other_agent = await create_user(settings, "agent@example.org", Role.ADMIN)
    proposal = await make_proposal(admin)
    person = await counter.record_person(admin, "Mme Petit", "", True)

    async def attempt(agent: User, channel: str) -> Any:
        try:
            return await proposal_counter.record_support(
                settings, agent, person.id, proposal.id, channel
            )
        except (Refused, NotAllowed) as refused:
            return refused

    outcomes = await asyncio.gather(attempt(admin, "counter"), attempt(other_agent, "phone"))
    assert len([o for o in outcomes if isinstance(o, Refused)]) == 1
    assert await Support.filter(proposal_id=proposal.id).count() == 1
    assert (await Proposal.get(id=proposal.id)).support_count == 1
    assert await AuditLogEntry.filter(action="counter_support").count() == 1


async def test_a_name_typed_at_the_counter_is_shown_as_text(
    settings: Settings, client: httpx.AsyncClient, admin: User
) -> None:
    person = await counter.record_person(admin, "<script>alert(1)</script>", "<b>06</b>", True)
    form, _ = form_of(await good_form())
    proposal = await proposal_counter.record_proposal(settings, admin, person.id, form, "phone")
    shown = (await client.get(f"/proposals/{proposal.id}")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>alert" not in shown
    assert "déposée par téléphone" in shown
    await log_in(client, admin)
    desk = (await client.get(f"{DESK}/people/{person.id}")).text
    assert "&lt;b&gt;06&lt;/b&gt;" in desk and "<b>06</b>" not in desk


async def test_an_agent_records_anonymous_answers_that_stay_unlinkable(
    settings: Settings, client: httpx.AsyncClient, admin: User
) -> None:
    """The answer goes through the online command: sealed, tied to nobody; the register notes
    that the person answered; the audit names the agent and the channel, never the answers."""
    consultation, questions = await consultation_open(anonymous=True)
    person = await counter.record_person(admin, "Mme Roux", "", True)
    await log_in(client, admin)
    desk = (await client.get(f"{DESK}/people/{person.id}")).text
    page = f"{DESK}/people/{person.id}/consultations/{consultation.id}"
    assert page in desk
    answers = await valid_answers(questions)
    no_channel = await post_form(client, page, answers, page)  # type: ignore[arg-type]
    assert no_channel.status_code == 422 and field_error(no_channel.text, "channel")
    assert not await Response.exists()

    done = await post_form(client, page, {**answers, "channel": "paper"}, page)  # type: ignore[dict-item]
    assert done.status_code == 303
    response = await Response.get()
    assert response.user_id is None and response.answers == ""  # type: ignore[attr-defined]
    assert opened(settings, response)[str(questions["number"].id)] == 4
    assert await Participant.filter(consultation_id=consultation.id, user_id=person.id).exists()
    entry = await AuditLogEntry.get(action="counter_answer")
    assert json.loads(entry.after) == {"channel": "paper", "person": person.id}
    assert "Plus d" not in (await client.get(page)).text  # the stored answer is never shown


async def test_the_spaces_audience_applies_to_what_an_agent_records(
    settings: Settings, client: httpx.AsyncClient, admin: User
) -> None:
    """A space for verified residents: the agent cannot record a proposal, a support or a
    comment for a person who is not one (422, what to do, nothing written); once verified, it
    goes through."""
    space = await space_open_with_a_vote(audience=Audience.RESIDENTS)
    collection = await ideas_box(space)
    proposal = await make_proposal(admin, collection_id=collection.id)
    person = await counter.record_person(admin, "Mme Durand", "", True)
    await log_in(client, admin)
    page = f"{DESK}/people/{person.id}"
    form = {**(await good_form()), "channel": "counter"}
    refused = await post_form(client, f"{page}/proposal", form, page)
    assert refused.status_code == 422
    assert "Vérifiez d’abord la personne au guichet." in refused.text
    support = {"channel": "phone", "proposal": str(proposal.id)}
    not_supported = await post_form(client, f"{page}/support", support, page)
    assert not_supported.status_code == 422
    assert "Vérifiez d’abord la personne au guichet." in field_error(not_supported.text, "proposal")
    said = {"channel": "counter", "kind": "proposal", "target": str(proposal.id)}
    said |= {"stance": "for", "body": "Dit au guichet : un banc de plus serait bien."}
    not_said = await post_form(client, f"{page}/comment", said, page)
    assert not_said.status_code == 422
    assert "Vérifiez d’abord la personne au guichet." in field_error(
        not_said.text, "comment-target"
    )
    assert await Proposal.filter(author_id=person.id).count() == 0
    assert not await Support.filter(user_id=person.id).exists()
    assert not await Comment.filter(author_id=person.id).exists()

    await verified(settings, person)  # the register's check, as at the desk
    assert (await post_form(client, f"{page}/proposal", form, page)).status_code == 303
    assert (await post_form(client, f"{page}/support", support, page)).status_code == 303
    assert (await post_form(client, f"{page}/comment", said, page)).status_code == 303
    assert await Support.filter(user_id=person.id, channel="phone").exists()


async def test_a_proposal_refused_for_the_audience_reads_its_collection_once(
    client: httpx.AsyncClient, admin: User
) -> None:
    space = await space_open_with_a_vote(audience=Audience.RESIDENTS)
    await ideas_box(space)
    person = await counter.record_person(admin, "Mme Durand", "", True)
    await log_in(client, admin)
    page = f"{DESK}/people/{person.id}"
    form = {**(await good_form()), "channel": "counter"}
    token = await csrf_token(client, page)
    with logged_queries() as statements:
        refused = await client.post(f"{page}/proposal", data={**form, "csrf_token": token})
    assert refused.status_code == 422
    assert "Vérifiez d’abord la personne au guichet." in refused.text
    reads = [q for q in statements if 'from "proposals_collection"' in q.lower()]
    # whether there is any collection, the open ones with their spaces (the chosen one's space
    # is the audience's: not read again by its id), and the open ones of the form shown again
    assert len(reads) == 3, "\n".join(q[:200] for q in reads)


async def test_the_search_at_the_counter_tells_who_is_verified(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    other = await create_user(settings, "camille.b@example.org", display_name="Camille Bis")
    await verified(settings, citizen)
    await log_in(client, admin)
    found = (await client.get(DESK, params={"q": "Camille"})).text
    assert "Camille Test</a> · Habitant vérifié (Nord)" in found
    assert f'/people/{other.id}">Camille Bis</a> · Non vérifié' in found
