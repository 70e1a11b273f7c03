"""Project commands: submitted by residents or staff, reviewed, corrected; audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    title = form.title.strip()
    problems = _title_problems(title)
    if not to_text(from_markdown(form.description)):
        problems.append(domain.Problem(N_("Describe the project."), field="description"))
    cost = _cost(form.cost, budget.total_amount, problems)
    district = await _district(form.district_id, budget_id, problems)
    category = await _owned(BudgetCategory, form.category_id, budget_id)
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


# --- the checks every project form shares (the submission, the text, the table's row) ---------


def _title_problems(title: str) -> list[domain.Problem]:
    """A project's title (already stripped): given, at most 200 characters."""
    if not title:
        return [domain.Problem(N_("Enter a title."), field="title")]
    if len(title) > 200:
        return [domain.Problem(N_("The title must be at most 200 characters long."), field="title")]
    return []


def _cost(raw: str, total_amount: int, problems: list[domain.Problem]) -> int:
    """A project's estimated cost as typed: a positive whole number within the whole budget
    (its problem added to `problems`, 0 then)."""
    cost = int(raw.strip()) if is_whole_number(raw.strip()) else 0
    if cost <= 0:
        problems.append(
            domain.Problem(N_("Enter the estimated cost as a whole number of euros."), field="cost")
        )
        return 0
    if cost > total_amount:
        problems.append(
            domain.Problem(
                N_("The cost is more than the whole budget ({amount})."),
                {"amount": total_amount},
                "cost",
            )
        )
    return cost


async def _district(
    raw_id: str, budget_id: int, problems: list[domain.Problem]
) -> BudgetDistrict | None:
    """The district chosen (empty: city-wide), of this budget (another's: a problem)."""
    district = await _owned(BudgetDistrict, raw_id, budget_id)
    if raw_id and district is None:
        problems.append(domain.Problem(N_("Choose a district from the list."), field="district_id"))
    return district


def review_problems(
    feasibility: Feasibility, reason: str, adjusted_cost: int | None
) -> list[domain.Problem]:
    """A feasibility review's rules: a public reason when not feasible, an adjusted cost
    positive when given."""
    problems = []
    if feasibility == Feasibility.UNFEASIBLE and not reason.strip():
        problems.append(
            domain.Problem(
                N_("Explain publicly why the project cannot be done."), field="feasibility_reason"
            )
        )
    if adjusted_cost is not None and adjusted_cost <= 0:
        problems.append(
            domain.Problem(
                N_("The adjusted cost must be a positive whole number."), field="adjusted_cost"
            )
        )
    return problems


def parsed_review(
    raw_feasibility: str, raw_adjusted: str, problems: list[domain.Problem]
) -> tuple[Feasibility, int | None]:
    """The review's feasibility and adjusted cost as typed (empty: none); their problems
    added to `problems`."""
    feasibility = Feasibility.PENDING
    if raw_feasibility in Feasibility._value2member_map_:
        feasibility = Feasibility(raw_feasibility)
    else:
        problems.append(domain.Problem(N_("Choose feasible or not feasible."), field="feasibility"))
    adjusted = raw_adjusted.strip().replace(" ", "")
    if adjusted and not is_whole_number(adjusted):
        problems.append(
            domain.Problem(
                N_("The adjusted cost must be a positive whole number."), field="adjusted_cost"
            )
        )
        return feasibility, None
    return feasibility, int(adjusted) if adjusted else None


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


@dataclass(frozen=True)
class Review:
    """A feasibility review as the form sends it (the staff page's and the evaluators')."""

    feasibility: Feasibility
    reason: str
    adjusted_cost: int | None

    @classmethod
    def from_form(cls, data: Mapping[str, str]) -> tuple[Review, list[domain.Problem]]:
        """The review typed in a form (`feasibility`, `feasibility_reason`, `adjusted_cost`)
        and the problems of its fields (`parsed_review`), which `review_project` tells with
        the rest, once it has checked that the review is still open."""
        problems: list[domain.Problem] = []
        feasibility, adjusted = parsed_review(
            data.get("feasibility", ""), data.get("adjusted_cost", ""), problems
        )
        return cls(feasibility, data.get("feasibility_reason", ""), adjusted), problems


FROZEN = N_(
    "The vote is open: the feasibility of the projects is frozen (the ballot offers them as "
    "they were reviewed)."
)


async def review_closed(budget: Budget) -> bool:
    """Whether the feasibility review of this budget is closed (`domain.feasibility_frozen`)."""
    return domain.feasibility_frozen(budget.phase, await has_ballots(budget.id))


