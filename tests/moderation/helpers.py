"""Shared scenario helpers for the moderation tests."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
from tortoise import timezone

from moderation.domain import CaseKind, CaseStatus
from moderation.models import ModerationCase
from participation.accounts.models import User
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.conftest import browser_of, create_user, logged_in, make_settings, post_form
from tests.participation.proposal_factories import make_proposal, others_proposal


def browser(app: Any) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """A browser of its own on the app, no cookie yet (tests/conftest.py's `browser_of`)."""
    return browser_of(app)


async def public_page(app: Any, url: str) -> str:
    """The page at `url` as anyone sees it (no account, no cookie)."""
    async with browser(app) as anonymous:
        return (await anonymous.get(url)).text


async def approve(app: Any, moderator: User, target_kind: str, target_id: int) -> None:
    """`moderator` approves the content's case from the queue."""
    case = await ModerationCase.get(target_kind=target_kind, target_id=target_id)
    async with logged_in(app, moderator) as c:
        await decide(c, [case.id], "approve", "Conforme.")


def configure(app: Any, tmp_path: Any, redis_url: str, **overrides: str) -> Settings:
    app.state.settings = make_settings(tmp_path, redis_url, **overrides)
    return app.state.settings  # type: ignore[no-any-return]


async def premoderated_discussion(
    app: Any, tmp_path: Any, redis_url: str
) -> tuple[User, Proposal, str, User]:
    """Scenario: comments pre-moderated, a published proposal by author@example.org and a
    resident about to comment on it, commenter@example.org: (author, proposal, page,
    commenter)."""
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="comment")
    author, proposal, page = await others_proposal(settings)
    return author, proposal, page, await create_user(settings, "commenter@example.org")


async def moderated_proposal(author: User, state: ModerationState, title: str) -> Proposal:
    """Scenario: a proposal of `author` out of the public's sight, as `state` says: awaiting
    approval (PENDING: never published) or published, then hidden by a moderator (HIDDEN)."""
    pending = state == ModerationState.PENDING
    published = ProposalState.PENDING if pending else ProposalState.PUBLISHED
    return await make_proposal(author, published, title=title, moderation_state=state)


async def make_comment(
    proposal: Proposal,
    author: User,
    body: str = "<p>Un commentaire désagréable sur ce projet.</p>",
    state: ModerationState = ModerationState.VISIBLE,
) -> Comment:
    comment = await Comment.create(
        proposal_id=proposal.id, author_id=author.id, body=body, moderation_state=state
    )
    if state == ModerationState.VISIBLE:
        proposal.comment_count += 1
        await Proposal.filter(id=proposal.id).update(comment_count=proposal.comment_count)
    return comment


async def pending_case(target_kind: str, target_id: int, author_id: int) -> ModerationCase:
    return await ModerationCase.create(
        target_kind=target_kind,
        target_id=target_id,
        author_id=author_id,
        status=CaseStatus.OPEN,
        kind=CaseKind.PENDING,
        opened_at=timezone.now(),
    )


async def report(
    client: httpx.AsyncClient,
    target_kind: str,
    target_id: int,
    reason: str = "offensive",
    text: str = "",
) -> httpx.Response:
    url = f"/moderation/report/{target_kind}/{target_id}"
    return await post_form(client, url, {"reason": reason, "text": text})


async def decide(
    client: httpx.AsyncClient, case_ids: list[int], action: str, reason: str = "", **extra: str
) -> httpx.Response:
    from tests.conftest import csrf_token

    token = await csrf_token(client)
    data: dict[str, Any] = {
        "csrf_token": token,
        "case": [str(i) for i in case_ids],
        "action": action,
        "reason": reason,
        **extra,
    }
    return await client.post("/moderation/decide", data=data)
