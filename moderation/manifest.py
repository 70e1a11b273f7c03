"""Moderation, declared once (participation/features.py). It knows contributions only through
the content kinds of the other manifests (participation.contributions)."""

from __future__ import annotations

from moderation import demo, privacy, routes
from moderation.middleware import BlockedUserMiddleware
from moderation.queries import (
    BLOCKED_UNTIL_SQL,
    MODERATES_A_SPACE_SQL,
    NOT_BLOCKED_SQL,
    is_blocked,
)
from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords
from participation.features import (
    AdminLine,
    DemoContext,
    Feature,
    NavLink,
    PersonalData,
    SessionColumn,
)
from participation.i18n import N_
from participation.people.services import as_flag
from participation.ratelimit import HOUR, Limit, RateLimitedAction

AUDIT_WORDS = AuditWords(
    actions=(
        AuditWording("decision:approve", N_("{actor} approved {target}")),
        AuditWording("decision:hide", N_("{actor} hid {target}")),
        AuditWording("decision:reject", N_("{actor} rejected {target}")),
        AuditWording("decision", N_("{actor} took a moderation decision on {target}")),
        AuditWording("user_blocked", N_("{actor} blocked {target}")),
        AuditWording("user_unblocked", N_("{actor} unblocked {target}")),
        AuditWording("case_closed", N_("{actor} closed the moderation case of {target}")),
        AuditWording("auto_hide", N_("{actor} hid {target} after reports")),
        AuditWording(
            "review_requested", N_("{actor} asked for a review of the decision on {target}")
        ),
        AuditWording("reason_template_created", N_("{actor} created {target}")),
        AuditWording("reason_template_updated", N_("{actor} edited {target}")),
        AuditWording("reason_template_deleted", N_("{actor} deleted {target}")),
    ),
    targets=(
        AuditTarget(
            "reason_template",
            "",
            unnamed=N_("a ready-made reason"),
            numbered=N_("the ready-made reason no. {id}"),
        ),
    ),
)


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)


FEATURE = Feature(
    name="moderation",
    routes=routes.routes,
    models=["moderation.models"],
    personal_data=PersonalData(export=privacy.export),
    demo=_demo,
    nav=[NavLink(N_("Moderation"), "moderation:index", role="moderator")],
    admin=[
        AdminLine(
            40,
            (
                NavLink(N_("Moderation"), "moderation:index"),
                NavLink(N_("Ready-made reasons"), "moderation:reasons"),
            ),
        )
    ],
    # blocked people may read but not act: known from the session lookup, at no extra query
    session_columns=[
        SessionColumn("is_blocked", BLOCKED_UNTIL_SQL, is_blocked, NOT_BLOCKED_SQL),
        SessionColumn("moderates_a_space", MODERATES_A_SPACE_SQL, as_flag),
    ],
    middleware=[BlockedUserMiddleware],
    # only the demo: it reports and pre-moderates the demo proposals and comments
    depends_on=("proposals", "comments"),
    audit_words=AUDIT_WORDS,
    person_section=routes.person_section,
    rate_limits=[
        RateLimitedAction(
            "report",
            N_("Reports of content"),
            (Limit("report", "user", 20, HOUR), Limit("report", "ip", 60, HOUR)),
        )
    ],
)
