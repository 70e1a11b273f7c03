"""Stored images: written and removed inside the owner's transaction, read by the one route.

A feature's row names its image by a nullable foreign key to `Picture`; its service calls
`apply(change, current_id)` in its own transaction and saves the id returned. A new image is
a new `Picture` with a new random key (its URL is new, so the year-long cache never serves an
old one); the image it replaces is deleted."""

from __future__ import annotations

import secrets

from participation.pictures.forms import ImageChange
from participation.pictures.images import Prepared
from participation.pictures.models import Picture, PictureRendition
from participation.refusals import NotFound


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
    if picture_id is not None:
        await Picture.filter(id=picture_id).delete()  # its renditions go with it (CASCADE)


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


async def rendition(key: str, width: int) -> PictureRendition:
    """The rendition `width` pixels wide of the picture `key`; `NotFound` otherwise."""
    found = await PictureRendition.filter(picture__key=key, width=width).first()
    if found is None:
        raise NotFound(key)
    return found
