"""Proposals and supports taken on behalf of people who are not online (issue #20,
docs/counter.md): an agent records them at the counter, by phone, from a paper form or at a
public meeting, in the person's name (participation/counter). The same rules as online apply:
pre-moderation, one support per person and proposal whatever the channel (the UNIQUE
constraint decides), a person blocked by moderators gets nothing recorded; the channel is kept
with the contribution and the agent is named in the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from tortoise import timezone

from participation.audit import audit
from participation.comments.counter import eligible
from participation.counter import domain as counter_rules
from participation.counter import routes as counter_routes
from participation.counter import services as counter
from participation.features import AccountSection
from participation.i18n import N_, gettext
from participation.numbers import parse_id
from participation.proposals import audience, domain, queries, services
from participation.proposals.collections import services as collections
from participation.proposals.domain import ProposalForm, ProposalState
from participation.proposals.models import Proposal, ProposalCollection, Support
from participation.refusals import NotAllowed, Problem, Refused, refuse
from participation.settings import Settings
from participation.spaces.audience import text_of
from participation.templating import flash
from participation.territory import town_box
from participation.urls import url
from participation.web import (
    Place,
    action_route,
    errors_of,
    form_data,
    redirect,
    require,
    saved_with_place,
    settings_of,
)


async def checked_proposal(
    settings: Settings,
    agent: Any,
    person_id: int,
    form: ProposalForm,
    raw_channel: str,
    raw_coordinates: tuple[str, str] = ("", ""),
    collection: str = "",
) -> tuple[Any, counter_rules.Channel]:
    """`record_proposal`'s checks, nothing written (its first step, and the form's own checks
    when its address is refused: web.Place): the person and the channel; `Refused` with every
    wrong field at once, the channel's with the proposal's."""
    counter.check_agent(agent)
    person = await eligible(person_id)
    problems = []
    try:
        channel = counter.channel_of(raw_channel)
    except Refused as refused:
        problems, channel = list(refused.problems), counter_rules.Channel.COUNTER
    # the collection is chosen among all those open (the agent may not know the person's
    # spaces), then the person must belong to its space's audience as online (issue #20: the
    # same rules), or be verified at the desk first
    draft = services.Draft(form, raw_coordinates, channel.value, town_box(settings), collection)
    try:
        chosen, _checked = await services.checked_draft(draft, person)
        if refusal := await outside_the_audience(person, chosen):
            problems.append(refusal)
    except Refused as refused:
        problems += refused.problems
    if problems:
        raise Refused(problems)
    return person, channel


async def outside_the_audience(
    person: Any, collection: ProposalCollection | None
) -> Problem | None:
    """Why `person` may not propose in the collection (read with its space: `checked_draft`'s),
    as the agent reads it (what to do: verify them at the desk), or None."""
    if (refusal := await audience.problem_in_collection(person, collection)) is None:
        return None
    return Problem(
        N_("{reason} Verify the person at the desk first."), {"reason": text_of(refusal)}
    )


async def record_proposal(
    settings: Settings,
    agent: Any,
    person_id: int,
    form: ProposalForm,
    raw_channel: str,
    raw_coordinates: tuple[str, str] = ("", ""),
    collection: str = "",
) -> Proposal:
    """A proposal in the person's name, published as the person would publish it (waiting for
    a moderator when its collection is pre-moderated); the channel kept, the agent audited.
    `collection`: chosen when several are open, as in the resident's form; its place as the
    resident's form gives it (`raw_coordinates`, the route looking its address up first)."""
    person, channel = await checked_proposal(
        settings, agent, person_id, form, raw_channel, raw_coordinates, collection
    )
    draft = services.Draft(form, raw_coordinates, channel.value, town_box(settings), collection)
    proposal = await services.create(draft, person)
    proposal = await services.change_state(settings, proposal, ProposalState.PUBLISHED, person)
    after = {"channel": channel.value, "person": person.id, "state": str(proposal.state)}
    await audit(agent, "counter_proposal", "proposal", proposal.id, "", after)
    return proposal


