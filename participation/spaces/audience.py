"""Who may take part in a space's components, as the features ask it (issue #19): the person as
the audience rule sees them (`person_of`), the rule of a space's stored columns read once per
process (`rule_of_columns`), and how a refusal's values read (`shown_value`). The decision is
`spaces.domain.may_take_part` / `audience_refusal` (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from participation.i18n import gettext
from participation.permissions import is_staff
from participation.refusals import Problem
from participation.residents.domain import Resident
from participation.residents.methods import METHODS
from participation.residents.services import resident_of
from participation.spaces.domain import (
    Audience,
    AudienceRule,
    Person,
    audience_refusal,
    audience_rule,
)
from participation.spaces.models import Space
from participation.web import errors_of


def person_of(user: Any, resident: Resident) -> Person:
    return Person(
        bool(user.is_authenticated),
        resident.verified,
        resident.district,
        resident.birth_date,
        resident.method,
    )


def _names(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = json.loads(raw)
    return tuple(str(name) for name in raw or ())


@lru_cache(maxsize=256)
def _rule(audience: str, minimum_age: int, districts: Any, methods: Any) -> AudienceRule:
    return audience_rule(audience, minimum_age, _names(districts), _names(methods))


def rule_of_columns(
    audience: str | None, minimum_age: int | None, districts: Any, methods: Any
) -> AudienceRule | None:
    """The rule of a space read as raw columns (a join's row; JSON as text or lists); None: no
    space. Built once per process for each value (the ballot's hot path)."""
    if audience is None:
        return None
    key_districts = districts if isinstance(districts, (str, type(None))) else json.dumps(districts)
    key_methods = methods if isinstance(methods, (str, type(None))) else json.dumps(methods)
    return _rule(str(audience), int(minimum_age or 0), key_districts, key_methods)


def rule_of_space(space: Any) -> AudienceRule:
    return audience_rule(space.audience, space.minimum_age, space.districts, space.methods)


def shown_value(name: str, value: object) -> object:
    """How a refusal's value reads: the methods by their labels, in the reader's language."""
    if name == "methods" and isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(gettext(METHODS[m].label) if m in METHODS else m for m in value)
    return value


async def rule_of(space_id: int | None) -> AudienceRule | None:
    """The rule of the space `space_id` (None: no space, or none of that id). One query."""
    if space_id is None:
        return None
    rows = await Space.filter(id=space_id).values("audience", "minimum_age", "districts", "methods")
    return rule_of_columns(**rows[0]) if rows else None


def asks_more_than_an_account(rule: AudienceRule | None) -> bool:
    """Whether deciding needs what the register says of the person: "anyone signed in" leaves
    the decision to the component (`audience_refusal`), so the register is not read for it."""
    return rule is not None and rule.audience != Audience.SIGNED_IN


async def person_for(user: Any) -> Person:
    """`user` as the audience rule sees them: what the register says of them (one query)."""
    if getattr(user, "is_authenticated", False):
        return person_of(user, (await resident_of(user))[0])
    return Person(signed_in=False)


async def refusal_for(space_id: int | None, person: Person, today: date) -> Problem | None:
    """Why `person` may not take part in a component of the space `space_id` (None: they may,
    or the component belongs to no space). One query: the space's rule columns."""
    rule = await rule_of(space_id)
    return None if rule is None else audience_refusal(rule, person, today)


async def refusal_under(user: Any, rule: AudienceRule | None, today: date) -> Problem | None:
    """Why `user` may not take part in a component of a space with `rule` (None: they may, or
    no space). Staff are never refused (they moderate and answer everywhere); what the register
    says of the person is read (one query) only for a rule stricter than "anyone signed in".
    Whoever asks decides who else is not asked (the counter's agents)."""
    if is_staff(user) or not asks_more_than_an_account(rule):
        return None
    assert rule is not None
    return audience_refusal(rule, await person_for(user), today)


async def refusal_of(user: Any, space_id: int | None, today: date) -> Problem | None:
    """`refusal_under` the rule of the space `space_id`: no query for staff, one for the
    space's rule, one more for the register when the rule asks for more than an account."""
    if is_staff(user):
        return None
    return await refusal_under(user, await rule_of(space_id), today)


def text_of(problem: Problem) -> str:
    """A refusal as the person reads it, in their language (the methods by their labels)."""
    return errors_of([problem], shown_value)[problem.field]
