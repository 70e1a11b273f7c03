"""The pure rule of which comment's reply form a page shows (participation/comments/domain.py),
for every kind of target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from participation.comments.domain import reply_target, reply_wanted


@dataclass
class Shown:
    id: int
    depth: int = 0
    deleted_at: datetime | None = None


@pytest.mark.parametrize(
    ("failed", "asked", "wanted"),
    [
        (None, "7", "7"),  # asked for by the link
        (None, "", ""),
        ("comment-new", "7", ""),  # a new comment sent back: no reply form
        ("comment-9", "7", "9"),  # a reply sent back: its form, whatever the link asked
    ],
)
def test_the_reply_form_asked_for(failed: str | None, asked: str, wanted: str) -> None:
    assert reply_wanted(failed, asked) == wanted


THREAD = [Shown(1), Shown(2, depth=1), Shown(3, depth=2), Shown(4, deleted_at=datetime(2026, 1, 1))]


@pytest.mark.parametrize(
    ("wanted", "shown"),
    [("1", 1), ("2", 2), ("3", None), ("4", None), ("5", None), ("x", None), ("", None)],
)
def test_only_a_shown_comment_that_takes_replies_gets_the_form(
    wanted: str, shown: int | None
) -> None:
    found = reply_target(THREAD, wanted)
    assert (found.id if found else None) == shown
