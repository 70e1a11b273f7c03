"""Scenario factories for proposals: named by the state they leave the proposal in."""

from __future__ import annotations

from typing import Any

import httpx
from tortoise import timezone

from participation import commenting
from participation.accounts.models import User
from participation.comments import services as comments
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal, ProposalCoauthor, ProposalVersion
from participation.residents.models import District
from participation.richtext import normalize_for_search
from participation.settings import Settings
from participation.territory import Category
from tests.conftest import create_user, log_in


async def make_territory() -> tuple[Category, District]:
    category = await Category.get_or_none(slug="mobilite") or await Category.create(
        name="Mobilité", slug="mobilite"
    )
    district = await District.get_or_none(slug="centre") or await District.create(
        name="Centre-ville", slug="centre"
    )
    return category, district


async def make_proposal(
    author: User,
    state: ProposalState = ProposalState.PUBLISHED,
    title: str = "Des arceaux à vélo devant l'école",
    body: str = "<p>Installer vingt arceaux à vélo devant l'école Jules-Ferry.</p>",
    **extra: Any,
) -> Proposal:
    category, district = await make_territory()
    published = state not in (ProposalState.DRAFT, ProposalState.PENDING)
    proposal = await Proposal.create(
        author_id=author.id,
        title=title,
        body=body,
        category_id=extra.pop("category_id", category.id),
        district_id=extra.pop("district_id", district.id),
        state=state,
        published_at=timezone.now() if published else None,
        search_text=normalize_for_search(f"{title} {body}"),
        **extra,
    )
    if published:
        await ProposalVersion.create(
            proposal_id=proposal.id, number=1, title=title, body=body, author_id=author.id
        )
    return proposal


async def add_coauthor(proposal: Proposal, user: User) -> None:
    await ProposalCoauthor.create(
        proposal_id=proposal.id, email=user.email, user_id=user.id, accepted_at=timezone.now()
    )


GOOD_FORM = {
    "title": "Un composteur partagé au square",
    "body": "Installer un composteur collectif au square des Tilleuls, géré par les voisins.",
    "address": "Square des Tilleuls",
    "latitude": "",
    "longitude": "",
}


async def good_form() -> dict[str, str]:
    category, district = await make_territory()
    return {**GOOD_FORM, "category": str(category.id), "district": str(district.id)}


async def others_proposal(
    settings: Settings,
    state: ProposalState = ProposalState.PUBLISHED,
    *,
    seen_by: tuple[httpx.AsyncClient, User] | None = None,
    **extra: Any,
) -> tuple[User, Proposal, str]:
    """Scenario: a proposal (published unless `state` says otherwise) by another resident
    (author@example.org), `seen_by` a client with that user logged in: its author, the
    proposal and its page."""
    author = await create_user(settings, "author@example.org")
    proposal = await make_proposal(author, state, **extra)
    if seen_by is not None:
        await log_in(*seen_by)
    return author, proposal, f"/proposals/{proposal.id}"


async def at_proposal(
    client: httpx.AsyncClient, author: User, visitor: User | None = None, **extra: Any
) -> tuple[Proposal, str]:
    """Scenario: a published proposal by `author`, and `visitor` (the author unless said
    otherwise) logged in on `client`: the proposal and its page."""
    proposal = await make_proposal(author, **extra)
    await log_in(client, visitor or author)
    return proposal, f"/proposals/{proposal.id}"


async def comment_on(
    settings: Settings, proposal: Proposal, user: Any, text: str, stance: str = "neutral"
) -> Any:
    """`user`'s comment on `proposal`, by the comments' one path (the proposal as its kind
    describes it to them: participation/commenting.py)."""
    target = await commenting.target("proposal", user, proposal.id)
    assert target is not None
    return await comments.post(settings, "proposal", proposal.id, target, user, text, stance)
