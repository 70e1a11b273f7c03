"""Proposals in the public read API and open data (participation/api.py): what anybody sees
(`queries.public_proposals`), with the columns of the existing export (proposals.csv)."""

from __future__ import annotations

from datetime import UTC, datetime

from participation.features import ApiField, ApiResource, ApiRow
from participation.i18n import N_
from participation.proposals import queries
from participation.richtext import to_text
from participation.templating import public_name

FIELDS = (
    ApiField("id", "integer", "Identifier (its page: /proposals/<id>)."),
    ApiField("title", "string", "Title."),
    ApiField("body", "string", "Text, as plain text."),
    ApiField("state", "string", "State: published, threshold_reached, under_analysis, ..."),
    ApiField("category", "string", "Theme (empty: none)."),
    ApiField("district", "string", "District (empty: none)."),
    ApiField("address", "string", "Address (empty: none)."),
    ApiField("latitude", "number", "Latitude (WGS 84).", nullable=True),
    ApiField("longitude", "number", "Longitude (WGS 84).", nullable=True),
    ApiField("author", "string", "The author's public name."),
    ApiField("support_count", "integer", "Supports."),
    ApiField("comment_count", "integer", "Comments."),
    ApiField("published_at", "datetime", "When it was published.", nullable=True),
    ApiField("answered_at", "datetime", "When the town answered.", nullable=True),
    ApiField("answer", "string", "The town's official answer, as plain text."),
)


async def page(after: tuple[int, ...] | None, limit: int) -> list[ApiRow]:
    query = queries.public_proposals()
    if after:
        query = query.filter(id__gt=after[0])
    found = await query.select_related("author", "category", "district").order_by("id").limit(limit)
    return [
        ApiRow(
            (p.id,),
            {
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
            },
        )
        for p in found
    ]


RESOURCES = (
    ApiResource(
        "proposals",
        N_("Proposals"),
        N_("The residents' proposals that anybody sees, with the town's answers."),
        FIELDS,
        page,
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
        },
        dataset=True,
    ),
)
