"""Proposals as moderation sees them (participation.contributions.ContentKind)."""

from __future__ import annotations

from typing import Any

from tortoise import timezone

from participation import mail
from participation.contributions import Item, ModerationState, RowKind, excerpt
from participation.i18n import N_
from participation.proposals.domain import ProposalState
from participation.proposals.models import (
    Proposal,
    ProposalCoauthor,
    ProposalCollection,
    ProposalEvent,
    ProposalVersion,
)
from participation.proposals.queries import visible_proposals
from participation.settings import Settings
from participation.urls import url


class ProposalKind(RowKind):
    name = "proposal"
    label = N_("proposal")
    model = Proposal

    def _item(self, p: Any) -> Item:
        return self.row_item(p, p.title, excerpt(p.body), url("proposals:detail", id=p.id))

    async def visible_to(self, user: Any, target_id: int) -> Item | None:
        p = await visible_proposals(user).filter(id=target_id).select_related("author").first()
        if p is None:
            return None
        coauthors = await ProposalCoauthor.filter(
            proposal_id=p.id, accepted_at__not_isnull=True
        ).values_list("user_id", flat=True)
        item = self._item(p)
        item.coauthor_ids = tuple(int(i) for i in coauthors if i is not None)  # type: ignore[call-overload]
        return item

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        proposal = await Proposal.get(id=item.id)
        extra: dict[str, Any] = {}
        publish = target == ModerationState.VISIBLE and proposal.state == ProposalState.PENDING
        if publish:  # approving a pre-moderated proposal publishes it
            extra = {"state": ProposalState.PUBLISHED, "published_at": timezone.now()}
        moved = await self.switch(item, target, **extra)
        if moved and publish:
            await ProposalVersion.record_first(proposal)
            await ProposalEvent.create(
                proposal_id=proposal.id,
                actor_id=getattr(actor, "id", None),
                from_state=ProposalState.PENDING,
                to_state=ProposalState.PUBLISHED,
            )
        return moved, []

    async def spaces_of(self, ids: list[int]) -> dict[int, int]:
        """A proposal's space is its collection's (issue #18); one in no collection has none.

        The collections are read with a row lock (FOR NO KEY UPDATE; SQLite has none and needs
        none: its writers take turns) held until the caller's transaction ends, the one that
        inserts the moderation case: a case made while staff move the collection
        (collections.services.move, which updates that row first) waits for the move to commit
        and reads the new space, or the move waits for the case to commit and then moves it
        with the others. A plain read kept the former space (issue #18)."""
        pairs = await Proposal.filter(id__in=ids, collection_id__not_isnull=True).values_list(
            "id", "collection_id"
        )
        if not pairs:
            return {}
        locked = (
            await ProposalCollection.filter(id__in={int(c) for _, c in pairs})  # type: ignore[misc]
            .order_by("id")  # one order for every locker: no deadlock between two of them
            .select_for_update(no_key=True)
        )
        spaces = {c.id: c.space_id for c in locked}
        return {int(i): spaces[int(c)] for i, c in pairs if int(c) in spaces}  # type: ignore[misc]

    async def notification_subject(self, item: Item) -> tuple[Any, Any]:
        return await Proposal.get(id=item.id), None
