"""The meetings feature, declared once (issue #20: public meetings)."""

from __future__ import annotations

from meetings import jobs, queries, services
from meetings.routes import routes
from participation import related
from participation.i18n import N_
from participation.notifications import services as notifications

try:
    from participation.features import Feature
except ImportError:  # until participation/features.py lands (#17, the manifest slice)
    from types import SimpleNamespace as Feature  # type: ignore[assignment]


# what a meeting tells people, in the core's notification list (subject, in-app sentence, link)
notifications.declare_kind(
    services.PROMOTED,
    N_("A seat freed up for you"),
    N_("A seat freed up: you are registered for the meeting “{title}”."),
    lambda key: f"/meetings/{key.split(':')[1]}",
)
notifications.declare_kind(
    services.MOVED,
    N_("A meeting has moved"),
    N_("The meeting “{title}” has moved."),
    lambda key: f"/meetings/{key.split(':')[1]}",
)
notifications.declare_kind(
    services.CANCELLED,
    N_("A meeting is cancelled"),
    N_("The meeting “{title}” is cancelled."),
    lambda key: f"/meetings/{key.split(':')[1]}",
)
notifications.declare_kind(
    services.REMINDER,
    N_("Reminder: a meeting tomorrow"),
    N_("Reminder: the meeting “{title}” is tomorrow."),
    lambda key: f"/meetings/{key.split(':')[1]}",
)
related.PROVIDERS["meetings"] = queries.related_links

FEATURE = Feature(
    name="meetings",
    routes=routes,
    models=["meetings.models"],
    jobs=jobs.FUNCTIONS,
    cron=jobs.CRON_JOBS,
    depends_on=("consultations",),
    # personal_data: meetings/privacy.py (export, erase); demo: meetings/demo.py (load) —
    # wired by hand in accounts/privacy.py and participation/demo.py until the Feature fields land
)
