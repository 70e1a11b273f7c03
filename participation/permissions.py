"""Permissions are pure predicates over the user (and later object, phase and time)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


def is_signed_in(user: Any) -> bool:
    return bool(user.is_authenticated)


def can_moderate(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_moderator)


def can_reach_moderation(user: Any) -> bool:
    """The moderation queue (/moderation) and the header's link to it: a site moderator, or a
    moderator of some participatory spaces (`moderates_a_space`, read with the session by
    moderation's session column), who sees and decides those spaces' cases only."""
    return can_moderate(user) or bool(
        user.is_authenticated and getattr(user, "moderates_a_space", False)
    )


def can_reach_evaluation(user: Any) -> bool:
    """The evaluation pages' list and the header's « Évaluer des projets »: a person who
    evaluates budget projects in some participatory space (`evaluates_a_space`, read with the
    session: participation/people/services.py::EVALUATES_A_SPACE_SQL). Withdrawn, the role
    stops opening them at the next request."""
    return bool(user.is_authenticated and getattr(user, "evaluates_a_space", False))


def can_evaluate_in_space(user: Any, space_id: int | None, evaluated: Collection[int]) -> bool:
    """May `user` review the feasibility of the budget projects of the space `space_id`: they
    hold the evaluator role of that space (`evaluated`: the spaces where they hold it,
    `people.services.evaluated_spaces`). A budget of no space has no evaluator; the site-wide
    role opens nothing here (administrators review on the budget's staff page)."""
    return bool(user.is_authenticated and space_id is not None and space_id in evaluated)


def can_administer(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_admin)


def can_see_design_system(user: Any) -> bool:
    """The living page of the design system (/design): staff (moderators, desk officers,
    administrators); anyone while the app runs in development (participation/pages.py)."""
    return can_moderate(user) or can_work_at_desk(user)


def can_work_at_desk(user: Any) -> bool:
    """The town-hall desk (issue #19): verify a resident in person, record a paper ballot, take
    a contribution at the counter, find the person for these. Agents and administrators."""
    return bool(user.is_authenticated and getattr(user, "is_agent", False))


def is_verified_resident(user: Any) -> bool:
    """May support, amend and comment: signed in with a confirmed e-mail address.

    The census check (resident register) will be added here by the budgets issue; a person
    blocked by a moderator is not allowed (moderation); every feature asks this one predicate.
    """
    return bool(
        user.is_authenticated
        and getattr(user, "email_confirmed_at", None) is not None
        and not getattr(user, "is_blocked", False)
    )


def is_staff(user: Any) -> bool:
    """Council staff: answer proposals officially and move them through their states."""
    return can_administer(user)
