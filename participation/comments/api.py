"""The comments in the public read API (participation/api.py, /api/v1/comments): the visible
comments, not deleted, on every kind of thing people comment on (`features.Commentable`: a
proposal, a budget project, a meeting, a consultation's outcome...) whose target anybody sees
(`Commentable.public`: a visible comment under a hidden proposal, or on a project of a budget in
preparation, stays out). A kind that declares no `public` query keeps its comments out of the
API. Hidden and pending comments never appear (`visible_comments` of a visitor).

`proposal_id` (field and filter) is kept as it was before the other kinds came (a proposal's
id, null for another kind); `target_kind` and `target_id` say what any comment is on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from participation import features
from participation.accounts.models import AnonymousUser
from participation.comments.models import Comment
from participation.comments.queries import visible_comments
from participation.features import ApiField, ApiFilter
from participation.i18n import N_
from participation.keyset import query_resource
from participation.richtext import to_text
from participation.templating import public_name

FIELDS = (
    ApiField("id", "integer", N_("Identifier.")),
    ApiField(
        "target_kind",
        "string",
        N_("What it comments on: proposal, budget_project, meeting, consultation_outcome."),
    ),
    ApiField(
        "target_id",
        "integer",
        N_("The identifier of what it comments on (a consultation's for its outcome)."),
    ),
    ApiField(
        "proposal_id",
        "integer",
        N_("The proposal it comments on (null: it comments on something else)."),
        nullable=True,
    ),
    ApiField("parent_id", "integer", N_("The comment it answers (null: none)."), nullable=True),
    ApiField("author", "string", N_("The author's public name.")),
    ApiField("body", "string", N_("Text, as plain text.")),
    ApiField("stance", "string", N_("for, against or neutral.")),
    ApiField("created_at", "datetime", N_("When it was written.")),
    ApiField("edited_at", "datetime", N_("When it was last edited."), nullable=True),
)


def _public_kinds() -> list[features.Commentable]:
    return [c for f in features.FEATURES for c in f.commentables if c.public is not None]


def query() -> QuerySet[Comment]:
    shown = [
        Q(target_kind=c.kind, target_id__in=Subquery(c.public()))  # type: ignore[misc]
        for c in _public_kinds()
    ]
    return (
        visible_comments(AnonymousUser())
        .filter(deleted_at__isnull=True)
        .filter(Q(*shown, join_type="OR") if shown else Q(id__in=[]))
    )


def row(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "target_kind": c.target_kind,
        "target_id": c.target_id,
        "proposal_id": c.proposal_id,  # set for a proposal's comments only
        "parent_id": c.parent_id,  # type: ignore[attr-defined]
        "author": public_name(c.author),
        "body": to_text(c.body),
        "stance": c.stance.value,
        "created_at": c.created_at,
        "edited_at": c.edited_at,
    }


# declared by the comments' manifest; the kinds are read at query time (`features.FEATURES` is
# loaded after the manifests), so `target_kind` lists none: an unknown kind finds no comment
RESOURCES = (
    query_resource(
        "comments",
        N_("Comments"),
        N_(
            "The visible comments on what anybody sees: proposals, budget projects, "
            "meetings and consultations' outcomes."
        ),
        FIELDS,
        query,
        row,
        {
            "id": 7,
            "target_kind": "proposal",
            "target_id": 12,
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
                "target_kind",
                "string",
                N_("Only the comments on this kind of thing."),
                max_length=32,
            ),
            ApiFilter(
                "target_id",
                "integer",
                N_("Only the comments on this identifier (with target_kind)."),
            ),
            ApiFilter(
                "proposal_id",
                "integer",
                N_("Only the comments on this proposal."),
            ),
        ),
        related=("author",),
        updated=True,
    ),
)
