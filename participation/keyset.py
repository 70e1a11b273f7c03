"""A collection of the public API built from one query and one row function (issue #21).

Most collections are "the rows a visitor sees, by id": a feature gives the query of what a
visitor sees, the function that turns one row into its item, and its filters; `query_resource`
builds the `ApiResource` whose keyset page (`id > after`, in id order, one indexed query per
page whatever its depth) and item (`/api/v1/<name>/<id>`) both read that one query. So an item
address never shows what the list hides: an unpublished, pending, hidden or private row is not
in the query, and is a 404 there as it is absent here.

Filters are applied as declared (`ApiFilter.lookup`, a Tortoise filter such as `budget_id` or
`published_at__gte`); their values come checked and parsed by participation/api.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.models import Model
from tortoise.queryset import QuerySet

from participation.features import ApiField, ApiFilter, ApiResource, ApiRow
from participation.i18n import N_

# the filter of every collection whose items name their participatory space (`space_id`)
BY_SPACE = ApiFilter("space_id", "integer", N_("Only this participatory space's."))

# What changed since a moment (issue #21): `updated_at`, which a database trigger sets when a
# column the public sees changes, whoever writes it (participation/touch.py). The pages stay in
# id order: a row changed while a re-user pages through keeps its place (an order by
# `updated_at` would move it behind the cursor), and is seen again by the next pass, which
# starts from the moment this one started (docs/api.md, "What changed since").
UPDATED_SINCE = ApiFilter(
    "updated_since",
    "datetime",
    N_(
        "Only those changed at or after this moment (updated_at): give the moment your "
        "previous reading started."
    ),
    lookup="updated_at__gte",
)
EXAMPLE_UPDATED_AT = datetime(2026, 5, 4, 14, 12, tzinfo=UTC)
UPDATED_AT = ApiField(
    "updated_at", "datetime", N_("When what this item shows last changed."), nullable=True
)


def narrowed(
    query: QuerySet[Any], filters: Sequence[ApiFilter], chosen: Mapping[str, Any]
) -> QuerySet[Any]:
    """`query` with the filters `chosen` (parsed values by parameter name) applied."""
    for declared in filters:
        if declared.name in chosen:
            query = query.filter(**{declared.lookup or declared.name: chosen[declared.name]})
    return query


def query_resource(
    name: str,
    title: str,
    description: str,
    fields: Sequence[ApiField],
    query: Callable[[], QuerySet[Any]],
    row: Callable[[Any], dict[str, Any]],
    example: dict[str, Any],
    *,
    filters: Sequence[ApiFilter] = (),
    related: Sequence[str] = (),
    dataset: bool = False,
    updated: bool = False,
) -> ApiResource:
    """The collection `name` of the rows of `query()` (what a visitor sees), each shown as
    `row(instance)`, keyed by id; `related`: the relations `row` reads (fetched in the same
    query, no N+1). `updated`: the rows have a true `updated_at` (participation/touch.py),
    shown as the last field and filtered by `updated_since`."""
    if updated:
        fields = (*fields, UPDATED_AT)
        filters = (*filters, UPDATED_SINCE)
        example = {**example, "updated_at": example.get("updated_at", EXAMPLE_UPDATED_AT)}
        shown = row

        def row(instance: Any) -> dict[str, Any]:
            return {**shown(instance), "updated_at": instance.updated_at}

    async def page(
        after: tuple[int, ...] | None, limit: int, chosen: Mapping[str, Any]
    ) -> list[ApiRow]:
        found = narrowed(query(), filters, chosen)
        if after:
            found = found.filter(id__gt=after[0])
        rows: list[Model] = await found.select_related(*related).order_by("id").limit(limit)
        return [ApiRow((instance.pk,), row(instance)) for instance in rows]

    async def item(item_id: int) -> dict[str, Any] | None:
        found = await query().filter(id=item_id).select_related(*related).first()
        return None if found is None else row(found)

    return ApiResource(
        name,
        title,
        description,
        fields,
        page,
        example,
        dataset=dataset,
        filters=tuple(filters),
        item=item,
    )
