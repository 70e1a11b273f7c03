"""Comments on what the features declare commentable (`Feature.commentables`: proposals,
budget projects ...), declared once (participation/features.py)."""

from __future__ import annotations

from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords
from participation.comments import api, counter, privacy, queries, routes
from participation.comments.content import CommentKind
from participation.comments.models import Comment
from participation.contributions import excerpt
from participation.counter.domain import CHANNEL_LABELS
from participation.features import Feature, PersonalData
from participation.i18n import N_
from participation.ratelimit import MINUTE, Limit, RateLimitedAction


async def _excerpts(ids: list[int]) -> dict[int, str]:
    return {
        int(i): excerpt(body)
        for i, body in await Comment.filter(id__in=ids).values_list("id", "body")
    }


# comments write no audit entry themselves (moderation's decisions name them), but for one
# taken at the counter (participation/comments/counter.py)
AUDIT_WORDS = AuditWords(
    actions=(
        AuditWording(
            "counter_comment",
            N_("{actor} recorded {target} {after_channel}, in a person's name"),
            {"after_channel": {str(c): label for c, label in CHANNEL_LABELS.items()}},
        ),
    ),
    targets=(
        AuditTarget(
            "comment", N_("the comment “{name}”"), _excerpts, numbered=N_("the comment no. {id}")
        ),
    ),
)

FEATURE = Feature(
    name="comments",
    routes=[*routes.routes, *counter.routes],
    models=["participation.comments.models"],
    content_kinds=[CommentKind()],
    personal_data=PersonalData(export=privacy.export),
    # pre-moderation and reports; the kinds commented on come from the manifests
    depends_on=("moderation",),
    audit_words=AUDIT_WORDS,
    participants=queries.participants,
    activity=queries.activity,
    rate_limits=[
        RateLimitedAction(
            "comment",
            N_("Comments"),
            (Limit("comment", "user", 10, MINUTE), Limit("comment", "ip", 30, MINUTE)),
        )
    ],
    comment_section=routes.section,
    counter_section=counter.section,
    api=api.RESOURCES,  # /api/v1/comments: on every kind whose targets anybody sees
)
