"""Public meetings, declared once (issue #20; participation/features.py)."""

from __future__ import annotations

from typing import Any

from meetings import api, demo, jobs, privacy, queries, services
from meetings.models import Meeting
from meetings.routes import routes
from participation import features
from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords, names_in
from participation.i18n import N_
from participation.urls import url


def _meeting_page(event_key: str) -> str:
    # event keys: "meeting:<id>:..."
    return url("meetings:detail", meeting_id=int(event_key.split(":")[1]))


# what a meeting tells people: e-mail subject, sentence in the notification list, its link
NOTIFICATION_KINDS = (
    features.NotificationKind(
        services.PROMOTED,
        N_("A seat freed up for you"),
        N_("A seat freed up: you are registered for the meeting “{title}”."),
        _meeting_page,
    ),
    features.NotificationKind(
        services.MOVED,
        N_("A meeting has moved"),
        N_("The meeting “{title}” has moved."),
        _meeting_page,
    ),
    features.NotificationKind(
        services.CANCELLED,
        N_("A meeting is cancelled"),
        N_("The meeting “{title}” is cancelled."),
        _meeting_page,
    ),
    features.NotificationKind(
        services.REMINDER,
        N_("Reminder: a meeting tomorrow"),
        N_("Reminder: the meeting “{title}” is tomorrow."),
        _meeting_page,
    ),
)


_titles = names_in(Meeting, "title")


AUDIT_WORDS = AuditWords(
    actions=(
        AuditWording("meeting_created", N_("{actor} created {target}")),
        AuditWording("meeting_updated", N_("{actor} edited {target}")),
        AuditWording("meeting_cancelled", N_("{actor} cancelled {target}")),
        AuditWording("meeting_attendance", N_("{actor} recorded who came to {target}")),
        AuditWording("meeting_minutes", N_("{actor} published the minutes of {target}")),
    ),
    targets=(
        AuditTarget(
            "meeting",
            N_("the meeting “{name}”"),
            _titles,
            numbered=N_("the meeting no. {id}"),
            in_space=lambda space: Meeting.filter(space_id=space).values("id"),
        ),
    ),
)


async def _demo(context: Any) -> None:  # participation.features.DemoContext
    await demo.load(context.settings, context.users)


FEATURE = features.Feature(
    name="meetings",
    routes=routes,
    models=["meetings.models"],
    jobs=jobs.FUNCTIONS,
    cron=jobs.CRON_JOBS,
    personal_data=features.PersonalData(export=privacy.export, erase=privacy.erase),
    demo=_demo,
    nav=[features.NavLink(N_("Meetings"), "meetings:index")],
    admin=[features.AdminLine(70, (features.NavLink(N_("Meetings"), "meetings:admin_index"),))],
    notification_kinds=NOTIFICATION_KINDS,
    # proposal and consultation pages show the meetings whose minutes link to them
    related_links=queries.related_links,
    # minutes link what a meeting produced; the cases of its comments follow it to another space
    depends_on=("proposals", "consultations", "moderation"),
    feeds=[
        features.FeedSource(
            "meetings",
            N_("Meetings"),
            queries.feed_entries,
            "meetings:index",
            space_entries=queries.space_feed_entries,
        )
    ],
    space_components=queries.space_components,
    audit_words=AUDIT_WORDS,
    api=api.RESOURCES,
    # comments on a meeting's page (issue #18: participation/commenting.py)
    commentables=[
        features.Commentable(
            "meeting",
            N_("meeting"),
            queries.comment_target,
            spaces_of=queries.locked_spaces,
            public=lambda: Meeting.all().values("id"),  # every meeting's page is public
        )
    ],
    picture_owners=[features.PictureOwner("meeting", Meeting, queries.picture_seen)],
)
