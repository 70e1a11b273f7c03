"""Moderation rules as pure functions: no database, no HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from moderation import domain
from moderation.domain import (
    Action,
    BlockDuration,
    DomainError,
    ModerationState,
    ReportReason,
)

MV = ModerationState
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def person(id: int = 1, admin: bool = False) -> SimpleNamespace:
    return SimpleNamespace(id=id, is_authenticated=True, is_admin=admin, is_moderator=admin)


ANONYMOUS = SimpleNamespace(id=None, is_authenticated=False, is_admin=False, is_moderator=False)


def test_new_content_is_pending_only_when_its_type_is_premoderated() -> None:
    assert domain.initial_state(True) == MV.PENDING
    assert domain.initial_state(False) == MV.VISIBLE


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (MV.PENDING, Action.APPROVE, MV.VISIBLE),
        (MV.HIDDEN, Action.APPROVE, MV.VISIBLE),
        (MV.VISIBLE, Action.APPROVE, MV.VISIBLE),  # reports dismissed
        (MV.VISIBLE, Action.HIDE, MV.HIDDEN),
        (MV.HIDDEN, Action.HIDE, MV.HIDDEN),  # an automatic hiding confirmed
        (MV.PENDING, Action.REJECT, MV.HIDDEN),
    ],
)
def test_decisions(current: ModerationState, action: Action, expected: ModerationState) -> None:
    assert domain.decide(current, action) == expected


@pytest.mark.parametrize("current", [MV.VISIBLE, MV.HIDDEN])
def test_only_pending_content_can_be_rejected(current: ModerationState) -> None:
    with pytest.raises(DomainError):
        domain.decide(current, Action.REJECT)


def test_a_reason_is_required_and_bounded() -> None:
    assert domain.reason_problem("   ") is not None
    assert domain.reason_problem("x" * 1001) is not None
    assert domain.reason_problem("Propos injurieux.") is None


@pytest.mark.parametrize(
    ("current", "reports", "threshold", "expected"),
    [
        (MV.VISIBLE, 2, 3, MV.VISIBLE),
        (MV.VISIBLE, 3, 3, MV.HIDDEN),
        (MV.VISIBLE, 1, 1, MV.HIDDEN),
        (MV.PENDING, 5, 3, MV.PENDING),  # pending content stays pending
        (MV.HIDDEN, 5, 3, MV.HIDDEN),
    ],
)
def test_report_threshold(
    current: ModerationState, reports: int, threshold: int, expected: ModerationState
) -> None:
    assert domain.after_report(current, reports, threshold) == expected


def test_report_form() -> None:
    assert domain.report_problems("spam", "") == {}
    assert "reason" in domain.report_problems("boring", "")
    assert "text" in domain.report_problems(ReportReason.OTHER, "")
    assert "text" in domain.report_problems("spam", "x" * 1001)


def test_who_may_report() -> None:
    assert domain.can_report(person(1), author_id=2)
    assert not domain.can_report(person(2), author_id=2)
    assert not domain.can_report(ANONYMOUS, author_id=2)


def test_one_review_request_by_the_author_of_hidden_or_rejected_content() -> None:
    author = person(7)
    assert domain.can_request_review(author, 7, Action.HIDE, False)
    assert domain.can_request_review(author, 7, Action.REJECT, False)
    assert not domain.can_request_review(author, 7, Action.HIDE, True)
    assert not domain.can_request_review(author, 7, Action.APPROVE, False)
    assert not domain.can_request_review(person(8), 7, Action.HIDE, False)


def test_block_durations() -> None:
    assert domain.block_ends_at(NOW, BlockDuration.DAY) == NOW + timedelta(days=1)
    assert domain.block_ends_at(NOW, BlockDuration.WEEK) == NOW + timedelta(days=7)
    assert domain.block_ends_at(NOW, BlockDuration.MONTH) == NOW + timedelta(days=30)
    assert domain.block_ends_at(NOW, BlockDuration.PERMANENT) is None


def test_block_activity() -> None:
    later = NOW + timedelta(days=1)
    assert domain.block_is_active(later, None, NOW)
    assert not domain.block_is_active(later, None, later)
    assert domain.block_is_active(None, None, NOW)
    assert not domain.block_is_active(None, NOW, NOW)


def test_block_problems() -> None:
    moderator = person(1)
    assert domain.block_problems(moderator, 2, False, "7d") is None
    assert domain.block_problems(moderator, 2, False, "forever") is not None
    assert domain.block_problems(moderator, 1, False, "7d") is not None
    assert domain.block_problems(moderator, 2, True, "7d") is not None
    assert domain.block_problems(person(1, admin=True), 2, True, "7d") is None


def test_new_accounts_may_post_fewer_links() -> None:
    text = "voir https://a.example et www.b.example"
    assert domain.count_links(text) == 2
    assert domain.links_problem(text, NOW - timedelta(hours=1), NOW) is not None
    assert domain.links_problem(text, NOW - timedelta(days=30), NOW) is None
    assert domain.links_problem("https://a.example", NOW, NOW) is None
    # one address is one link, with its www. (a new account could post none of those)
    assert domain.count_links("https://www.service-public.fr/particuliers") == 1
    assert domain.links_problem("voir https://www.service-public.fr", NOW, NOW) is None
    assert domain.links_problem("http://x " * 11, NOW - timedelta(days=30), NOW) is not None


def test_duplicates_ignore_case_spacing_and_punctuation() -> None:
    assert domain.is_duplicate("Achetez  MAINTENANT !", ["achetez maintenant"])
    assert not domain.is_duplicate("Achetez maintenant", ["autre chose"])
    assert not domain.is_duplicate("!!!", ["???"])


def test_an_edit_sends_approved_content_back_to_the_queue_only_under_premoderation() -> None:
    assert domain.after_edit(MV.VISIBLE, premoderated=True) == MV.PENDING
    assert domain.after_edit(MV.VISIBLE, premoderated=False) == MV.VISIBLE
    assert domain.after_edit(MV.PENDING, premoderated=True) == MV.PENDING
    assert domain.after_edit(MV.HIDDEN, premoderated=True) == MV.HIDDEN


def test_co_authors_cannot_report_what_they_co_wrote() -> None:
    assert not domain.can_report(person(3), author_id=2, coauthor_ids=(3,))
    assert domain.can_report(person(4), author_id=2, coauthor_ids=(3,))
