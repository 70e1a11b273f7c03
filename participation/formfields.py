"""Form fields shared by the staff forms: dates typed in Paris time, stored in UTC."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from participation.i18n import N_
from participation.refusals import Problem

PARIS = ZoneInfo("Europe/Paris")  # staff type local times; we store UTC
# the years a phase date may fall in: year 1 or 9999 overflowed when moved to UTC (or later, when
# a day was added to it), and no participation process is planned outside these
FIRST_YEAR, LAST_YEAR = 2000, 2100


def local_moment(data: Mapping[str, str], name: str, problems: list[Problem]) -> datetime | None:
    """A `datetime-local` field as a UTC moment; a problem on `name` when it is not a date, or
    not one between FIRST_YEAR and LAST_YEAR (checked before any time-zone arithmetic)."""
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        problems.append(Problem(N_("Enter a date and time, like 2026-03-01 09:00."), field=name))
        return None
    if not FIRST_YEAR <= local.year <= LAST_YEAR:
        problems.append(
            Problem(
                N_("Enter a date between the years {first} and {last}."),
                {"first": FIRST_YEAR, "last": LAST_YEAR},
                field=name,
            )
        )
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=PARIS)
    return local.astimezone(UTC)


def local_input_value(moment: datetime | None) -> str:
    """A stored UTC moment as the value of a datetime-local input, in Paris time."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") if moment else ""


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
