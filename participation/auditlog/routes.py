"""/admin/audit (administrators): the audit log as sentences, raw values on demand, filtered by
person, action and dates, 50 a page; /admin/audit.csv the same entries for a spreadsheet
(through the one CSV writer, formulas neutralised). No route changes the log."""

from __future__ import annotations

import io

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import formatting, spreadsheet
from participation.audit import AuditParams
from participation.auditlog import services
from participation.permissions import can_administer
from participation.templating import render
from participation.web import attachment, require

EXPORT_FIELDS = [
    "id",
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "target_kind",
    "target_id",
    "before",
    "after",
    "reason",
]
# the file's columns keep the names they had before issue #17 (spreadsheets read them); the
# sentence comes last
EXPORT_HEADER = ["target_type" if name == "target_kind" else name for name in EXPORT_FIELDS] + [
    "summary"
]


async def index(request: Request) -> Response:
    require(request, can_administer)
    params = AuditParams.from_query(request.query_params)
    entries, has_next = await services.page(params)
    context = {
        "entries": entries,
        "has_next": has_next,
        "params": params,
        "actions": await services.actions(),
        "actors": await services.actors(),
        "spaces": await services.spaces(),
    }
    return render(request, "auditlog/index.html", context)


async def export(request: Request) -> Response:
    require(request, can_administer)
    params = AuditParams.from_query(request.query_params)
    entries = list(await services.entries(params).order_by("id"))
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    for entry, summary in zip(entries, await services.sentences(entries), strict=True):
        row = [getattr(entry, name) for name in EXPORT_FIELDS]
        row[1] = formatting.iso_local(entry.created_at) or ""
        writer.writerow([*("" if v is None else v for v in row), summary])
    return attachment(buffer.getvalue(), "text/csv; charset=utf-8", "audit-log.csv")


routes = [
    Route("/admin/audit", index, name="auditlog:index"),
    Route("/admin/audit.csv", export, name="auditlog:csv"),
]
