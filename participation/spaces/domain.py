"""Pure rules of participatory spaces (démarches): who may take part (the audience rule, as
data), where a space stands (upcoming, open, past), its current step, and what a valid space or
step is. No database, no HTTP: plain data in, plain data out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from participation.formfields import bounded_text, local_moment
from participation.i18n import N_
from participation.numbers import is_whole_number, parse_id
from participation.refusals import Problem
from participation.residents.domain import age_on, lives_in
from participation.residents.methods import METHODS

TITLE_LENGTH = 200
SLUG_LENGTH = 80
SUMMARY_LENGTH = 300
STEP_TITLE_LENGTH = 120
DESCRIPTION_MAX = 100_000
MAX_MINIMUM_AGE = 120
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Audience(StrEnum):
    SIGNED_IN = "signed_in"  # anyone with an account
    RESIDENTS = "residents"  # verified residents (of the space's districts, when it has some)
    AGE = "age"  # verified residents of at least `minimum_age` years


AUDIENCE_LABELS = {
    Audience.SIGNED_IN: N_("Anyone signed in"),
    Audience.RESIDENTS: N_("Verified residents"),
    Audience.AGE: N_("Verified residents of a minimum age"),
}


class State(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    PAST = "past"


@dataclass(frozen=True)
class AudienceRule:
    audience: Audience = Audience.SIGNED_IN
    minimum_age: int = 0
    districts: tuple[str, ...] = ()  # the scope: () is the whole town
    methods: tuple[str, ...] = ()  # the verification methods accepted: () is any


@dataclass(frozen=True)
class Person:
    signed_in: bool
    verified: bool = False
    district: str | None = None
    birth_date: date | None = None
    method: str | None = None  # how they were verified (participation/residents/methods)


def audience_rule(
    audience: str, minimum_age: int, districts: Sequence[str] | None, methods: Sequence[str] | None
) -> AudienceRule:
    """A space's stored columns as its rule (an unknown audience reads as the strictest)."""
    try:
        kind = Audience(audience)
    except ValueError:
        kind = Audience.AGE
    return AudienceRule(kind, minimum_age or 0, tuple(districts or ()), tuple(methods or ()))


def may_take_part(rule: AudienceRule, person: Person, today: date) -> bool:
    """Whether `person` belongs to the space's audience on `today`."""
    if not person.signed_in:
        return False
    if rule.audience == Audience.SIGNED_IN:
        return True
    if not person.verified:
        return False
    if rule.methods and person.method not in rule.methods:
        return False
    if rule.districts and not any(lives_in(person.district, d) for d in rule.districts):
        return False
    if rule.audience == Audience.AGE:
        return person.birth_date is not None and age_on(person.birth_date, today) >= (
            rule.minimum_age
        )
    return True


def audience_refusal(rule: AudienceRule, person: Person, today: date) -> Problem | None:
    """Why `person` is outside the space's audience (a msgid and its values, shown with a link
    to get verified), or None when they may take part in its components. "Anyone signed in"
    leaves the decision to the component (a consultation may welcome visitors; a ballot asks
    for a verified resident anyway): only the verified-resident audiences refuse here."""
    if rule.audience == Audience.SIGNED_IN or may_take_part(rule, person, today):
        return None
    if not person.signed_in:
        return Problem(N_("Log in to take part in this démarche."))
    if rule.methods and person.verified and person.method not in rule.methods:
        return Problem(
            N_("This démarche accepts these verifications only: {methods}."),
            {"methods": rule.methods},
        )
    if rule.audience == Audience.AGE and person.verified and person.birth_date is None:
        return Problem(
            N_(
                "This démarche is open to verified residents aged {age} or more: your "
                "verification does not give your birth date."
            ),
            {"age": rule.minimum_age},
        )
    if rule.audience == Audience.AGE and rule.districts:
        return Problem(
            N_("This démarche is open to verified residents of {districts} aged {age} or more."),
            {"districts": ", ".join(rule.districts), "age": rule.minimum_age},
        )
    if rule.audience == Audience.AGE:
        return Problem(
            N_("This démarche is open to verified residents aged {age} or more."),
            {"age": rule.minimum_age},
        )
    if rule.districts:
        return Problem(
            N_("This démarche is open to verified residents of {districts} only."),
            {"districts": ", ".join(rule.districts)},
        )
    return Problem(N_("This démarche is open to verified residents only."))


def state_of(starts_at: datetime, ends_at: datetime | None, now: datetime) -> State:
    """Upcoming before its start, open until its end (no end: open for good), past after."""
    if now < starts_at:
        return State.UPCOMING
    if ends_at is not None and now >= ends_at:
        return State.PAST
    return State.OPEN


@dataclass(frozen=True)
class Step:
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    position: int = 0
    id: int = 0


def ordered(steps: Sequence[Step]) -> list[Step]:
    """The timeline's order: by position, then by start."""
    return sorted(steps, key=lambda s: (s.position, s.starts_at, s.id))


def current_step(steps: Sequence[Step], now: datetime) -> Step | None:
    """The step under way at `now`: the last one (in the timeline's order) that has started and
    not ended. None before the first step, after the last one ended, and between two steps
    (the one that ended is over, the next has not begun)."""
    under_way = [
        s for s in ordered(steps) if s.starts_at <= now and (s.ends_at is None or now < s.ends_at)
    ]
    return under_way[-1] if under_way else None


