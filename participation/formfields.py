"""Form fields shared by the staff forms: dates typed in Paris time, stored in UTC."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from participation.i18n import N_
from participation.refusals import Problem

PARIS = ZoneInfo("Europe/Paris")  # staff type local times; we store UTC


def local_moment(data: Mapping[str, str], name: str, problems: list[Problem]) -> datetime | None:
    """A `datetime-local` field as a UTC moment; a problem on `name` when it is not a date."""
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        problems.append(Problem(N_("Enter a date and time, like 2026-03-01 09:00."), field=name))
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=PARIS)
    return local.astimezone(UTC)


def local_input_value(moment: datetime | None) -> str:
    """A stored UTC moment as the value of a datetime-local input, in Paris time."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") if moment else ""
