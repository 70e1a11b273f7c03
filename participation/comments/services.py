"""Comment commands: post, reply, edit (15 minutes), delete (placeholder), vote."""

from __future__ import annotations

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
from participation.contributions import ModerationState
from participation.features import CommentTarget
from participation.i18n import N_
from participation.notifications import services as notifications
from participation.notifications.services import Kind
from participation.permissions import is_staff, is_verified_resident
from participation.proposals import domain as proposal_domain
from participation.proposals.models import Proposal
from participation.proposals.queries import facts, visible_comments
from participation.proposals.services import NotAllowed
from participation.refusals import DomainError, NotFound, refuse_fields
from participation.richtext import ALLOW_LIST_VERSION, from_markdown, to_text
from participation.settings import Settings


async def post(
    settings: Settings,
    proposal: Proposal,
    user: Any,
    text: str,
    stance: str,
    parent_id: int | None = None,
    agent: Any = None,
    channel: str = "online",
) -> Comment:
    """A comment on a proposal by `user`; with `agent`, taken for `user` by council staff
    through `channel` (participation/counter): the agent vouches for the person, who needs no
    verified status; the proposal must still be shown and public. Moderated like any other."""
    proposal_facts, _ = await facts(proposal)
    if agent is None:
        allowed = proposal_domain.can_comment(user, proposal_facts)
    else:
        allowed = proposal_domain.can_comment_on_behalf(agent, proposal_facts)
    if not allowed:
        raise NotAllowed()
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
        parent = await visible_comments(user).filter(id=parent_id, proposal_id=proposal.id).first()
        if parent is None:
            raise DomainError(N_("The comment you reply to does not exist."))
        if not domain.can_reply_to(parent.depth):
            raise DomainError(N_("Replies go three levels deep at most."))
    if problems:
        raise refuse_fields(problems)
    pending = settings.premoderates("comment")
    async with in_transaction():
        comment = await Comment.create(
            proposal_id=proposal.id,
            target_kind="proposal",
            target_id=proposal.id,
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
            await Proposal.filter(id=proposal.id).update(comment_count=F("comment_count") + 1)
            emails = await notify_new_comment(settings, proposal, comment, parent, user)
    await notifications.dispatch(emails)
    return comment


async def notify_new_comment(
    settings: Settings, proposal: Proposal, comment: Comment, parent: Comment | None, user: Any
) -> list[mail.OutboxEmail]:
    """Tell the parent's author and the proposal's authors; inside the comment's transaction
    (or the approval's, for a pre-moderated comment)."""
    proposal_facts, _ = await facts(proposal)
    emails: list[mail.OutboxEmail] = []
    if parent is not None and parent.deleted_at is None:
        emails += await notifications.notify(
            settings,
            Kind.REPLY,
            f"comment:{comment.id}",
            await User.filter(id=parent.author_id),
            proposal,
            comment,
            exclude=user.id,
            actor=user,
        )
    authors = await User.filter(id__in=[proposal_facts.author_id, *proposal_facts.coauthor_ids])
    already = {parent.author_id} if parent is not None else set()
    emails += await notifications.notify(
        settings,
        Kind.COMMENT,
        f"comment:{comment.id}",
        [a for a in authors if a.id not in already],
        proposal,
        comment,
        exclude=user.id,
        actor=user,
    )
    return emails


async def _visible_comment(comment_id: int, proposal: Proposal, user: Any) -> Comment:
    """The comment of the URL, if this person may see it: a hidden comment was open to votes
    by anyone who guessed its id (tests/security/test_access_matrix.py)."""
    comment = await visible_comments(user).get_or_none(id=comment_id, proposal_id=proposal.id)
    if comment is None:
        raise NotFound()
    return comment


async def edit(
    settings: Settings, proposal: Proposal, comment_id: int, user: Any, text: str
) -> Comment:
    """The author edits within 15 minutes; an approved comment of a pre-moderated type goes
    back to the queue (uncounted and unseen by others until approved again)."""
    comment = await _visible_comment(comment_id, proposal, user)
    now = timezone.now()
    if not domain.can_edit(
        user,
        comment.author_id,
        comment.created_at,
        comment.deleted_at is not None,
        now,
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
                await Proposal.filter(id=proposal.id).update(comment_count=F("comment_count") - 1)
            if moved:
                await moderation.open_pending_case("comment", comment.id, comment.author_id)
    await comment.refresh_from_db()
    return comment


async def delete(proposal: Proposal, comment_id: int, user: Any) -> Comment:
    """The text goes; the row stays as a placeholder so replies keep their thread."""
    comment = await _visible_comment(comment_id, proposal, user)
    if not domain.can_delete(user, comment.author_id, comment.deleted_at is not None):
        raise NotAllowed()
    async with in_transaction():
        # only a visible comment was counted; hidden and pending ones were not
        counted = await Comment.filter(
            id=comment.id, deleted_at=None, moderation_state=ModerationState.VISIBLE
        ).update(deleted_at=timezone.now(), body="", body_source="")
        if counted:
            await Proposal.filter(id=proposal.id).update(comment_count=F("comment_count") - 1)
        else:
            await Comment.filter(id=comment.id, deleted_at=None).update(
                deleted_at=timezone.now(), body="", body_source=""
            )
        await moderation.close_case_of_removed(
            user, "comment", comment.id, moderation_rules.CLOSED_DELETED
        )
    await comment.refresh_from_db()
    return comment


async def vote(proposal: Proposal, comment_id: int, user: Any, wanted: int) -> Comment:
    """Up (+1) or down (-1); the same vote again takes it back. One row per person (UNIQUE)."""
    proposal_facts, _ = await facts(proposal)
    if not proposal_domain.can_comment(user, proposal_facts) or wanted not in (1, -1):
        raise NotAllowed()
    comment = await _visible_comment(comment_id, proposal, user)
    return await _record_vote(comment, user, wanted)


# Comments on the other kinds of target (issue #18: participation/commenting.py): the same
# rules, moderation, rate limit and notifications as a proposal's, without its counter.


async def post_on(
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
) -> Comment:
    """A comment on a feature's target; with `agent`, taken for `user` by council staff (as
    `post`)."""
    if not (is_verified_resident(user) if agent is None else is_staff(agent)):
        raise NotAllowed()
    if not await commenting.is_open(target):
        raise NotAllowed(commenting.CLOSED)
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
        parent = (
            await visible_comments(user)
            .filter(id=parent_id, target_kind=kind, target_id=target_id)
            .first()
        )
        if parent is None:
            raise DomainError(N_("The comment you reply to does not exist."))
        if not domain.can_reply_to(parent.depth):
            raise DomainError(N_("Replies go three levels deep at most."))
    if problems:
        raise refuse_fields(problems)
    pending = settings.premoderates("comment")
    async with in_transaction():
        comment = await Comment.create(
            proposal_id=None,
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
        if pending:  # announced once a moderator approves it
            await moderation.open_pending_case("comment", comment.id, user.id)
        else:
            emails = await notify_on_target(settings, target, comment, parent, user)
    await notifications.dispatch(emails)
    return comment


async def notify_on_target(
    settings: Settings, target: CommentTarget, comment: Comment, parent: Comment | None, user: Any
) -> list[mail.OutboxEmail]:
    """Tell the parent's author and the target's authors, as for a proposal."""
    emails: list[mail.OutboxEmail] = []
    link = f"{target.url}#comment-{comment.id}"
    if parent is not None and parent.deleted_at is None:
        emails += await notifications.notify(
            settings,
            Kind.REPLY,
            f"comment:{comment.id}",
            await User.filter(id=parent.author_id),
            None,
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
            None,
            comment,
            exclude=user.id,
            link=link,
            title=target.title,
            actor=user,
        )
    return emails


async def _target_comment(kind: str, target_id: int, comment_id: int, user: Any) -> Comment:
    comment = await visible_comments(user).get_or_none(
        id=comment_id, target_kind=kind, target_id=target_id, proposal_id=None
    )
    if comment is None:
        raise NotFound()
    return comment


async def edit_on(settings: Settings, comment: Comment, user: Any, text: str) -> Comment:
    """The author edits within 15 minutes, as on a proposal (no counter to keep)."""
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
            if moved:
                await moderation.open_pending_case("comment", comment.id, comment.author_id)
    await comment.refresh_from_db()
    return comment


async def delete_on(kind: str, target_id: int, comment_id: int, user: Any) -> Comment:
    """The text goes; the row stays as a placeholder so replies keep their thread."""
    comment = await _target_comment(kind, target_id, comment_id, user)
    if not domain.can_delete(user, comment.author_id, comment.deleted_at is not None):
        raise NotAllowed()
    async with in_transaction():
        await Comment.filter(id=comment.id, deleted_at=None).update(
            deleted_at=timezone.now(), body="", body_source=""
        )
        await moderation.close_case_of_removed(
            user, "comment", comment.id, moderation_rules.CLOSED_DELETED
        )
    await comment.refresh_from_db()
    return comment


async def vote_on(
    kind: str, target_id: int, target: CommentTarget, comment_id: int, user: Any, wanted: int
) -> Comment:
    """Up (+1) or down (-1) on a comment of an open target; the same vote again takes it back."""
    if not is_verified_resident(user) or wanted not in (1, -1):
        raise NotAllowed()
    if not await commenting.is_open(target):
        raise NotAllowed(commenting.CLOSED)
    comment = await _target_comment(kind, target_id, comment_id, user)
    return await _record_vote(comment, user, wanted)


async def _record_vote(comment: Comment, user: Any, wanted: int) -> Comment:
    """The person's vote on a visible comment, whatever its target: one row per person
    (UNIQUE), the same vote again takes it back, the counters move in the same transaction."""
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
