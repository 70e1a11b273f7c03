"""Signalement pages: thin handlers, permission -> service -> response.

Public: /signalements (list with filters), /signalements/new (step 1: category and place, a GET
form; step 2: the open reports nearby with "Moi aussi", then the description, photos and
contact, a multipart POST), /signalements/{id} (its history), /signalements/track?token=...
(the tracking link: reopen), /signalements/mine, /signalements/figures, the exports.
Staff: /admin/signalements (the queue, bulk assignment), /admin/signalements/{id} (change of
state with its public message and "after" photo, notes, merge, reopen), the categories.
No JavaScript anywhere: every step is a form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise import timezone

from participation import pagecache, ratelimit
from participation.accounts.models import Role, User
from participation.i18n import N_, gettext, ngettext
from participation.numbers import parse_id, parse_page
from participation.permissions import can_administer, is_signed_in
from participation.refusals import NotFound, Problem, Refused
from participation.templating import flash, render
from participation.urls import url
from participation.web import (
    Place,
    action_route,
    attachment,
    errors_of,
    form_data,
    form_route,
    object_or_404,
    parsed_form,
    redirect,
    require,
    saved_with_place,
    settings_of,
)
from signalements import domain, photos, queries, services
from signalements.domain import CHANNEL_LABELS, ICON_LABELS, STATE_LABELS, Box, State
from signalements.models import Category, Photo, Report, ResponseTemplate
from signalements.photos import Processed

SENT_KEY = "signalements.sent"  # the new report's tracking link, shown once
LABELS = {
    "state_labels": STATE_LABELS,
    "channel_labels": CHANNEL_LABELS,
    "icon_labels": ICON_LABELS,  # msgids: `translate` them
}


def _options(states: list[State], districts: list[str]) -> dict[str, Any]:
    """(value, label) pairs of the filters' selects, in the reader's language."""
    return {
        "state_options": [(s.value, gettext(STATE_LABELS[s])) for s in states],
        "district_options": [(d, d) for d in districts],
    }


def _town(request: Request) -> Box:
    return Box(*settings_of(request).signalements_town_box)


def _staff(request: Request) -> bool:
    return can_administer(request.scope["user"])


def _visible(request: Request, report: Report) -> None:
    """Hidden or awaiting moderation: for staff only (others get 404)."""
    if report.moderation_state != "visible" and not _staff(request):
        raise NotFound()


# --- public ---------------------------------------------------------------------------------


async def index(request: Request) -> Response:
    """The public list, newest first, by keyset pages (`?after=` / `?before=` a cursor). A
    cursor that is not one shows the first page; `?page=N` of the old links answers for the
    first pages and sends the others to the first page."""
    params = request.query_params
    f = queries.list_filters(params)
    old_page = parse_page(params.get("page", ""), queries.MAX_PAGE)
    if old_page > queries.OLD_PAGES:
        # a deep page of before: its rows have moved since; the list starts over (302: the
        # same link may answer again when its page is among the first ones)
        return RedirectResponse(url("signalements:index", query=_kept(f.query())), 302)
    after = queries.decode_cursor(params.get("after", ""))
    before = None if after else queries.decode_cursor(params.get("before", ""))
    page = await queries.public_page(f, after, before, old_page)
    context = {
        **LABELS,
        "reports": page.reports,
        "filters": f.query(),
        "before": page.before,
        "after": page.after,
        "categories": await queries.categories(active_only=False),
        **_options(queries.PUBLIC_STATES, await queries.district_names()),
    }
    return render(request, "signalements/index.html", context)


def _kept(query: Mapping[str, str]) -> dict[str, str]:
    """The filters given, without the empty ones (a shorter link)."""
    return {k: v for k, v in query.items() if v}


def _map(
    request: Request, rows: list[dict[str, Any]], categories: list[Category]
) -> dict[str, Any]:
    """The SVG's geometry: the town's box, a point per placeable report (never a private
    one's: domain.mappable), each drawn here once as its markup (`svg`: the link and its
    shape; `item`: its line in the list after the map, the map's text alternative). Up to 500
    points: a Jinja loop and a Report object per point cost more than the whole query."""
    box = _town(request)
    frame = domain.frame(box)
    drawn, _ = domain.mappable(
        (
            domain.MapPoint(r["id"], r["latitude"], r["longitude"], False, State(r["state"]))
            for r in rows
        ),
        box,
    )
    by_id = {r["id"]: r for r in rows}
    names = {c.id: escape(c.name) for c in categories}
    states = {s: escape(gettext(STATE_LABELS[s])) for s in State}
    number = gettext("No. %(number)s")
    points = []
    for p in drawn:
        assert p.latitude is not None and p.longitude is not None  # mappable kept placed ones
        row = by_id[p.id]
        x, y = frame.point(p.latitude, p.longitude)
        href = url("signalements:detail", report_id=p.id)
        link = f"{escape(number % {'number': p.id})} · {names.get(row['category_id'], '')}"
        name = f"{link} · {states[p.state]}"
        if p.state in domain.OPEN_STATES:
            shape = f'<circle cx="{x:g}" cy="{y:g}" r="9" class="map-open"></circle>'
        else:
            shape = (
                f'<rect x="{x - 7:g}" y="{y - 7:g}" width="14" height="14" class="map-closed">'
                "</rect>"
            )
        points.append(
            {
                "svg": Markup(
                    f'<a href="{href}" aria-label="{name}" class="map-point" '
                    f'data-lat="{p.latitude}" data-lon="{p.longitude}"><title>{name}</title>'
                    f"{shape}</a>"
                ),
                "item": Markup(
                    f'<li><a href="{href}">{link}</a> · {states[p.state]} · '
                    f"{escape(row['address'])}</li>"
                ),
            }
        )
    return {"frame": frame, "points": points, "margin": domain.MAP_MARGIN}


async def map_page(request: Request) -> Response:
    """/signalements/map: the public reports on a server-drawn SVG of the town, each point a
    link to its report, and the same reports as a list (the map's text alternative)."""
    f = queries.list_filters(request.query_params)
    rows, more = await queries.map_reports(f)
    categories = await queries.categories(active_only=False)
    context = {
        **LABELS,
        "map": _map(request, rows, categories),
        "more": more,
        "limit": queries.MAP_LIMIT,
        "filters": f.query(),
        "categories": categories,
        **_options(queries.PUBLIC_STATES, await queries.district_names()),
    }
    return render(request, "signalements/map.html", context)


async def _form_context(request: Request) -> dict[str, Any]:
    return {
        **LABELS,
        "categories": await queries.categories(),
        "districts": await queries.district_names(),
        "staff": _staff(request),
        "channel_options": [(c.value, gettext(CHANNEL_LABELS[c])) for c in domain.Channel],
        # the map to click (static/js/map-pick.js): only an aid, the coordinate fields stay
        "pick_frame": domain.frame(_town(request)),
        "map_margin": domain.MAP_MARGIN,
        "address_max": domain.ADDRESS_MAX,
    }


async def new(request: Request) -> Response:
    """Step 1 (no `address` yet): category and place. Step 2: duplicates and the full form."""
    context = await _form_context(request)
    if request.method == "POST":
        return await _create(request, context)
    params = dict(request.query_params)
    if "address" not in params:
        return render(request, "signalements/new.html", {**context, "values": {}, "errors": {}})
    categories = [c.id for c in context["categories"]]

    async def parsed(data: dict[str, str]) -> domain.Place:
        problems: list[Problem] = []
        place = domain.parse_place(data, categories, _town(request), problems)
        if problems:
            raise Refused(problems)
        return place

    try:  # the address typed becomes its point (participation/geocoding.py), as in every form
        place = await saved_with_place(request, params, parsed, Place(parsed))
    except Refused as refused:
        errors = errors_of(refused.problems)
        return render(
            request,
            "signalements/new.html",
            {**context, "values": params, "errors": errors},
            status_code=422,
        )
    nearby = await queries.nearby_open(
        place.category_id, place.latitude, place.longitude, place.address
    )
    context |= {"values": params, "errors": {}, "nearby": nearby, "step": 2}
    context["followers"] = await queries.follower_counts([r.id for r in nearby])
    return render(request, "signalements/new.html", context)


async def _uploads(form: Any, name: str) -> list[bytes]:
    files = [f for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]
    return [await f.read() for f in files]


async def _create(request: Request, context: dict[str, Any]) -> Response:
    user = request.scope["user"]
    staff = _staff(request)
    async with request.form(max_files=domain.MAX_PHOTOS + 1) as form:
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        contents = await _uploads(form, "photos")
    categories = [c.id for c in context["categories"]]

    async def check(data: dict[str, str]) -> tuple[domain.ReportForm, list[Processed], str]:
        """Every check of what was sent, in one pass (and nothing written), so that the 422
        shows every problem at once: the fields, the photos, the district and the description's
        anti-abuse rules (which read only the person's recent texts, nothing these checks
        gate). Also the form's own checks when its address is refused (web.Place)."""
        problems: list[Problem] = []
        report_form = None
        try:
            report_form = domain.parse_report(data, categories, _town(request), staff)
        except Refused as refused:
            problems += refused.problems
        processed = []
        if len(contents) > domain.MAX_PHOTOS:
            problems.append(Problem(N_("Send at most three photos."), field="photos"))
        else:
            try:
                processed = [photos.process(c) for c in contents]
            except Refused as refused:
                problems += refused.problems
        district = data.get("district", "")
        if district and district not in context["districts"]:
            problems.append(Problem(N_("Choose a district from the list."), field="district"))
        if not any(p.field == "description" for p in problems):
            text = data.get("description", "").strip()  # as parse_report reads it
            if problem := await services.description_problem(user, text):
                problems.append(Problem(problem, field="description"))
        if problems or report_form is None:
            raise Refused(problems)
        return report_form, processed, district

    async def create(data: dict[str, str]) -> services.Created:
        report_form, processed, district = await check(data)
        # The rate limit stays after every other check: it counts an attempt, and only a
        # report that would be saved is one (a form refused for a field costs nothing); a
        # full limit answers 429 with how long to wait. Staff typing a phone call are not
        # limited.
        if not staff:
            await ratelimit.check(request, "signalement", report_form.email or None)
        return await services.create_report(
            settings_of(request), report_form, processed, user, district
        )

    try:  # sent without its point (no step 1: a script), the address is looked up here
        created = await saved_with_place(request, data, create, Place(check))
    except Refused as refused:
        errors = errors_of(refused.problems)
        context |= {"values": data, "errors": errors, "step": 2, "nearby": [], "followers": {}}
        return render(request, "signalements/new.html", context, status_code=422)
    request.session[SENT_KEY] = {"id": created.report.id, "token": created.token}
    return redirect(url("signalements:sent"))


async def sent(request: Request) -> Response:
    """The tracking link, shown once (not kept in the session after this page)."""
    held = request.session.pop(SENT_KEY, None)
    if not held:
        return redirect(url("signalements:index"))
    report = await Report.get_or_none(id=held["id"])
    if report is None:
        raise NotFound()
    link = settings_of(request).base_url + services.tracking_path(held["token"])
    response = render(request, "signalements/sent.html", {"report": report, "link": link})
    response.headers["Cache-Control"] = "no-store"
    return response


async def _detail_context(
    request: Request, report: Report, tracking: bool, category: Category | None = None
) -> dict[str, Any]:
    """`category`: the report's, when it came with it (one statement less)."""
    staff = _staff(request)
    own, after = await queries.photos_of(report.id)
    show_place = staff or tracking or not report.private
    return {
        **LABELS,
        "report": report,
        "category": category or await Category.get(id=report.category_id),
        "events": await queries.history(report.id, staff=False),
        "photos": own if show_place else [],
        "after": after,
        "show_place": show_place,
        "followers": (await queries.follower_counts([report.id])).get(report.id, 0),
        "open": report.state in domain.OPEN_STATES,
        "overdue": domain.is_overdue(report.state, report.due_at, timezone.now()),
        "tracking": tracking,
        "can_reopen": tracking
        and domain.can_reopen(report.state, report.resolved_at, timezone.now()),
        "staff": staff,
        "errors": {},
        "values": {},
    }


async def detail(request: Request) -> Response:
    found = Report.get_or_none(id=request.path_params["report_id"])
    report = await found.select_related("category")
    if report is None:
        raise NotFound()
    _visible(request, report)
    context = await _detail_context(request, report, tracking=False, category=report.category)
    return render(request, "signalements/detail.html", context)


async def track(request: Request) -> Response:
    token = request.query_params.get("token", "")
    report = await services.by_token(token)
    if report is None:
        raise NotFound()
    context = await _detail_context(request, report, tracking=True)
    context["token"] = token
    response = render(request, "signalements/detail.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def reopen(request: Request) -> Response:
    data = await form_data(request)
    token = data.get("token", "")
    try:
        report = await services.reopen_by_reporter(
            settings_of(request), token, data.get("message", "")
        )
    except Refused as refused:
        found = await services.by_token(token)
        if found is None:
            raise NotFound() from None
        context = await _detail_context(request, found, tracking=True)
        context |= {"token": token, "errors": errors_of(refused.problems), "values": data}
        return render(request, "signalements/detail.html", context, status_code=422)
    flash(request, gettext("The report is reopened: the service in charge is told."))
    return redirect(url("signalements:detail", report_id=report.id))


async def follow(request: Request) -> Response:
    report_id = request.path_params["report_id"]
    data = await form_data(request)
    await ratelimit.check(request, "signalement_follow", data.get("email") or None)
    try:
        added = await services.follow(report_id, request.scope["user"], data.get("email", ""))
    except Refused as refused:
        report = await object_or_404(request, Report, "report_id")
        context = await _detail_context(request, report, tracking=False)
        context |= {"errors": errors_of(refused.problems), "values": data}
        return render(request, "signalements/detail.html", context, status_code=422)
    if added:
        flash(request, gettext("Thank you: you follow this report and are told of each change."))
    else:
        flash(request, gettext("You already follow this report."))
    return redirect(url("signalements:detail", report_id=report_id))


async def photo(request: Request) -> Response:
    found = await Photo.get_or_none(id=request.path_params["photo_id"]).select_related("report")
    if found is None:
        raise NotFound()
    report = found.report
    _visible(request, report)
    if report.private and found.event_id is None and not _staff(request):
        raise NotFound()  # a private report's photos may show the place
    return Response(
        found.data,
        media_type="image/jpeg",
        # private: a photo hidden by a moderator later must not stay in a shared cache
        headers={"Cache-Control": "private, max-age=600"},
    )


async def mine(request: Request) -> Response:
    user = require(request, is_signed_in)
    reports = await queries.mine(user.id)
    return render(request, "signalements/mine.html", {**LABELS, "reports": reports})


async def figures(request: Request) -> Response:
    # the percentiles take the database ~0.4 s at 100,000 reports: computed once per write (or
    # PAGE_CACHE_SECONDS) for everyone, signed in or not; visitors get the whole page stored
    compute = queries.public_figures
    rows, districts = await pagecache.cached_data(request, "signalements:figures", compute)
    context = {**LABELS, "rows": rows, "districts": districts}
    return render(request, "signalements/figures.html", context)


async def export_csv(request: Request) -> Response:
    content = queries.export_csv(await queries.export_rows())
    return attachment(content, "text/csv; charset=utf-8", "signalements.csv", open_data=True)


async def export_json(request: Request) -> Response:
    content = queries.export_json(await queries.export_rows(), settings_of(request).base_url)
    return attachment(content, "application/json", "signalements.json", open_data=True)


# --- staff ----------------------------------------------------------------------------------


async def _staff_members() -> list[Any]:
    return await User.filter(role=Role.ADMIN, deleted_at__isnull=True).order_by("display_name")


async def desk(
    request: Request, errors: Mapping[str, str] | None = None, status: int = 200
) -> Response:
    require(request, can_administer)
    f = queries.queue_filters(request.query_params)
    now = timezone.now()
    reports, page, more = await queries.queue(f, request.query_params.get("page", ""), now)
    context = {
        **LABELS,
        "reports": reports,
        "filters": f.query(),
        "page": page,
        "more": more,
        "now": now,
        **_options(list(State), await queries.district_names()),
        "service_options": [(s, s) for s in await queries.services_list()],
        "staff_members": await _staff_members(),
        "errors": errors or {},
        "is_overdue": domain.is_overdue,
    }
    return render(request, "signalements/desk.html", context, status_code=status)


async def desk_page(request: Request) -> Response:
    return await desk(request)


async def assign(request: Request) -> Response:
    user = require(request, can_administer)
    form = await parsed_form(request)
    ids = [i for i in (parse_id(v) for v in form.getlist("reports")) if i is not None]
    raw = form.get("assignee")
    assignee = parse_id(raw) if isinstance(raw, str) and raw else None
    if isinstance(raw, str) and raw and assignee is None:
        return await desk(request, {"assignee": gettext("Choose a member of staff.")}, 422)
    try:
        count = await services.assign(ids, assignee, user)
    except Refused as refused:
        return await desk(request, errors_of(refused.problems), 422)
    flash(
        request, ngettext("%(n)s report assigned.", "%(n)s reports assigned.", count) % {"n": count}
    )
    return redirect(url("signalements:desk"))


async def _staff_page(
    request: Request,
    report: Report,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = await _detail_context(request, report, tracking=False)
    response_templates = await queries.templates_for(report.category_id)
    context |= {
        "template_options": [(t.id, t.title) for t in response_templates],
        "events": await queries.history(report.id, staff=True),
        "targets": [t for t in State if t in domain.allowed_targets(report.state)],
        "errors": errors or {},
        "values": values or {},
        "staff_members": await _staff_members(),
        "assignee": await User.get_or_none(id=report.assignee_id) if report.assignee_id else None,
        "merged_into": report.merged_into_id,
        "reopenable": report.state in (State.RESOLVED, State.REJECTED, State.NOT_OURS),
    }
    return render(
        request,
        "signalements/admin_report.html",
        context,
        status_code=status,
        fragment="signalements/_change_message.html",
    )


async def admin_report(request: Request) -> Response:
    """The staff page of a report. `?template=<id>` (the "Use" button of the response
    templates, a GET form) prefills the public message of the change of state; htmx asks for
    the message field alone and swaps it in place."""
    require(request, can_administer)
    report = await object_or_404(request, Report, "report_id")
    raw = request.query_params.get("template", "")
    if not raw:
        return await _staff_page(request, report)
    chosen = parse_id(raw)
    offered = {t.id: t for t in await queries.templates_for(report.category_id)}
    if chosen not in offered:
        errors = errors_of([Problem(N_("Choose one of the response templates."), field="template")])
        # htmx swaps its fragment with the error (base.html's htmx-config swaps 422)
        return await _staff_page(request, report, errors, {}, 422)
    values = {"template": str(chosen), "message": offered[chosen].text}
    return await _staff_page(request, report, values=values)


async def admin_state(request: Request) -> Response:
    user = require(request, can_administer)
    report = await object_or_404(request, Report, "report_id")
    async with request.form(max_files=1) as form:
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        contents = await _uploads(form, "photo")
    try:
        change = domain.parse_change(data)
        after = photos.process(contents[0], "photo") if contents else None
        notified = await services.change_state(settings_of(request), report.id, change, after, user)
    except Refused as refused:
        return await _staff_page(request, report, errors_of(refused.problems), data, 422)
    flash(
        request,
        gettext("The report is now: %(state)s.") % {"state": gettext(STATE_LABELS[change.target])}
        + " "
        + ngettext("%(n)s follower notified.", "%(n)s followers notified.", notified)
        % {"n": notified},
    )
    return redirect(url("signalements:admin", report_id=report.id))


async def admin_reopen(request: Request) -> Response:
    user = require(request, can_administer)
    report = await object_or_404(request, Report, "report_id")
    data = await form_data(request)
    try:
        await services.reopen_by_staff(
            settings_of(request), report.id, data.get("message", ""), user
        )
    except Refused as refused:
        return await _staff_page(request, report, errors_of(refused.problems), data, 422)
    flash(request, gettext("The report is reopened."))
    return redirect(url("signalements:admin", report_id=report.id))


async def admin_note(request: Request) -> Response:
    user = require(request, can_administer)
    report = await object_or_404(request, Report, "report_id")
    data = await form_data(request)
    try:
        await services.add_note(report.id, data.get("note", ""), user)
    except Refused as refused:
        return await _staff_page(request, report, errors_of(refused.problems), data, 422)
    flash(request, gettext("The note is saved (staff only)."))
    return redirect(url("signalements:admin", report_id=report.id, anchor="history"))


async def admin_merge(request: Request) -> Response:
    user = require(request, can_administer)
    report = await object_or_404(request, Report, "report_id")
    data = await form_data(request)
    target = parse_id(data.get("target", ""))
    if target is None or not await Report.exists(id=target):
        errors = {"target": gettext("Enter the number of an existing report.")}
        return await _staff_page(request, report, errors, data, 422)
    notified = await services.merge(settings_of(request), report.id, target, user)
    flash(
        request,
        gettext("Merged into report no. %(number)s.") % {"number": target}
        + " "
        + ngettext("%(n)s follower notified.", "%(n)s followers notified.", notified)
        % {"n": notified},
    )
    return redirect(url("signalements:admin", report_id=target))


async def admin_categories(request: Request) -> Response:
    user = require(request, can_administer)
    errors: dict[str, str] = {}
    values: Mapping[str, str] = {"sla_days": "7", "icon": "other"}
    if request.method == "POST":
        values = await form_data(request)
        try:
            await services.save_category(None, domain.parse_category(values), user)
        except Refused as refused:
            errors = errors_of(refused.problems)
        else:
            flash(request, gettext("The category is added."))
            return redirect(url("signalements:admin_categories"))
    context = {
        **LABELS,
        "categories": await queries.categories(active_only=False),
        "values": values,
        "errors": errors,
    }
    return render(
        request, "signalements/categories.html", context, status_code=422 if errors else 200
    )


async def admin_category(request: Request) -> Response:
    user = require(request, can_administer)
    category = await object_or_404(request, Category, "category_id")
    errors: dict[str, str] = {}
    values: Mapping[str, str] = {
        "name": category.name,
        "icon": category.icon,
        "service": category.service,
        "sla_days": str(category.sla_days),
        "premoderated": "on" if category.premoderated else "",
    }
    if request.method == "POST":
        values = await form_data(request)
        try:
            await services.save_category(category.id, domain.parse_category(values), user)
        except Refused as refused:
            errors = errors_of(refused.problems)
        else:
            flash(request, gettext("Saved."))
            return redirect(url("signalements:admin_categories"))
    context = {**LABELS, "category": category, "values": values, "errors": errors}
    return render(
        request, "signalements/category.html", context, status_code=422 if errors else 200
    )


async def _template_page(
    request: Request,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    template: ResponseTemplate | None = None,
) -> Response:
    categories = await queries.categories(active_only=False)
    context = {
        "templates": await queries.all_templates() if template is None else [],
        "template": template,
        "category_options": [(c.id, c.name) for c in categories],
        "values": values,
        "errors": errors,
    }
    name = "signalements/templates.html" if template is None else "signalements/template.html"
    return render(request, name, context, status_code=422 if errors else 200)


async def _category_ids() -> list[int]:
    found: list[Any] = await Category.all().values_list("id", flat=True)
    return [int(i) for i in found]


async def admin_templates(request: Request) -> Response:
    """Response templates: the list, and the form to add one."""
    user = require(request, can_administer)
    if request.method != "POST":
        return await _template_page(request, {}, {})
    values = await form_data(request)
    try:
        form = domain.parse_template(values, await _category_ids())
        await services.save_template(None, form, user)
    except Refused as refused:
        return await _template_page(request, values, errors_of(refused.problems))
    flash(request, gettext("The response template is added."))
    return redirect(url("signalements:admin_templates"))


async def admin_template(request: Request) -> Response:
    user = require(request, can_administer)
    template = await object_or_404(request, ResponseTemplate, "template_id")
    if request.method != "POST":
        values = {
            "category": str(template.category_id or ""),
            "title": template.title,
            "text": template.text,
        }
        return await _template_page(request, values, {}, template)
    values = await form_data(request)
    try:
        form = domain.parse_template(values, await _category_ids())
        await services.save_template(template.id, form, user)
    except Refused as refused:
        return await _template_page(request, values, errors_of(refused.problems), template)
    flash(request, gettext("Saved."))
    return redirect(url("signalements:admin_templates"))


async def admin_template_delete(request: Request) -> Response:
    user = require(request, can_administer)
    template = await object_or_404(request, ResponseTemplate, "template_id")
    await services.delete_template(template.id, user)
    flash(request, gettext("The response template is deleted."))
    return redirect(url("signalements:admin_templates"))


routes = [
    Route("/signalements", index, name="signalements:index"),
    form_route("/signalements/new", new, name="signalements:new"),
    Route("/signalements/sent", sent, name="signalements:sent"),
    Route("/signalements/track", track, name="signalements:track"),
    action_route("/signalements/track/reopen", reopen, name="signalements:reopen"),
    Route("/signalements/mine", mine, name="signalements:mine"),
    Route(
        "/signalements/figures", pagecache.cached_for_visitors(figures), name="signalements:figures"
    ),
    Route("/signalements/map", map_page, name="signalements:map"),
    Route("/signalements/export.csv", export_csv, name="signalements:export_csv"),
    Route("/signalements/export.json", export_json, name="signalements:export_json"),
    Route("/signalements/photos/{photo_id:id}", photo, name="signalements:photo"),
    Route("/signalements/{report_id:id}", detail, name="signalements:detail"),
    action_route("/signalements/{report_id:id}/follow", follow, name="signalements:follow"),
    Route("/admin/signalements", desk_page, name="signalements:desk"),
    action_route("/admin/signalements/assign", assign, name="signalements:assign"),
    form_route(
        "/admin/signalements/categories", admin_categories, name="signalements:admin_categories"
    ),
    form_route(
        "/admin/signalements/categories/{category_id:id}",
        admin_category,
        name="signalements:admin_category",
    ),
    form_route(
        "/admin/signalements/templates", admin_templates, name="signalements:admin_templates"
    ),
    form_route(
        "/admin/signalements/templates/{template_id:id}",
        admin_template,
        name="signalements:admin_template",
    ),
    action_route(
        "/admin/signalements/templates/{template_id:id}/delete",
        admin_template_delete,
        name="signalements:admin_template_delete",
    ),
    Route("/admin/signalements/{report_id:id}", admin_report, name="signalements:admin"),
    action_route(
        "/admin/signalements/{report_id:id}/state", admin_state, name="signalements:admin_state"
    ),
    action_route(
        "/admin/signalements/{report_id:id}/reopen", admin_reopen, name="signalements:admin_reopen"
    ),
    action_route(
        "/admin/signalements/{report_id:id}/note",
        admin_note,
        name="signalements:admin_note",
        changes_pages=False,  # staff's notes: never public
    ),
    action_route(
        "/admin/signalements/{report_id:id}/merge", admin_merge, name="signalements:admin_merge"
    ),
]
