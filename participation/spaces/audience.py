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
from participation.refusals import Problem
from participation.residents.domain import Resident
from participation.residents.methods import METHODS
from participation.spaces.domain import AudienceRule, Person, audience_refusal, audience_rule
from participation.spaces.models import Space


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


async def refusal_for(space_id: int | None, person: Person, today: date) -> Problem | None:
    """Why `person` may not take part in a component of the space `space_id` (None: they may,
    or the component belongs to no space). One query: the space's rule columns."""
    if space_id is None:
        return None
    rows = await Space.filter(id=space_id).values("audience", "minimum_age", "districts", "methods")
    if not rows:
        return None
    rule = rule_of_columns(**rows[0])
    return None if rule is None else audience_refusal(rule, person, today)