def slugify(title: str) -> str:
    """A French title as an address: "Budget participatif 2027 !" -> "budget-participatif-2027"."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_LENGTH].strip("-")


@dataclass(frozen=True)
class SpaceForm:
    title: str
    slug: str
    summary: str
    description: str
    starts_at: datetime | None
    ends_at: datetime | None
    audience: Audience
    minimum_age: int
    districts: tuple[str, ...]
    published: bool
    base_version: int | None  # the version the editor started from (None: a new space)
    methods: tuple[str, ...] = ()  # the verification methods accepted (): any
    # its components take comments (issue #18); the form's box says "closed": absent, open
    comments_open: bool = True


def _integer(raw: str, name: str, low: int, high: int, problems: list[Problem]) -> int:
    raw = raw.strip()
    if not raw:
        return 0
    if not is_whole_number(raw) or not low <= int(raw) <= high:
        problems.append(
            Problem(
                N_("Enter a whole number from {min} to {max}."), {"min": low, "max": high}, name
            )
        )
        return 0
    return int(raw)


def parse_space_form(
    data: Mapping[str, str], districts: Sequence[str], districts_chosen: Sequence[str]
) -> tuple[SpaceForm, list[Problem]]:
    """The staff form as a `SpaceForm`, and every problem found (field by field). `districts`
    are the town's district names; `districts_chosen` the ticked boxes."""
    problems: list[Problem] = []
    title = bounded_text(data, "title", TITLE_LENGTH, problems)
    if not title:
        problems.append(Problem(N_("Give the space a title."), field="title"))
    slug = bounded_text(data, "slug", SLUG_LENGTH, problems).lower() or slugify(title)
    if title and not SLUG_PATTERN.match(slug):
        problems.append(
            Problem(
                N_("Use lowercase letters without accents, digits and hyphens, like budget-2027."),
                field="slug",
            )
        )
    summary = bounded_text(data, "summary", SUMMARY_LENGTH, problems)
    description = data.get("description", "")
    if len(description) > DESCRIPTION_MAX:
        problems.append(
            Problem(
                N_("Write at most {max} characters here."), {"max": DESCRIPTION_MAX}, "description"
            )
        )
    starts_at = local_moment(data, "starts_at", problems)
    ends_at = local_moment(data, "ends_at", problems)
    if starts_at is None and not any(p.field == "starts_at" for p in problems):
        problems.append(Problem(N_("Enter the date the space opens."), field="starts_at"))
    if starts_at and ends_at and ends_at <= starts_at:
        problems.append(Problem(N_("The end must come after the start."), field="ends_at"))
    raw_audience = data.get("audience", Audience.SIGNED_IN.value)
    if raw_audience not in Audience._value2member_map_:
        problems.append(Problem(N_("Choose who may take part."), field="audience"))
        raw_audience = Audience.SIGNED_IN.value
    audience = Audience(raw_audience)
    minimum_age = _integer(data.get("minimum_age", ""), "minimum_age", 0, MAX_MINIMUM_AGE, problems)
    if audience == Audience.AGE and not minimum_age:
        problems.append(Problem(N_("Enter the minimum age."), field="minimum_age"))
    # the ticked methods come joined by commas (spaces/routes.py reads the checkboxes)
    methods = tuple(m for m in data.get("methods", "").split(",") if m)
    if any(m not in METHODS for m in methods):
        problems.append(Problem(N_("Choose verification methods from the list."), field="methods"))
    unknown = [d for d in districts_chosen if d not in districts]
    if unknown:
        problems.append(Problem(N_("Choose districts from the list."), field="districts"))
    base_version = parse_id(data.get("version", ""))
    form = SpaceForm(
        title=title,
        slug=slug,
        summary=summary,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        audience=audience,
        minimum_age=minimum_age if audience == Audience.AGE else 0,
        districts=tuple(d for d in districts if d in districts_chosen),
        published=data.get("published") == "yes",
        base_version=base_version,
        methods=tuple(m for m in METHODS if m in methods) if audience != Audience.SIGNED_IN else (),
        comments_open=data.get("comments_closed") != "yes",
    )
    return form, problems


@dataclass(frozen=True)
class StepForm:
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    position: int


def parse_step_form(data: Mapping[str, str]) -> tuple[StepForm, list[Problem]]:
    problems: list[Problem] = []
    title = bounded_text(data, "title", STEP_TITLE_LENGTH, problems)
    if not title:
        problems.append(Problem(N_("Give the step a title."), field="title"))
    starts_at = local_moment(data, "starts_at", problems)
    ends_at = local_moment(data, "ends_at", problems)
    if starts_at is None and not any(p.field == "starts_at" for p in problems):
        problems.append(Problem(N_("Enter the date the step begins."), field="starts_at"))
    if starts_at and ends_at and ends_at <= starts_at:
        problems.append(Problem(N_("The end must come after the start."), field="ends_at"))
    position = _integer(data.get("position", ""), "position", 0, 1000, problems)
    return StepForm(title, starts_at, ends_at, position), problems


def parse_space_choice(raw: str, problems: list[Problem], field: str = "space") -> int | None:
    """A feature form's space field: "" is none, else an id (a forged one is refused by
    `participation.spaces.services.check_choice`)."""
    space_id = parse_id(raw)
    if raw.strip() and space_id is None:
        problems.append(Problem(N_("Choose a space from the list."), field=field))
    return space_id
