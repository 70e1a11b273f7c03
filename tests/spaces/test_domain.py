"""Pure rules of spaces, as tables: the current step, a space's state, the audience rule, the
staff form's checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from participation.spaces.domain import (
    Audience,
    AudienceRule,
    Person,
    State,
    Step,
    current_step,
    may_take_part,
    parse_space_form,
    parse_step_form,
    slugify,
    state_of,
)


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


IDEAS = Step("Idées", at(3, 1), at(4, 1), 1, 1)
ANALYSIS = Step("Analyse", at(4, 1), at(5, 1), 2, 2)
VOTE = Step("Vote", at(5, 15), at(6, 15, 16), 3, 3)
RESULTS = Step("Résultats", at(6, 20), None, 4, 4)
TIMELINE = [RESULTS, VOTE, IDEAS, ANALYSIS]  # any order: the timeline's is by position


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2, 1), None),  # before the first step
        (at(3, 1), IDEAS),  # a step begins at its start
        (at(3, 31), IDEAS),
        (at(4, 1), ANALYSIS),  # the next one takes over at the previous one's end
        (at(5, 10), None),  # between two steps
        (at(6, 15, 15), VOTE),
        (at(6, 15, 16), None),  # the vote ends at its deadline
        (at(6, 20), RESULTS),
        (at(12, 31), RESULTS),  # a step with no end goes on
    ],
)
def test_current_step(now: datetime, expected: Step | None) -> None:
    assert current_step(TIMELINE, now) == expected


def test_overlapping_steps_the_later_in_the_timeline_wins() -> None:
    late = Step("Vote", at(3, 10), at(3, 20), 5, 9)
    assert current_step([IDEAS, late], at(3, 15)) == late
    assert current_step([], at(3, 15)) is None


@pytest.mark.parametrize(
    ("starts", "ends", "now", "expected"),
    [
        (at(3, 1), at(6, 1), at(2, 1), State.UPCOMING),
        (at(3, 1), at(6, 1), at(3, 1), State.OPEN),
        (at(3, 1), at(6, 1), at(6, 1), State.PAST),
        (at(3, 1), None, at(12, 1), State.OPEN),  # ongoing
    ],
)
def test_state(starts: datetime, ends: datetime | None, now: datetime, expected: State) -> None:
    assert state_of(starts, ends, now) == expected


TODAY = date(2027, 6, 1)
ANYONE = AudienceRule()
RESIDENTS = AudienceRule(Audience.RESIDENTS)
NORD = AudienceRule(Audience.RESIDENTS, districts=("Nord",))
ADULTS = AudienceRule(Audience.AGE, minimum_age=16)
VISITOR = Person(signed_in=False)
ACCOUNT = Person(signed_in=True)
RESIDENT_NORD = Person(True, True, "Nord", date(1990, 1, 1))
RESIDENT_SUD = Person(True, True, "Sud", date(1990, 1, 1))
TEEN = Person(True, True, "Nord", date(2011, 6, 2))  # 15 the day before their birthday
SIXTEEN = Person(True, True, "Nord", date(2011, 6, 1))


@pytest.mark.parametrize(
    ("rule", "person", "allowed"),
    [
        (ANYONE, VISITOR, False),
        (ANYONE, ACCOUNT, True),
        (RESIDENTS, ACCOUNT, False),
        (RESIDENTS, RESIDENT_SUD, True),
        (NORD, RESIDENT_NORD, True),
        (NORD, RESIDENT_SUD, False),
        (ADULTS, TEEN, False),
        (ADULTS, SIXTEEN, True),
        (ADULTS, Person(True, True, "Nord", None), False),  # no birth date known
        (ADULTS, ACCOUNT, False),
    ],
)
def test_audience(rule: AudienceRule, person: Person, allowed: bool) -> None:
    assert may_take_part(rule, person, TODAY) is allowed


def test_slugify() -> None:
    assert slugify("Budget participatif 2027\u00a0!") == "budget-participatif-2027"
    assert slugify("Égalité – Été") == "egalite-ete"


FORM = {
    "title": "Budget 2027",
    "starts_at": "2027-03-01T09:00",
    "ends_at": "2027-06-30T18:00",
    "audience": "signed_in",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"slug": "Budget 2027"}, "slug"),
        ({"slug": "budget--2027"}, "slug"),
        ({"starts_at": ""}, "starts_at"),
        ({"ends_at": "2027-02-01T09:00"}, "ends_at"),  # end before start
        ({"ends_at": "2027-03-01T09:00"}, "ends_at"),  # end at start
        ({"audience": "everyone"}, "audience"),
        ({"audience": "age"}, "minimum_age"),
        ({"audience": "age", "minimum_age": "²"}, "minimum_age"),
        ({"minimum_age": "500", "audience": "age"}, "minimum_age"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_space_form_problems(changes: dict[str, str], field: str) -> None:
    _, problems = parse_space_form({**FORM, **changes}, ["Nord"], [])
    assert field in [p.field for p in problems]


def test_space_form_ok_and_districts_checked() -> None:
    form, problems = parse_space_form(FORM, ["Nord", "Sud"], ["Sud"])
    assert problems == [] and form.slug == "budget-2027" and form.districts == ("Sud",)
    assert form.comments_open  # the box says "closed": a form without it keeps comments open
    closed, _ = parse_space_form({**FORM, "comments_closed": "yes"}, ["Nord"], [])
    assert not closed.comments_open
    _, problems = parse_space_form(FORM, ["Nord"], ["Ailleurs"])
    assert [p.field for p in problems] == ["districts"]


def test_step_form() -> None:
    form, problems = parse_step_form({"title": "Vote", "starts_at": "2027-05-15T09:00"})
    assert problems == [] and form.ends_at is None
    _, problems = parse_step_form(
        {"title": "", "starts_at": "2027-05-15T09:00", "ends_at": "2027-05-01T09:00"}
    )
    assert sorted(p.field for p in problems) == ["ends_at", "title"]
