"""Follow-up of commitments, declared once (participation/features.py)."""

from __future__ import annotations

from followup import demo, jobs, queries, routes
from participation.features import AdminLine, DemoContext, Feature, FeedSource, NavLink
from participation.i18n import N_


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)


FEATURE = Feature(
    name="followup",
    routes=routes.routes,
    models=["followup.models"],
    jobs=jobs.FUNCTIONS,
    cron=jobs.CRON_JOBS,
    demo=_demo,
    nav=[NavLink(N_("Follow-up"), "followup:index")],
    admin=[AdminLine(60, (NavLink(N_("Commitments"), "followup:admin_index"),))],
    # a commitment follows up a proposal, a budget project or a consultation
    depends_on=("proposals", "budgets", "consultations"),
    feeds=[
        FeedSource(
            "followup", N_("Commitments followed up"), queries.feed_commitments, "followup:index"
        )
    ],
)
