"""The proposals' comments in the public read API (participation/api.py, /api/v1/comments):
visible comments, not deleted, on proposals anybody sees (a visible comment under a hidden
proposal stays out). The proposals publish them: the comments feature knows no kind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from participation.accounts.models import AnonymousUser
from participation.comments.models import Comment
from participation.comments.queries import visible_comments
from participation.features import ApiField, ApiFilter
from participation.i18n import N_
from participation.keyset import query_resource
from participation.proposals import queries
from participation.richtext import to_text
from participation.templating import public_name

FIELDS = (
    ApiField("id", "integer", N_("Identifier.")),
    ApiField("proposal_id", "integer", N_("The proposal it comments on.")),
    ApiField("parent_id", "integer", N_("The comment it answers (null: none)."), nullable=True),
    ApiField("author", "string", N_("The author's public name.")),
    ApiField("body", "string", N_("Text, as plain text.")),
    ApiField("stance", "string", N_("for, against or neutral.")),
    ApiField("created_at", "datetime", N_("When it was written.")),
    ApiField("edited_at", "datetime", N_("When it was last edited."), nullable=True),
)


def query() -> QuerySet[Comment]:
    public = Subquery(queries.public_proposals().values("id"))
    return visible_comments(AnonymousUser()).filter(
        deleted_at__isnull=True, target_kind="proposal", target_id__in=public
    )


def row(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "proposal_id": c.target_id,
        "parent_id": c.parent_id,  # type: ignore[attr-defined]
        "author": public_name(c.author),
        "body": to_text(c.body),
        "stance": c.stance.value,
        "created_at": c.created_at,
        "edited_at": c.edited_at,
    }


RESOURCES = (
    query_resource(
        "comments",
        N_("Comments"),
        N_("The visible comments on the proposals that anybody sees."),
        FIELDS,
        query,
        row,
        {
            "id": 7,
            "proposal_id": 12,
            "parent_id": None,
            "author": "Dominique",
            "body": "Bonne idée, il en faut un aussi au parc.",
            "stance": "for",
            "created_at": datetime(2026, 4, 3, 18, 5, tzinfo=UTC),
            "edited_at": None,
        },
        filters=(
            ApiFilter(
                "proposal_id",
                "integer",
                N_("Only the comments on this proposal."),
                lookup="target_id",
            ),
        ),
        related=("author",),
        updated=True,
    ),
)
