"""What an image field of a form says, checked. Pure (no HTTP, no database).

A form that carries an image has three fields: `image` (the file; empty when none is chosen),
`image_alt` (its text alternative) and `remove_image` (a box to tick). The result is an
`ImageChange` for `services.apply`, or `Refused` with every problem of the three fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from participation.formfields import bounded_text
from participation.i18n import N_
from participation.pictures.images import Prepared, prepare
from participation.pictures.models import ALT_LENGTH
from participation.refusals import Problem, Refused

FIELD, ALT_FIELD, REMOVE_FIELD = "image", "image_alt", "remove_image"
ALT_MISSING = N_("Describe the image for people who cannot see it.")


@dataclass(frozen=True)
class ImageChange:
    """`prepared`: a new image to store (replacing the one there was); else `remove`: no image
    any more; else the image there is keeps its place, with `alt` as its text alternative."""

    prepared: Prepared | None
    alt: str
    remove: bool = False


def image_change(raw: bytes | None, data: Mapping[str, str], has_image: bool) -> ImageChange | None:
    """The change a form asks for (`raw`: the file's bytes, None when no file was chosen;
    `has_image`: whether what is edited has one). None: nothing to do (no image before, none
    chosen). `Refused` on `image` (not an image, too heavy...) and on `image_alt` (missing when
    there will be an image, too long), together."""
    problems: list[Problem] = []
    alt = bounded_text(data, ALT_FIELD, ALT_LENGTH, problems)
    remove = data.get(REMOVE_FIELD) == "yes"
    prepared: Prepared | None = None
    if raw is not None:
        try:
            prepared = prepare(raw, FIELD)
        except Refused as refused:
            problems.extend(refused.problems)
    elif remove or not has_image:
        return ImageChange(None, "", remove=True) if has_image else None
    if not alt:
        problems.append(Problem(ALT_MISSING, field=ALT_FIELD))
    if problems:
        raise Refused(problems)
    return ImageChange(prepared, alt)
