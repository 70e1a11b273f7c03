"""Commands and reads of participatory spaces: they take plain data, own their transaction and
audit what they change. The features attach to a space through their manifest
(`Feature.space_components`); this module names none of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from participation import features
from participation.audit import audit
from participation.i18n import N_
from participation.pictures import services as pictures
from participation.pictures.forms import ImageChange
from participation.refusals import DomainError, NotFound, Problem, Refused, refuse
from participation.residents.models import District
from participation.richtext import from_markdown, written
from participation.spaces.domain import (
    SLUG_LENGTH,
    SpaceForm,
    State,
    Step,
    StepForm,
    current_step,
    state_of,
)
from participation.spaces.models import Space, SpaceStep

AUDITED = (
    "title",
    "slug",
    "summary",
    "image_id",
    "districts",
    "audience",
    "minimum_age",
    "methods",
    "starts_at",
    "ends_at",
    "published",
    "comments_open",
    "archived_at",
    "version",
)


class EditConflict(Exception):
    """Someone saved the space since the editor opened it; `current` is what they saved."""

    def __init__(self, current: Space) -> None:
        super().__init__(current.id)
        self.current = current


@dataclass(frozen=True)
class Overview:
    """A space as lists and the home page show it."""

    space: Space
    state: State
    step: Step | None  # the current step
    steps: list[Step]


def _fields(space: Space) -> dict[str, Any]:
    return {name: getattr(space, name) for name in AUDITED}


def steps_of(rows: list[SpaceStep]) -> list[Step]:
    return [Step(r.title, r.starts_at, r.ends_at, r.position, r.id) for r in rows]


async def district_names() -> list[str]:
    return [d.name for d in await District.all().order_by("name")]


async def check_slug(slug: str) -> None:
    """`Refused` when another space has this address (before anything is written)."""
    if await Space.exists(slug=slug):
        raise Refused([_slug_taken()])


async def create(form: SpaceForm, image: ImageChange | None, actor: Any) -> Space:
    """A new space, with its image (`image`: participation/pictures, stored in the same
    transaction)."""
    await check_slug(form.slug)
    assert form.starts_at is not None  # parse_space_form refused it otherwise
    try:
        async with in_transaction():
            space = await Space.create(
                title=form.title,
                slug=form.slug,
                summary=form.summary,
                **written(None, Space.rich_text, description=from_markdown(form.description)),
                image_id=await pictures.apply(image, None),
                districts=list(form.districts),
                audience=form.audience,
                minimum_age=form.minimum_age,
                methods=list(form.methods) or None,
                starts_at=form.starts_at,
                ends_at=form.ends_at,
                published=form.published,
                comments_open=form.comments_open,
            )
            await audit(actor, "space_created", "space", space.id, "", _fields(space))
    except IntegrityError:  # UNIQUE slug: another space took it meanwhile
        raise Refused([_slug_taken()]) from None
    return space


def _slug_taken() -> Problem:
    return Problem(N_("Another space already has this address: choose another."), field="slug")


async def update(space_id: int, form: SpaceForm, image: ImageChange | None, actor: Any) -> Space:
    """Save the staff form over the version it was opened at (`form.base_version`), with the
    change of its image (`image`: participation/pictures); the address (slug) never changes.
    `EditConflict` when someone saved meanwhile (nothing written, the image neither)."""
    space = await get(space_id)
    if form.base_version is None:
        raise refuse(N_("Open the form again: it was sent without its version."))
    assert form.starts_at is not None
    values = {
        "title": form.title,
        "summary": form.summary,
        **written(space, Space.rich_text, description=from_markdown(form.description)),
        "districts": list(form.districts),
        "audience": form.audience,
        "minimum_age": form.minimum_age,
        "methods": list(form.methods) or None,
        "starts_at": form.starts_at,
        "ends_at": form.ends_at,
        "published": form.published,
        "comments_open": form.comments_open,
        "version": form.base_version + 1,
    }
    async with in_transaction():
        before = _fields(space)
        updated = await Space.filter(id=space_id, version=form.base_version).update(**values)
        if not updated:
            raise EditConflict(await get(space_id))
        image_id = await pictures.apply(image, space.image_id)
        if image_id != space.image_id:
            await Space.filter(id=space_id).update(image_id=image_id)
        after = await get(space_id)
        await audit(actor, "space_updated", "space", space_id, before, _fields(after))
    return after


async def set_archived(space_id: int, archived: bool, actor: Any) -> Space:
    space = await get(space_id)
    if (space.archived_at is not None) == archived:
        return space
    async with in_transaction():
        before = _fields(space)
        await Space.filter(id=space_id).update(
            archived_at=timezone.now() if archived else None, version=space.version + 1
        )
        after = await get(space_id)
        action = "space_archived" if archived else "space_unarchived"
        await audit(actor, action, "space", space_id, before, _fields(after))
    return after


async def delete(space_id: int, actor: Any) -> None:
    """Delete a space that holds nothing; one with components is refused (archive it)."""
    space = await get(space_id)
    if await components(space_id):
        raise DomainError(N_("This space holds content: archive it instead of deleting it."))
    try:
        async with in_transaction():
            await audit(actor, "space_deleted", "space", space_id, _fields(space), "")
            await Space.filter(id=space_id).delete()
            await pictures.delete(space.image_id)  # its image goes with it
    except IntegrityError:  # a component was attached meanwhile (ON DELETE RESTRICT)
        raise DomainError(
            N_("This space holds content: archive it instead of deleting it.")
        ) from None


async def get(space_id: int) -> Space:
    """A space by its id, with its picture (`templating.picture_of`)."""
    space = await Space.get_or_none(id=space_id).select_related("image")
    if space is None:
        raise NotFound(space_id)
    return space


async def published(slug: str) -> Space:
    """A published space by its address (archived ones stay readable: their URLs keep working),
    with its picture (`templating.picture_of`)."""
    if len(slug) > SLUG_LENGTH:  # Tortoise refuses a longer value even in a filter (a 500)
        raise NotFound(slug)
    space = await Space.get_or_none(slug=slug, published=True).select_related("image")
    if space is None:
        raise NotFound(slug)
    return space


async def steps(space_id: int) -> list[Step]:
    return steps_of(
        await SpaceStep.filter(space_id=space_id).order_by("position", "starts_at", "id")
    )


async def step_row(space_id: int, step_id: int) -> SpaceStep:
    row = await SpaceStep.get_or_none(id=step_id, space_id=space_id)
    if row is None:
        raise NotFound(step_id)
    return row


def step_fields(row: SpaceStep) -> dict[str, Any]:
    """What the audit log records of a step, and what its form shows."""
    return {
        "title": row.title,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "position": row.position,
    }


async def save_step(space_id: int, step_id: int | None, form: StepForm, actor: Any) -> SpaceStep:
    await get(space_id)
    assert form.starts_at is not None
    values: dict[str, Any] = {
        "title": form.title,
        "starts_at": form.starts_at,
        "ends_at": form.ends_at,
        "position": form.position,
    }
    async with in_transaction():
        if step_id is None:
            row = await SpaceStep.create(space_id=space_id, **values)
            await audit(actor, "space_step_added", "space", space_id, "", step_fields(row))
        else:
            row = await step_row(space_id, step_id)
            before = step_fields(row)
            await row.update_from_dict(values).save()
            await audit(actor, "space_step_changed", "space", space_id, before, step_fields(row))
    return row


async def remove_step(space_id: int, step_id: int, actor: Any) -> None:
    row = await step_row(space_id, step_id)
    async with in_transaction():
        await audit(actor, "space_step_removed", "space", space_id, step_fields(row), "")
        await row.delete()


async def overviews(now: datetime, staff: bool = False) -> list[Overview]:
    """Every published space (every space for staff) with its state and current step, the
    latest opened first, each with its image's description (`picture_of`): two queries."""
    query = Space.all() if staff else Space.filter(published=True)
    spaces = await query.select_related("image").order_by("-starts_at", "-id")
    rows = await SpaceStep.filter(space_id__in=[s.id for s in spaces]).order_by(
        "position", "starts_at", "id"
    )
    by_space: dict[int, list[SpaceStep]] = {}
    for row in rows:
        by_space.setdefault(row.space_id, []).append(row)
    result = []
    for space in spaces:
        timeline = steps_of(by_space.get(space.id, []))
        state = State.PAST if space.archived_at else state_of(space.starts_at, space.ends_at, now)
        result.append(Overview(space, state, current_step(timeline, now), timeline))
    return result


async def open_now(now: datetime) -> list[Overview]:
    return [o for o in await overviews(now) if o.state == State.OPEN]


async def components(space_id: int) -> list[features.SpaceComponent]:
    """What the installed features attach to this space, in the features' order."""
    found: list[features.SpaceComponent] = []
    for feature in features.FEATURES:
        if feature.space_components is not None:
            found.extend(await feature.space_components(space_id))
    return found


async def choices(current: int | None = None) -> list[tuple[int, str]]:
    """The spaces a feature's staff form offers, (id, title): archived ones left out, but for
    `current`, the space the edited thing is in (saving the form must not take it out)."""
    query = Space.filter(archived_at=None)
    if current is not None:
        query = Space.filter(Q(archived_at=None) | Q(id=current))
    rows = await query.order_by("title", "id").values_list("id", "title")
    return [(int(i), str(t)) for i, t in rows]


async def check_choice(space_id: int | None, field: str = "space") -> None:
    """`Refused` when a feature's form names a space that does not exist (a forged id)."""
    if space_id is not None and not await Space.exists(id=space_id):
        raise refuse(N_("Choose a space from the list."), field)
