"""Pure moderation rules: reports and the auto-hide threshold, the pre-moderation state machine,
decisions and their reasons, review requests, block durations, links (rate limits:
participation/ratelimit.py).

No database and no HTTP here: plain values in, results or a DomainError (with a msgid) out.
Content is named generically by a content type (``"proposal"``, ``"comment"``, later
``"consultation_answer"``...) and an id, so new kinds of content plug in without changing
these rules.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from participation.contributions import ModerationState
from participation.i18n import N_
from participation.refusals import DomainError

__all__ = ["DomainError", "ModerationState"]

REASON_MAX = 1_000
REPORT_TEXT_MAX = 1_000
REVIEW_TEXT_MAX = 1_000
PAGE_SIZE = 20
MV = ModerationState


MODERATION_STATE_LABELS = {
    MV.VISIBLE: N_("visible"),
    MV.PENDING: N_("awaiting moderation"),
    MV.HIDDEN: N_("hidden"),
}


class ReportReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


REPORT_REASON_LABELS = {
    ReportReason.SPAM: N_("spam or advertising"),
    ReportReason.OFFENSIVE: N_("offensive or hateful"),
    ReportReason.OFF_TOPIC: N_("off-topic"),
    ReportReason.PERSONAL_DATA: N_("personal data"),
    ReportReason.OTHER: N_("other"),
}


class Action(StrEnum):
    APPROVE = "approve"
    HIDE = "hide"
    REJECT = "reject"


# a decision on a contribution (French: "contribution", feminine: approuvée, masquée, rejetée);
# "hidden" alone is the state of a content, whose gender is its own (un projet masqué)
ACTION_LABELS = {
    Action.APPROVE: N_("approved"),
    Action.HIDE: N_("hidden from the public"),
    Action.REJECT: N_("rejected"),
}


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CaseKind(StrEnum):
    """Why an item is in the queue."""

    PENDING = "pending"  # pre-moderation: new content waits for approval
    REPORTED = "reported"  # reported by residents
    REVIEW = "review"  # the author asked for a review of a decision


class CaseClosing(StrEnum):
    """How a case last left the queue (`ModerationCase.closing`): what a moderator who decides
    it afterwards, from a queue shown before, is told."""

    DECISION = "decision"  # a moderator's decision in the queue (its ModerationDecision row)
    WITHDRAWN = "withdrawn"  # its author withdrew the content
    DELETED = "deleted"  # the content was deleted (by its author or a moderator)
    BLOCKED = "blocked"  # its author was blocked: their content awaiting approval was hidden
    ELSEWHERE = "elsewhere"  # decided on its own page (a consultation's free-text answers)


CASE_KIND_LABELS = {
    CaseKind.PENDING: N_("awaiting approval"),
    CaseKind.REPORTED: N_("reported"),
    CaseKind.REVIEW: N_("review requested"),
}

# The ready-made reasons a new installation starts with (migration 0002 and the demo); after
# that administrators edit them (`ReasonTemplate`), in French and English.
DEFAULT_REASON_TEMPLATES = (
    (
        "Votre contribution respecte la charte de participation.",
        "Your contribution follows the participation charter.",
    ),
    (
        "Votre contribution contient des insultes ou des attaques personnelles.",
        "Your contribution contains insults or personal attacks.",
    ),
    (
        "Votre contribution est de la publicité ou du spam.",
        "Your contribution is advertising or spam.",
    ),
    (
        "Votre contribution contient des données personnelles sur une personne.",
        "Your contribution contains personal data about someone.",
    ),
    (
        "Votre contribution ne concerne pas les projets de la commune.",
        "Your contribution does not concern the town's projects.",
    ),
)


def reason_template_problems(text_fr: str, text_en: str) -> dict[str, str]:
    """A ready-made reason needs both languages: it is sent to authors in either."""
    problems: dict[str, str] = {}
    for name, text in (("text_fr", text_fr), ("text_en", text_en)):
        if not text.strip():
            problems[name] = N_("Write the reason in this language.")
        elif len(text) > REASON_MAX:
            problems[name] = N_("The reason must be at most 1,000 characters long.")
    return problems


# --- pre-moderation and decisions: a state machine over ModerationState ----------------------


def initial_state(premoderated: bool) -> ModerationState:
    """The state of new content: pending when its content type is pre-moderated."""
    return MV.PENDING if premoderated else MV.VISIBLE


# action -> (states it applies to, resulting state)
DECISIONS: dict[Action, tuple[frozenset[ModerationState], ModerationState]] = {
    Action.APPROVE: (frozenset({MV.PENDING, MV.HIDDEN, MV.VISIBLE}), MV.VISIBLE),
    Action.HIDE: (frozenset({MV.VISIBLE, MV.HIDDEN, MV.PENDING}), MV.HIDDEN),
    Action.REJECT: (frozenset({MV.PENDING}), MV.HIDDEN),
}


def decide(current: ModerationState, action: Action) -> ModerationState:
    """The state after `action`, or DomainError when the action does not apply."""
    sources, target = DECISIONS[action]
    if current not in sources:
        raise DomainError(N_("This decision does not apply to this content."))
    return target


def actions_for(current: ModerationState) -> tuple[Action, ...]:
    """The decisions that apply to content in state `current`, in the order the queue offers
    them on each item (reject only while the content awaits approval)."""
    return tuple(action for action, (sources, _) in DECISIONS.items() if current in sources)


# There is no undoing a decision: a decision is notified to the author at once (with its
# reason), may move content out of a ballot or a result, and the audit log records it; another
# look happens by the author's review request or by a new report, never by a moderator's undo.


def after_edit(current: ModerationState, premoderated: bool) -> ModerationState:
    """An author's edit of approved content goes back to the queue when its type is
    pre-moderated (the approved version is not kept visible meanwhile: what the public sees
    is always what a moderator approved). Pending and hidden content stay as they are."""
    if premoderated and current == MV.VISIBLE:
        return MV.PENDING
    return current


# Why the platform closed a case by itself (audit log, in English like the other entries).
CLOSED_WITHDRAWN = "withdrawn by its author"
CLOSED_DELETED = "deleted"


def closing_for(reason: str) -> CaseClosing:
    """How a case closed by the removal of its content (`services.close_case_of_removed`, its
    `reason`) left the queue: withdrawn, deleted, else decided on the content's own page (a
    consultation's texts, whose audit action is the reason)."""
    return {CLOSED_WITHDRAWN: CaseClosing.WITHDRAWN, CLOSED_DELETED: CaseClosing.DELETED}.get(
        reason, CaseClosing.ELSEWHERE
    )


