"""Follow-up of commitments (suivi des engagements): pure rules over plain data.

A commitment follows one funded budget project, accepted proposal or published consultation
decision. Staff move its status, set its progress and write dated milestones; the people who
took part are notified once per status change and once per milestone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from participation.i18n import N_
from participation.numbers import is_whole_number
from participation.refusals import Problem, Refused

REASON_MAX = 2000
MILESTONE_MAX = 500


class Status(StrEnum):
    UPCOMING = "upcoming"  # à venir
    IN_PROGRESS = "in-progress"  # en cours
    DONE = "done"  # réalisé
    ABANDONED = "abandoned"  # abandonné (with a reason)


class TargetKind(StrEnum):
    """What a commitment follows (`Commitment.target_kind`): the same words as everywhere else
    (`budget_project` is the content kind of moderation and the audit log's target kind)."""

    PROJECT = "budget_project"  # a funded participatory budget project
    PROPOSAL = "proposal"  # an accepted citizen proposal
    CONSULTATION = "consultation"  # a consultation whose decision is published


# Spellings used before issue #17 and still read from links and forms (`/followup?kind=
# budget-project`); stored rows were rewritten by followup/migrations/0002_target_kind.py.
FORMER_KINDS = {"budget-project": TargetKind.PROJECT}


def target_kind(value: str | None) -> TargetKind | None:
    """The kind named by a form or a query string (its former spelling too); None if unknown."""
    value = value or ""
    if value in TargetKind._value2member_map_:
        return TargetKind(value)
    return FORMER_KINDS.get(value)


STATUS_LABELS = {
    Status.UPCOMING: N_("Upcoming"),
    Status.IN_PROGRESS: N_("In progress"),
    Status.DONE: N_("Done"),
    Status.ABANDONED: N_("Abandoned"),
}
KIND_LABELS = {
    TargetKind.PROJECT: N_("Budget project"),
    TargetKind.PROPOSAL: N_("Citizen proposal"),
    TargetKind.CONSULTATION: N_("Consultation decision"),
}


def _too_long(text: str, limit: int, name: str, msgid: str) -> list[Problem]:
    """A problem on `name` when `text` is longer than `limit`; `msgid` says which text ({max})."""
    return [Problem(msgid, {"max": limit}, name)] if len(text) > limit else []


@dataclass(frozen=True)
class StatusUpdate:
    status: Status
    progress: int
    reason: str


def parse_status_update(data: Mapping[str, str]) -> StatusUpdate:
    """The staff form: a known status, a progress from 0 to 100, a reason when abandoned.
    "Done" means 100 %. Raises `Refused` with every problem."""
    problems = []
    try:
        status = Status(data.get("status", ""))
    except ValueError:
        problems.append(Problem(N_("Choose a status."), {}, "status"))
        status = Status.UPCOMING
    raw_progress = data.get("progress", "").strip()
    progress = int(raw_progress) if is_whole_number(raw_progress) else -1
    if not 0 <= progress <= 100:
        problems.append(
            Problem(N_("Give the progress as a whole number from 0 to 100."), {}, "progress")
        )
    reason = data.get("reason", "").strip()
    if status == Status.ABANDONED and not reason:
        problems.append(Problem(N_("Say why the commitment is abandoned."), {}, "reason"))
    problems += _too_long(
        reason, REASON_MAX, "reason", N_("The reason is too long ({max} characters at most).")
    )
    if problems:
        raise Refused(problems)
    if status == Status.DONE:
        progress = 100
    return StatusUpdate(status, progress, reason)


@dataclass(frozen=True)
class MilestoneForm:
    on: date
    text: str


def parse_milestone(data: Mapping[str, str]) -> MilestoneForm:
    """A dated milestone; raises `Refused` with every problem."""
    problems = []
    on = None
    try:
        on = date.fromisoformat(data.get("on", "").strip())
    except ValueError:
        problems.append(Problem(N_("Give the milestone's date (day/month/year)."), {}, "on"))
    text = data.get("text", "").strip()
    if not text:
        problems.append(Problem(N_("Describe the milestone."), {}, "text"))
    problems += _too_long(
        text, MILESTONE_MAX, "text", N_("The milestone is too long ({max} characters at most).")
    )
    if problems or on is None:
        raise Refused(problems)
    return MilestoneForm(on, text)


@dataclass(frozen=True)
class Filters:
    status: Status | None = None
    kind: TargetKind | None = None
    district: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Filters:
        """Unknown values are ignored (a hand-edited URL shows everything, not an error)."""
        status = params.get("status", "")
        kind = params.get("kind", "")
        district = params.get("district", "").strip()[:100]
        return cls(
            Status(status) if status in Status._value2member_map_ else None,
            target_kind(kind),
            district or None,
        )


def status_changed(before: Status, after: Status) -> bool:
    """Only a new status notifies; a progress or reason edit alone does not."""
    return before != after
