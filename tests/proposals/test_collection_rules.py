"""The rules of a proposals collection, pure and without HTTP (participation/proposals/domain.py):
its state now, whether one may propose, the threshold reached, pre-moderation, the choice of a
collection in the form, the form's checks, and the collection's side of who may amend and
comment (the space's comments switch)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from participation.accounts.models import Role
from participation.contributions import ModerationState
from participation.proposals.domain import (
    NO_COLLECTION_OPEN,
    CollectionRules,
    CollectionState,
    ProposalFacts,
    ProposalState,
    audience_problem,
    can_amend,
    can_comment,
    choose_collection,
    collection_state,
    may_propose_now,
    needs_premoderation,
    offered_category_ids,
    parse_collection,
    support_threshold,
    threshold_reached,
)
from participation.spaces.domain import Audience, AudienceRule, Person

NOW = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def rules(**changes: object) -> CollectionRules:
    return CollectionRules(support_threshold=50, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("accepting", "opens_at", "closes_at", "expected"),
    [
        (True, None, None, CollectionState.OPEN),
        (False, None, None, CollectionState.CLOSED),  # the switch wins over the dates
        (False, NOW - DAY, NOW + DAY, CollectionState.CLOSED),
        (True, NOW + DAY, None, CollectionState.UPCOMING),
        (True, NOW, None, CollectionState.OPEN),  # opens at that very moment
        (True, None, NOW, CollectionState.CLOSED),  # closes at that very moment
        (True, NOW - DAY, NOW + DAY, CollectionState.OPEN),
        (True, NOW - 2 * DAY, NOW - DAY, CollectionState.CLOSED),
    ],
)
def test_a_collections_state_now(
    accepting: bool,
    opens_at: datetime | None,
    closes_at: datetime | None,
    expected: CollectionState,
) -> None:
    found = rules(accepting=accepting, opens_at=opens_at, closes_at=closes_at)
    assert collection_state(found, NOW) == expected
    assert may_propose_now(found, NOW) == (expected == CollectionState.OPEN)


def test_a_proposal_in_no_collection_follows_the_site() -> None:
    assert may_propose_now(None, NOW)
    assert support_threshold(None, 300) == 300
    assert needs_premoderation(None, True) and not needs_premoderation(None, False)


def test_the_collection_decides_over_the_site() -> None:
    assert support_threshold(rules(), 300) == 50
    assert needs_premoderation(rules(premoderated=True), False)
    assert not needs_premoderation(rules(premoderated=False), True)


@pytest.mark.parametrize(
    ("state", "count", "expected"),
    [
        (ProposalState.PUBLISHED, 49, False),
        (ProposalState.PUBLISHED, 50, True),
        (ProposalState.PUBLISHED, 51, True),
        (ProposalState.THRESHOLD_REACHED, 80, False),  # already there: no second move
        (ProposalState.UNDER_ANALYSIS, 80, False),
    ],
)
def test_the_threshold_reached_is_the_collections(
    state: ProposalState, count: int, expected: bool
) -> None:
    assert threshold_reached(state, count, rules(), 300) == expected


@pytest.mark.parametrize(
    ("open_ids", "raw", "expected"),
    [
        ([], "", (None, NO_COLLECTION_OPEN)),
        ([], "3", (None, NO_COLLECTION_OPEN)),
        ([3], "", (3, None)),  # the only one open: the form did not ask
        ([3], "3", (3, None)),
        ([3], "4", (None, "Choose a collection from the list.")),  # a closed or forged one
        ([3, 4], "", (None, "Choose a collection from the list.")),
        ([3, 4], "4", (4, None)),
        ([3, 4], "4 OR 1=1", (None, "Choose a collection from the list.")),
        ([3, 4], "-3", (None, "Choose a collection from the list.")),
    ],
)
def test_choosing_a_collection(
    open_ids: list[int], raw: str, expected: tuple[int | None, str | None]
) -> None:
    assert choose_collection(open_ids, raw) == expected


VALID = {
    "title": "Boîte à idées 2027",
    "space": "2",
    "support_threshold": "120",
    "premoderated": "on",
    "amendments_open": "on",
    "accepting": "on",
    "opens_at": "2027-03-01T09:00",
    "closes_at": "2027-06-30T18:00",
}


def test_a_valid_form() -> None:
    form, problems = parse_collection(VALID)
    assert problems == []
    assert (form.title, form.space_id, form.support_threshold) == ("Boîte à idées 2027", 2, 120)
    assert form.premoderated and form.amendments_open and form.accepting
    assert form.opens_at == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # Paris in winter: UTC+1
    unticked, _ = parse_collection({**VALID, "premoderated": "", "accepting": ""})
    assert not unticked.premoderated and not unticked.accepting


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"space": ""}, "space"),
        ({"space": "abc"}, "space"),
        ({"support_threshold": "0"}, "support_threshold"),
        ({"support_threshold": "1000001"}, "support_threshold"),
        ({"support_threshold": "1e9"}, "support_threshold"),
        ({"support_threshold": "-5"}, "support_threshold"),
        ({"opens_at": "demain"}, "opens_at"),
        ({"closes_at": "2027-02-01T09:00"}, "closes_at"),  # before it opens
        ({"closes_at": "2027-03-01T09:00"}, "closes_at"),  # when it opens
    ],
)
def test_a_wrong_field_is_named(changes: dict[str, str], field: str) -> None:
    _, problems = parse_collection({**VALID, **changes})
    assert [p.field for p in problems] == [field]


def _facts(**changes: object) -> ProposalFacts:
    return ProposalFacts(
        author_id=1,
        state=ProposalState.PUBLISHED,
        moderation_state=ModerationState.VISIBLE,
        **changes,  # type: ignore[arg-type]
    )


class Resident:
    is_authenticated = True
    id = 2
    role = "citizen"
    email_confirmed_at = NOW
    is_moderator = False
    is_blocked = False


def test_amendments_closed_by_the_collection() -> None:
    assert can_amend(Resident(), _facts())
    assert not can_amend(Resident(), _facts(amendments_open=False))


def test_comments_closed_by_the_space() -> None:
    assert can_comment(Resident(), _facts())
    assert not can_comment(Resident(), _facts(comments_open=False))


@pytest.mark.parametrize(
    ("own", "expected"),
    [
        ([], {1, 2, 3}),  # no collection in play: the site's
        ([set()], {1, 2, 3}),  # a collection that chose none: the site's
        ([{2}], {2}),
        ([{2}, {3}], {2, 3}),  # the person chooses among two: either's
        ([{2}, set()], {1, 2, 3}),
        ([{2, 9}], {2}),  # never one the site no longer has
    ],
)
def test_the_categories_a_collection_offers(own: list[set[int]], expected: set[int]) -> None:
    assert offered_category_ids(own, {1, 2, 3}) == expected


def test_a_forged_category_box_is_named() -> None:
    form, problems = parse_collection(
        {"title": "Idées", "space": "1", "support_threshold": "5"}, ["3", "abc", "3"]
    )
    assert [p.field for p in problems] == ["categories"]
    assert parse_collection({}, ["3", "1", "3"])[0].category_ids == (1, 3)


class Someone:
    """A signed-in account as the predicates read it."""

    def __init__(self, role: Role = Role.CITIZEN) -> None:
        self.is_authenticated, self.is_admin, self.id = True, role == Role.ADMIN, 7


@pytest.mark.parametrize(
    ("role", "rule", "person", "refused"),
    [
        (Role.CITIZEN, None, Person(True), False),  # in no space: nothing to ask
        (Role.CITIZEN, AudienceRule(), Person(True), False),  # anyone signed in
        (Role.CITIZEN, AudienceRule(Audience.RESIDENTS), Person(True), True),
        (Role.CITIZEN, AudienceRule(Audience.RESIDENTS), Person(True, True), False),
        (
            Role.CITIZEN,
            AudienceRule(Audience.AGE, 16),
            Person(True, True, None, date(2015, 1, 1)),
            True,
        ),
        (Role.ADMIN, AudienceRule(Audience.AGE, 16), Person(True), False),  # staff: never
    ],
)
def test_the_spaces_audience_decides_who_takes_part_in_its_proposals(
    role: Role, rule: AudienceRule | None, person: Person, refused: bool
) -> None:
    problem = audience_problem(Someone(role), rule, person, date(2027, 3, 15))
    assert (problem is not None) == refused
