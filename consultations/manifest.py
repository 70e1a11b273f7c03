"""Consultations, declared once (participation/features.py)."""

from __future__ import annotations

from consultations import demo, jobs, privacy, queries, routes
from consultations.content import ConsultationAnswerKind
from participation import features
from participation.features import AdminLine, DemoContext, Feature, NavLink, PersonalData
from participation.i18n import N_


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)


FEATURE = Feature(
    name="consultations",
    routes=routes.routes,
    models=["consultations.models"],
    jobs=jobs.FUNCTIONS,
    cron=jobs.CRON_JOBS,
    content_kinds=[ConsultationAnswerKind()],
    personal_data=PersonalData(export=privacy.export, erase=privacy.erase),
    demo=_demo,
    nav=[NavLink(N_("Consultations"), "consultations:index")],
    admin=[AdminLine(30, (NavLink(N_("Manage consultations"), "consultations:admin_index"),))],
    depends_on=("moderation",),  # free-text answers are moderated
    feeds=[
        features.FeedSource(
            "consultations",
            N_("Consultation results"),
            queries.feed_results,
            "consultations:index",
        )
    ],
    space_components=queries.space_components,
    outcomes=queries.outcomes,
)
