"""Proposal commands: plain data in, one transaction each, e-mails dispatched after commit.

Refusals (participation/refusals.py): `Refused` for bad input, `DomainError` for a refused action,
`NotAllowed` when the person may not do it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from moderation import domain as moderation_rules
from moderation import services as moderation
from participation import mail
from participation.accounts.domain import normalize_email
from participation.accounts.models import Role, User
from participation.audit import audit
from participation.i18n import N_, gettext
from participation.notifications import services as notifications
from participation.notifications.services import Kind
from participation.numbers import parse_id
from participation.pictures import services as pictures
from participation.pictures.forms import ImageChange
from participation.proposals import audience, domain, queries
from participation.proposals.collections import services as collections
from participation.proposals.domain import (
    ANSWER_STATES,
    OPEN_STATES,
    STATE_LABELS,
    Actor,
    AmendmentState,
    DomainError,
    ModerationState,
    ProposalForm,
    ProposalState,
)
from participation.proposals.models import (
    Amendment,
    Proposal,
    ProposalCoauthor,
    ProposalEvent,
    ProposalVersion,
    Support,
)
from participation.proposals.queries import collection_rules, facts, id_set, offered_categories
from participation.refusals import NotAllowed, NotFound, Problem, Refused, refuse_fields
from participation.residents.models import District
from participation.richtext import (
    ALLOW_LIST_VERSION,
    from_markdown,
    normalize_for_search,
    to_text,
    written,
)
from participation.settings import Settings
from participation.spaces.audience import text_of
from participation.territory import Box, town_box
from participation.urls import url

if TYPE_CHECKING:  # annotations only
    from participation.proposals.models import ProposalCollection

__all__ = ["DomainError", "NotAllowed", "Refused"]

# a proposal's rich text, sanitised on write with the row's one `sanitized_with` (issue #21)
RICH_TEXT = ("body", "answer_body")


def _search_text(title: str, body: str) -> str:
    return normalize_for_search(f"{title} {to_text(body)}")


async def _checked_form(
    form: ProposalForm,
    raw_coordinates: tuple[str, str],
    town: Box | None = None,
    collection_id: int | None = None,
) -> ProposalForm:
    """The form with its body as stored: the HTML of the Markdown typed (`form.body.strip()` is
    its source). The category must be one its collection offers (`collection_id`; None: the
    site's)."""
    body = from_markdown(form.body)
    offered = await offered_categories([collection_id] if collection_id is not None else [])
    category_ids = {c.id for c in offered}
    district_ids = await id_set(District.all())
    problems = domain.proposal_problems(
        form, to_text(body), category_ids, district_ids, raw_coordinates, town
    )
    if problems:
        raise refuse_fields(problems)
    return replace(form, title=form.title.strip(), body=body, address=form.address.strip())


async def collection_for(raw: str, author: Any = None) -> ProposalCollection | None:
    """The collection a new proposal goes into (`raw`: the form's choice, "" when it did not
    ask), read with its space: None on a site without any collection (the site's one ideas
    box); `Refused` on the field `collection` when none is open or the choice is not an open
    one. With `author` (online, not at the counter): only those whose space admits them are
    offered, and one whose space does not is `NotAllowed` (403: the form never offered it)."""
    if not await collections.any_exists():
        return None
    if author is None:
        open_now = offered = await collections.open_for_proposals(timezone.now())
    else:
        open_now, offered, _ = await audience.open_to(author)
    chosen, problem = domain.choose_collection([c.id for c in offered], raw)
    if problem is not None and parse_id(raw) in {c.id for c in open_now}:
        raise NotAllowed()
    if problem is not None and open_now and not offered:
        raise NotAllowed()
    if problem is not None:
        raise refuse_fields({"collection": problem})
    return next(c for c in offered if c.id == chosen)


@dataclass(frozen=True)
class Draft:
    """A new proposal as the form (or the counter's agent) sends it: `checked_draft` cleans it,
    `create` saves what that cleaned. `channel`: how it came in, when an agent takes it for the
    author (participation/proposals/counter.py, which then asks the space's audience of the
    person, as online); `collection`: the one chosen in the form ("" when it did not ask:
    the only open one)."""

    form: ProposalForm
    raw_coordinates: tuple[str, str] = ("", "")
    channel: str = "online"
    town: Box | None = None
    collection: str = ""
    image: ImageChange | None = None  # issue #22: its image, checked (participation/pictures)


async def checked_draft(
    draft: Draft, author: Any
) -> tuple[ProposalCollection | None, ProposalForm]:
    """A new draft's checks, nothing written (`create`'s first step, and the form's own
    checks when its address is refused: web.Place): its collection (with its space) and the
    form as stored;
    `Refused` with every wrong field at once, the anti-abuse rules on the description among
    them (they read only the author's recent texts, nothing the field checks gate: checked in
    the same pass, a 422 shows them with the fields' problems, not at the next sending)."""
    problems: list[Problem] = []
    try:
        taken_by_an_agent = draft.channel != "online"
        collection = await collection_for(draft.collection, None if taken_by_an_agent else author)
    except Refused as refused:
        collection, problems = None, list(refused.problems)
    checked = None
    try:
        collection_id = collection.id if collection is not None else None
        checked = await _checked_form(draft.form, draft.raw_coordinates, draft.town, collection_id)
    except Refused as refused:  # every wrong field at once
        problems += refused.problems
    if not any(p.field == "body" for p in problems):
        text = to_text(from_markdown(draft.form.body))  # as _checked_form reads it
        if problem := await moderation.abuse_problem(author, text, "proposal"):
            problems.append(Problem(problem, field="body"))
    if problems or checked is None:
        raise Refused(problems)
    return collection, checked


async def checked_edit(
    settings: Settings, proposal: Proposal, form: ProposalForm, raw_coordinates: tuple[str, str]
) -> ProposalForm:
    """An edit's checks, nothing written (`update`'s, and the form's own when its address is
    refused: web.Place)."""
    return await _checked_form(form, raw_coordinates, town_box(settings), proposal.collection_id)


async def create(
    draft: Draft, author: Any, admit: Callable[[], Awaitable[None]] | None = None
) -> Proposal:
    """A new draft (`Draft` says what comes in); nothing is saved when a field is wrong.
    `admit` runs once every check passed, just before the draft is written: the resident's
    rate limit (participation/proposals/routes.py), which counts only a proposal that would be
    saved, so it stays after the checks (and raises to keep the draft from being written)."""
    if not author.is_authenticated:
        raise NotAllowed()
    collection, checked = await checked_draft(draft, author)
    if admit is not None:
        await admit()
    async with in_transaction():  # the proposal and its image, or nothing
        image_id = await pictures.apply(draft.image, None)
        return await Proposal.create(
            image_id=image_id,
            author_id=author.id,
            title=checked.title,
            body=checked.body,
            body_source=draft.form.body.strip(),
            sanitized_with=ALLOW_LIST_VERSION,
            category_id=checked.category_id,
            district_id=checked.district_id,
            address=checked.address,
            latitude=checked.latitude,
            longitude=checked.longitude,
            search_text=_search_text(checked.title, checked.body),
            channel=draft.channel,
            collection_id=collection.id if collection is not None else None,
        )


async def update(
    settings: Settings,
    proposal: Proposal,
    form: ProposalForm,
    editor: Any,
    raw_coordinates: tuple[str, str],
    image: ImageChange | None = None,
) -> Proposal:
    """Authors edit a draft freely; editing a published proposal records a new version, which
    waits for a moderator again when proposals are pre-moderated (so does a new image, or a
    new text alternative of its image: issue #22). `image`: the change of its image
    (participation/pictures), None: kept as it is."""
    proposal_facts, _ = await facts(proposal)
    if not domain.can_edit(editor, proposal_facts):
        raise NotAllowed()
    checked = await checked_edit(settings, proposal, form, raw_coordinates)
    async with in_transaction():
        # a new file or a new text alternative: moderators see it again (the alternative is
        # read on every page that shows the image)
        image_changed = await pictures.changes_what_is_shown(image, proposal.image_id)
        changes: dict[str, Any] = {
            "title": checked.title,
            **written(proposal, RICH_TEXT, body=checked.body),
            "body_source": form.body.strip(),
            "category_id": checked.category_id,
            "district_id": checked.district_id,
            "address": checked.address,
            "latitude": checked.latitude,
            "longitude": checked.longitude,
            "search_text": _search_text(checked.title, checked.body),
            "image_id": await pictures.apply(image, proposal.image_id),
        }
        if proposal.state != ProposalState.DRAFT and image_changed:
            await _remoderate_new_version(settings, proposal)
        text_changed = (checked.title, checked.body) != (proposal.title, proposal.body)
        if proposal.state != ProposalState.DRAFT and text_changed:
            await _write_version(settings, proposal, proposal.version, changes, editor.id)
        else:
            await Proposal.filter(id=proposal.id).update(**changes)
    await proposal.refresh_from_db()
    return proposal


async def _write_version(
    settings: Settings,
    proposal: Proposal,
    base: int,
    changes: dict[str, Any],
    author_id: int,
    amendment_id: int | None = None,
) -> None:
    """Version `base + 1` of the text (`changes` holds its title and body), written only while
    the proposal is still at version `base`: a concurrent edit or amendment refuses this one.
    The new version is then re-moderated."""
    number = base + 1
    changed = await Proposal.filter(id=proposal.id, version=base).update(version=number, **changes)
    if not changed:
        raise DomainError(N_("The proposal changed meanwhile: reload the page."))
    await ProposalVersion.create(
        proposal_id=proposal.id,
        number=number,
        title=changes["title"],
        body=changes["body"],
        author_id=author_id,
        amendment_id=amendment_id,
    )
    await _remoderate_new_version(settings, proposal)


async def _remoderate_new_version(settings: Settings, proposal: Proposal) -> None:
    """Inside the transaction of a new version (edit or accepted amendment): approved content
    of a pre-moderated type goes back to the queue, hidden from the public until approved."""
    current = ModerationState(proposal.moderation_state)
    rules, _ = await collection_rules(proposal.collection_id)
    premoderated = domain.needs_premoderation(rules, settings.premoderates("proposal"))
    target = moderation_rules.after_edit(current, premoderated)
    if target == current:
        return
    moved = await Proposal.filter(id=proposal.id, moderation_state=current).update(
        moderation_state=target
    )
    if moved:
        await moderation.open_pending_case("proposal", proposal.id, proposal.author_id)


async def _tell_stakeholders(
    settings: Settings,
    kind: str,
    event: ProposalEvent,
    proposal: Proposal,
    actor_id: int | None,
    **values: Any,
) -> list[mail.OutboxEmail]:
    """Tell the author, accepted co-authors and supporters (not `actor_id`) about a state
    change or an answer (`kind`: once per event); the e-mails go after commit."""
    coauthor_ids = ProposalCoauthor.filter(
        proposal_id=proposal.id, accepted_at__isnull=False
    ).values_list("user_id", flat=True)
    supporter_ids = Support.filter(proposal_id=proposal.id).values_list("user_id", flat=True)
    ids = {proposal.author_id, *await coauthor_ids, *await supporter_ids}
    stakeholders = list(await User.filter(id__in=list(ids)))
    return await notifications.notify(
        settings, kind, f"{kind}:{event.id}", stakeholders, proposal, exclude=actor_id, **values
    )


async def _move(
    settings: Settings,
    proposal: Proposal,
    target: ProposalState,
    actor: Any,
    answered: bool = False,
    **extra: Any,
) -> tuple[ProposalEvent, list[mail.OutboxEmail]]:
    """Inside a transaction: the conditional update refuses a concurrent change, then the
    change is logged and the author, co-authors and supporters are notified."""
    current = ProposalState(proposal.state)
    changed = await Proposal.filter(id=proposal.id, state=current).update(state=target, **extra)
    if not changed:
        raise DomainError(N_("The proposal changed meanwhile: reload the page."))
    event = await ProposalEvent.create(
        proposal_id=proposal.id,
        actor_id=getattr(actor, "id", None),
        from_state=current,
        to_state=target,
        answered=answered,
    )
    proposal.state = target
    emails: list[mail.OutboxEmail] = []
    if not answered and target != ProposalState.THRESHOLD_REACHED:
        emails = await _tell_stakeholders(
            settings,
            Kind.STATE,
            event,
            proposal,
            getattr(actor, "id", None),
            state=STATE_LABELS[target],
        )
    return event, emails


async def change_state(
    settings: Settings, proposal: Proposal, target: ProposalState, user: Any
) -> Proposal:
    """Publish, withdraw, move to analysis, mark done... as the state machine allows."""
    proposal_facts, _ = await facts(proposal)
    actor = domain.actor_for(user, proposal_facts)
    if actor is None:
        raise NotAllowed()
    if target in ANSWER_STATES:
        raise DomainError(N_("Accepting or refusing a proposal needs an official answer."))
    if proposal.state == ProposalState.PENDING and target == ProposalState.PUBLISHED:
        raise DomainError(N_("Proposals awaiting moderation are approved in the moderation queue."))
    if target == ProposalState.PENDING:  # only publishing under pre-moderation leads there
        raise DomainError(N_("A proposal awaits moderation only once published."))
    publishing = target == ProposalState.PUBLISHED and proposal.state == ProposalState.DRAFT
    if publishing and actor == Actor.AUTHOR and proposal.channel == "online":
        await check_audience(user, proposal)  # as proposing; an agent's draft: not asked
    rules = proposal_facts.collection
    if publishing and not domain.may_propose_now(rules, timezone.now()):
        raise DomainError(N_("This collection takes no new proposals at the moment."))
    premoderated = publishing and domain.needs_premoderation(
        rules, settings.premoderates("proposal")
    )
    if premoderated:  # pre-moderation: published once a moderator approves it
        target = ProposalState.PENDING
    domain.check_transition(ProposalState(proposal.state), target, actor)
    async with in_transaction():
        extra: dict[str, Any] = {}
        if premoderated:
            extra["moderation_state"] = ModerationState.PENDING
            await moderation.open_pending_case("proposal", proposal.id, proposal.author_id)
        if target == ProposalState.PUBLISHED and proposal.published_at is None:
            extra["published_at"] = timezone.now()
            await ProposalVersion.record_first(proposal)
        previous = proposal.state
        _event, emails = await _move(settings, proposal, target, user, **extra)
        if target == ProposalState.WITHDRAWN:  # no longer anything to moderate
            await moderation.close_case_of_removed(
                user, "proposal", proposal.id, moderation_rules.CLOSED_WITHDRAWN
            )
        if actor in (Actor.STAFF, Actor.MODERATOR):  # council actions go to the audit log
            before, after = {"state": str(previous)}, {"state": str(target)}
            await audit(user, "proposal_state", "proposal", proposal.id, before, after)
    await notifications.dispatch(emails)
    await proposal.refresh_from_db()
    return proposal


async def answer(
    settings: Settings, proposal: Proposal, user: Any, text: str, target: ProposalState | None
) -> Proposal:
    """Staff publish an official answer, with a new state or not; notified once per answer."""
    proposal_facts, _ = await facts(proposal)
    if not domain.can_answer(user, proposal_facts):
        raise NotAllowed()
    body = from_markdown(text)  # staff write Markdown, as residents do (issue #21)
    if not to_text(body):
        raise refuse_fields({"answer": N_("Write the official answer.")})
    if target is not None and target != proposal.state:
        domain.check_transition(ProposalState(proposal.state), target, Actor.STAFF)
    async with in_transaction():
        fields = {
            **written(proposal, RICH_TEXT, answer_body=body),
            "answered_at": timezone.now(),
            "answered_by_id": user.id,
        }
        if target is not None and target != proposal.state:
            event, _ = await _move(settings, proposal, target, user, answered=True, **fields)
        else:
            await Proposal.filter(id=proposal.id).update(**fields)
            event = await ProposalEvent.create(
                proposal_id=proposal.id,
                actor_id=user.id,
                from_state=proposal.state,
                to_state=proposal.state,
                answered=True,
            )
        emails = await _tell_stakeholders(settings, Kind.ANSWER, event, proposal, user.id)
        await audit(
            user,
            "proposal_answer",
            "proposal",
            proposal.id,
            {"state": str(event.from_state)},
            {"state": str(event.to_state), "answer": to_text(body)},
        )
    await notifications.dispatch(emails)
    await proposal.refresh_from_db()
    return proposal


async def check_audience(user: Any, proposal: Proposal) -> None:
    """`NotAllowed` saying why (403) when `user` is outside the audience of the proposal's
    space (issue #18): proposing, publishing a draft, supporting, amending and commenting follow
    one rule; staff are not asked."""
    collection = await queries.collection_of(proposal)
    if refusal := await audience.problem_in_collection(user, collection):
        raise NotAllowed(text_of(refusal))


# --- supports ---------------------------------------------------------------------------------


async def support(
    settings: Settings,
    proposal: Proposal,
    user: Any,
    channel: str = "online",
    agent: Any = None,
) -> bool:
    """Support once; False when already supported. The UNIQUE constraint decides, and the count
    moves in the same transaction. Crossing the threshold notifies staff once. With `agent`,
    the support is taken for `user` by council staff through `channel` (participation/counter):
    the agent vouches for the person, who needs no confirmed e-mail address; the proposal must
    still be open and shown, and the person one support only, whatever the channel."""
    proposal_facts, _ = await facts(proposal)
    if agent is None:
        allowed = domain.can_support(user, proposal_facts)
    else:
        allowed = domain.can_support_on_behalf(agent, proposal_facts)
    if not allowed:
        raise NotAllowed()
    await check_audience(user, proposal)  # the person's, whoever takes the support
    emails: list[mail.OutboxEmail] = []
    try:
        async with in_transaction():
            await Support.create(proposal_id=proposal.id, user_id=user.id, channel=channel)
            counted = await Proposal.filter(id=proposal.id, state__in=list(OPEN_STATES)).update(
                support_count=F("support_count") + 1
            )
            if not counted:
                raise DomainError(N_("This proposal no longer accepts supports."))
            fresh = await Proposal.get(id=proposal.id)
            if domain.threshold_reached(
                ProposalState(fresh.state),
                fresh.support_count,
                proposal_facts.collection,
                settings.proposal_support_threshold,
            ):
                emails = await _threshold_reached(settings, fresh)
    except IntegrityError:
        return False
    await notifications.dispatch(emails)
    return True


async def _threshold_reached(settings: Settings, proposal: Proposal) -> list[mail.OutboxEmail]:
    event, emails = await _move(
        settings,
        proposal,
        ProposalState.THRESHOLD_REACHED,
        None,
        threshold_reached_at=timezone.now(),
    )
    staff = await User.filter(role=Role.ADMIN)
    authors = await User.filter(id=proposal.author_id)
    return emails + await notifications.notify(
        settings, Kind.THRESHOLD, f"threshold:{event.id}", [*staff, *authors], proposal
    )


async def unsupport(proposal: Proposal, user: Any) -> bool:
    """Withdraw a support while the proposal is open; False when there was none."""
    proposal_facts, _ = await facts(proposal)
    if not user.is_authenticated:
        raise NotAllowed()
    if proposal_facts.state not in OPEN_STATES:
        raise DomainError(N_("Supports can no longer be withdrawn: the proposal is closed."))
    async with in_transaction():
        deleted = await Support.filter(proposal_id=proposal.id, user_id=user.id).delete()
        if deleted:
            await Proposal.filter(id=proposal.id).update(support_count=F("support_count") - 1)
    return bool(deleted)


# --- co-authors -------------------------------------------------------------------------------


async def invite_coauthor(settings: Settings, proposal: Proposal, user: Any, raw: str) -> None:
    proposal_facts, coauthors = await facts(proposal)
    if not domain.can_invite(user, proposal_facts):
        raise NotAllowed()
    email = normalize_email(raw)
    if problem := domain.coauthor_email_problem(email, user.email, {c.email for c in coauthors}):
        raise refuse_fields({"email": problem})
    try:
        async with in_transaction():
            await ProposalCoauthor.create(proposal_id=proposal.id, email=email)
            link = settings.base_url + url("proposals:detail", id=proposal.id)
            subject = gettext("Invitation to co-author a proposal")
            body = gettext(
                "Hello,\n\n{name} invites you to co-author the proposal “{title}” on {site}. "
                "Log in with this e-mail address and accept the invitation on its page:\n{link}"
            ).format(
                name=user.display_name, title=proposal.title, site=settings.site_name, link=link
            )
            message = await mail.queue_email(email, f"[{settings.site_name}] {subject}", body)
    except IntegrityError:
        raise refuse_fields({"email": N_("This person is already invited.")}) from None
    await mail.dispatch(message)


async def accept_invitation(proposal: Proposal, user: Any) -> None:
    """The invited person, logged in with the invited and confirmed address, accepts."""
    if not user.is_authenticated or user.email_confirmed_at is None:
        raise NotAllowed()
    accepted = await ProposalCoauthor.filter(
        proposal_id=proposal.id, email=user.email, accepted_at=None
    ).update(user_id=user.id, accepted_at=timezone.now())
    if not accepted:
        raise NotAllowed()


# --- amendments -------------------------------------------------------------------------------


async def suggest_amendment(
    settings: Settings, proposal: Proposal, user: Any, title: str, body: str, reason: str
) -> Amendment:
    proposal_facts, coauthors = await facts(proposal)
    if not domain.can_amend(user, proposal_facts):
        raise NotAllowed()
    await check_audience(user, proposal)
    clean = from_markdown(body)
    problems = domain.text_problems(title, to_text(clean))
    if len(reason) > domain.REASON_MAX:
        problems["reason"] = N_("The explanation must be at most 1,000 characters long.")
    if (title.strip(), clean) == (proposal.title, proposal.body):
        problems["body"] = N_("The amendment does not change anything.")
    if problems:
        raise refuse_fields(problems)
    async with in_transaction():
        amendment = await Amendment.create(
            proposal_id=proposal.id,
            author_id=user.id,
            base_version=proposal.version,
            title=title.strip(),
            body=clean,
            body_source=body.strip(),
            sanitized_with=ALLOW_LIST_VERSION,
            reason=reason.strip(),
        )
        authors = await User.filter(id__in=[proposal_facts.author_id, *proposal_facts.coauthor_ids])
        emails = await notifications.notify(
            settings,
            Kind.AMENDMENT_SUGGESTED,
            f"amendment:{amendment.id}:suggested",
            authors,
            proposal,
            actor=user,
        )
    await notifications.dispatch(emails)
    return amendment


async def decide_amendment(
    settings: Settings, proposal: Proposal, amendment_id: int, user: Any, accept: bool
) -> Amendment:
    """Authors accept (a new version) or reject a pending amendment."""
    proposal_facts, _ = await facts(proposal)
    if not domain.can_decide_amendment(user, proposal_facts):
        raise NotAllowed()
    amendment = await Amendment.get_or_none(id=amendment_id, proposal_id=proposal.id)
    if amendment is None:
        raise NotFound()
    if amendment.state != AmendmentState.PENDING:
        raise DomainError(N_("This amendment was already decided."))
    if accept and (
        problem := domain.amendment_acceptance_problem(amendment.base_version, proposal.version)
    ):
        raise DomainError(problem)
    emails: list[mail.OutboxEmail] = []
    async with in_transaction():
        decided = await Amendment.filter(id=amendment.id, state=AmendmentState.PENDING).update(
            state=AmendmentState.ACCEPTED if accept else AmendmentState.REJECTED,
            decided_at=timezone.now(),
        )
        if not decided:
            raise DomainError(N_("This amendment was already decided."))
        if accept:
            changes = {
                "title": amendment.title,
                **written(proposal, RICH_TEXT, body=amendment.body),
                "body_source": amendment.body_source,
                "search_text": _search_text(amendment.title, amendment.body),
            }
            await _write_version(
                settings,
                proposal,
                amendment.base_version,
                changes,
                amendment.author_id,
                amendment_id=amendment.id,
            )
            emails = await notifications.notify(
                settings,
                Kind.AMENDMENT_ACCEPTED,
                f"amendment:{amendment.id}:accepted",
                await User.filter(id=amendment.author_id),
                proposal,
            )
    await notifications.dispatch(emails)
    await amendment.refresh_from_db()
    await proposal.refresh_from_db()
    return amendment
