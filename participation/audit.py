"""The audit log: every moderation and administration action (who, what, when, before/after,
why), append-only. Every feature records its actions here (`audit()`, inside the transaction of
the action it records); the moderation feature shows it (`audit_page`, `audit_entries`).

The table keeps the name it had when the log lived in the moderation feature
(`moderation_auditlog`); participation/migrations/0007_core_models.py moved the model without
touching the table. No docstrings on models: Tortoise turns them into SQL comments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model

from participation.formatting import from_local
from participation.numbers import parse_id
from participation.web import query_page, query_string


class AppendOnly(Exception):
    pass


# The audit log: every moderation and admin action (who, what, when, before/after, why).
# Append-only: the application inserts rows and never updates or deletes them.
class AuditLogEntry(Model):
    id = fields.IntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    actor_name = fields.CharField(max_length=80, default="")  # kept if the account goes
    action = fields.CharField(max_length=40)
    target_kind = fields.CharField(max_length=30, source_field="target_type")  # its first name
    target_id = fields.IntField(null=True)
    before = fields.TextField(default="")
    after = fields.TextField(default="")
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "moderation_auditlog"

    async def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._saved_in_db:
            await super().save(*args, **kwargs)
            return
        raise AppendOnly("audit log entries are never changed")

    async def delete(self, *args: Any, **kwargs: Any) -> None:
        raise AppendOnly("audit log entries are never deleted")


# --- recording --------------------------------------------------------------------------------


async def audit(
    actor: Any,
    action: str,
    target_kind: str,
    target_id: int | None,
    before: Any = "",
    after: Any = "",
    reason: str = "",
) -> AuditLogEntry:
    """Append one entry; call it inside the transaction of the action it records."""

    def dump(value: Any) -> str:
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, default=str)  # dates as ISO text

    return await AuditLogEntry.create(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "display_name", "") or "",
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        before=dump(before),
        after=dump(after),
        reason=reason,
    )


AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditParams:
    action: str = ""
    target_kind: str = ""
    page: int = 1
    actor: int | None = None  # the person who acted (their account's id)
    since: date | None = None  # from this day, in the town's time zone
    until: date | None = None  # to this day, included
    space: int | None = None  # what belongs to this participatory space (auditlog.services)

    @classmethod
    def from_query(cls, query: Any) -> AuditParams:
        return cls(
            action=query.get("action", "")[:40],
            target_kind=query.get("target_type", "")[:30],  # the URL keeps its first name
            page=query_page(query, 100_000),
            actor=parse_id(query.get("actor", "")),
            since=_day(query.get("since", "")),
            until=_day(query.get("until", "")),
            space=parse_id(query.get("space", "")),
        )

    def query_string(self, **changes: Any) -> str:
        values = {**self.__dict__, **changes}
        values["target_type"] = values.pop("target_kind")  # the URL's name for it
        for day in ("since", "until"):
            values[day] = values[day].isoformat() if values[day] else ""
        return query_string(values)


def _day(text: Any) -> date | None:
    """A date typed as YYYY-MM-DD (a date field); None for anything else."""
    try:
        day = date.fromisoformat(str(text)) if len(str(text)) == 10 else None
    except ValueError:
        return None
    return day if day is not None and 1970 <= day.year <= 2999 else None


def audit_entries(params: AuditParams) -> Any:
    qs = AuditLogEntry.all()
    if params.actor is not None:
        qs = qs.filter(actor_id=params.actor)
    if params.since is not None:
        qs = qs.filter(created_at__gte=from_local(datetime.combine(params.since, time.min)))
    if params.until is not None:
        next_day = datetime.combine(params.until + timedelta(days=1), time.min)
        qs = qs.filter(created_at__lt=from_local(next_day))
    if params.action:
        qs = qs.filter(Q(action=params.action) | Q(action__startswith=params.action + ":"))
    if params.target_kind:
        qs = qs.filter(target_kind=params.target_kind)
    return qs


async def audit_page(params: AuditParams) -> tuple[list[AuditLogEntry], bool]:
    rows = list(
        await audit_entries(params)
        .order_by("-id")
        .offset((params.page - 1) * AUDIT_PAGE_SIZE)
        .limit(AUDIT_PAGE_SIZE + 1)
    )
    return rows[:AUDIT_PAGE_SIZE], len(rows) > AUDIT_PAGE_SIZE
