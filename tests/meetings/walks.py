"""What the route walkers need to know about the meetings' routes (tests/security/walks.py):
the world's meeting, who may use each route, valid and wrong data for each POST, the forms no
page of the world shows, the registrations export, the pages axe audits."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from typing import Any

from tortoise import timezone

from meetings.models import Meeting, Registration
from participation.settings import Settings
from tests.meetings.factories import meeting_next_week, meeting_started
from tests.security.walks import (
    DENIED,
    DONE,
    FORM,
    LOGIN,
    MISSING,
    PAGE,
    Ctx,
    Data,
    Step,
    Walks,
)
from tests.security.world import World


async def _seed(settings: Settings, world: World) -> None:
    world.ids["meeting_id"] = (await meeting_next_week()).id  # a public meeting with seats


# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /meetings":                                       (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /meetings/calendar.ics":                          (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /meetings/{meeting_id}":                          (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /meetings/{meeting_id}/register":                (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "POST /meetings/{meeting_id}/cancel":                  (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "GET /admin/meetings":                                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/meetings/new":                             (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/meetings/new":                            (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/meetings/{meeting_id}":                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/meetings/{meeting_id}":                   (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/meetings/{meeting_id}/attendance":        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/meetings/{meeting_id}/code":              (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/meetings/{meeting_id}/minutes":           (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/meetings/{meeting_id}/registrations.csv":  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/meetings/{meeting_id}/attendance.pdf":    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/meetings/{meeting_id}/cancel":            (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /meetings/map":                                   (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
}
# fmt: on

MEETING = {
    "title": "Réunion de quartier",
    "format": "in-person",
    "starts_at": "2031-05-04T18:30",
    "ends_at": "2031-05-04T20:00",
    "address": "Salle des fêtes",
    "capacity": "30",
}


async def _owner_code(ctx: Ctx) -> Data:
    world = ctx.world
    registration = await Registration.get(meeting_id=world.ids["meeting_id"], user=world.owner)
    return {"code": registration.code}


async def _started_meeting(ctx: Ctx) -> dict[str, Any]:
    return {**ctx.world.ids, "meeting_id": (await meeting_started()).id}


async def _formulas(settings: Settings, world: World, formula: str) -> None:
    await Meeting.all().update(title=formula)
    await Registration.create(
        meeting_id=world.ids["meeting_id"],
        user=world.owner,
        seat="confirmed",
        code="ABCD-EFGH",
        joined_at=timezone.now(),
    )


WALKS = Walks(
    seed=_seed,
    matrix=MATRIX,
    steps=[
        Step("meetings:register", "owner"),
        Step("meetings:register", "other"),
        Step("meetings:cancel", "other"),
        Step("meetings:admin_new", "admin", MEETING),
        Step("meetings:admin", "admin", MEETING),
        Step("meetings:admin_code", "admin", _owner_code),
        Step("meetings:admin_attendance", "admin", {"present": "1"}),
        Step("meetings:admin_minutes", "admin", {"minutes": "Compte rendu."}, ids=_started_meeting),
        Step("meetings:admin_cancel", "admin"),
    ],
    refused=[
        Step("meetings:admin_new", "admin", {**MEETING, "ends_at": "2031-05-04T17:00"}),
        Step("meetings:admin_code", "admin", {"code": "ZZZZ-ZZZZ"}),
    ],
    # the world's meeting is upcoming, nobody registered: no cancel form, no attendance list,
    # no minutes yet
    no_form_in_the_world={
        "POST /meetings/{meeting_id:id}/cancel": (),
        "POST /admin/meetings/{meeting_id:id}/attendance": ("present",),
        "POST /admin/meetings/{meeting_id:id}/minutes": ("minutes", "proposals", "consultations"),
    },
    formulas=_formulas,
    csv_exports=frozenset({"GET /admin/meetings/{meeting_id:id}/registrations.csv"}),
    not_found=(
        f"/meetings/{MISSING}",
        f"/admin/meetings/{MISSING}",
        f"/admin/meetings/{MISSING}/attendance.pdf",
    ),
    audited={
        "meetings:index": "meetings/test_browser",
        "meetings:map": "proposals/test_map_browser",
        "meetings:detail": "meetings/test_browser",
        "meetings:admin_index": "meetings/test_browser",
        "meetings:admin_new": "meetings/test_browser",
        "meetings:admin": "meetings/test_browser",
    },
    exempt={
        "meetings:feed": "iCalendar feed (its content is the meetings list)",
        "meetings:admin_csv": "CSV download for staff (its content is the registrations table)",
        "meetings:admin_attendance_pdf": "PDF to print for staff (tests/meetings/test_print.py)",
    },
)
