"""The demo town has proposals in every state, with comments and an amendment; idempotent."""

from typing import Any

import httpx

from participation.comments.models import Comment
from participation.demo import create_accounts
from participation.proposals import demo
from participation.proposals.domain import ProposalState
from participation.proposals.models import Amendment, Proposal, Support
from participation.settings import Settings


async def test_demo_proposals(app: Any, client: httpx.AsyncClient, settings: Settings) -> None:
    users = await create_accounts(settings)
    for _ in range(2):
        await demo.load(settings, users)
    states = set(await Proposal.all().values_list("state", flat=True))
    assert states >= set(ProposalState) - {ProposalState.PENDING}
    assert await Proposal.all().count() == len(demo.PROPOSALS) + 1  # and one at the counter
    assert (await Proposal.get(title=demo.COUNTER_TITLE)).channel == "counter"
    assert await Support.filter(channel="phone").exists()
    assert await Comment.filter(depth=2).exists()
    assert await Amendment.filter(state="accepted").count() == 1
    for p in await Proposal.all():
        assert p.support_count == await Support.filter(proposal_id=p.id).count()
        assert p.comment_count == await Comment.filter(proposal_id=p.id).count()
    racks = await Proposal.get(title=demo.PROPOSALS[0][0])
    assert racks.version == 2
    history = await client.get(f"/proposals/{racks.id}/history")
    assert "cargos" in history.text
    listing = await client.get("/proposals")
    assert "basket" in listing.text and "jardin partagé" not in listing.text
