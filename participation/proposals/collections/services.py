"""Proposals collections: reads and staff commands. One transaction each, audited; the rules
themselves are pure (participation/proposals/domain.py: CollectionRules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from moderation import services as moderation
from participation.audit import audit
from participation.comments.models import Comment
from participation.features import SpaceComponent
from participation.i18n import N_
from participation.proposals.domain import (
    CATEGORY_NOT_OFFERED,
    COLLECTION_STATE_LABELS,
    CollectionForm,
    CollectionState,
    collection_state,
)
from participation.proposals.models import Proposal, ProposalCollection, ProposalCollectionCategory
from participation.refusals import DomainError, NotFound, Refused, refuse
from participation.spaces import services as spaces
from participation.spaces.models import Space
from participation.territory import Category
from participation.urls import url

AUDITED = (
    "title",
    "space_id",
    "support_threshold",
    "premoderated",
    "amendments_open",
    "accepting",
    "opens_at",
    "closes_at",
    "category_ids",
)


class EditConflict(Exception):
    """Someone saved the collection since the form was opened: `current` is what they saved."""

    def __init__(self, current: ProposalCollection) -> None:
        super().__init__("collection changed meanwhile")
        self.current = current


@dataclass(frozen=True)
class Listed:
    """A collection as a list shows it: with its space and its state now."""

    collection: ProposalCollection
    state: CollectionState
    proposals: int = 0


async def listed(now: datetime, space_id: int | None = None) -> list[Listed]:
    """Every collection (of one space when given), with its space, its state and how many
    proposals it holds: two queries."""
    query = ProposalCollection.all()
    if space_id is not None:
        query = query.filter(space_id=space_id)
    rows = list(await query.select_related("space").order_by("space_id", "title", "id"))
    counts: dict[int, int] = {}
    if rows:
        held = await Proposal.filter(collection_id__in=[c.id for c in rows]).values_list(
            "collection_id", flat=True
        )
        for collection_id in held:
            counts[int(collection_id)] = counts.get(int(collection_id), 0) + 1  # type: ignore[call-overload]
    return [Listed(c, collection_state(c.rules(), now), counts.get(c.id, 0)) for c in rows]


async def open_for_proposals(now: datetime) -> list[ProposalCollection]:
    """The collections that take new proposals now: open, in a published space that is not
    archived (one query; the dates are checked by the pure rule)."""
    rows = await (
        ProposalCollection.filter(
            accepting=True, space__published=True, space__archived_at__isnull=True
        )
        .select_related("space")
        .order_by("space_id", "title", "id")
    )
    return [c for c in rows if collection_state(c.rules(), now) == CollectionState.OPEN]


async def any_exists() -> bool:
    return await ProposalCollection.exists()


async def get(collection_id: int) -> ProposalCollection:
    collection = await ProposalCollection.get_or_none(id=collection_id).select_related("space")
    if collection is None:
        raise NotFound()
    return collection


async def own_categories(collection_ids: Iterable[int]) -> dict[int, set[int]]:
    """The categories each collection chose (a collection that chose none is absent)."""
    chosen: dict[int, set[int]] = {}
    ids = list(collection_ids)
    if ids:
        rows = await ProposalCollectionCategory.filter(collection_id__in=ids).values_list(
            "collection_id", "category_id"
        )
        for collection_id, category_id in rows:
            chosen.setdefault(int(collection_id), set()).add(int(category_id))  # type: ignore[call-overload]
    return chosen


async def category_ids(collection_id: int) -> list[int]:
    """The categories a collection chose (none: it offers the site's), by id."""
    return sorted((await own_categories([collection_id])).get(collection_id, set()))


async def _check_categories(form: CollectionForm) -> None:
    """A forged category (not one of the site's) is refused on the field."""
    if not form.category_ids:
        return
    known = await Category.filter(id__in=list(form.category_ids)).count()
    if known != len(form.category_ids):
        raise refuse(CATEGORY_NOT_OFFERED, "categories")


async def _write_categories(collection_id: int, ids: tuple[int, ...]) -> None:
    await ProposalCollectionCategory.filter(collection_id=collection_id).delete()
    await ProposalCollectionCategory.bulk_create(
        [ProposalCollectionCategory(collection_id=collection_id, category_id=i) for i in ids]
    )


def _values(form: CollectionForm) -> dict[str, Any]:
    return {
        "title": form.title,
        "space_id": form.space_id,
        "support_threshold": form.support_threshold,
        "premoderated": form.premoderated,
        "amendments_open": form.amendments_open,
        "accepting": form.accepting,
        "opens_at": form.opens_at,
        "closes_at": form.closes_at,
    }


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (value.isoformat() if isinstance(value, datetime) else value)
        for key, value in values.items()
        if key in AUDITED
    }


async def _check_space(space_id: int | None, current: int | None = None) -> None:
    """A forged space is refused; so is an archived one, unless the collection is already in it."""
    await spaces.check_choice(space_id)
    archived = await Space.filter(id=space_id, archived_at__isnull=False).exists()
    if archived and space_id != current:
        raise refuse(N_("Choose a space from the list."), "space")


async def create(form: CollectionForm, problems: list[Any], actor: Any) -> ProposalCollection:
    """A new collection; nothing is written when a field is wrong."""
    if problems:
        raise Refused(problems)
    await _check_space(form.space_id)
    await _check_categories(form)
    values = _values(form)
    async with in_transaction():
        collection = await ProposalCollection.create(**values)
        await _write_categories(collection.id, form.category_ids)
        await audit(
            actor, "proposal_collection_created", "proposal_collection", collection.id,
            {}, _audited({**values, "category_ids": list(form.category_ids)}),
        )  # fmt: skip
    return collection


