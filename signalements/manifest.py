"""Signalements (reports of problems in public space), declared once (issue #24;
participation/features.py)."""

from __future__ import annotations

from typing import Any

from participation import features
from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords, names_in
from participation.i18n import N_
from participation.ratelimit import HOUR, MINUTE, Limit, RateLimitedAction
from participation.urls import url
from signalements import demo, privacy, queries, services
from signalements.content import SignalementKind
from signalements.models import Category, Report, ResponseTemplate
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


async def _numbers(ids: list[int]) -> dict[int, str]:
    found = await Report.filter(id__in=ids).values_list("id", flat=True)
    return {int(str(i)): str(i) for i in found}


_categories = names_in(Category, "name")


_templates = names_in(ResponseTemplate, "title")


AUDIT_WORDS = AuditWords(
    actions=(
        # services._move writes "signalement_<event kind>": a change of state or a reopening
        AuditWording("signalement_state", N_("{actor} changed the state of {target}")),
        AuditWording("signalement_reopened", N_("{actor} reopened {target}")),
        AuditWording("signalement_assigned", N_("{actor} assigned {target} to someone")),
        AuditWording("signalement_merged", N_("{actor} merged {target} into another report")),
        AuditWording("signalement_category", N_("{actor} saved {target}")),
        AuditWording("signalement_template", N_("{actor} saved {target}")),
        AuditWording("signalement_template_deleted", N_("{actor} deleted {target}")),
    ),
    targets=(
        AuditTarget(
            "signalement",
            N_("the report no. {name}"),
            _numbers,
            unnamed=N_("reports in public space"),
            numbered=N_("the report no. {id}"),
        ),
        AuditTarget(
            "signalement_category",
            N_("the report category “{name}”"),
            _categories,
            numbered=N_("the report category no. {id}"),
        ),
        AuditTarget(
            "signalement_template",
            N_("the response template “{name}”"),
            _templates,
            numbered=N_("the response template no. {id}"),
        ),
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
    # followers without an account stop the e-mails with their one-click link
    email_subscriptions=[
        features.EmailSubscription(
            services.FOLLOWER_EMAILS,
            N_("a report you follow has changed"),
            services.stop_following,
            services.stopped_following,
        )
    ],
    # the indicators dashboard's "signalements" section (suppressed and stored by indicators/)
    indicator_sections=[
        features.IndicatorSection(
            "signalements", N_("Reports in public space"), queries.indicator_tables
        )
    ],
    audit_words=AUDIT_WORDS,
    depends_on=("moderation",),  # descriptions go through moderation's rules
    # a street walked with a phone makes a few reports, not twenty a minute; staff typing
    # phone calls are not limited (signalements/routes.py)
    rate_limits=[
        RateLimitedAction(
            "signalement",
            N_("Reports of problems in public space"),
            (
                Limit("signalement", "user", 10, HOUR),
                Limit("signalement", "email", 10, HOUR),
                Limit("signalement", "ip", 10, MINUTE),
            ),
        ),
        RateLimitedAction(
            "signalement_follow",
            N_("“Me too” on reports of problems in public space"),
            (
                Limit("signalement_follow", "user", 30, HOUR),
                Limit("signalement_follow", "email", 30, HOUR),
                Limit("signalement_follow", "ip", 60, MINUTE),
            ),
        ),
    ],
)
