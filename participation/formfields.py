"""Form fields shared by the staff forms: dates typed in the town's time (TIME_ZONE), stored
in UTC (`participation/formatting.py` does the conversion, DST edges included)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from participation import formatting
from participation.i18n import N_
from participation.refusals import Problem


def local_moment(data: Mapping[str, str], name: str, problems: list[Problem]) -> datetime | None:
    """A `datetime-local` field as a UTC moment; a problem on `name` when it is not a date, or
    names a time that does not exist in the town (skipped when clocks go forward)."""
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        typed = datetime.fromisoformat(raw)
    except ValueError:
        problems.append(Problem(N_("Enter a date and time, like 2026-03-01 09:00."), field=name))
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
