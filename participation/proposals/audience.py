"""The audience rule of a collection's space applied to proposals (issue #18): who may propose,
support and comment there. The decision is pure (`domain.audience_problem`); here, the reads it
needs: the space's rule (the space loaded with the collections, or one query) and, for a rule
that asks for more than an account, what the register says of the person (one more, once)."""

from __future__ import annotations

from typing import Any

from tortoise import timezone

from participation.permissions import is_staff
from participation.proposals import domain
from participation.proposals.collections import services as collections
from participation.refusals import Problem
from participation.spaces import audience
from participation.spaces.audience import asks_more_than_an_account, person_for, rule_of_space


async def problem_in_collection(user: Any, collection: Any) -> Problem | None:
    """Why `user` may not take part in the proposals of `collection`, read with its space
    (`queries.collection_of`): no query for the rule (None: nothing stops them)."""
    if collection is None:
        return None
    rule = rule_of_space(collection.space)
    return await audience.refusal_under(user, rule, timezone.now().date())


async def open_to(user: Any) -> tuple[list[Any], list[Any], Problem | None]:
    """The collections open for proposals now, those of them whose space admits `user`, and why
    none does (None: some do, or none is open). The spaces come with the collections; the
    person is read once, and only when a space asks for more than an account."""
    open_now = await collections.open_for_proposals(timezone.now())
    asking = {c.space_id: rule_of_space(c.space) for c in open_now}
    asking = {
        space_id: rule for space_id, rule in asking.items() if asks_more_than_an_account(rule)
    }
    refusals: dict[int, Problem | None] = {}
    if asking and not is_staff(user):
        person, today = await person_for(user), timezone.now().date()
        refusals = {
            space_id: domain.audience_problem(user, rule, person, today)
            for space_id, rule in asking.items()
        }
    admitted = [c for c in open_now if refusals.get(c.space_id) is None]
    why = next((p for p in refusals.values() if p is not None), None)
    return open_now, admitted, why if open_now and not admitted else None
