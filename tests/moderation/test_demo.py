"""The demo town has items waiting in the moderation queue and a reported comment."""

from __future__ import annotations

from typing import Any

from moderation import demo
from moderation.models import ModerationCase, Report
from participation.comments.models import Comment
from participation.demo import DEMO_ACCOUNTS, create_accounts
from participation.proposals import demo as proposals_demo
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.conftest import post_form
from tests.moderation.helpers import browser


async def test_demo_queue(app: Any, settings: Settings) -> None:
    users = await create_accounts(settings)
    await proposals_demo.load(settings, users)
    for _ in range(2):
        await demo.load(settings, users)
    assert await ModerationCase.filter(status="open", kind="pending").count() == 2
    reported = await ModerationCase.get(kind="reported")
    assert await Report.filter(case_id=reported.id).count() == 2
    for p in await Proposal.all():  # counters still match the visible comments
        visible = Comment.filter(proposal_id=p.id, moderation_state="visible")
        assert p.comment_count == await visible.count()
    async with browser(app) as c:
        email, _name, _role, password = DEMO_ACCOUNTS[1]
        await post_form(c, "/account/login", {"email": email, "password": password})
        queue = (await c.get("/moderation")).text
        assert "marché de producteurs" in queue and "Propos méprisants" in queue
