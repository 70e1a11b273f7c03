"""The audience rule of a collection's space applied to proposals (issue #18): who may propose,
support and comment there. The decision is pure (`domain.audience_problem`); here, the reads it
needs: the space's rule (one query) and, for a rule that asks for more than an account, what
the register says of the person (one more)."""

from __future__ import annotations

from typing import Any

from tortoise import timezone

from participation.i18n import gettext
from participation.permissions import is_staff
from participation.proposals import domain
from participation.proposals.collections import services as collections
from participation.refusals import Problem
from participation.residents.services import resident_of
from participation.spaces.audience import person_of, rule_of_columns, shown_value
from participation.spaces.domain import Audience, Person
from participation.spaces.models import Space


async def problem_in(user: Any, space_id: int | None) -> Problem | None:
    """Why `user` may not take part in the proposals of the space `space_id` (None: no space,
    nothing stops them)."""
    if space_id is None or is_staff(user):
        return None  # no query: nothing to decide
    rows = await Space.filter(id=space_id).values("audience", "minimum_age", "districts", "methods")
    rule = rule_of_columns(**rows[0]) if rows else None
    if rule is None or rule.audience == Audience.SIGNED_IN:
        return None  # the component's own rules decide (domain.audience_refusal)
    if getattr(user, "is_authenticated", False):
        person = person_of(user, (await resident_of(user))[0])
    else:
        person = Person(signed_in=False)
    return domain.audience_problem(user, rule, person, timezone.now().date())


def text_of(problem: Problem) -> str:
    """The refusal as the person reads it, in their language."""
    values = {name: shown_value(name, value) for name, value in problem.values.items()}
    return gettext(problem.message).format(**values)


async def open_to(user: Any) -> tuple[list[Any], list[Any], Problem | None]:
    """The collections open for proposals now, those of them whose space admits `user` (one
    query per space), and why none does (None: some do, or none is open)."""
    open_now = await collections.open_for_proposals(timezone.now())
    refusals = {space_id: await problem_in(user, space_id) for space_id in
                {c.space_id for c in open_now}}  # fmt: skip
    admitted = [c for c in open_now if refusals[c.space_id] is None]
    why = next((p for p in refusals.values() if p is not None), None)
    return open_now, admitted, why if open_now and not admitted else None
