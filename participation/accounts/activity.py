"""A person's "My activity" (/account/activity): what each feature ties to the account
(`Feature.activity`: proposals, supports, comments, consultations answered), newest first, a
page at a time. Never ballots, nor the answers of anonymous consultations: nothing ties them
to anyone (docs/security.md), so nothing here can show them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from participation import features
from participation.features import ActivityItem

PAGE_SIZE = 20
MAX_PAGE = 500


def page_number(raw: str | None) -> int:
    """The page asked in the query string: 1 to MAX_PAGE, 1 for anything else."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def merged_page(
    lists: Iterable[Sequence[ActivityItem]], page: int, size: int = PAGE_SIZE
) -> tuple[list[ActivityItem], bool]:
    """Page `page` of the features' lists (each newest first, at least `page * size + 1`
    long when it has that many) merged newest first, and whether a next page exists."""
    merged = sorted((item for items in lists for item in items), key=lambda i: i.at, reverse=True)
    start = (page - 1) * size
    return merged[start : start + size], len(merged) > page * size


async def page_of(user_id: int, page: int) -> tuple[list[ActivityItem], bool]:
    """One page of the person's activity: one or two queries per feature."""
    limit = page * PAGE_SIZE + 1
    lists = [
        await feature.activity(user_id, limit)
        for feature in features.FEATURES
        if feature.activity is not None
    ]
    return merged_page(lists, page, PAGE_SIZE)
