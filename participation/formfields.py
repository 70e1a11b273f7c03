"""Form fields shared by the staff forms: dates typed in the town's time (TIME_ZONE), stored
in UTC (`participation/formatting.py` does the conversion, DST edges included), and texts no
longer than the column that stores them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from participation import formatting
from participation.i18n import N_
from participation.refusals import Problem

# the years a phase date may fall in: year 1 or 9999 overflowed when moved to UTC (or later, when
# a day was added to it), and no participation process is planned outside these
FIRST_YEAR, LAST_YEAR = 2000, 2100


def local_moment(data: Mapping[str, str], name: str, problems: list[Problem]) -> datetime | None:
    """A `datetime-local` field as a UTC moment; a problem on `name` when it is not a date, not
    one between FIRST_YEAR and LAST_YEAR (checked before any time-zone arithmetic), or names a
    time that does not exist in the town (skipped when clocks go forward)."""
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        typed = datetime.fromisoformat(raw)
    except ValueError:
        problems.append(Problem(N_("Enter a date and time, like 2026-03-01 09:00."), field=name))
        return None
    if not FIRST_YEAR <= typed.year <= LAST_YEAR:
        problems.append(
            Problem(
                N_("Enter a date between the years {first} and {last}."),
                {"first": FIRST_YEAR, "last": LAST_YEAR},
                field=name,
            )
        )
        return None
    try:
        return formatting.from_local(typed)
    except formatting.NonexistentTime:
        problems.append(
            Problem(
                N_(
                    "This time does not exist: clocks go forward from 02:00 to 03:00 that "
                    "night. Choose another time."
                ),
                field=name,
            )
        )
        return None


def local_input_value(moment: datetime | None) -> str:
    """A stored UTC moment as the value of a datetime-local input, in the town's time."""
    return formatting.input_value(moment)


def bounded_text(data: Mapping[str, str], name: str, limit: int, problems: list[Problem]) -> str:
    """The field's text (stripped); a problem on `name` when it is longer than `limit`, the
    length of the column that stores it (Tortoise refuses a longer value with a 500)."""
    text = data.get(name, "").strip()
    if len(text) > limit:
        problems.append(too_long(name, limit))
    return text


def too_long(name: str, limit: int) -> Problem:
    return Problem(N_("Write at most {max} characters here."), {"max": limit}, field=name)


def column_length(model: Any, name: str) -> int:
    """The `max_length` of a model's CharField: the longest text a form may send there."""
    return int(model._meta.fields_map[name].max_length)
