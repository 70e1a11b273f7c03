"""Commands and reads of the town's categories and districts: each command checks its rule
(domain.py), writes and records itself in the audit log in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.transactions import in_transaction

from participation.audit import audit
from participation.proposals.classification.domain import (
    CATEGORY,
    KINDS,
    Kind,
    folded,
    name_problem,
    removal_problem,
)
from participation.proposals.models import Proposal
from participation.refusals import NotFound, Problem, Refused
from participation.residents.models import District
from participation.spaces.domain import slugify
from participation.territory import Category

MODELS: dict[str, type[Model]] = {"category": Category, "district": District}


@dataclass(frozen=True)
class Item:
    id: int
    name: str
    proposals: int  # filed under it, whatever their state


async def items(kind: Kind) -> list[Item]:
    """A kind's themes or districts by name, each with its number of proposals (one query)."""
    rows = (
        await MODELS[kind.name]
        .annotate(proposals=Count("proposals"))
        .values("id", "name", "proposals")
    )
    found = [Item(int(r["id"]), str(r["name"]), int(r["proposals"])) for r in rows]
    return sorted(found, key=lambda item: (folded(item.name), item.id))  # « Île » after « Hôtel »


async def _names_except(kind: Kind, item_id: int | None) -> list[str]:
    query = MODELS[kind.name].all()
    if item_id is not None:
        query = query.exclude(id=item_id)
    return [str(name) for name in await query.values_list("name", flat=True)]


async def _free_slug(kind: Kind, name: str) -> str:
    """The name as an address, made unique with -2, -3... (a slug stays when it is renamed)."""
    base = slugify(name) or kind.name
    taken = set(
        await MODELS[kind.name].filter(slug__startswith=base).values_list("slug", flat=True)  # type: ignore[arg-type]
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


async def add(kind_name: str, name: str, actor: Any, field: str = "name") -> Model:
    kind = KINDS[kind_name]
    name = " ".join(name.split())
    if problem := name_problem(kind, name, await _names_except(kind, None), field):
        raise Refused([problem])
    async with in_transaction():
        row = await MODELS[kind.name].create(name=name, slug=await _free_slug(kind, name))
        action = "category_added" if kind is CATEGORY else "district_added"
        target = "category" if kind is CATEGORY else "district"
        await audit(actor, action, target, row.pk, after={"name": name})
    return row


async def _existing(kind: Kind, item_id: int) -> Any:
    row = await MODELS[kind.name].get_or_none(id=item_id)
    if row is None:
        raise NotFound()
    return row


async def rename(kind_name: str, item_id: int, name: str, actor: Any, field: str) -> None:
    kind = KINDS[kind_name]
    row = await _existing(kind, item_id)
    name = " ".join(name.split())
    if problem := name_problem(kind, name, await _names_except(kind, item_id), field):
        raise Refused([problem])
    if name == row.name:
        return
    async with in_transaction():
        before = row.name
        await MODELS[kind.name].filter(id=item_id).update(name=name)
        action = "category_renamed" if kind is CATEGORY else "district_renamed"
        target = "category" if kind is CATEGORY else "district"
        await audit(actor, action, target, item_id, {"name": before}, {"name": name})


async def remove(kind_name: str, item_id: int, actor: Any, field: str) -> None:
    """Removes a category or district no proposal is filed under. The check is part of the
    DELETE statement itself, so a proposal filed at the same moment keeps its field."""
    kind = KINDS[kind_name]
    row = await _existing(kind, item_id)
    column = f"{kind.name}_id"
    filed = Proposal.filter(**{column: item_id}).values(column)
    async with in_transaction():
        removed = (
            await MODELS[kind.name].filter(id=item_id).exclude(id__in=Subquery(filed)).delete()
        )
        if not removed:
            raise Refused([removal_problem(kind, 1, field) or Problem("", field=field)])
        action = "category_removed" if kind is CATEGORY else "district_removed"
        target = "category" if kind is CATEGORY else "district"
        await audit(actor, action, target, item_id, {"name": row.name})
