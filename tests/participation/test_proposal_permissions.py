"""Who may do what on a proposal, as pure predicates (participation/proposals/domain.py over
participation/permissions.py): a matrix of people x the proposal's life before, during and after
its open phase x moderation, without HTTP nor database, in the manner of adhocracy4's
`rules/test_rules_*.py`. The HTTP tests (test_proposals.py, tests/security/test_access_matrix.py)
check that the routes ask these predicates; here every cell of the table is checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from participation import permissions
from participation.contributions import ModerationState
from participation.proposals import domain
from participation.proposals.domain import Actor, ProposalFacts
from participation.proposals.domain import ProposalState as S

CONFIRMED = datetime(2026, 1, 5, tzinfo=UTC)
AUTHOR, COAUTHOR = 1, 2


def person(
    id: int | None,
    *,
    confirmed: bool = True,
    blocked: bool = False,
    moderator: bool = False,
    admin: bool = False,
) -> SimpleNamespace:
    return SimpleNamespace(
        id=id,
        is_authenticated=id is not None,
        email_confirmed_at=CONFIRMED if confirmed and id is not None else None,
        is_blocked=blocked,
        is_moderator=moderator or admin,
        is_admin=admin,
    )


PEOPLE = {
    "anonymous": person(None),
    "unconfirmed": person(10, confirmed=False),
    "resident": person(11),
    "blocked": person(12, blocked=True),
    "author": person(AUTHOR),
    "coauthor": person(COAUTHOR),
    "moderator": person(13, moderator=True),
    "staff": person(14, admin=True),
}

# the proposal's life: before its open phase, during it, after it (and withdrawn)
BEFORE = (S.DRAFT, S.PENDING)
DURING = (S.PUBLISHED, S.THRESHOLD_REACHED)
AFTER = (S.UNDER_ANALYSIS, S.ACCEPTED, S.REFUSED, S.DONE)
PHASES = {"before": BEFORE, "during": DURING, "after": AFTER, "withdrawn": (S.WITHDRAWN,)}
ALL_STATES = frozenset(S)
assert ALL_STATES == frozenset(state for states in PHASES.values() for state in states)

EVERYONE_VERIFIED = ("resident", "author", "coauthor", "moderator", "staff")

# predicate -> person -> the states in which it is allowed, for a visible proposal; written
# out by hand from the rules (README, proposals), not computed from the code under test
VISIBLE: dict[str, dict[str, frozenset[S]]] = {
    "can_edit": {
        "author": frozenset({S.DRAFT, *DURING}),
        "coauthor": frozenset({S.DRAFT, *DURING}),
    },
    "can_invite": {"author": frozenset({S.DRAFT, *DURING})},  # the first author only
    "can_support": {name: frozenset(DURING) for name in EVERYONE_VERIFIED},
    "can_amend": {name: frozenset(DURING) for name in ("resident", "moderator", "staff")},
    "can_decide_amendment": {
        "author": frozenset(DURING),
        "coauthor": frozenset(DURING),
    },
    "can_comment": {name: frozenset({*DURING, *AFTER}) for name in EVERYONE_VERIFIED},
    "can_answer": {"staff": frozenset({*DURING, *AFTER})},
}
# residents act on what everyone sees: a hidden or pending proposal is closed to them
NEEDS_VISIBLE = {"can_support", "can_amend", "can_comment"}

PREDICATES: dict[str, Callable[[Any, ProposalFacts], bool]] = {
    name: getattr(domain, name) for name in VISIBLE
}


def facts(state: S, moderation: ModerationState = ModerationState.VISIBLE) -> ProposalFacts:
    return ProposalFacts(
        author_id=AUTHOR,
        state=state,
        moderation_state=moderation,
        coauthor_ids=frozenset({COAUTHOR}),
    )


def allowed_states(predicate: str, who: str, moderation: ModerationState) -> frozenset[S]:
    if moderation != ModerationState.VISIBLE and predicate in NEEDS_VISIBLE:
        return frozenset()
    return VISIBLE[predicate].get(who, frozenset())


@pytest.mark.parametrize("moderation", list(ModerationState))
@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("predicate", list(PREDICATES))
def test_permission_matrix(predicate: str, who: str, moderation: ModerationState) -> None:
    expected = allowed_states(predicate, who, moderation)
    check = PREDICATES[predicate]
    for phase, states in PHASES.items():
        got = {state for state in states if check(PEOPLE[who], facts(state, moderation))}
        assert got == expected & set(states), (predicate, who, moderation.value, phase)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", set()),
        ("unconfirmed", set()),
        ("resident", set(DURING)),
        ("blocked", set()),
        ("author", set()),  # no amendment to one's own proposal
        ("coauthor", set()),
    ],
)
def test_amending_is_supporting_minus_the_authors(who: str, expected: set[S]) -> None:
    assert {s for s in ALL_STATES if domain.can_amend(PEOPLE[who], facts(s))} == expected


@pytest.mark.parametrize(
    ("who", "state", "actor"),
    [
        ("staff", S.PUBLISHED, Actor.STAFF),
        ("staff", S.UNDER_ANALYSIS, Actor.STAFF),
        ("staff", S.DRAFT, Actor.MODERATOR),  # a draft is not the council's yet
        ("author", S.DRAFT, Actor.AUTHOR),
        ("coauthor", S.PUBLISHED, Actor.AUTHOR),
        ("moderator", S.PENDING, Actor.MODERATOR),
        ("resident", S.PUBLISHED, None),
        ("anonymous", S.PUBLISHED, None),
    ],
)
def test_the_role_in_which_a_person_moves_the_state(who: str, state: S, actor: Actor) -> None:
    assert domain.actor_for(PEOPLE[who], facts(state)) == actor


@pytest.mark.parametrize(
    ("who", "signed_in", "verified", "moderates", "administers"),
    [
        ("anonymous", False, False, False, False),
        ("unconfirmed", True, False, False, False),
        ("resident", True, True, False, False),
        ("blocked", True, False, False, False),
        ("moderator", True, True, True, False),
        ("staff", True, True, True, True),
    ],
)
def test_the_core_predicates(
    who: str, signed_in: bool, verified: bool, moderates: bool, administers: bool
) -> None:
    user = PEOPLE[who]
    assert permissions.is_signed_in(user) is signed_in
    assert permissions.is_verified_resident(user) is verified
    assert permissions.can_moderate(user) is moderates
    assert permissions.can_administer(user) is administers
    assert permissions.is_staff(user) is administers
