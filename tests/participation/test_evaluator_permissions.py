"""The evaluator of a space's budget projects (issue #18), as pure predicates: a role in one
participatory space (`people.domain.SPACE_ROLES`), checked like the space moderator's grant,
and the two questions the budgets feature asks the core (`permissions.can_reach_evaluation`,
`permissions.can_evaluate_in_space`). No database, no HTTP."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from participation.people.domain import SPACE_ROLES, space_role_problem
from participation.permissions import can_evaluate_in_space, can_reach_evaluation

OURS, THEIRS = 7, 8


def _someone(
    signed_in: bool = True, admin: bool = False, evaluates: bool = False
) -> SimpleNamespace:
    """A user as the session lookup gives it (`evaluates_a_space`: read with the session)."""
    return SimpleNamespace(
        is_authenticated=signed_in, is_admin=admin, is_moderator=admin, evaluates_a_space=evaluates
    )


@pytest.mark.parametrize(
    ("who", "reaches"),
    [
        (_someone(signed_in=False), False),
        (_someone(signed_in=False, evaluates=True), False),  # a stale flag without a session
        (_someone(), False),
        (_someone(admin=True), False),  # the site-wide role is another thing
        (_someone(evaluates=True), True),
    ],
)
def test_who_reaches_the_evaluation_pages(who: SimpleNamespace, reaches: bool) -> None:
    assert can_reach_evaluation(who) is reaches


@pytest.mark.parametrize(
    ("who", "space", "evaluated", "may"),
    [
        (_someone(evaluates=True), OURS, {OURS}, True),
        (_someone(evaluates=True), OURS, {THEIRS, OURS}, True),
        (_someone(evaluates=True), THEIRS, {OURS}, False),  # another space's budget
        (_someone(evaluates=True), None, {OURS}, False),  # a budget of no space
        (_someone(evaluates=True), OURS, set(), False),  # the role withdrawn meanwhile
        (_someone(admin=True), OURS, set(), False),  # administrators use the staff page
        (_someone(signed_in=False), OURS, {OURS}, False),
    ],
)
def test_who_evaluates_in_a_space(
    who: SimpleNamespace, space: int | None, evaluated: set[int], may: bool
) -> None:
    assert can_evaluate_in_space(who, space, frozenset(evaluated)) is may


def test_the_evaluator_is_a_role_of_a_space_granted_with_the_moderators_checks() -> None:
    assert "evaluator" in SPACE_ROLES and "moderator" in SPACE_ROLES
    assert space_role_problem("evaluator", True, False, False) is None
    assert space_role_problem("evaluator", True, True, False) == (
        "This person already has this role in this space."
    )
    assert space_role_problem("evaluator", False, False, False) == "Choose a space from the list."
    assert space_role_problem("evaluator", True, False, True) == (
        "This account was deleted: its roles cannot change."
    )
    assert space_role_problem("reviewer", True, False, False) == "Choose one of the roles listed."
