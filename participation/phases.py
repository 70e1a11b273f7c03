"""Phases of a participatory process (a budget, a consultation...), one mechanism for all:

- `automatic_switch`: the phase a process's dates call for at a moment (pure);
- `Phases` and the `phase_allows_*` predicates: what each phase of a feature allows (pure, in the
  manner of adhocracy4's predicates.py), tested as a table in tests/participation/test_phases.py;
- `PhaseSwitch`: the abstract model of the switch log (every switch, automatic or by hand);
- `switch_phase`: the one concurrency rule for switching.

Why two switch-log tables behind one abstract model, not one table with a kind column: each row
belongs to its process by a real foreign key (ON DELETE CASCADE with the budget or the
consultation), which a (kind, id) pair cannot keep; nothing reads switches of two features
together; and merging would rewrite rows of live tables for no behaviour gained. So
`budgets_phase_switch` and `consultations_phase_switch` stay, their models share every field but
the process's foreign key and the feature's phase enum.

The concurrency rule (`switch_phase`): a conditional UPDATE ... SET phase = target WHERE id = ?
AND phase = <the phase the caller read> (AND the other columns its checks read still hold).
It is atomic on both databases (SQLite has no SELECT ... FOR UPDATE: Tortoise drops it there),
takes no lock before the write, and two staff members switching at once switch once: the second
UPDATE matches no row and the call does nothing (False).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from tortoise import fields, timezone
from tortoise.models import Model

P = TypeVar("P", bound=StrEnum)


def automatic_switch(
    order: Sequence[P],
    current: P,
    last_switch_at: datetime | None,
    starts: Iterable[tuple[P, datetime | None]],
    now: datetime,
) -> P | None:
    """The phase to switch to at `now`, or None. `starts`: (phase, the moment it starts).

    A date switches the process forward when it has passed since the last switch: so a switch
    made by hand (logged) is not undone by an older date, and a later date still applies. Never
    backward, and never to a phase without a date.
    """
    due = None
    for phase, moment in starts:
        if moment is None or moment > now:
            continue
        if last_switch_at is None or moment > last_switch_at:
            due = phase
    if due is None or order.index(due) <= order.index(current):
        return None
    return due


# --- what each phase allows ----------------------------------------------------------------


class Action(StrEnum):
    VIEW = "view"  # the public sees the process (staff always do)
    SUBMIT = "submit"  # residents submit contributions (budget projects)
    MODERATE = "moderate"  # moderators may hide, reject or approve contributions
    PARTICIPATE = "participate"  # vote, answer: until the closing time, if any
    RESULTS = "results"  # the results are public


@dataclass(frozen=True)
class Phases(Generic[P]):
    """A feature's phases in order, and what each allows (a phase missing allows nothing)."""

    order: tuple[P, ...]
    allows: Mapping[P, frozenset[Action]] = field(default_factory=dict)

    def allow(self, phase: P, action: Action) -> bool:
        return action in self.allows.get(phase, frozenset())


def phase_allows_view(phases: Phases[P], phase: P) -> bool:
    return phases.allow(phase, Action.VIEW)


def phase_allows_submission(phases: Phases[P], phase: P) -> bool:
    return phases.allow(phase, Action.SUBMIT)


def phase_allows_moderation(phases: Phases[P], phase: P) -> bool:
    return phases.allow(phase, Action.MODERATE)


def phase_allows_participation(
    phases: Phases[P], phase: P, closes_at: datetime | None, now: datetime
) -> bool:
    """The phase allows voting or answering, and the closing time has not passed (even if the
    cron job has not switched the phase yet)."""
    return phases.allow(phase, Action.PARTICIPATE) and (closes_at is None or now < closes_at)


def phase_allows_results(phases: Phases[P], phase: P) -> bool:
    return phases.allow(phase, Action.RESULTS)


# --- the switch log and the switch ---------------------------------------------------------


# Every phase switch, automatic (by_user null) or by hand. Concrete models add the foreign key
# to their process (named `process_field`) and `from_phase` / `to_phase` with their enum.
class PhaseSwitch(Model):
    id = fields.IntField(primary_key=True)
    by_user: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    at = fields.DatetimeField(auto_now_add=True)

    process_field: ClassVar[str]  # "budget", "consultation"

    class Meta:
        abstract = True


async def switch_phase(
    process: type[Model],
    log: type[PhaseSwitch],
    process_id: int,
    read_phase: StrEnum,
    target: StrEnum,
    by_user: Any | None,
    *,
    still: Mapping[str, Any] | None = None,
    also: Mapping[str, Any] | None = None,
) -> bool:
    """Switch process `process_id` from `read_phase` (the phase the caller read and decided on)
    to `target` and log it; call it inside the caller's transaction.

    `still`: filters on the other columns the caller's checks read, which must still hold;
    `also`: other columns to set with the switch. False when another switch (or a change of a
    `still` column) came first: nothing is written.
    """
    if read_phase == target:
        return False
    moved = await process.filter(id=process_id, phase=read_phase, **(still or {})).update(
        phase=target, phase_changed_at=timezone.now(), **(also or {})
    )
    if not moved:
        return False
    values: dict[str, Any] = {
        f"{log.process_field}_id": process_id,
        "from_phase": read_phase,
        "to_phase": target,
        "by_user": by_user,
    }
    await log.create(**values)
    return True
