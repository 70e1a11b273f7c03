"""Meeting pages: thin handlers, permission -> service -> response.

Public: /meetings (upcoming and past), /meetings/{id}, /meetings/calendar.ics (site-wide feed);
residents register and cancel with POST forms (no JavaScript needed).
Staff: /admin/meetings (list, new), /admin/meetings/{id} (edit or move, cancel, registrations
and attendance, minutes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import timezone

from meetings import calendar, domain, queries, services
from meetings import print as printable
from meetings.domain import FORMAT_LABELS, SEAT_LABELS, Format, Seat
from meetings.models import Meeting
from participation import commenting, pdf, web
from participation.formatting import format_datetime
from participation.formfields import local_input_value
from participation.i18n import gettext, ngettext
from participation.numbers import parse_id
from participation.permissions import can_administer, is_verified_resident
from participation.pictures import web as pictures_web
from participation.pictures.models import Picture
from participation.refusals import NotFound, Refused
from participation.richtext import markdown_of
from participation.spaces import services as spaces
from participation.spaces.models import Space
from participation.templating import flash, render
from participation.territory import Pin, place_map, town_box, town_map
from participation.urls import url
from participation.web import (
    attachment,
    errors_of,
    form_data,
    object_or_404,
    parsed_form,
    redirect,
    require,
    settings_of,
)

LABELS = {"format_labels": FORMAT_LABELS, "seat_labels": SEAT_LABELS, "formats": list(Format)}


# --- public ---------------------------------------------------------------------------------


async def index(request: Request) -> Response:
    context = {**LABELS, "upcoming": await queries.upcoming(), "past": await queries.past()}
    return render(request, "meetings/index.html", context)


async def detail(request: Request) -> Response:
    meeting = await object_or_404(request, Meeting, "meeting_id")
    user = request.scope["user"]
    registration = await queries.seat_of(meeting.id, user)
    seat = registration.seat if registration else None
    now = timezone.now()
    facts = meeting.facts()
    context = {
        **LABELS,
        "meeting": meeting,
        "picture": await Picture.get_or_none(id=meeting.image_id) if meeting.image_id else None,
        "registration": registration if seat != Seat.CANCELLED else None,
        "position": await queries.waiting_position(registration)
        if registration and seat == Seat.WAITING
        else None,
        "open": domain.registration_open(facts, now),
        "can_cancel": domain.can_cancel(facts, seat, now),
        "show_link": domain.online_link_visible(facts, seat, now),
        "link_from": meeting.starts_at - domain.LINK_LEAD,
        "online": domain.is_online(facts),
        "seats_left": None
        if meeting.capacity is None
        else max(0, meeting.capacity - meeting.confirmed),
        "waiting": await queries.waiting_count(meeting.id),
        "produced": await queries.produced(meeting.id) if meeting.minutes_published_at else None,
        "comments": await commenting.section(
            request, "meeting", meeting.id, queries.meeting_comment_target(meeting)
        ),
        "place": place_map(
            town_box(settings_of(request)),
            Pin("", meeting.title, meeting.address, meeting.latitude, meeting.longitude),
        ),
    }
    return render(request, "meetings/detail.html", context)


async def map_page(request: Request) -> Response:
    """/meetings/map: the upcoming meetings with an address on the town's map (a link per
    point) and as a list with their dates and addresses (the map's text alternative; a meeting
    with an address but no point is listed, not drawn)."""
    upcoming = [m for m in await queries.upcoming() if m.address]
    pins = [
        Pin(
            url("meetings:detail", meeting_id=m.id),
            f"{m.title} · {format_datetime(m.starts_at)}",
            m.address,
            m.latitude,
            m.longitude,
        )
        for m in upcoming
    ]
    context = {**LABELS, "map": town_map(town_box(settings_of(request)), pins)}
    return render(request, "meetings/map.html", context)


async def register(request: Request) -> Response:
    user = require(request, is_verified_resident)
    meeting = await object_or_404(request, Meeting, "meeting_id")
    done = await services.register(settings_of(request), meeting.id, user)
    if done.seat == Seat.CONFIRMED:
        message = gettext("You are registered. Your registration code: %(code)s") % {
            "code": done.code
        }
    else:
        message = gettext(
            "The meeting is full: you are on the waiting list. Your registration code: %(code)s"
        ) % {"code": done.code}
    flash(request, message)
    return redirect(url("meetings:detail", meeting_id=meeting.id))


async def cancel(request: Request) -> Response:
    user = require(request, is_verified_resident)
    meeting = await object_or_404(request, Meeting, "meeting_id")
    await services.cancel_registration(settings_of(request), meeting.id, user)
    flash(request, gettext("Your registration is cancelled."))
    return redirect(url("meetings:detail", meeting_id=meeting.id))


async def feed(request: Request) -> Response:
    """The iCalendar feed of the public meetings, or of one space's (`?space=<id>`)."""
    settings = settings_of(request)
    host = urlsplit(settings.base_url).hostname or "localhost"
    name = f"{settings.site_name} · {gettext('Public meetings')}"
    space_id = None
    if "space" in request.query_params:
        space_id = parse_id(request.query_params["space"])
        space = await Space.get_or_none(id=space_id) if space_id is not None else None
        if space is None or not space.published:
            raise NotFound()
        name = f"{settings.site_name} · {space.title}"
    meetings = await queries.feed_meetings(space_id)
    body = calendar.feed(meetings, settings.base_url, host, name)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="meetings.ics"'},
    )


