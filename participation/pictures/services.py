"""Stored images: written and removed inside the owner's transaction, read by the one route.

A feature's row names its image by a nullable foreign key to `Picture`; its service calls
`apply(change, current_id)` in its own transaction and saves the id returned. A new image is
a new `Picture` with a new random key (its URL is new); the image it replaces is deleted.
What holds images is declared by the features (`Feature.picture_owners`) and, for the core's
spaces, by participation/spaces/images.py (`owners`): `seen` asks them whether a person may
see the image (the route's 404), `sweep` deletes what none holds."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Subquery

from participation import features, formatting
from participation.pictures.forms import ImageChange
from participation.pictures.images import Prepared
from participation.pictures.models import Picture, PictureRendition
from participation.refusals import NotFound
from participation.spaces import images as space_images
from participation.urls import url


def owners() -> list[features.PictureOwner]:
    """What holds pictures: the core's spaces, then the installed features' owners."""
    return [space_images.OWNER, *(o for f in features.FEATURES for o in f.picture_owners)]


async def store(prepared: Prepared, alt: str) -> Picture:
    """A new picture with its renditions (call it inside the owner's transaction)."""
    picture = await Picture.create(
        key=secrets.token_urlsafe(16), alt=alt, width=prepared.width, height=prepared.height
    )
    await PictureRendition.bulk_create(
        [
            PictureRendition(
                picture_id=picture.id,
                width=r.width,
                height=r.height,
                content_type=r.content_type,
                data=r.data,
            )
            for r in prepared.renditions
        ]
    )
    return picture


async def delete(picture_id: int | None) -> None:
    await release([picture_id])  # its renditions go with it (CASCADE)


async def apply(change: ImageChange | None, current_id: int | None) -> int | None:
    """The picture id the owner holds once `change` is made (None: no image), inside the
    owner's transaction: a new image stored (the old one deleted), the image removed, or its
    text alternative changed."""
    if change is None:
        return current_id
    if change.prepared is not None:
        picture = await store(change.prepared, change.alt)
        await delete(current_id)
        return picture.id
    if change.remove:
        await delete(current_id)
        return None
    if current_id is not None:
        await Picture.filter(id=current_id).update(alt=change.alt)
    return current_id


async def changes_what_is_shown(change: ImageChange | None, current_id: int | None) -> bool:
    """Whether `change` shows people something new: a new image, or a new text alternative
    for the one there is (what moderation must see again, as a new version of a text); a
    removal shows nothing new. Read before `apply`."""
    if change is None or change.remove:
        return False
    if change.prepared is not None:
        return True
    if current_id is None:
        return False
    alt = await Picture.filter(id=current_id).first().values_list("alt", flat=True)
    return alt != change.alt


async def take_from(owners: Any, field: str = "image_id") -> int:
    """Delete the pictures of the rows of `owners` (a queryset of a `PictureOwner`'s model: a
    person's proposals when their account is erased), which keep no image, inside the
    caller's transaction; how many went."""
    holding = owners.filter(**{f"{field}__isnull": False})
    held = await holding.values_list(field, flat=True)
    if not held:
        return 0
    await holding.update(**{field: None})
    return await release(list(held))


async def exported(picture_ids: list[int | None]) -> dict[int, dict[str, Any]]:
    """What a person's copy of their data says of these pictures, by id: the address of the
    largest rendition, its text alternative, its size and when it was sent."""
    ids = sorted({i for i in picture_ids if i is not None})
    pictures = await Picture.filter(id__in=ids) if ids else []
    return {
        p.id: {
            "url": url("pictures:image", key=p.key, width=p.width),
            "alt": p.alt,
            "width": p.width,
            "height": p.height,
            "created_at": formatting.iso_local(p.created_at),
        }
        for p in pictures
    }


async def release(picture_ids: list[int | None]) -> int:
    """Delete these pictures (their owner is deleted, or erased: call it in its transaction);
    how many were asked. An owner's row that still names one has its `image_id` set to NULL
    by the database (SET NULL)."""
    ids = sorted({i for i in picture_ids if i is not None})
    if ids:  # its count is not ours: SQLite's counts the renditions gone with them (CASCADE)
        await Picture.filter(id__in=ids).delete()
    return len(ids)


@dataclass(frozen=True)
class Found:
    """A rendition asked for by its picture's key and its width, as `found` reads it: its id
    (its bytes are read by it, and only when sent), its picture's, and which `PictureOwner`s
    hold that picture (their `kind`)."""

    rendition_id: int
    picture_id: int
    held_by: frozenset[str]


async def found(key: str, width: int) -> Found | None:
    """The rendition `width` pixels wide of the picture `key` and what holds the picture, in
    one statement (each owner's rows asked in a subquery); None when there is no such
    rendition."""
    declared, picture = owners(), Picture.filter(key=key)
    holders = {
        f"held_{i}": Subquery(
            owner.model.filter(**{f"{owner.field}__in": Subquery(picture.values("id"))})
            .limit(1)
            .values(owner.field)
        )
        for i, owner in enumerate(declared)
    }
    row = await (
        PictureRendition.filter(picture__key=key, width=width)
        .annotate(**holders)
        .first()
        .values("id", "picture_id", *holders)
    )
    if row is None:
        return None
    held = frozenset(o.kind for i, o in enumerate(declared) if row[f"held_{i}"] is not None)
    return Found(int(row["id"]), int(row["picture_id"]), held)


async def seen(user: Any, picture_id: int, held_by: frozenset[str] | None = None) -> bool:
    """Whether `user` may see what holds the picture: asked of the `PictureOwner`s declared
    (`Feature.picture_owners`), each by its own rule; only those that hold it when `held_by`
    says which (`found`'s); a picture nothing holds is seen by nobody."""
    for owner in owners():
        if held_by is not None and owner.kind not in held_by:
            continue
        if await owner.seen(user, picture_id):
            return True
    return False


async def sweep(before: datetime) -> int:
    """Delete the pictures created before `before` that no declared owner holds any more (its
    owner was deleted by any path: SET NULL left the picture behind); how many went. `before`
    leaves alone a picture whose owner is being written (an upload's transaction)."""
    orphans = Picture.filter(created_at__lt=before)
    for owner in owners():
        held = owner.model.filter(**{f"{owner.field}__isnull": False}).values(owner.field)
        orphans = orphans.filter(id__not_in=Subquery(held))
    ids: list[Any] = await orphans.values_list("id", flat=True)
    return await release(ids)


async def rendition(rendition_id: int) -> PictureRendition:
    """The rendition `found` found, its bytes with it; `NotFound` when it went meanwhile."""
    found = await PictureRendition.get_or_none(id=rendition_id)
    if found is None:
        raise NotFound(rendition_id)
    return found