async def record_support(
    settings: Settings, agent: Any, person_id: int, proposal_id: int | None, raw_channel: str
) -> Proposal:
    """A support in the person's name. One per person and proposal whatever the channel: the
    UNIQUE constraint decides (two agents at once: one support), and the refusal names the
    channel of the support already there."""
    counter.check_agent(agent)
    channel = counter.channel_of(raw_channel)
    person = await eligible(person_id)
    proposal = await Proposal.get_or_none(id=proposal_id) if proposal_id else None
    if proposal is None:
        raise refuse(N_("No proposal has this number."), "proposal")
    try:
        added = await services.support(settings, proposal, person, channel.value, agent=agent)
    except NotAllowed as not_allowed:
        if reason := str(not_allowed):  # the space's audience: why, and what to do
            outside = N_("{reason} Verify the person at the desk first.")
            raise refuse(outside, "proposal", reason=reason) from None
        raise refuse(N_("This proposal does not accept supports."), "proposal") from None
    if not added:
        existing = await Support.get_or_none(proposal_id=proposal.id, user_id=person.id)
        message = counter_rules.second_support_message(existing.channel if existing else "")
        online = counter_rules.ALREADY_SUPPORTED[counter_rules.Channel.ONLINE]
        raise refuse(message or online, "proposal")
    after = {"channel": channel.value, "person": person.id}
    await audit(agent, "counter_support", "proposal", proposal.id, "", after)
    return proposal


# --- the section of the person's page at the counter, and its forms ---------------------------


async def section(
    person: Any, errors: Mapping[str, str], values: Mapping[str, str]
) -> AccountSection:
    """The forms of a proposal and of a support in the person's name; `values["form"]` says
    which form the errors are about."""
    categories, districts = await queries.territory()
    for_support = values.get("form") == "support"
    open_now = await collections.open_for_proposals(timezone.now())
    # the categories of the open collections, or of the one chosen (the form sent back)
    in_play = [c.id for c in open_now]
    chosen = parse_id(values.get("collection", ""))
    if chosen is not None and chosen in in_play:
        in_play = [chosen]
    categories = await queries.offered_categories(in_play, categories)
    context = {
        "channels": counter_routes.channels(),
        # several open: the agent chooses, as a resident would (participation/proposals/routes)
        "collection_options": [(c.id, f"{c.title} ({c.space.title})") for c in open_now]
        if len(open_now) > 1
        else [],
        "category_options": [(c.id, c.name) for c in categories],
        "district_options": [(d.id, d.name) for d in districts],
        "for_support": for_support,
        "proposal_errors": {} if for_support else dict(errors),
        "support_errors": dict(errors) if for_support else {},
        "values": dict(values),
    }
    return AccountSection("proposals/_counter.html", context)


async def proposal_route(request: Request) -> Response:
    """The proposal's form of the person's page: its address looked up as in the resident's
    form (web.saved_with_place: the point, or the choice of places, or why not, shown with
    the form's other errors at once)."""
    agent = require(request, counter_rules.may_record)
    person_id = request.path_params["person_id"]
    settings = settings_of(request)
    data = await form_data(request)

    def typed(fields: dict[str, str]) -> tuple[Any, ...]:
        form, raw = domain.form_of(fields)
        channel, collection = fields.get("channel", ""), fields.get("collection", "")
        return settings, agent, person_id, form, channel, raw, collection

    async def save(fields: dict[str, str]) -> Proposal:
        return await record_proposal(*typed(fields))

    async def check(fields: dict[str, str]) -> object:
        return await checked_proposal(*typed(fields))

    try:
        created = await saved_with_place(request, data, save, Place(check))
    except Refused as refused:
        values = {**data, "form": "proposal"}
        return await counter_routes.person_page(request, errors_of(refused.problems), values, 422)
    flash(request, gettext("The proposal is recorded in the person's name."))
    return redirect(url("proposals:detail", id=created.id))


async def support_route(request: Request) -> Response:
    agent = require(request, counter_rules.may_record)
    person_id = request.path_params["person_id"]
    data = await form_data(request)
    try:
        await record_support(
            settings_of(request),
            agent,
            person_id,
            parse_id(data.get("proposal", "").strip().lstrip("#")),
            data.get("channel", ""),
        )
    except Refused as refused:
        values = {**data, "form": "support"}
        return await counter_routes.person_page(request, errors_of(refused.problems), values, 422)
    flash(request, gettext("The support is recorded in the person's name."))
    return redirect(url("counter:person", person_id=person_id))


PERSON = "/admin/counter/people/{person_id:id}"
routes = [
    action_route(PERSON + "/proposal", proposal_route, "proposals:counter_proposal"),
    action_route(PERSON + "/support", support_route, "proposals:counter_support"),
]
