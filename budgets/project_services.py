"""Project commands: submitted by residents or staff, reviewed, corrected; audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TypeVar

from tortoise.transactions import in_transaction

from budgets import domain
from budgets.models import (
    Budget,
    BudgetCategory,
    BudgetDistrict,
    Feasibility,
    Project,
)
from budgets.services import audited_fields, has_ballots
from moderation.services import open_pending_case
from participation import phases
from participation.accounts.models import User
from participation.audit import audit
from participation.contributions import ModerationState
from participation.i18n import N_
from participation.numbers import is_whole_number, parse_id
from participation.pictures import services as pictures
from participation.pictures.forms import ImageChange
from participation.refusals import Refused, refuse
from participation.richtext import ALLOW_LIST_VERSION, from_markdown, to_text
from participation.territory import Box, point_of, point_problems


@dataclass(frozen=True)
class ProjectForm:
    title: str
    description: str
    cost: str
    district_id: str = ""
    category_id: str = ""
    location: str = ""
    latitude: str = ""  # the point, as typed (participation.territory.point_problems)
    longitude: str = ""

    @classmethod
    def from_fields(cls, data: Mapping[str, str]) -> ProjectForm:
        """The form as typed (the project form's fields; any missing one is empty)."""
        return cls(**{field.name: data.get(field.name, "") for field in fields(cls)})


@dataclass(frozen=True)
class CheckedProject:
    """A project form that passed its checks: its values as stored."""

    title: str
    cost: int
    district: BudgetDistrict | None
    category: BudgetCategory | None
    latitude: float | None
    longitude: float | None


async def checked_project(
    budget_id: int, form: ProjectForm, by_staff: bool = False, town: Box | None = None
) -> CheckedProject:
    """A new project's checks, nothing written (`submit_project`'s first step, and the form's
    own checks when its address is refused: web.Place); `Refused` with every wrong field."""
    budget = await Budget.get(id=budget_id)
    if not by_staff and not phases.phase_allows_submission(domain.PHASES, budget.phase):
        raise refuse(N_("Projects can be submitted only during the submission phase."))
    problems = []
    title = form.title.strip()
    if not title:
        problems.append(domain.Problem(N_("Enter a title."), field="title"))
    elif len(title) > 200:
        problems.append(
            domain.Problem(N_("The title must be at most 200 characters long."), field="title")
        )
    if not to_text(from_markdown(form.description)):
        problems.append(domain.Problem(N_("Describe the project."), field="description"))
    cost = int(form.cost) if is_whole_number(form.cost.strip()) else 0
    if cost <= 0:
        problems.append(
            domain.Problem(N_("Enter the estimated cost as a whole number of euros."), field="cost")
        )
    elif cost > budget.total_amount:
        problems.append(
            domain.Problem(
                N_("The cost is more than the whole budget ({amount})."),
                {"amount": budget.total_amount},
                "cost",
            )
        )
    district = await _owned(BudgetDistrict, form.district_id, budget_id)
    category = await _owned(BudgetCategory, form.category_id, budget_id)
    if form.district_id and district is None:
        problems.append(domain.Problem(N_("Choose a district from the list."), field="district_id"))
    if form.category_id and category is None:
        problems.append(domain.Problem(N_("Choose a category from the list."), field="category_id"))
    problems += _place_problems(form.latitude, form.longitude, town)
    if problems:
        raise Refused(problems)
    latitude, longitude = point_of(form.latitude, form.longitude)
    return CheckedProject(title, cost, district, category, latitude, longitude)


async def submit_project(
    budget_id: int,
    form: ProjectForm,
    author: User | None,
    by_staff: bool = False,
    premoderated: bool = False,
    town: Box | None = None,
    image: ImageChange | None = None,
) -> Project:
    """A resident's project (submission phase) or staff's; a resident's waits for a moderator
    when `premoderated` (PREMODERATED_CONTENT lists budget_project). `image`: its image
    (issue #22, participation/pictures), stored in the same transaction."""
    checked = await checked_project(budget_id, form, by_staff, town)
    title, cost = checked.title, checked.cost
    district, category = checked.district, checked.category
    latitude, longitude = checked.latitude, checked.longitude
    pending = premoderated and not by_staff
    async with in_transaction():
        project = await Project.create(
            image_id=await pictures.apply(image, None),
            budget_id=budget_id,
            title=title,
            description=from_markdown(form.description),
            description_source=form.description.strip(),
            sanitized_with=ALLOW_LIST_VERSION,
            cost=cost,
            district=district,
            category=category,
            location=form.location.strip()[:200],
            latitude=latitude,
            longitude=longitude,
            author=author,
            feasibility=Feasibility.FEASIBLE if by_staff else Feasibility.PENDING,
            moderation_state=ModerationState.PENDING if pending else ModerationState.VISIBLE,
        )
        if pending and author is not None:
            await open_pending_case("budget_project", project.id, author.id)
        if by_staff:
            after = audited_fields(project, AUDITED_PROJECT_FIELDS)
            await audit(author, "budget_project_created", "budget_project", project.id, "", after)
    return project


def _place_problems(raw_lat: str, raw_lon: str, town: Box | None) -> list[domain.Problem]:
    """The point's problems (participation.territory.point_problems), None town: not given
    (a test's shortcut: every route passes the town's box)."""
    if town is None:
        return []
    return [
        domain.Problem(message, field=name)
        for name, message in point_problems(raw_lat, raw_lon, town).items()
    ]


Owned = TypeVar("Owned", BudgetDistrict, BudgetCategory)


async def _owned(model: type[Owned], raw_id: str, budget_id: int) -> Owned | None:
    """The district or category `raw_id` if it belongs to this budget (forged ids -> None)."""
    found_id = parse_id(raw_id)
    if found_id is None:
        return None
    return await model.get_or_none(id=found_id, budget_id=budget_id)


AUDITED_PROJECT_FIELDS = (
    "budget_id",
    "title",
    "cost",
    "feasibility",
    "feasibility_reason",
    "adjusted_cost",
)


async def review_project(
    project_id: int,
    feasibility: Feasibility,
    reason: str,
    adjusted_cost: int | None,
    by_user: User | None = None,
) -> Project:
    if feasibility == Feasibility.UNFEASIBLE and not reason.strip():
        raise refuse(N_("Explain publicly why the project cannot be done."), "feasibility_reason")
    if adjusted_cost is not None and adjusted_cost <= 0:
        raise refuse(N_("The adjusted cost must be a positive whole number."), "adjusted_cost")
    async with in_transaction():
        project = await Project.filter(id=project_id).select_for_update().get()
        if await has_ballots(project.budget_id):
            raise refuse(N_("The ballot is locked: ballots have been cast."))
        before = audited_fields(project, AUDITED_PROJECT_FIELDS)
        project.feasibility = feasibility
        project.feasibility_reason = reason.strip()
        project.adjusted_cost = adjusted_cost
        await project.save(update_fields=["feasibility", "feasibility_reason", "adjusted_cost"])
        after = audited_fields(project, AUDITED_PROJECT_FIELDS)
        await audit(
            by_user, "budget_project_review", "budget_project", project.id, before, after, reason
        )
    return project


@dataclass(frozen=True)
class TextEdit:
    """A staff correction as the form sends it (`checked_text_edit` cleans it)."""

    title: str
    description: str  # Markdown, as typed
    location: str
    reason: str
    point: tuple[str, str] = ("", "")
    town: Box | None = None


@dataclass(frozen=True)
class CheckedTextEdit:
    """A staff correction as it is stored (`edit_project_text` writes it as is)."""

    title: str
    description: str  # sanitized HTML
    description_source: str
    location: str
    latitude: float | None
    longitude: float | None


def checked_text_edit(edit: TextEdit) -> CheckedTextEdit:
    """A staff correction's checks, nothing written (`edit_project_text`'s, and the form's own
    when its address is refused: web.Place): the correction as stored, or `Refused` with every
    wrong field."""
    problems = []
    clean_title = edit.title.strip()
    if not clean_title:
        problems.append(domain.Problem(N_("Enter a title."), field="title"))
    elif len(clean_title) > 200:
        problems.append(
            domain.Problem(N_("The title must be at most 200 characters long."), field="title")
        )
    clean_description = from_markdown(edit.description)
    if not to_text(clean_description):
        problems.append(domain.Problem(N_("Describe the project."), field="description"))
    if not edit.reason.strip():
        problems.append(
            domain.Problem(
                N_("Say why you change the text: it is kept in the audit log."), field="reason"
            )
        )
    problems += _place_problems(*edit.point, edit.town)
    if problems:
        raise Refused(problems)
    latitude, longitude = point_of(*edit.point)
    return CheckedTextEdit(
        clean_title,
        clean_description,
        edit.description.strip(),
        edit.location.strip()[:200],
        latitude,
        longitude,
    )


async def edit_project_text(
    project_id: int, edit: TextEdit, by_user: User, image: ImageChange | None = None
) -> Project:
    """Staff correct a project's title, description, place or image (`image`: its change,
    participation/pictures) at any phase (the cost and the feasibility stay as reviewed): the
    remedy for a project that breaks the charter once voting has opened and moderation can no
    longer hide it. Audited with the reason."""
    checked = checked_text_edit(edit)
    fields = ("title", "description", "location", "latitude", "longitude")
    async with in_transaction():
        project = await Project.filter(id=project_id).select_for_update().get()
        before = audited_fields(project, fields)
        project.title, project.description = checked.title, checked.description
        project.description_source = checked.description_source
        project.sanitized_with = ALLOW_LIST_VERSION
        project.location = checked.location
        project.latitude, project.longitude = checked.latitude, checked.longitude
        project.image_id = await pictures.apply(image, project.image_id)
        changed = [*fields, "description_source", "sanitized_with", "image_id"]
        await project.save(update_fields=changed)
        after = audited_fields(project, fields)
        await audit(
            by_user,
            "budget_project_edited",
            "budget_project",
            project.id,
            before,
            after,
            edit.reason,
        )
    return project
