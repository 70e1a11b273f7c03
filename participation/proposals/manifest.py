"""Citizen proposals, declared once (participation/features.py)."""

from __future__ import annotations

from participation.features import DemoContext, Feature, FeedSource, NavLink, PersonalData
from participation.i18n import N_
from participation.proposals import demo, privacy, queries, routes
from participation.proposals.content import ProposalKind
from participation.ratelimit import HOUR, Limit, RateLimitedAction


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)  # comments too: they are on proposals


FEATURE = Feature(
    name="proposals",
    routes=routes.routes,
    models=["participation.proposals.models"],
    content_kinds=[ProposalKind()],
    personal_data=PersonalData(export=privacy.export, erase=privacy.erase),
    demo=_demo,
    nav=[NavLink(N_("Proposals"), "proposals:index")],
    # comments: a proposal's page shows its thread; moderation: pre-moderation and cases
    depends_on=("comments", "moderation"),
    feeds=[
        FeedSource("proposals", N_("New proposals"), queries.feed_proposals, "proposals:index"),
        FeedSource("answers", N_("Official answers"), queries.feed_answers, "proposals:index"),
    ],
    outcomes=queries.outcomes,
    rate_limits=[
        RateLimitedAction(
            "post",
            N_("New proposals and ideas"),
            (Limit("post", "user", 10, HOUR), Limit("post", "ip", 30, HOUR)),
        )
    ],
)