def reason_problem(reason: str) -> str | None:
    if not reason.strip():
        return N_("Give a reason: the author will receive it.")
    if len(reason) > REASON_MAX:
        return N_("The reason must be at most 1,000 characters long.")
    return None


def counts_as_visible(state: ModerationState) -> bool:
    """Whether content in this state counts in public counters (comment_count...)."""
    return state == MV.VISIBLE


# --- reports ----------------------------------------------------------------------------------


def report_problems(reason: str, text: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if reason not in ReportReason.__members__.values():
        problems["reason"] = N_("Choose why you report this content.")
    elif reason == ReportReason.OTHER and not text.strip():
        problems["text"] = N_("Say in a few words what is wrong.")
    if len(text) > REPORT_TEXT_MAX:
        problems["text"] = N_("The explanation must be at most 1,000 characters long.")
    return problems


def after_report(current: ModerationState, open_reports: int, threshold: int) -> ModerationState:
    """Visible content is hidden pending review once `threshold` open reports are reached."""
    if current == MV.VISIBLE and open_reports >= threshold:
        return MV.HIDDEN
    return current


def can_report(user: Any, author_id: int | None, coauthor_ids: tuple[int, ...] = ()) -> bool:
    """Signed-in people may report content, except their own (co-authored included)."""
    return bool(user.is_authenticated) and user.id != author_id and user.id not in coauthor_ids


# --- review requests --------------------------------------------------------------------------


def can_request_review(
    user: Any, author_id: int | None, action: Action, already_requested: bool
) -> bool:
    """The author may ask once for a review of a decision that hid or rejected their content."""
    return (
        bool(user.is_authenticated)
        and user.id == author_id
        and action in (Action.HIDE, Action.REJECT)
        and not already_requested
    )


# --- blocks -----------------------------------------------------------------------------------


class BlockDuration(StrEnum):
    DAY = "1d"
    WEEK = "7d"
    MONTH = "30d"
    PERMANENT = "permanent"


BLOCK_DURATION_LABELS = {
    BlockDuration.DAY: N_("one day"),
    BlockDuration.WEEK: N_("one week"),
    BlockDuration.MONTH: N_("one month"),
    BlockDuration.PERMANENT: N_("until unblocked"),
}
_DURATIONS = {
    BlockDuration.DAY: timedelta(days=1),
    BlockDuration.WEEK: timedelta(days=7),
    BlockDuration.MONTH: timedelta(days=30),
}


def block_ends_at(now: datetime, duration: BlockDuration) -> datetime | None:
    """When a block starting `now` ends; None for a block that lasts until lifted."""
    delta = _DURATIONS.get(duration)
    return now + delta if delta is not None else None


def block_is_active(ends_at: datetime | None, lifted_at: datetime | None, now: datetime) -> bool:
    return lifted_at is None and (ends_at is None or ends_at > now)


def block_problems(
    user: Any, target_id: int, target_is_moderator: bool, duration: str
) -> str | None:
    if duration not in BlockDuration.__members__.values():
        return N_("Choose how long the block lasts.")
    if user.id == target_id:
        return N_("You cannot block yourself.")
    if target_is_moderator and not user.is_admin:
        return N_("Only an administrator can block a moderator.")
    return None


# --- anti-abuse: links from new accounts, duplicates ----------------------------------------

NEW_ACCOUNT_AGE = timedelta(days=3)
NEW_ACCOUNT_MAX_LINKS = 1
MAX_LINKS = 10
# one link per address: "https://www.example.fr" is one link, not two
_LINK = re.compile(r"https?://(?:www\.)?|www\.", re.IGNORECASE)


def count_links(text: str) -> int:
    return len(_LINK.findall(text))


def links_problem(text: str, account_created_at: datetime, now: datetime) -> str | None:
    """New accounts may post fewer links: spam often comes from accounts made for it."""
    links = count_links(text)
    if now - account_created_at < NEW_ACCOUNT_AGE and links > NEW_ACCOUNT_MAX_LINKS:
        return N_("New accounts may include at most one link. Try again in a few days.")
    if links > MAX_LINKS:
        return N_("Too many links.")
    return None


def fingerprint(text: str) -> str:
    """What duplicate detection compares: lower-cased words, punctuation and spacing ignored."""
    return " ".join(re.findall(r"\w+", text.lower()))


def is_duplicate(text: str, recent_texts: list[str]) -> bool:
    mine = fingerprint(text)
    return bool(mine) and any(fingerprint(other) == mine for other in recent_texts)
