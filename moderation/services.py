"""Moderation commands: plain data in, one transaction each, e-mails dispatched after commit.

Every decision, block and unblock appends an audit log entry in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q, Subquery
from tortoise.transactions import in_transaction

from moderation import domain
from moderation.domain import (
    ACTION_LABELS,
    Action,
    BlockDuration,
    CaseClosing,
    CaseKind,
    CaseStatus,
    DomainError,
    ModerationState,
)
from moderation.models import (
    ModerationCase,
    ModerationDecision,
    ReasonTemplate,
    Report,
    UserBlock,
)
from participation import mail
from participation.accounts.models import User
from participation.audit import audit
from participation.comments.models import Comment
from participation.contributions import ContentKind, Item, content_kinds
from participation.i18n import N_
from participation.notifications import services as notifications
from participation.refusals import NotAllowed, NotFound, Refused, refuse_fields
from participation.settings import Settings
from participation.urls import url

__all__ = ["DomainError", "NotAllowed", "Refused"]


def kind_of(target_kind: str) -> ContentKind:
    kind = content_kinds().get(target_kind)
    if kind is None:
        raise DomainError(N_("This content does not exist."))
    return kind


# --- cases ------------------------------------------------------------------------------------


async def _case(target_kind: str, target_id: int, author_id: int | None) -> ModerationCase:
    """The one case of a piece of content, created closed if needed (INSERT ... ON CONFLICT DO
    NOTHING: two simultaneous first reports do not collide), with the space of the content.

    The space is read and the case inserted in one transaction (the caller's, or this one):
    the kind's `spaces_of` locks what decides the space (a proposal's collection) until it
    ends, so a case made while that container moves to another space ends in the new space
    either way (moderation.services.move_cases, issue #18)."""
    kind = content_kinds().get(target_kind)
    async with in_transaction():
        space = (await kind.spaces_of([target_id])).get(target_id) if kind is not None else None
        await ModerationCase.bulk_create(
            [
                ModerationCase(
                    target_kind=target_kind,
                    target_id=target_id,
                    author_id=author_id,
                    status=CaseStatus.CLOSED,
                    opened_at=timezone.now(),
                    space_id=space,
                    space_examined=True,
                )
            ],
            ignore_conflicts=True,
        )
    return await ModerationCase.get(target_kind=target_kind, target_id=target_id)


async def move_cases(target_kind: str, target_ids: Any, space_id: int | None) -> None:
    """The cases of these contents (`target_ids`: ids, or a subquery of them) and of the
    comments on them belong to the space `space_id` from now on (None: no space, the whole
    site's moderators only): their container moved (a proposals collection, a budget, a
    consultation or a meeting taken to another space), so that space's moderators see and
    decide them, the former's no longer. `target_kind` may also be a commentable kind that is
    no moderated content itself (a consultation's outcome, a meeting): only its comments' cases
    then. In the caller's
    transaction, after it locked the container's row (the lock the kinds' `spaces_of` read:
    a case made meanwhile either waits and reads the new space or is moved here; issue #18)."""
    await ModerationCase.filter(target_kind=target_kind, target_id__in=target_ids).update(
        space_id=space_id, space_examined=True
    )
    comments = Comment.filter(target_kind=target_kind, target_id__in=target_ids).values("id")
    await ModerationCase.filter(target_kind="comment", target_id__in=Subquery(comments)).update(
        space_id=space_id, space_examined=True
    )


async def attach_spaces() -> None:
    """Give open cases made before cases knew their space (moderation 0004) the space of their
    content: one query per content kind that has such cases, each case examined once (marked
    `space_examined`, whatever was found), so a later call reads one indexed query and examines
    nothing. Cases of content in no space keep None (a space's moderators never see them);
    cases of a content kind no installed feature declares wait, unexamined, for their feature."""
    unknown = await ModerationCase.filter(status=CaseStatus.OPEN, space_examined=False).values_list(
        "id", "target_kind", "target_id"
    )
    by_kind: dict[str, dict[int, int]] = {}  # kind: target id -> case id
    for case_id, target_kind, target_id in unknown:
        by_kind.setdefault(str(target_kind), {})[int(target_id)] = int(case_id)
    kinds = content_kinds()
    for target_kind, cases in by_kind.items():
        if target_kind not in kinds:
            continue
        found = await kinds[target_kind].spaces_of(list(cases))
        for space_id in set(found.values()):
            chosen = [cases[i] for i, s in found.items() if s == space_id and i in cases]
            await ModerationCase.filter(id__in=chosen, space_id=None).update(
                space_id=space_id, space_examined=True
            )
        await ModerationCase.filter(id__in=list(cases.values())).update(space_examined=True)


async def open_pending_case(
    target_kind: str,
    target_id: int,
    author_id: int | None,
    opened_at: datetime | None = None,
) -> None:
    """Put new pre-moderated content in the queue, or edited approved content back in it (after
    moving it to pending); call inside the creation's or the edit's transaction. `opened_at`
    (default: now) lets anonymous content say its day only."""
    case = await _case(target_kind, target_id, author_id)
    await ModerationCase.filter(id=case.id).update(
        status=CaseStatus.OPEN,
        kind=CaseKind.PENDING,
        opened_at=opened_at or timezone.now(),
        closed_at=None,
    )


async def close_case_of_removed(actor: Any, target_kind: str, target_id: int, reason: str) -> bool:
    """Withdrawn or deleted content leaves the queue: its open case is closed with a system
    reason (which says how: `domain.closing_for`), its reports resolved, and the closing
    audited. Call inside the removal's transaction. False when there was no open case."""
    now = timezone.now()
    closed = await ModerationCase.filter(
        target_kind=target_kind, target_id=target_id, status=CaseStatus.OPEN
    ).update(
        status=CaseStatus.CLOSED,
        closed_at=now,
        open_reports=0,
        closing=domain.closing_for(reason),
        closed_by_id=getattr(actor, "id", None),
    )
    if not closed:
        return False
    await Report.filter(target_kind=target_kind, target_id=target_id, resolved_at=None).update(
        resolved_at=now
    )
    await audit(
        actor, "case_closed", target_kind, target_id, {"case": "open"}, {"case": "closed"}, reason
    )
    return True


# --- anti-abuse -------------------------------------------------------------------------------


async def abuse_problem(user: Any, text: str, target_kind: str) -> str | None:
    """Too many links from a new account, or the same text posted again within a day."""
    now = timezone.now()
    created_at = getattr(user, "created_at", None) or now
    if problem := domain.links_problem(text, created_at, now):
        return problem
    kind = content_kinds().get(target_kind)
    recent = [] if kind is None else await kind.recent_texts(user.id, now - timedelta(days=1))
    if domain.is_duplicate(text, recent):
        return N_("You already posted this text. Write something new.")
    return None


# --- reports ----------------------------------------------------------------------------------


@dataclass
class ReportResult:
    report: Report
    hidden: bool  # this report hid the content


async def report(
    settings: Settings, user: Any, target_kind: str, target_id: int, reason: str, text: str
) -> ReportResult:
    """Report once (UNIQUE); at the threshold of open reports the content is hidden."""
    kind = kind_of(target_kind)
    item = await kind.visible_to(user, target_id)
    if item is None:
        raise DomainError(N_("This content does not exist."))
    if not domain.can_report(user, item.author_id, item.coauthor_ids):
        raise NotAllowed()
    if problems := domain.report_problems(reason, text):
        raise refuse_fields(problems)
    hidden = False
    try:
        async with in_transaction():
            case = await _case(target_kind, target_id, item.author_id)
            created = await Report.create(
                case_id=case.id,
                target_kind=target_kind,
                target_id=target_id,
                reporter_id=user.id,
                reason=reason,
                text=text.strip(),
            )
            await ModerationCase.filter(id=case.id, status=CaseStatus.CLOSED).update(
                status=CaseStatus.OPEN,
                kind=CaseKind.REPORTED,
                opened_at=timezone.now(),
                closed_at=None,
            )
            await ModerationCase.filter(id=case.id).update(open_reports=F("open_reports") + 1)
            case = await ModerationCase.get(id=case.id)
            fresh = (await kind.load([target_id]))[target_id]
            target = domain.after_report(
                fresh.state, case.open_reports, settings.moderation_report_threshold
            )
            if target != fresh.state:
                hidden, _ = await kind.move(settings, fresh, target, None)
                if hidden:
                    await audit(
                        None,
                        "auto_hide",
                        target_kind,
                        target_id,
                        {"state": fresh.state.value},
                        {"state": target.value},
                        f"{case.open_reports} reports",
                    )
    except IntegrityError:
        raise DomainError(N_("You already reported this content.")) from None
    if hidden:
        await kind.after_commit(item, ModerationState.HIDDEN)
    return ReportResult(created, hidden)


# --- decisions --------------------------------------------------------------------------------


@dataclass
class Outcome:
    done: int
    skipped: int


async def decide(
    settings: Settings,
    moderator: Any,
    case_ids: list[int],
    action: str,
    reason: str,
    spaces: frozenset[int] | None = None,
) -> Outcome:
    """Approve, hide or reject one or several items, each in its own transaction; items that
    changed meanwhile or to which the action does not apply are skipped (and counted).
    `spaces`: the spaces a moderator of some spaces only (not a site moderator) moderates;
    NotFound, and nothing decided, when one of the cases is out of their reach (`_in_reach`)."""
    await _in_reach(moderator, case_ids, spaces)
    chosen = _decision(action, reason)
    if not case_ids:
        raise refuse_fields({"cases": N_("Select at least one item.")})
    done = skipped = 0
    for case_id in case_ids:
        try:
            decided = await _decide_one(settings, moderator, case_id, chosen, reason.strip())
        except _ChangedMeanwhile:  # a conditional update lost a race: nothing was written
            decided = None
        done, skipped = (done + 1, skipped) if decided else (done, skipped + 1)
    return Outcome(done, skipped)


async def _in_reach(moderator: Any, case_ids: list[int], spaces: frozenset[int] | None) -> None:
    """Nothing unless `moderator` is a moderator of some spaces only (a site moderator reaches
    every case; an id of no case is then skipped or not found by the caller). For them, NotFound
    when one of the ids is of no case or of a case in another space or in none: the same answer
    for both, so that ids tried one by one tell nothing of the cases elsewhere (issue #22);
    NotAllowed for someone who moderates no space (whatever the ids)."""
    if getattr(moderator, "is_moderator", False):
        return
    if not spaces:
        raise NotAllowed()
    await attach_spaces()
    wanted = set(case_ids)
    # one query; `IN` never matches a case of no space (NULL)
    reached = await ModerationCase.filter(id__in=list(wanted), space_id__in=list(spaces)).count()
    if reached != len(wanted):
        raise NotFound()


def _decision(action: str, reason: str) -> Action:
    """The decision asked for, with its reason checked (Refused, field by field)."""
    problems: dict[str, str] = {}
    try:
        chosen = Action(action)
    except ValueError:
        problems["action"] = N_("Choose a decision.")
    if problem := domain.reason_problem(reason):
        problems["reason"] = problem
    if problems:
        raise refuse_fields(problems)
    return chosen


class AlreadyDecided(DomainError):
    """The case left the queue before this decision; nothing was written. `closing` says how
    (None: closed before moderation 0006 recorded it), `by` who closed it (None: unknown or
    a deleted account), `by_author` whether that was the content's author, `title` what the
    content is called, `last` the decision that closed it (when a decision did)."""

    def __init__(
        self,
        closing: CaseClosing | None,
        by: User | None,
        by_author: bool,
        title: str,
        last: ModerationDecision | None,
    ) -> None:
        super().__init__(N_("This item has already left the queue: nothing was changed."))
        self.closing = closing
        self.by = by
        self.by_author = by_author
        self.title = title
        self.last = last


async def _already_decided(case: ModerationCase) -> AlreadyDecided:
    """How a closed case left the queue, as `AlreadyDecided` tells it: the decision that closed
    it, else the title of its content (read from its kind) and who removed or blocked."""
    closing = CaseClosing(case.closing) if case.closing else None
    last = None
    title = ""
    if closing == CaseClosing.DECISION:
        last = await (
            ModerationDecision.filter(case_id=case.id)
            .select_related("moderator")
            .order_by("-id")
            .first()
        )
        title = last.target_title if last is not None else ""
    elif closing is not None and (kind := content_kinds().get(case.target_kind)) is not None:
        item = (await kind.load([case.target_id])).get(case.target_id)
        title = item.title if item is not None else ""
    by_author = case.closed_by_id is not None and case.closed_by_id == case.author_id
    return AlreadyDecided(closing, case.closed_by, by_author, title, last)


async def decide_case(
    settings: Settings,
    moderator: Any,
    case_id: int,
    action: str,
    reason: str,
    spaces: frozenset[int] | None = None,
) -> ModerationDecision:
    """One item's decision (the queue's buttons on each item). NotFound for an id of no case,
    and the same for a case outside the spaces of a moderator of some spaces only
    (`_in_reach`); Refused for a missing decision or reason; AlreadyDecided when the case was
    closed first (it says how: another moderator's decision, a withdrawal, a block...),
    DomainError when the decision does not apply to the content as it is now. Written once, in
    one transaction, or not at all."""
    await _in_reach(moderator, [case_id], spaces)
    if not await ModerationCase.filter(id=case_id).exists():
        raise NotFound()
    chosen = _decision(action, reason)
    try:
        decision = await _decide_one(settings, moderator, case_id, chosen, reason.strip())
    except _ChangedMeanwhile:
        decision = None
    if decision is not None:
        return decision
    case = await ModerationCase.filter(id=case_id).select_related("closed_by").get()
    if case.status != CaseStatus.OPEN:
        raise await _already_decided(case)
    raise DomainError(N_("This decision does not apply to this content as it is now."))


async def _decide_one(
    settings: Settings, moderator: Any, case_id: int, action: Action, reason: str
) -> ModerationDecision | None:
    """The decision, or None when the case is closed or the action does not apply."""
    case = await ModerationCase.get_or_none(id=case_id, status=CaseStatus.OPEN)
    kinds = content_kinds()
    if case is None or case.target_kind not in kinds:
        return None
    kind = kinds[case.target_kind]
    item = (await kind.load([case.target_id])).get(case.target_id)
    if item is None:
        return None
    try:
        target = domain.decide(item.state, action)
    except DomainError:
        return None
    emails: list[mail.OutboxEmail] = []
    async with in_transaction():
        closed = await ModerationCase.filter(id=case.id, status=CaseStatus.OPEN).update(
            status=CaseStatus.CLOSED,
            closed_at=timezone.now(),
            open_reports=0,
            closing=CaseClosing.DECISION,
            closed_by_id=moderator.id,
        )
        if not closed:
            return None  # another moderator decided first
        if target != item.state:
            moved, emails = await kind.move(settings, item, target, moderator)
            if not moved:
                raise _ChangedMeanwhile()
        await Report.filter(case_id=case.id, resolved_at=None).update(resolved_at=timezone.now())
        decision = await ModerationDecision.create(
            case_id=case.id,
            target_kind=case.target_kind,
            target_id=case.target_id,
            target_title=item.title[:200],
            author_id=item.author_id,
            moderator_id=moderator.id,
            action=action,
            from_state=item.state,
            to_state=target,
            reason=reason,
        )
        await audit(
            moderator,
            f"decision:{action.value}",
            case.target_kind,
            case.target_id,
            {"state": item.state.value},
            {"state": target.value},
            reason,
        )
        if target != item.state or action != Action.APPROVE:
            emails += await _notify_author(settings, item, decision)
    await notifications.dispatch(emails)
    if target != item.state:
        await kind.after_commit(item, target)
    return decision


class _ChangedMeanwhile(Exception):
    pass


async def _notify_author(
    settings: Settings, item: Item, decision: ModerationDecision
) -> list[mail.OutboxEmail]:
    if item.author_id is None:
        return []
    author = await User.filter(id=item.author_id)
    # a proposal or a comment; else (a budget project) no proposal: its title instead
    proposal, comment = await content_kinds()[item.kind].notification_subject(item)
    return await notifications.notify(
        settings,
        notifications.Kind.MODERATION,
        f"moderation:{decision.id}",
        author,
        proposal,
        comment,
        state=ACTION_LABELS[Action(decision.action)],
        reason=decision.reason,
        link=settings.base_url + url("moderation:mine"),
        title=item.title,
    )


# --- review requests --------------------------------------------------------------------------


async def request_review(user: Any, decision_id: int, text: str) -> ModerationDecision:
    """The author asks once per content for another look; the item goes back to the queue."""
    decision = await ModerationDecision.get_or_none(id=decision_id)
    if decision is None:
        raise NotFound()
    case = await ModerationCase.get(id=decision.case_id)
    already = case.review_requested_at is not None
    if not domain.can_request_review(user, decision.author_id, Action(decision.action), already):
        raise NotAllowed()
    if len(text) > domain.REVIEW_TEXT_MAX:
        raise refuse_fields({"text": N_("The explanation must be at most 1,000 characters long.")})
    now = timezone.now()
    async with in_transaction():
        claimed = await ModerationCase.filter(id=case.id, review_requested_at=None).update(
            review_requested_at=now,
            status=CaseStatus.OPEN,
            kind=CaseKind.REVIEW,
            opened_at=now,
            closed_at=None,
        )
        if not claimed:
            raise NotAllowed()
        await ModerationDecision.filter(id=decision.id).update(
            review_requested_at=now, review_text=text.strip()
        )
        await audit(
            user, "review_requested", decision.target_kind, decision.target_id, "", "", text
        )
    await decision.refresh_from_db()
    return decision


# --- blocks -----------------------------------------------------------------------------------


async def active_block(user_id: int) -> UserBlock | None:
    now = timezone.now()
    return (
        await UserBlock.filter(user_id=user_id, lifted_at=None)
        .filter(Q(ends_at=None) | Q(ends_at__gt=now))
        .order_by("-id")
        .first()
    )


async def block(moderator: Any, user_id: int, duration: str, reason: str) -> UserBlock:
    """Block a person: they read but cannot post, vote or report; their pending content is
    hidden (and leaves the queue)."""
    if not getattr(moderator, "is_moderator", False):
        raise NotAllowed()
    target = await User.get_or_none(id=user_id)
    if target is None:
        raise DomainError(N_("This person does not exist."))
    problems: dict[str, str] = {}
    if problem := domain.block_problems(moderator, target.id, target.is_moderator, duration):
        problems["duration"] = problem
    if problem := domain.reason_problem(reason):
        problems["reason"] = problem
    if problems:
        raise refuse_fields(problems)
    ends_at = domain.block_ends_at(timezone.now(), BlockDuration(duration))
    async with in_transaction():
        created = await UserBlock.create(
            user_id=target.id, blocked_by_id=moderator.id, reason=reason.strip(), ends_at=ends_at
        )
        hidden: dict[str, list[int]] = {}
        for name, kind in content_kinds().items():
            ids = await kind.hide_pending_of(target.id)
            if ids:
                hidden[name] = ids
                await ModerationCase.filter(
                    target_kind=name, target_id__in=ids, status=CaseStatus.OPEN
                ).update(
                    status=CaseStatus.CLOSED,
                    closed_at=timezone.now(),
                    closing=CaseClosing.BLOCKED,
                    closed_by_id=moderator.id,
                )
        await audit(
            moderator,
            "user_blocked",
            "user",
            target.id,
            {"blocked": False},
            {
                "blocked": True,
                "until": ends_at.isoformat() if ends_at else None,
                "hidden_pending": hidden,
            },
            reason.strip(),
        )
    return created


async def unblock(admin: Any, user_id: int, reason: str) -> int:
    """Lift every active block of a person (administrators only)."""
    if not getattr(admin, "is_admin", False):
        raise NotAllowed()
    if problem := domain.reason_problem(reason):
        raise refuse_fields({"reason": problem})
    current = await active_block(user_id)
    if current is None:
        raise DomainError(N_("This person is not blocked."))
    async with in_transaction():
        lifted = await UserBlock.filter(user_id=user_id, lifted_at=None).update(
            lifted_at=timezone.now(), lifted_by_id=admin.id
        )
        await audit(
            admin, "user_unblocked", "user", user_id, {"blocked": True}, {"blocked": False}, reason
        )
    return lifted


# --- ready-made reasons (administrators) -------------------------------------------------------


def _template_record(template: Any) -> dict[str, str]:
    return {"fr": template.text_fr, "en": template.text_en}


async def save_reason_template(
    admin: Any, text_fr: str, text_en: str, template_id: int | None = None
) -> ReasonTemplate:
    """Create or edit a ready-made reason (both languages), audited with before/after."""
    if not getattr(admin, "is_admin", False):
        raise NotAllowed()
    if problems := domain.reason_template_problems(text_fr, text_en):
        raise refuse_fields(problems)
    async with in_transaction():
        if template_id is None:
            last = await ReasonTemplate.all().order_by("-position").first()
            template = await ReasonTemplate.create(
                text_fr=text_fr.strip(),
                text_en=text_en.strip(),
                position=(last.position + 1) if last else 1,
            )
            await audit(
                admin,
                "reason_template_created",
                "reason_template",
                template.id,
                "",
                _template_record(template),
            )
            return template
        existing = await ReasonTemplate.filter(id=template_id).select_for_update().first()
        if existing is None:
            raise NotFound()  # deleted meanwhile
        template = existing
        before = _template_record(template)
        template.text_fr, template.text_en = text_fr.strip(), text_en.strip()
        await template.save(update_fields=["text_fr", "text_en", "updated_at"])
        await audit(
            admin,
            "reason_template_updated",
            "reason_template",
            template.id,
            before,
            _template_record(template),
        )
    return template


async def delete_reason_template(admin: Any, template_id: int) -> None:
    """Remove a ready-made reason; decisions already sent keep their text."""
    if not getattr(admin, "is_admin", False):
        raise NotAllowed()
    async with in_transaction():
        template = await ReasonTemplate.filter(id=template_id).select_for_update().first()
        if template is None:
            raise NotFound()  # a forged id, or deleted meanwhile
        await ReasonTemplate.filter(id=template.id).delete()
        await audit(
            admin,
            "reason_template_deleted",
            "reason_template",
            template.id,
            _template_record(template),
            "",
        )
