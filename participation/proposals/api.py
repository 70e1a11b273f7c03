"""Proposals in the public read API and open data (participation/api.py): what anybody sees
(`queries.public_proposals`), with the columns of the existing export (proposals.csv)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from participation.features import ApiField, ApiFilter
from participation.i18n import N_
from participation.keyset import query_resource
from participation.proposals import queries
from participation.proposals.domain import PUBLIC_STATES, ProposalState
from participation.richtext import to_text
from participation.templating import public_name

FIELDS = (
    ApiField("id", "integer", N_("Identifier (its page: /proposals/12).")),
    ApiField("title", "string", N_("Title.")),
    ApiField("body", "string", N_("Text, as plain text.")),
    ApiField("state", "string", N_("State: published, threshold_reached, under_analysis, ...")),
    ApiField("category", "string", N_("Theme (empty: none).")),
    ApiField("district", "string", N_("District (empty: none).")),
    ApiField("address", "string", N_("Address (empty: none).")),
    ApiField("latitude", "number", N_("Latitude (WGS 84)."), nullable=True),
    ApiField("longitude", "number", N_("Longitude (WGS 84)."), nullable=True),
    ApiField("author", "string", N_("The author's public name.")),
    ApiField("support_count", "integer", N_("Supports.")),
    ApiField("comment_count", "integer", N_("Comments.")),
    ApiField("published_at", "datetime", N_("When it was published."), nullable=True),
    ApiField("answered_at", "datetime", N_("When the town answered."), nullable=True),
    ApiField("answer", "string", N_("The town's official answer, as plain text.")),
    ApiField(
        "collection_id",
        "integer",
        N_("Its proposals collection (none: a site without)."),
        nullable=True,
    ),
    ApiField("collection", "string", N_("The title of its proposals collection (empty: none).")),
    ApiField(
        "space_id", "integer", N_("The participatory space of its collection."), nullable=True
    ),
    ApiField("space", "string", N_("The title of that participatory space (empty: none).")),
)

# what public_row reads besides the proposal (one query: participation/keyset.py)
RELATED = ("author", "category", "district", "collection", "collection__space")


def public_row(p: Any) -> dict[str, Any]:
    """A public proposal (author, category and district fetched) as the API and the export
    (proposals.csv, .json) show it, dates as stored (UTC); its collection and the collection's
    space fetched too (`RELATED`)."""
    collection = p.collection
    return {
        "id": p.id,
        "title": p.title,
        "body": to_text(p.body),
        "state": p.state.value,
        "category": p.category.name if p.category else "",
        "district": p.district.name if p.district else "",
        "address": p.address,
        "latitude": p.latitude,
        "longitude": p.longitude,
        "author": public_name(p.author),
        "support_count": p.support_count,
        "comment_count": p.comment_count,
        "published_at": p.published_at,
        "answered_at": p.answered_at,
        "answer": to_text(p.answer_body),
        "collection_id": collection.id if collection else None,
        "collection": collection.title if collection else "",
        "space_id": collection.space.id if collection else None,
        "space": collection.space.title if collection else "",
    }


FILTERS = (
    ApiFilter(
        "state",
        "string",
        N_("Only the proposals in this state."),
        choices=tuple(s.value for s in ProposalState if s in PUBLIC_STATES),
    ),
    ApiFilter(
        "category", "string", N_("Only this theme (its name, as written)."), lookup="category__name"
    ),
    ApiFilter(
        "district",
        "string",
        N_("Only this district (its name, as written)."),
        lookup="district__name",
    ),
    ApiFilter(
        "published_since",
        "datetime",
        N_("Only those published at or after this moment."),
        lookup="published_at__gte",
    ),
    ApiFilter(
        "collection",
        "integer",
        N_("Only the proposals of this collection (its collection_id)."),
        lookup="collection_id",
    ),
)

RESOURCES = (
    query_resource(
        "proposals",
        N_("Proposals"),
        N_("The residents' proposals that anybody sees, with the town's answers."),
        FIELDS,
        queries.public_proposals,
        public_row,
        {
            "id": 12,
            "title": "Un composteur rue des Lilas",
            "body": "Installer un composteur partagé près de l'école.",
            "state": "under_analysis",
            "category": "Environnement",
            "district": "Centre",
            "address": "12 rue des Lilas",
            "latitude": 48.85,
            "longitude": 2.35,
            "author": "Camille",
            "support_count": 42,
            "comment_count": 3,
            "published_at": datetime(2026, 4, 2, 9, 30, tzinfo=UTC),
            "answered_at": None,
            "answer": "",
            "collection_id": 3,
            "collection": "Boîte à idées 2026",
            "space_id": 2,
            "space": "Quartier des Tilleuls",
        },
        filters=FILTERS,
        related=RELATED,
        dataset=True,
        updated=True,
    ),
)