# --- staff ----------------------------------------------------------------------------------


async def admin_index(request: Request) -> Response:
    require(request, can_administer)
    meetings = await Meeting.all().order_by("-starts_at", "-id")
    return render(request, "meetings/admin_index.html", {**LABELS, "meetings": meetings})


def _meeting_form(meeting: Meeting | None) -> dict[str, str]:
    if meeting is None:
        return {"format": Format.IN_PERSON.value}
    return {
        "title": meeting.title,
        "description": markdown_of(meeting.description),  # staff write Markdown (issue #21)
        "format": meeting.format.value,
        "starts_at": local_input_value(meeting.starts_at),
        "ends_at": local_input_value(meeting.ends_at),
        "address": meeting.address,
        "geocoded": meeting.address,  # looked up when it changes (participation/geocoding.py)
        "accessibility": meeting.accessibility,
        "online_url": meeting.online_url,
        "capacity": "" if meeting.capacity is None else str(meeting.capacity),
        "space": str(meeting.space_id or ""),
        "latitude": "" if meeting.latitude is None else str(meeting.latitude),
        "longitude": "" if meeting.longitude is None else str(meeting.longitude),
    }


def _parsed(request: Request, data: dict[str, str]) -> domain.MeetingForm:
    return domain.parse_meeting(data, town_box(settings_of(request)))


def _place(request: Request) -> web.Place:
    """The staff form's address, looked up (participation/geocoding.py) with the form's own
    checks: nothing written when it is refused."""

    async def check(data: dict[str, str]) -> object:
        form = _parsed(request, data)
        await spaces.check_choice(form.space_id)
        return form

    return web.Place(check)


def _checks(request: Request, data: dict[str, str]) -> Callable[[], Awaitable[object]]:
    """The form's own checks (nothing written), run with its image's (participation/pictures)."""

    async def check() -> object:
        form = _parsed(request, data)
        await spaces.check_choice(form.space_id)
        return form

    return check


