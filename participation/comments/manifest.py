"""Comments on proposals, declared once (participation/features.py)."""

from __future__ import annotations

from participation.comments import privacy, routes
from participation.comments.content import CommentKind
from participation.features import Feature, PersonalData
from participation.i18n import N_
from participation.ratelimit import MINUTE, Limit, RateLimitedAction

FEATURE = Feature(
    name="comments",
    routes=routes.routes,
    models=["participation.comments.models"],
    content_kinds=[CommentKind()],
    personal_data=PersonalData(export=privacy.export),
    depends_on=("proposals", "moderation"),  # comments are on proposals; pre-moderation
    rate_limits=[
        RateLimitedAction(
            "comment",
            N_("Comments"),
            (Limit("comment", "user", 10, MINUTE), Limit("comment", "ip", 30, MINUTE)),
        )
    ],
)
