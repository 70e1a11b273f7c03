"""How many people took part this calendar year: the home page's figure (issue #18).

Each feature says who took part in it since a moment, in one query (`Feature.participants`):
a set of person keys, "user:<id>" for an account, "census:<id>" for a resident known only by
the register (a paper ballot of someone without an account). The core unions the sets, so a
person who proposed, commented and voted counts once. Ballot secrecy: budgets answer from their
voter register (who voted), never from ballots.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from participation import features
from participation.formatting import zone_named


@dataclass(frozen=True)
class Since:
    """The start of the period, as an aware moment (for timestamps) and as a day (for columns
    that keep the day only)."""

    moment: datetime
    day: date


def year_start(now: datetime, time_zone: str) -> Since:
    """1 January 00:00 of the calendar year of `now`, in the town's time zone."""
    zone = zone_named(time_zone)
    local = now.astimezone(zone)
    start = datetime(local.year, 1, 1, tzinfo=zone)
    return Since(start, start.date())


def user_keys(ids: Iterable[Any]) -> set[str]:
    """Accounts' keys, from their ids."""
    return {f"user:{i}" for i in ids if i is not None}


async def count_since(since: Since) -> int:
    """Distinct people who took part in any installed feature since `since`: one query per
    feature that declares `participants`."""
    people: set[str] = set()
    for feature in features.FEATURES:
        if feature.participants is not None:
            people |= await feature.participants(since)
    return len(people)
