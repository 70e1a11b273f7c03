"""Reads: the queue (a fixed number of queries per page), a person's moderation history, the
audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Subquery

from moderation.domain import PAGE_SIZE, CaseKind, CaseStatus, ReportReason
from moderation.models import ModerationCase, ModerationDecision, Report, UserBlock
from participation.contributions import Item, content_kinds
from participation.people.services import space_role_sql
from participation.web import query_choice, query_page, query_string

# The latest end of the user's unlifted blocks (no end: year 9999), added to the session lookup
# so that knowing whether someone is blocked costs no extra query. Its text never changes (no
# `now` in it), so PostgreSQL keeps the session lookup prepared: it runs on every signed-in
# request.
BLOCKED_UNTIL_SQL = (
    '(SELECT MAX(COALESCE("b"."ends_at", \'9999-12-31 00:00:00+00:00\')) '
    'FROM "moderation_userblock" AS "b" '
    'WHERE "b"."user_id" = "accounts_session"."user_id" AND "b"."lifted_at" IS NULL)'
)
# The same block, as a condition that holds when the person may write at `{now}` (the
# ballot's one-statement cast: participation.features.SessionColumn.writes_allowed); as
# `is_blocked`, a block ending at `now` is over.
NOT_BLOCKED_SQL = f"COALESCE({BLOCKED_UNTIL_SQL}, '-infinity') <= {{now}}"


# Whether the person moderates some participatory space without being a site moderator
# (people_space_role, issue #18): the header then links them to the queue they see.
MODERATES_A_SPACE_SQL = space_role_sql("moderator")


def is_blocked(blocked_until: datetime | str | None, now: datetime) -> bool:
    """What BLOCKED_UNTIL_SQL found (a string on SQLite), compared with `now`."""
    if blocked_until is None:
        return False
    if isinstance(blocked_until, str):
        blocked_until = datetime.fromisoformat(blocked_until)
    if blocked_until.tzinfo is None:
        blocked_until = blocked_until.replace(tzinfo=UTC)
    return blocked_until > now


# --- the queue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueParams:
    type: str = ""
    reason: str = ""
    kind: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query: Any) -> QueueParams:
        return cls(
            type=query_choice(query, "type", content_kinds()),
            reason=query_choice(query, "reason", ReportReason),
            kind=query_choice(query, "kind", CaseKind),
            page=query_page(query, 100_000),
        )

    def query_string(self, **changes: Any) -> str:
        return query_string({**self.__dict__, **changes})


@dataclass
class Entry:
    case: ModerationCase
    item: Item | None
    reports: list[Report] = field(default_factory=list)


@dataclass
class QueuePage:
    entries: list[Entry]
    total: int
    has_next: bool
    params: QueueParams


def _open_cases(params: QueueParams, spaces: frozenset[int] | None) -> Any:
    qs = ModerationCase.filter(status=CaseStatus.OPEN)
    if spaces is not None:  # a moderator of these spaces only
        qs = qs.filter(space_id__in=list(spaces))
    if params.type:
        qs = qs.filter(target_kind=params.type)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.reason:
        reported = Report.filter(reason=params.reason, resolved_at=None).values("case_id")
        qs = qs.filter(id__in=Subquery(reported))
    return qs


async def queue_total(params: QueueParams, spaces: frozenset[int] | None = None) -> int:
    """How many items wait, with these filters (the count above the list)."""
    return int(await _open_cases(params, spaces).count())


async def queue_page(params: QueueParams, spaces: frozenset[int] | None = None) -> QueuePage:
    """Open cases, oldest first. Queries: the count, the page of cases, one per content kind
    present on the page, and the reports of the page: at most 2 + kinds + 1."""
    qs = _open_cases(params, spaces)
    total = await qs.count()
    rows = list(
        await qs.order_by("opened_at", "id").offset((params.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    by_type: dict[str, list[int]] = {}
    for case in rows:
        by_type.setdefault(case.target_kind, []).append(case.target_id)
    items: dict[tuple[str, int], Item] = {}
    kinds = content_kinds()
    for target_kind, ids in by_type.items():
        if target_kind in kinds:
            for target_id, item in (await kinds[target_kind].load(ids)).items():
                items[(target_kind, target_id)] = item
    reports: dict[int, list[Report]] = {}
    if rows:
        for report in await Report.filter(
            case_id__in=[c.id for c in rows], resolved_at=None
        ).order_by("id"):
            reports.setdefault(report.case_id, []).append(report)
    entries = [
        Entry(case, items.get((case.target_kind, case.target_id)), reports.get(case.id, []))
        for case in rows
    ]
    return QueuePage(entries, total, params.page * PAGE_SIZE < total, params)


async def queue_entry(case_id: int, spaces: frozenset[int] | None = None) -> Entry | None:
    """One open case of the queue as its page shows it (an item's form shown again), or None
    when it is closed or outside `spaces`."""
    qs = ModerationCase.filter(id=case_id, status=CaseStatus.OPEN)
    if spaces is not None:
        qs = qs.filter(space_id__in=list(spaces))
    case = await qs.first()
    if case is None:
        return None
    kind = content_kinds().get(case.target_kind)
    item = (await kind.load([case.target_id])).get(case.target_id) if kind else None
    reports = list(await Report.filter(case_id=case.id, resolved_at=None).order_by("id"))
    return Entry(case, item, reports)


# --- a person's history, and an author's decisions -----------------------------------------


@dataclass
class History:
    blocks: list[UserBlock]
    decisions: list[ModerationDecision]
    reports_received: int
    reports_made: int


async def history(user_id: int) -> History:
    blocks = list(
        await UserBlock.filter(user_id=user_id)
        .select_related("blocked_by", "lifted_by")
        .order_by("-id")
    )
    decisions = list(
        await ModerationDecision.filter(author_id=user_id)
        .select_related("moderator")
        .order_by("-id")
        .limit(100)
    )
    received = await Report.filter(
        case_id__in=Subquery(ModerationCase.filter(author_id=user_id).values("id"))
    ).count()
    made = await Report.filter(reporter_id=user_id).count()
    return History(blocks, decisions, received, made)


async def decisions_about(user_id: int) -> list[tuple[ModerationDecision, bool]]:
    """The decisions on a person's content, newest first, with whether a review was already
    asked for that content (one per content)."""
    decisions = list(await ModerationDecision.filter(author_id=user_id).order_by("-id").limit(100))
    if not decisions:
        return []
    reviewed = set(
        await ModerationCase.filter(
            id__in=list({d.case_id for d in decisions}), review_requested_at__not_isnull=True
        ).values_list("id", flat=True)
    )
    return [(d, d.case_id in reviewed) for d in decisions]