async def update(
    collection_id: int,
    form: CollectionForm,
    problems: list[Any],
    base_version: int | None,
    actor: Any,
) -> ProposalCollection:
    """Save over the version the form was opened at; `EditConflict` when someone saved since.
    A collection holding proposals keeps its space (they would change space behind people's
    backs)."""
    collection = await get(collection_id)
    if problems:
        raise Refused(problems)
    if base_version is None:
        raise refuse(N_("Open the form again: it was sent without its version."))
    await _check_space(form.space_id, collection.space_id)
    moved = form.space_id != collection.space_id
    if moved and await Proposal.filter(collection_id=collection_id).exists():
        raise refuse(N_("This collection holds proposals: it stays in its space."), "space")
    await _check_categories(form)
    values = _values(form)
    before = _audited(
        {
            **{key: getattr(collection, key) for key in values},
            "category_ids": await category_ids(collection_id),
        }
    )
    after = _audited({**values, "category_ids": list(form.category_ids)})
    changed = {key: after[key] for key in after if after[key] != before[key]}
    if not changed:
        return collection
    async with in_transaction():
        updated = await ProposalCollection.filter(id=collection_id, version=base_version).update(
            **values, version=base_version + 1
        )
        if not updated:
            raise EditConflict(await get(collection_id))
        if "category_ids" in changed:
            await _write_categories(collection_id, form.category_ids)
        await audit(
            actor, "proposal_collection_updated", "proposal_collection", collection_id,
            {key: before[key] for key in changed}, changed,
        )  # fmt: skip
    return await get(collection_id)


async def names(ids: list[int]) -> dict[int, str]:
    """The audit log's names of collections."""
    rows = await ProposalCollection.filter(id__in=ids).values_list("id", "title")
    return {int(i): str(t) for i, t in rows}  # type: ignore[misc]


async def held(collection_id: int) -> int:
    """How many proposals the collection holds (drafts included)."""
    return await Proposal.filter(collection_id=collection_id).count()


HOLDS_PROPOSALS = N_(
    "This collection holds proposals: it cannot be deleted. Close it to new proposals instead."
)
SAME_SPACE = N_("Choose another space than the one it is in.")


async def move(collection_id: int, space_id: int | None, actor: Any) -> ProposalCollection:
    """Take the collection, with its proposals, to another space (not archived): they follow
    its audience rule, its comments switch and its moderators from then on (the open and
    closed moderation cases of its proposals and of their comments move with them). Refused
    on the field `space` when the space is forged, archived or the same; audited."""
    collection = await get(collection_id)
    if space_id is None:
        raise refuse(N_("Choose a space from the list."), "space")
    if space_id == collection.space_id:
        raise refuse(SAME_SPACE, "space")
    await _check_space(space_id)
    target = await Space.get(id=space_id)
    async with in_transaction():
        # The row's update comes first: its lock is the one a moderation case being made on
        # these proposals or their comments takes to read the space (ProposalKind.spaces_of),
        # so such a case either waits for this commit and reads the new space, or commits
        # first and is moved below (issue #18).
        moved = await ProposalCollection.filter(
            id=collection_id, space_id=collection.space_id
        ).update(space_id=space_id, version=F("version") + 1)
        if not moved:
            raise DomainError(N_("The collection changed meanwhile: reload the page."))
        proposals = Proposal.filter(collection_id=collection_id).values("id")
        await moderation.move_cases("proposal", Subquery(proposals), space_id)
        on_them = Comment.filter(target_kind="proposal", target_id__in=Subquery(proposals))
        comments = on_them.values("id")
        await moderation.move_cases("comment", Subquery(comments), space_id)
        await audit(
            actor, "proposal_collection_moved", "proposal_collection", collection_id,
            {"space_id": collection.space_id, "space": collection.space.title},
            {"space_id": space_id, "space": target.title},
        )  # fmt: skip
    return await get(collection_id)


async def delete(collection_id: int, actor: Any) -> None:
    """Delete a collection that holds no proposal (with the categories it chose); one that
    holds some is refused (`DomainError`, 409: close it instead). Audited with its title."""
    collection = await get(collection_id)
    if await Proposal.exists(collection_id=collection_id):
        raise DomainError(HOLDS_PROPOSALS)
    try:
        async with in_transaction():
            await audit(
                actor, "proposal_collection_deleted", "proposal_collection", collection_id,
                {"title": collection.title, "space": collection.space.title}, "",
            )  # fmt: skip
            await ProposalCollectionCategory.filter(collection_id=collection_id).delete()
            if not await ProposalCollection.filter(id=collection_id).delete():
                raise NotFound()
    except IntegrityError:  # a proposal went into it meanwhile (ON DELETE RESTRICT)
        raise DomainError(HOLDS_PROPOSALS) from None


__all__ = ["DomainError", "EditConflict"]


async def space_components(space_id: int) -> list[SpaceComponent]:
    """The collections of a participatory space (`Feature.space_components`): each with its
    state now and, while open, when it closes."""
    found = []
    for item in await listed(timezone.now(), space_id):
        collection = item.collection
        found.append(
            SpaceComponent(
                N_("Proposals collection"),
                collection.title,
                url("proposals:index") + f"?collection={collection.id}",
                COLLECTION_STATE_LABELS[item.state],
                collection.closes_at if item.state == CollectionState.OPEN else None,
                collection.opens_at if item.state == CollectionState.UPCOMING else None,
            )
        )
    return found