async def review_project(
    project_id: int,
    feasibility: Feasibility,
    reason: str,
    adjusted_cost: int | None,
    by_user: User | None = None,
    typed: Sequence[domain.Problem] = (),
) -> Project:
    """The feasibility review of a project, by staff or an evaluator of its budget's space,
    audited (`budget_project_review`). Refused: a review once the vote is open (FROZEN, on no
    field, checked first: the one check, the page then offers no form), else a project not
    feasible without a public reason, an adjusted cost that is not positive, and `typed`, the
    problems of the form's fields (`Review.from_form`)."""
    async with in_transaction():
        project = await Project.filter(id=project_id).select_for_update().get()
        budget = await Budget.get(id=project.budget_id)
        if await review_closed(budget):
            raise refuse(FROZEN)
        if problems := [*typed, *review_problems(feasibility, reason, adjusted_cost)]:
            raise Refused(problems)
        before = audited_fields(project, AUDITED_PROJECT_FIELDS)
        project.feasibility = feasibility
        project.feasibility_reason = reason.strip()
        project.adjusted_cost = adjusted_cost
        project.version += 1
        await project.save(
            update_fields=["feasibility", "feasibility_reason", "adjusted_cost", "version"]
        )
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
    clean_title = edit.title.strip()
    problems = _title_problems(clean_title)
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
        project.version += 1
        project.image_id = await pictures.apply(image, project.image_id)
        await project.save(
            update_fields=[*fields, "description_source", "sanitized_with", "version", "image_id"]
        )
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


# --- the budget's projects table: a row edited in place (issue #22) ---------------------------


@dataclass(frozen=True)
class RowEdit:
    """Staff's edit of a project from the budget's table, as the form sends it: its title,
    cost, district and feasibility review, and the `version` of the project the form showed."""

    title: str
    cost: str
    district_id: str
    feasibility: str
    feasibility_reason: str
    adjusted_cost: str
    version: str

    @classmethod
    def from_fields(cls, data: Mapping[str, str]) -> RowEdit:
        return cls(**{field.name: data.get(field.name, "") for field in fields(cls)})


class StaleEdit(Refused):
    """The form showed an older version of the project: someone saved it meanwhile. `current`
    is the project as saved; nothing of this edit is written."""

    def __init__(self, current: Project) -> None:
        super().__init__(
            [
                domain.Problem(
                    N_(
                        "Someone else saved this project while you were editing it. Its saved "
                        "values are shown beside yours: check them, then save again to keep yours."
                    ),
                    field="version",
                )
            ]
        )
        self.current = current


async def edit_project_row(
    budget_id: int, project_id: int, edit: RowEdit, by_user: User
) -> Project:
    """Staff change a project's title, cost, district and review from the budget's table: the
    checks of the project form and of the review (above, one copy), refused once the review is
    closed (`review_closed`: what voters choose from stays as it was), and refused with
    `StaleEdit` when the project changed since the form was shown. Audited."""
    budget = await Budget.get(id=budget_id)
    title = edit.title.strip()
    problems = _title_problems(title)
    cost = _cost(edit.cost, budget.total_amount, problems)
    district = await _district(edit.district_id, budget_id, problems)
    feasibility, adjusted = parsed_review(edit.feasibility, edit.adjusted_cost, problems)
    if not any(p.field in ("feasibility", "adjusted_cost") for p in problems):
        problems += review_problems(feasibility, edit.feasibility_reason, adjusted)
    async with in_transaction():
        project = await Project.filter(id=project_id, budget_id=budget_id).select_for_update().get()
        if await review_closed(budget):
            raise refuse(FROZEN)
        if edit.version.strip() != str(project.version):
            await project.fetch_related("district")
            raise StaleEdit(project)
        if problems:
            raise Refused(problems)
        before = audited_fields(project, AUDITED_ROW_FIELDS)
        project.title, project.cost, project.district = title, cost, district
        project.feasibility = feasibility
        project.feasibility_reason = edit.feasibility_reason.strip()
        project.adjusted_cost = adjusted
        project.version += 1
        await project.save(
            update_fields=[
                "title",
                "cost",
                "district_id",
                "feasibility",
                "feasibility_reason",
                "adjusted_cost",
                "version",
            ]
        )
        after = audited_fields(project, AUDITED_ROW_FIELDS)
        await audit(
            by_user,
            "budget_project_updated",
            "budget_project",
            project.id,
            before,
            after,
            project.feasibility_reason,
        )
    return project


AUDITED_ROW_FIELDS = (*AUDITED_PROJECT_FIELDS, "district_id")