async def admin_new(request: Request) -> Response:
    user = require(request, can_administer)
    errors: dict[str, str] = {}
    values: Mapping[str, str] = _meeting_form(None)
    upload = await pictures_web.upload(request)  # its image's file (issue #22), if any
    if request.method == "POST":
        values = data = await form_data(request)

        async def create(data: dict[str, str]) -> Meeting:
            form = _parsed(request, data)
            checks = _checks(request, data)
            image = await pictures_web.checked(request, upload, data, False, checks)
            return await services.create_meeting(form, user, image)

        try:
            meeting = await web.saved_with_place(request, data, create, _place(request))
        except Refused as refused:
            errors = errors_of(refused.problems)
        else:
            flash(request, gettext("The meeting is published."))
            return redirect(url("meetings:admin", meeting_id=meeting.id))
    context = {
        **LABELS,
        "meeting": None,
        "form": values,
        "errors": errors,
        "image_sent": upload is not None,
        "spaces": await spaces.choices(),
        **web.place_picker(request),
    }
    return render(request, "meetings/admin_form.html", context, status_code=422 if errors else 200)


async def _admin_page(
    request: Request,
    meeting: Meeting,
    errors: dict[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status_code: int = 200,
    image_sent: bool = False,
) -> Response:
    produced = await queries.produced(meeting.id)
    picture = await Picture.get_or_none(id=meeting.image_id) if meeting.image_id else None
    form: dict[str, Any] = {
        **_meeting_form(meeting),
        "minutes": markdown_of(meeting.minutes),
        "proposals": ", ".join(str(p.id) for p in produced.proposals),
        "consultations": ", ".join(str(c.id) for c in produced.consultations),
        "code": "",
        "image_alt": picture.alt if picture else "",
        **(values or {}),
    }
    context = {
        **LABELS,
        "meeting": meeting,
        "form": form,
        "errors": errors or {},
        "registrations": await queries.registrations(meeting.id),
        "minutes_allowed": domain.can_publish_minutes(meeting.facts(), timezone.now()),
        "spaces": await spaces.choices(meeting.space_id),
        "picture": picture,
        "image_sent": image_sent,
        **web.place_picker(request),
    }
    return render(request, "meetings/admin_form.html", context, status_code=status_code)


async def admin_meeting(request: Request) -> Response:
    user = require(request, can_administer)
    meeting = await object_or_404(request, Meeting, "meeting_id")
    if request.method == "GET":
        return await _admin_page(request, meeting)
    upload = await pictures_web.upload(request)  # a new image's file (issue #22), if any
    data = await form_data(request)

    async def update(data: dict[str, str]) -> int:
        form = _parsed(request, data)
        has_image = meeting.image_id is not None
        checks = _checks(request, data)
        image = await pictures_web.checked(request, upload, data, has_image, checks)
        settings = settings_of(request)
        return await services.update_meeting(settings, meeting.id, form, user, image)

    try:
        notified = await web.saved_with_place(request, data, update, _place(request))
    except Refused as refused:
        errors = errors_of(refused.problems)
        sent = upload is not None
        return await _admin_page(request, meeting, errors, data, 422, sent)
    flash(request, _notified(gettext("Saved."), notified))
    return redirect(url("meetings:admin", meeting_id=meeting.id))


async def admin_cancel(request: Request) -> Response:
    user = require(request, can_administer)
    meeting = await object_or_404(request, Meeting, "meeting_id")
    notified = await services.cancel_meeting(settings_of(request), meeting.id, user)
    flash(request, _notified(gettext("The meeting is cancelled."), notified))
    return redirect(url("meetings:admin", meeting_id=meeting.id))


async def admin_attendance(request: Request) -> Response:
    user = require(request, can_administer)
    meeting = await object_or_404(request, Meeting, "meeting_id")
    form = await parsed_form(request)
    present = {i for i in (parse_id(v) for v in form.getlist("present")) if i is not None}
    came = await services.record_attendance(meeting.id, present, user)
    flash(request, ngettext("%(n)s person came.", "%(n)s people came.", came) % {"n": came})
    return redirect(url("meetings:admin", meeting_id=meeting.id, anchor="attendance"))


async def admin_code(request: Request) -> Response:
    user = require(request, can_administer)
    meeting = await object_or_404(request, Meeting, "meeting_id")
    data = await form_data(request)
    try:
        registration = await services.attendance_by_code(meeting.id, data.get("code", ""), user)
    except Refused as refused:
        errors = errors_of(refused.problems)
        return await _admin_page(request, meeting, errors, data, status_code=422)
    flash(
        request,
        gettext("%(name)s is marked present.") % {"name": registration.user.display_name},
    )
    return redirect(url("meetings:admin", meeting_id=meeting.id, anchor="attendance"))


async def admin_minutes(request: Request) -> Response:
    user = require(request, can_administer)
    meeting = await object_or_404(request, Meeting, "meeting_id")
    data = await form_data(request)
    try:
        await services.publish_minutes(meeting.id, domain.parse_minutes(data), user)
    except Refused as refused:
        errors = errors_of(refused.problems)
        return await _admin_page(request, meeting, errors, data, status_code=422)
    flash(request, gettext("The minutes are published."))
    return redirect(url("meetings:admin", meeting_id=meeting.id))


async def admin_csv(request: Request) -> Response:
    require(request, can_administer)
    meeting = await object_or_404(request, Meeting, "meeting_id")
    content = queries.registrations_csv(meeting, await queries.registrations(meeting.id))
    return attachment(content, "text/csv; charset=utf-8", f"reunion-{meeting.id}-inscriptions.csv")


async def admin_attendance_pdf(request: Request) -> Response:
    """The attendance sheet to print for the door (meetings/print.py)."""
    require(request, can_administer)
    meeting = await object_or_404(request, Meeting, "meeting_id")
    content = await printable.attendance_sheet(meeting, settings_of(request).site_name)
    return pdf.response(content, f"reunion-{meeting.id}-emargement.pdf")


def _notified(saved: str, notified: int) -> str:
    if not notified:
        return saved
    told = ngettext(
        "%(n)s registered person notified.", "%(n)s registered people notified.", notified
    ) % {"n": notified}
    return f"{saved} {told}"


routes = [
    Route("/meetings", index, name="meetings:index"),
    Route("/meetings/calendar.ics", feed, name="meetings:feed"),
    Route("/meetings/map", map_page, name="meetings:map"),
    Route("/meetings/{meeting_id:id}", detail, name="meetings:detail"),
    Route(
        "/meetings/{meeting_id:id}/register",
        register,
        methods=["POST"],
        name="meetings:register",
    ),
    Route("/meetings/{meeting_id:id}/cancel", cancel, methods=["POST"], name="meetings:cancel"),
    Route("/admin/meetings", admin_index, name="meetings:admin_index"),
    Route("/admin/meetings/new", admin_new, methods=["GET", "POST"], name="meetings:admin_new"),
    Route(
        "/admin/meetings/{meeting_id:id}",
        admin_meeting,
        methods=["GET", "POST"],
        name="meetings:admin",
    ),
    Route(
        "/admin/meetings/{meeting_id:id}/registrations.csv",
        admin_csv,
        name="meetings:admin_csv",
    ),
    Route(
        "/admin/meetings/{meeting_id:id}/attendance.pdf",
        admin_attendance_pdf,
        name="meetings:admin_attendance_pdf",
    ),
    Route(
        "/admin/meetings/{meeting_id:id}/cancel",
        admin_cancel,
        methods=["POST"],
        name="meetings:admin_cancel",
    ),
    Route(
        "/admin/meetings/{meeting_id:id}/attendance",
        admin_attendance,
        methods=["POST"],
        name="meetings:admin_attendance",
    ),
    Route(
        "/admin/meetings/{meeting_id:id}/code",
        admin_code,
        methods=["POST"],
        name="meetings:admin_code",
    ),
    Route(
        "/admin/meetings/{meeting_id:id}/minutes",
        admin_minutes,
        methods=["POST"],
        name="meetings:admin_minutes",
    ),
]
