"""Comment commands on any declared target (a proposal, a budget project ...: the kinds of
`Feature.commentables`): post, reply, edit (15 minutes), delete (placeholder), vote. The
target's feature says who may see it, whether it is open, who is told and which count moves
(participation/commenting.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from moderation import domain as moderation_rules
from moderation import services as moderation
from participation import commenting, mail
from participation.accounts.models import User
from participation.comments import domain
from participation.comments.models import Comment, CommentVote
from participation.comments.queries import on
from participation.contributions import ModerationState
from participation.features import CommentTarget
from participation.i18n import N_
from participation.notifications import services as notifications
from participation.notifications.services import Kind
from participation.permissions import can_work_at_desk, is_verified_resident
from participation.refusals import DomainError, NotAllowed, NotFound, refuse_fields
from participation.richtext import ALLOW_LIST_VERSION, from_markdown, to_text
from participation.settings import Settings


async def _may_take_part(user: Any, target: CommentTarget, agent: Any = None) -> None:
    """A verified resident within the audience of the target's space (staff are not asked), or
    a person the town-hall desk vouches for (`agent`: participation/counter; the person needs no
    confirmed account, but the space's audience applies to them as online: issue #20), on a
    target open to comments (its own state and its space's)."""
    if not (is_verified_resident(user) if agent is None else can_work_at_desk(agent)):
        raise NotAllowed()
    if why := await commenting.refusal(user, target):
        raise NotAllowed(why)
    if not await commenting.is_open(target):
        raise NotAllowed(commenting.CLOSED)


async def post(
    settings: Settings,
    kind: str,
    target_id: int,
    target: CommentTarget,
    user: Any,
    text: str,
    stance: str,
    parent_id: int | None = None,
    agent: Any = None,
    channel: str = "online",
    admit: Callable[[], Awaitable[None]] | None = None,
) -> Comment:
    """`user`'s comment on the target; with `agent`, taken for `user` at the town-hall desk
    through `channel` (participation/counter). Moderated the same way either way. `admit` runs
    once every check passed, just before the comment is written: the rate limit
    (participation/comments/routes.py), which counts only a comment that would be saved, so it
    stays after the checks (and raises to keep the comment from being written)."""
    await _may_take_part(user, target, agent)
    body = from_markdown(text)
    problems = {}
    if problem := domain.body_problem(to_text(body)):
        problems["body"] = problem
    elif problem := await moderation.abuse_problem(user, to_text(body), "comment"):
        problems["body"] = problem
    if problem := domain.stance_problem(stance):
        problems["stance"] = problem
    parent = None
    if parent_id is not None:
        parent = await on(kind, target_id, user).filter(id=parent_id).first()
        if parent is None:
            raise DomainError(N_("The comment you reply to does not exist."))
        if not domain.can_reply_to(parent.depth):
            raise DomainError(N_("Replies go three levels deep at most."))
    if problems:
        raise refuse_fields(problems)
    if admit is not None:
        await admit()
    pending = settings.premoderates("comment")
    async with in_transaction():
        comment = await Comment.create(
            target_kind=kind,
            target_id=target_id,
            author_id=user.id,
            parent_id=parent.id if parent else None,
            depth=domain.reply_depth(parent.depth if parent else None),
            body=body,
            body_source=text.strip(),
            sanitized_with=ALLOW_LIST_VERSION,
            stance=stance,
            moderation_state=ModerationState.PENDING if pending else ModerationState.VISIBLE,
            channel=channel,
        )
        emails: list[mail.OutboxEmail] = []
        if pending:  # counted and announced once a moderator approves it
            await moderation.open_pending_case("comment", comment.id, user.id)
        else:
            await commenting.count(kind, target_id, 1)
            emails = await notify(settings, target, comment, parent, user)
    await notifications.dispatch(emails)
    return comment


async def notify(
    settings: Settings, target: CommentTarget, comment: Comment, parent: Comment | None, user: Any
) -> list[mail.OutboxEmail]:
    """Tell the parent's author and the target's authors; inside the comment's transaction
    (or the approval's, for a pre-moderated comment). A target with a `subject` (a proposal)
    stores the notifications against it and links to its page; the others by title and link."""
    subject = target.subject
    link = "" if subject is not None else domain.permalink(target.url, comment.id)
    emails: list[mail.OutboxEmail] = []
    if parent is not None and parent.deleted_at is None:
        emails += await notifications.notify(
            settings,
            Kind.REPLY,
            f"comment:{comment.id}",
            await User.filter(id=parent.author_id),
            subject,
            comment,
            exclude=user.id,
            link=link,
            title=target.title,
            actor=user,
        )
    already = {parent.author_id} if parent is not None else set()
    wanted = [i for i in target.author_ids if i not in already]
    if wanted:
        emails += await notifications.notify(
            settings,
            Kind.COMMENT,
            f"comment:{comment.id}",
            await User.filter(id__in=wanted),
            subject,
            comment,
            exclude=user.id,
            link=link,
            title=target.title,
            actor=user,
        )
    return emails


async def visible_comment(kind: str, target_id: int, comment_id: int, user: Any) -> Comment:
    """The comment of the URL on this target, if this person may see it: a hidden comment was
    open to votes by anyone who guessed its id (tests/security/test_access_matrix.py)."""
    comment = await on(kind, target_id, user).get_or_none(id=comment_id)
    if comment is None:
        raise NotFound()
    return comment


async def edit(settings: Settings, comment: Comment, user: Any, text: str) -> Comment:
    """The author edits within 15 minutes; an approved comment of a pre-moderated type goes
    back to the queue (uncounted and unseen by others until approved again)."""
    now = timezone.now()
    if not domain.can_edit(
        user, comment.author_id, comment.created_at, comment.deleted_at is not None, now
    ):
        raise NotAllowed()
    body = from_markdown(text)
    if problem := domain.body_problem(to_text(body)):
        raise refuse_fields({"body": problem})
    current = ModerationState(comment.moderation_state)
    target = moderation_rules.after_edit(current, settings.premoderates("comment"))
    async with in_transaction():
        await Comment.filter(id=comment.id).update(
            body=body, body_source=text.strip(), sanitized_with=ALLOW_LIST_VERSION, edited_at=now
        )
        if target != current:
            moved = await Comment.filter(id=comment.id, moderation_state=current).update(
                moderation_state=target
            )
            if moved and comment.deleted_at is None and current == ModerationState.VISIBLE:
                await commenting.count(comment.target_kind, comment.target_id, -1)
            if moved:
                await moderation.open_pending_case("comment", comment.id, comment.author_id)
    await comment.refresh_from_db()
    return comment


async def delete(kind: str, target_id: int, comment_id: int, user: Any) -> Comment:
    """The text goes; the row stays as a placeholder so replies keep their thread."""
    comment = await visible_comment(kind, target_id, comment_id, user)
    if not domain.can_delete(user, comment.author_id, comment.deleted_at is not None):
        raise NotAllowed()
    async with in_transaction():
        # only a visible comment was counted; hidden and pending ones were not
        counted = await Comment.filter(
            id=comment.id, deleted_at=None, moderation_state=ModerationState.VISIBLE
        ).update(deleted_at=timezone.now(), body="", body_source="")
        if counted:
            await commenting.count(kind, target_id, -1)
        else:
            await Comment.filter(id=comment.id, deleted_at=None).update(
                deleted_at=timezone.now(), body="", body_source=""
            )
        await moderation.close_case_of_removed(
            user, "comment", comment.id, moderation_rules.CLOSED_DELETED
        )
    await comment.refresh_from_db()
    return comment


async def vote(
    kind: str, target_id: int, target: CommentTarget, comment_id: int, user: Any, wanted: int
) -> Comment:
    """Up (+1) or down (-1) on a comment of an open target; the same vote again takes it back:
    one row per person (UNIQUE), the counters moved in the same transaction."""
    if wanted not in (1, -1):
        raise NotAllowed()
    await _may_take_part(user, target)
    comment = await visible_comment(kind, target_id, comment_id, user)
    if comment.deleted_at is not None:
        raise DomainError(N_("This comment was deleted."))
    try:
        async with in_transaction():
            existing = await CommentVote.filter(comment_id=comment.id, user_id=user.id).first()
            previous = existing.value if existing else None
            new, up, down = domain.vote_change(previous, wanted)
            if existing is None:
                await CommentVote.create(comment_id=comment.id, user_id=user.id, value=wanted)
            elif new is None:
                await CommentVote.filter(id=existing.id, value=previous).delete()
            else:
                await CommentVote.filter(id=existing.id).update(value=new)
            await Comment.filter(id=comment.id).update(
                upvotes=F("upvotes") + up, downvotes=F("downvotes") + down
            )
    except IntegrityError:
        pass  # a simultaneous first vote by the same person: theirs already counted
    await comment.refresh_from_db()
    return comment
