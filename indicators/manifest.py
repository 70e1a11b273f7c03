"""Participation indicators, declared once (participation/features.py)."""

from __future__ import annotations

from indicators import api, demo, jobs, routes
from participation.features import AdminLine, DemoContext, Feature, NavLink
from participation.i18n import N_


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings)  # figures of every demo above: installed last


FEATURE = Feature(
    name="indicators",
    routes=routes.routes,
    models=["indicators.models"],
    jobs=jobs.FUNCTIONS,
    cron=jobs.CRON_JOBS,
    demo=_demo,
    nav=[NavLink(N_("Who takes part"), "indicators:summary")],
    admin=[AdminLine(50, (NavLink(N_("Participation dashboard"), "indicators:dashboard"),))],
    depends_on=("proposals", "budgets", "consultations"),  # it counts their participants
    api=api.RESOURCES,
)
