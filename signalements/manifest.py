"""Signalements (reports of problems in public space), declared once (issue #24;
participation/features.py)."""

from __future__ import annotations

from typing import Any

from participation import features
from participation.i18n import N_
from participation.urls import url
from signalements import demo, privacy, queries, services
from signalements.content import SignalementKind
from signalements.routes import routes


def _report_page(event_key: str) -> str:
    # event keys: "signalement:<id>:event:<event id>"
    return url("signalements:detail", report_id=int(event_key.split(":")[1]))


NOTIFICATION_KINDS = (
    features.NotificationKind(
        services.UPDATED,
        N_("A report you follow has changed"),
        N_("The report no. {title} you follow is now: {state}."),
        _report_page,
    ),
)


async def _demo(context: Any) -> None:  # participation.features.DemoContext
    await demo.load(context.settings, context.users)


FEATURE = features.Feature(
    name="signalements",
    routes=routes,
    models=["signalements.models"],
    content_kinds=[SignalementKind()],
    personal_data=features.PersonalData(export=privacy.export, erase=privacy.erase),
    demo=_demo,
    nav=[features.NavLink(N_("Street reports"), "signalements:index")],
    admin=[
        features.AdminLine(
            75,
            (
                features.NavLink(N_("Reports in public space"), "signalements:desk"),
                features.NavLink(N_("Report categories"), "signalements:admin_categories"),
                features.NavLink(N_("Response templates"), "signalements:admin_templates"),
            ),
        )
    ],
    notification_kinds=NOTIFICATION_KINDS,
    # the indicators dashboard's "signalements" section (suppressed and stored by indicators/)
    indicator_sections=[
        features.IndicatorSection(
            "signalements", N_("Reports in public space"), queries.indicator_tables
        )
    ],
    depends_on=("moderation",),  # descriptions go through moderation's rules
)
