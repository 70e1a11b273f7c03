"""Budget pages: thin handlers, permission -> service -> response."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from tortoise import timezone

from budgets import (
    ballot_box,
    ballot_services,
    domain,
    fast_cast,
    project_services,
    queries,
    services,
)
from budgets import print as printable
from budgets.forms import ballot_fields, parse_budget_form
from budgets.importing import import_pabulib
from budgets.models import (
    BallotKind,
    Budget,
    BudgetDistrict,
    Channel,
    Phase,
    Project,
    WinnerRule,
)
from participation import commenting, formatting, pagecache, pdf, queue, sharedparts, web
from participation.formfields import local_input_value
from participation.i18n import N_, gettext
from participation.middleware import Prefetch
from participation.numbers import is_whole_number
from participation.pagecache import cached_for_visitors
from participation.people import services as people
from participation.people.domain import PeopleFilters
from participation.permissions import can_administer, can_work_at_desk, is_signed_in
from participation.pictures import web as pictures_web
from participation.refusals import NotFound
from participation.residents import services as residents
from participation.richtext import source_of
from participation.spaces import services as spaces
from participation.spaces.audience import shown_value
from participation.spaces.domain import Person, audience_refusal
from participation.templating import (
    csrf_token,
    flash,
    is_htmx,
    money,
    picture_of,
    render,
    render_part,
)
from participation.territory import Pin, place_map, town_box, town_map
from participation.urls import url
from participation.web import FORM_SCOPE_KEY

MONEY_VALUES = {"amount", "total", "excess", "sum"}
VOTING_STATE_KEY = "budgets.voting_state"
# the ballot page's meters of non-empty ballots, by district and totals (`_shared_ballot`), in a
# store of their own so that voters' many totals never push the shared parts out
METER_STORE = "ballot_meters"
MAX_METERS = 2000
BALLOT_PATH = re.compile(r"/budgets/(\d{1,9})/ballot")


async def fast_ballot(scope: Scope, receive: Receive, send: Send, login_token: str) -> bool:
    """A cast ballot in one round trip (budgets/fast_cast.py), before the session lookup;
    False, having sent nothing, when the ordinary path must answer."""
    match = BALLOT_PATH.fullmatch(scope["path"])
    form = scope.get(FORM_SCOPE_KEY)  # a URL-encoded form, as the CSRF check parsed it
    if match is None or form is None:
        return False
    budget_id = int(match.group(1))
    settings = scope["app"].state.settings  # SECRET_KEY: never one of the site's settings
    receipt = await fast_cast.cast(settings, scope["session"], login_token, budget_id, form)
    if receipt is None:
        return False
    scope["route"] = BALLOT_ROUTE  # the metrics' route; it changes no cached page
    await _to_the_receipt(scope["session"], budget_id, receipt)(scope, receive, send)
    return True


def _to_the_receipt(session: Any, budget_id: int, receipt: str) -> Response:
    """After a cast: the receipt kept in the session for its page, shown once."""
    session["receipt"] = {"budget": budget_id, "code": receipt}
    return web.redirect(url("budgets:receipt", budget_id=budget_id))


# the ballot page (GET and POST) reads its budget, residency and envelopes with the session
# (participation.middleware.AuthMiddleware); ids beyond 9 digits take the ordinary path; a
# cast ballot, when it can, in one round trip without it (fast_ballot)
BALLOT_PREFETCH = Prefetch(
    BALLOT_PATH, ballot_services.VOTING_JOIN, VOTING_STATE_KEY, fast_post=fast_ballot
)


def _shown_value(name: str, value: object) -> object:
    """How a value of a refusal reads in its message (`errors_of(problems, _shown_value)`):
    amounts as money, percentages and counts in the reader's language."""
    if name in MONEY_VALUES and isinstance(value, int):
        return money(value)
    if name == "percent" and isinstance(value, int):
        return formatting.format_points(value, 0)
    return value


async def _budget(request: Request) -> Budget:
    raw = request.path_params["budget_id"]
    budget = await Budget.get_or_none(id=raw)
    if budget is None:
        raise NotFound()
    # a budget in preparation is staff's draft: nobody else learns it exists (as consultations)
    if budget.phase == Phase.PREPARATION and not can_administer(request.scope["user"]):
        raise NotFound()
    return budget


async def _project(request: Request, budget: Budget, viewer: Any = None) -> Project:
    """The project of the path, in `budget`, if `viewer` may see it (no viewer: staff pages)."""
    project = await queries.project_or_none(budget.id, request.path_params["project_id"], viewer)
    if project is None:
        raise NotFound()
    return project


# --- public pages ----------------------------------------------------------------------------


async def index(request: Request) -> Response:
    budgets = await queries.budget_list(can_administer(request.scope["user"]))
    return render(request, "budgets/index.html", {"budgets": budgets})


async def detail(request: Request) -> Response:
    budget = await _budget(request)
    filters = queries.ProjectFilters.from_query(request.query_params)
    context = await queries.budget_page(budget, filters)
    return render(request, "budgets/detail.html", context, fragment="budgets/_projects.html")


async def project_page(request: Request) -> Response:
    budget = await _budget(request)
    user = request.scope["user"]
    project = await _project(request, budget, user)
    context = {
        "budget": budget,
        "project": project,
        "may_report": user.is_authenticated
        and project.author_id != user.id
        and project.moderation_state == "visible",
        "comments": await commenting.section(
            request, "budget_project", project.id, queries.project_comment_target(budget, project)
        ),
        "place": place_map(
            town_box(web.settings_of(request)),
            Pin("", project.title, project.location, project.latitude, project.longitude),
        ),
    }
    return render(request, "budgets/project.html", context)


async def project_map(request: Request) -> Response:
    """/budgets/<id>/map: the budget's projects with a place, filtered like the budget's page,
    on the town's map (a link per point) and as a list with their places (the map's text
    alternative: a project with a place but no point is listed, not drawn)."""
    budget = await _budget(request)
    filters = queries.ProjectFilters.from_query(request.query_params)
    context = await queries.budget_page(budget, filters)
    pins = [
        Pin(
            url("budgets:project", budget_id=budget.id, project_id=p.id),
            p.title,
            p.location,
            p.latitude,
            p.longitude,
        )
        for p in context["projects"]
        if p.location or p.latitude is not None
    ]
    context["map"] = town_map(town_box(web.settings_of(request)), pins)
    return render(request, "budgets/map.html", context)


async def new_project(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    budget = await _budget(request)
    upload = await pictures_web.upload(request)  # its image's file (issue #22), if any

    async def submit(data: dict[str, str]) -> str:
        image = await pictures_web.checked(request, upload, data, False, lambda: check(data))
        project = await project_services.submit_project(
            budget.id,
            project_services.ProjectForm.from_fields(data),
            user,
            by_staff=user.is_admin,
            premoderated=web.settings_of(request).premoderates("budget_project"),
            town=town_box(web.settings_of(request)),
            image=image,
        )
        flash(
            request,
            gettext(
                "Your project is submitted. "
                "Council staff will review its feasibility before the vote."
            ),
        )
        return url("budgets:project", budget_id=budget.id, project_id=project.id)

    async def check(data: dict[str, str]) -> object:
        form = project_services.ProjectForm.from_fields(data)
        town = town_box(web.settings_of(request))
        return await project_services.checked_project(budget.id, form, user.is_admin, town)

    context = {
        "budget": budget,
        "districts": await budget.districts.all(),
        "categories": await budget.categories.all(),
        "image_sent": upload is not None,  # a file came with the form: choose it again on errors
        **web.place_picker(request),
    }
    place = web.Place(check, "location")  # the place's point (participation/geocoding.py)
    return await web.form_page(
        request, "budgets/project_form.html", context, submit, _shown_value, place
    )


# --- residency -------------------------------------------------------------------------------


async def residency(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    resident, current = await residents.resident_of(user)
    # where the resident was going: in the query string, then in the form (it posts `next`)
    sent = await web.form_data(request) if request.method == "POST" else request.query_params
    context: dict[str, Any] = {
        "residency": current if resident.verified else None,
        "former": current if not resident.verified else None,  # revoked or expired: says why
        "next": sent.get("next", ""),
    }
    if resident.verified:  # already verified: nothing to send
        return render(request, "budgets/residency.html", {**context, "values": {}, "errors": {}})

    async def verify(data: dict[str, str]) -> str:
        await residents.verify_residency(
            web.settings_of(request),
            user,
            data.get("identifier", ""),
            data.get("birth_date", ""),
            data.get("postcode", ""),
        )
        flash(request, gettext("You are verified as a resident: you can vote."))
        next_url = data.get("next", "")
        if next_url.startswith(url("budgets:index") + "/"):
            return next_url
        return url("budgets:residency")

    return await web.form_page(request, "budgets/residency.html", context, verify, _shown_value)


# --- ballot ----------------------------------------------------------------------------------


async def _ballot_refused(
    request: Request,
    budget: Budget,
    voter: domain.Voter,
    template: str,
    errors: dict[str, str] | None = None,
) -> Response:
    """The ballot page's projects, with why this person cannot vote (403)."""
    context = await queries.ballot_page(budget, voter)
    if errors:
        context["errors"] = errors
    return render(request, template, context, status_code=403)


async def ballot(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    # the budget, the person's residency and the envelopes, read with the session (the hot
    # path: BALLOT_PREFETCH), or here in one query
    prefetched = request.scope.get(VOTING_STATE_KEY)
    if prefetched is not None:
        state = ballot_services.voting_state_of(prefetched)
    else:
        state = await ballot_services.voting_state(request.path_params["budget_id"], user.id)
    if state is None or (state.budget.phase == Phase.PREPARATION and not can_administer(user)):
        raise NotFound()  # as _budget: a draft is staff's
    budget, voter = state.budget, state.voter
    settings = web.settings_of(request)
    if state.audience is not None and (
        problem := audience_refusal(
            state.audience,
            Person(True, voter.verified, voter.district, voter.birth_date, state.voter_method),
            timezone.now().date(),
        )
    ):  # the space's audience (issue #19): decided on the row already read, no query
        return await _ballot_refused(
            request,
            budget,
            voter,
            "budgets/ballot_audience.html",
            web.errors_of([problem], shown_value),
        )
    if state.census_entry_id is None:
        return await _ballot_refused(request, budget, voter, "budgets/ballot_not_verified.html")
    if problem := await ballot_services.unlinked_record_problem(state.voter_method):
        # a letter in a town with a census file (issue #19); a query for letter voters only
        return await _ballot_refused(
            request,
            budget,
            voter,
            "budgets/ballot_audience.html",
            web.errors_of([problem], shown_value),
        )
    if problem := domain.eligibility_problem(
        voter, budget.minimum_age, budget.restricted_to_district, timezone.now().date()
    ):
        return await _ballot_refused(
            request,
            budget,
            voter,
            "budgets/ballot_closed.html",
            web.errors_of([problem], _shown_value),
        )
    if not domain.voting_is_open(budget.phase, services.dates_of(budget), timezone.now()):
        return await _ballot_refused(request, budget, voter, "budgets/ballot_closed.html")
    await fast_cast.remember(request.session, state)  # the next cast: one round trip
    if request.method == "GET":
        draft = _take_draft(request, "ballot", budget.id)
        if draft is not None:  # "Check my ballot" or a filter, sent without JavaScript
            return await _ballot_preview(request, budget, voter, draft)
        # their clear ballot's choices (none when sealed) and whether they voted: one statement
        choices, voted = await ballot_services.ballot_on_visit(
            settings, budget.id, state.census_entry_id
        )
        context = await _shared_ballot(request, budget, voter, choices or {})
        if context is None:  # parts are not kept (the cache off, Redis down)
            context = await queries.ballot_page(budget, voter)
            context.update(queries.ballot_state(context, choices or {}))
        else:  # the page's top too, as every voter of the district who voted or not sees it
            context["ballot_head"] = await _shared_ballot_head(
                request, budget, voter, voted, context
            )
        context.update(already_voted=voted, sealed=budget.ballot_public_key is not None)
        return render(request, "budgets/ballot.html", context)

    form = await web.parsed_form(request)
    submitted = ballot_fields(form)
    choices, parse_problems = domain.parse_choices(budget.ballot_kind, submitted)  # type: ignore[arg-type]
    action = submitted.get("action", "cast")
    if action == "cast" and not parse_problems:
        # the fast path (most requests while voting is open): no page context unless refused
        try:
            receipt = await ballot_services.cast_ballot(
                settings,
                budget.id,
                state.census_entry_id,
                voter,
                choices,
                budget=budget,
                district_rows=state.district_rows,
                receipt_key=ballot_box.receipt_key(request.session.get("auth"), budget.id),
            )
        except services.Refused as refused:
            context = await queries.ballot_page(budget, voter)
            context.update(queries.ballot_state(context, choices))
            context["errors"] = web.errors_of(refused.problems, _shown_value)
            return render(request, "budgets/ballot.html", context, status_code=422)
        return _to_the_receipt(request.session, budget.id, receipt)

    if not parse_problems and not is_htmx(request):
        # preview, or filter, without JavaScript: POST, redirect, GET (the back button after
        # voting must not offer to send this form again); the GET shows it once
        _keep_draft(request, "ballot", budget.id, submitted)
        return web.redirect(url("budgets:ballot", budget_id=budget.id, anchor="meter"))
    return await _ballot_preview(request, budget, voter, submitted)


async def _shared_ballot(
    request: Request, budget: Budget, voter: domain.Voter, choices: dict[int, int]
) -> dict[str, Any] | None:
    """The ballot page's context, its projects as every voter of the district sees them, read
    and rendered once per write and shared (participation/sharedparts.py), with this voter's
    choices filled in (`shared_projects`: ticked, points, ranks; none for a sealed ballot,
    which cannot be read back). Its key is what decides it without reading it: the budget, the
    voter's district (their district's projects and envelope), the address, the language, the
    settings' version, and the generation (every write that may change a page empties it: a
    project or the budget edited, a phase changed). A request served from the store reads
    none of the projects, envelopes, districts or categories. None when parts are not kept."""
    key = sharedparts.key_of(request, "ballot", budget.id, voter.district)

    async def read_and_render() -> tuple[str, dict[str, Any]]:
        context = await queries.ballot_page(budget, voter)
        html = render_part(
            request,
            "budgets/_ballot_projects.html",
            {  # nothing of the voter's: holes for their choices, every project shown
                **context,
                "choices": {},
                "user": sharedparts.SHARED_RESIDENT,
                "csrf_token": sharedparts.hole("csrf"),
                "shared": True,
            },
        )
        # kept with the part: what the rest of the page shows (the rule, the meter's envelopes
        # and costs, the filters' choices), never changed by a request (it copies the dict)
        kept = ("rule", "ballot_projects", "envelopes", "projects", "districts", "categories")
        data = {name: context[name] for name in kept}
        # and the meter of an empty ballot (nothing chosen yet: most first visits), the same
        # for every voter of the district
        data["empty_meter"] = _meter_html(request, budget, data, queries.ballot_state(data, {}))
        return html, data

    part = await sharedparts.shared(request, key, read_and_render)
    if part is None:
        return None
    state = queries.ballot_state(part.data, choices)
    meter = part.data["empty_meter"] if not state["choices"] else None
    if meter is None:  # the meter of these totals, kept for whoever has the same
        spent = (m["spent"] for m in state["meters"])
        totals = (state["chosen_count"], state["points_used"], *spent)
        kept_meter = await pagecache.kept(
            request,
            METER_STORE,
            (*key, totals),
            lambda: _rendered_meter(request, budget, part.data, state),
            MAX_METERS,
        )
        meter = None if kept_meter is None else kept_meter.value
    # their choices (none for a sealed ballot): ticked, points, ranks; every other one empty
    named: dict[tuple[str, ...], str] = {}
    for project, value in choices.items():
        if value:
            named["checked", str(project)] = "checked"
            named["points", str(project)] = str(value)
            named["rank", str(project), str(value)] = "selected"
    return {
        **part.data,
        **state,
        "budget": budget,
        "voter": voter,
        "filters": queries.ProjectFilters(),
        "errors": {},
        "meter_html": meter,
        "shared_projects": sharedparts.fill_in(
            part, {"csrf": csrf_token(request), "checked": "", "points": "", "rank": ""}, named
        ),
    }


async def _shared_ballot_head(
    request: Request,
    budget: Budget,
    voter: domain.Voter,
    voted: bool,
    context: dict[str, Any],
) -> Markup | None:
    """The ballot page's top (templates/budgets/_ballot_head.html: whether they voted, the
    ballot's secrecy, the rule's lead, the form's opening and its filters), the same for every
    voter of the district who voted or not: rendered once per write and shared, the token a
    hole. What it reads is the shared ballot's (`_shared_ballot`: its key, the rule and the
    categories kept with its part), none of the query (the filters shown are the defaults,
    the errors none), whether they voted and the budget's secrecy (in the key). None when
    parts are not kept."""
    # what it reads of the budget, read with the session on each request (its secrecy's
    # trustees), in the key with it
    secrecy = (bool(budget.ballot_public_key), budget.ballot_key_threshold)
    key = sharedparts.key_of(request, "ballot-head", budget.id, voter.district, voted, *secrecy)

    def rendered() -> str:
        shared_context = {
            **context,
            "already_voted": voted,
            "user": sharedparts.SHARED_RESIDENT,
            "csrf_token": sharedparts.hole("csrf"),
            "extra_fields": Markup(""),  # ballot.html's block: a paper ballot's is not shared
        }
        return render_part(request, "budgets/_ballot_head.html", shared_context)

    part = await sharedparts.shared(request, key, rendered)
    if part is None:
        return None
    return sharedparts.fill_in(part, {"csrf": str(escape(csrf_token(request)))})


def _meter_html(
    request: Request, budget: Budget, data: dict[str, Any], state: dict[str, Any]
) -> Markup:
    """The meter (budgets/_meter.html) of a ballot with no error, as the page includes it:
    it shows the rule, the envelopes and the voter's totals (`queries.ballot_state`), nothing
    else of theirs."""
    context = {
        "rule": data["rule"],
        "budget": budget,
        **state,
        "errors": {},
        "user": sharedparts.SHARED_RESIDENT,
        "csrf_token": "",
    }
    return Markup(render_part(request, "budgets/_meter.html", context))


async def _rendered_meter(
    request: Request, budget: Budget, data: dict[str, Any], state: dict[str, Any]
) -> Markup:
    return _meter_html(request, budget, data, state)


async def _ballot_preview(
    request: Request, budget: Budget, voter: domain.Voter, submitted: dict[str, Any]
) -> Response:
    """The ballot as submitted, with its total and any problem; nothing is saved."""
    choices, parse_problems = domain.parse_choices(budget.ballot_kind, submitted)
    context = await queries.ballot_page(budget, voter)
    context.update(queries.ballot_state(context, choices))
    context["filters"] = queries.ProjectFilters.from_query(submitted)
    if parse_problems:
        context["errors"] = web.errors_of(parse_problems, _shown_value)
        return render(
            request, "budgets/ballot.html", context, status_code=422, fragment="budgets/_meter.html"
        )
    problems = domain.ballot_problems(
        context["rule"],
        choices,
        context["ballot_projects"],
        context["envelopes"],
        voter.district,
    )
    context["errors"] = web.errors_of(problems, _shown_value)
    return render(request, "budgets/ballot.html", context, fragment="budgets/_meter.html")


def _keep_draft(request: Request, form: str, budget_id: int, submitted: dict[str, Any]) -> None:
    """A form checked without JavaScript, kept in the session for the GET that shows it (the
    person's own signed cookie: nothing is written to the database)."""
    request.session[f"draft-{form}"] = {"budget": budget_id, "form": submitted}


def _take_draft(request: Request, form: str, budget_id: int) -> dict[str, Any] | None:
    draft = request.session.pop(f"draft-{form}", None)
    if not isinstance(draft, dict) or draft.get("budget") != budget_id:
        return None
    submitted = draft.get("form")
    return submitted if isinstance(submitted, dict) else None


async def _kept_budget(request: Request) -> Budget | None:
    """The budget of the address, read once per write and kept for every resident
    (participation/sharedparts.py, as a consultation is for its questionnaire): the receipt
    page reads nothing else that is not the person's. None (the route reads it) when parts
    are not kept (the cache off, Redis down), there is no such budget or it is in preparation
    (staff's draft: `_budget` says who may see it)."""
    budget_id = request.path_params["budget_id"]

    budget = await sharedparts.kept(
        request,
        sharedparts.key_of(request, "budget", budget_id, query=""),
        lambda: Budget.get_or_none(id=budget_id),
    )
    if budget is None or budget.phase == Phase.PREPARATION:
        return None
    return budget  # type: ignore[no-any-return]


async def receipt(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    budget = await _kept_budget(request) or await _budget(request)
    held = request.session.get("receipt") or {}
    if held.get("budget") != budget.id:
        return web.redirect(url("budgets:ballot", budget_id=budget.id))
    # the receipt of the ballot stored last: with several submissions at once, the session may
    # hold the code of one that another replaced (issue #15)
    census_entry_id = await residents.census_entry_of(user.id)
    code = held["code"]
    if census_entry_id is not None:
        key = ballot_box.receipt_key(request.session.get("auth"), budget.id)
        code = (
            await ballot_services.held_receipt(
                web.settings_of(request), budget.id, census_entry_id, key
            )
            or code
        )
        if code != held["code"]:
            request.session["receipt"] = {"budget": budget.id, "code": code}
    context = {
        "budget": budget,
        "receipt": code,
        "sealed": budget.ballot_public_key is not None,
        # the check page's whole address, printed with the receipt (the code is not in it: a
        # receipt belongs in no address bar, history or server log)
        "check_address": web.settings_of(request).base_url.rstrip("/")
        + url("budgets:receipt_check", budget_id=budget.id),
    }
    return render(request, "budgets/receipt.html", context)


def normalise_receipt(raw: str) -> str:
    """A receipt code as typed: any case, with or without dashes or spaces."""
    compact = "".join(c for c in raw.upper() if c.isascii() and c.isalnum())[:32]
    if len(compact) == 12:
        return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"
    return compact


async def check_receipt(request: Request) -> Response:
    budget = await _budget(request)
    typed = request.query_params.get("receipt", "").strip()
    code = normalise_receipt(typed)
    found = await queries.published_ballot(budget, code) if code else None
    context = {
        "budget": budget,
        "code": code or typed[:32],  # what cannot be a receipt is shown back, "not found"
        "found": found,
        "not_yet": budget.phase != Phase.RESULTS,
    }
    return render(request, "budgets/receipt_check.html", context)


# --- results ---------------------------------------------------------------------------------


async def results(request: Request) -> Response:
    budget = await _budget(request)
    user = request.scope["user"]
    if budget.phase != Phase.RESULTS and not can_administer(user):
        return render(request, "budgets/results_pending.html", {"budget": budget}, 404)
    context = await queries.results_page(budget)
    return render(request, "budgets/results.html", context)


async def results_csv(request: Request) -> Response:
    budget = await _budget(request)
    if budget.phase != Phase.RESULTS:
        raise NotFound()
    content = await queries.results_csv(budget)
    filename = f"budget-{budget.id}-resultats.csv"
    return web.attachment(content, "text/csv; charset=utf-8", filename, open_data=True)


async def results_pdf(request: Request) -> Response:
    """The published results, to print (budgets/print.py); nothing before publication."""
    budget = await _budget(request)
    if budget.phase != Phase.RESULTS:
        raise NotFound()
    content = await printable.results(budget, web.settings_of(request).site_name)
    return pdf.response(content, f"budget-{budget.id}-resultats.pdf")


async def ballots_pabulib(request: Request) -> Response:
    budget = await _budget(request)
    if budget.phase != Phase.RESULTS:
        raise NotFound()
    # one file per envelope; any other value is the city-wide file (and names it)
    names = await BudgetDistrict.filter(budget=budget).values_list("name", flat=True)
    district = request.query_params.get("district") or None
    district = district if district in names else None
    content = await queries.pabulib_export(budget, district)
    # a header is Latin-1: a district named in another script answered 500
    suffix = (
        "-" + "".join(c if c.isascii() and c.isalnum() else "-" for c in district)
        if district
        else ""
    )
    filename = f"budget-{budget.id}{suffix}.pb"
    return web.attachment(content, "text/plain; charset=utf-8", filename, open_data=True)


# --- staff -----------------------------------------------------------------------------------


async def admin_budget_form(request: Request) -> Response:
    """A new budget (no id in the path), or a budget's settings."""
    user = web.require(request, can_administer)
    budget = await _budget(request) if "budget_id" in request.path_params else None

    async def save(data: dict[str, str]) -> str:
        form = web.accepted(parse_budget_form(data))
        saved = await services.save_budget(form, budget.id if budget else None, by_user=user)
        flash(
            request,
            gettext("The budget is saved.") if budget else gettext("The budget is created."),
        )
        return url("budgets:admin", budget_id=saved.id)

    values = {}
    if budget is not None and request.method == "GET":
        values = await queries.budget_form_values(budget)
    context = {
        "budget": budget,
        "values": values,
        "ballot_kinds": list(BallotKind),
        "winner_rules": list(WinnerRule),
        "local_input_value": local_input_value,
        "spaces": await spaces.choices(budget.space_id if budget else None),
    }
    return await web.form_page(request, "budgets/admin_form.html", context, save, _shown_value)


async def admin_budget(request: Request) -> Response:
    web.require(request, can_administer)
    budget = await _budget(request)
    return render(request, "budgets/admin_budget.html", await _admin_page(request, budget))


async def admin_ballot_pdf(request: Request) -> Response:
    """The blank paper ballot, to print for the town hall (budgets/print.py)."""
    web.require(request, can_administer)
    budget = await _budget(request)
    content = await printable.paper_ballot(budget, web.settings_of(request).site_name)
    return pdf.response(content, f"budget-{budget.id}-bulletin.pdf")


async def admin_switch_phase(request: Request) -> Response:
    user = web.require(request, can_administer)
    budget = await _budget(request)
    data = await web.form_data(request)
    target = data.get("phase", "")
    if target not in Phase._value2member_map_:
        raise HTTPException(status_code=400)
    try:
        await services.switch_phase(budget.id, Phase(target), user)
    except services.Refused as refused:
        flash(request, web.errors_of(refused.problems, _shown_value)["form"], "error")
    else:
        flash(request, gettext("The phase is changed."))
    return web.redirect(url("budgets:admin", budget_id=budget.id))


def _row_values(project: Project) -> dict[str, str]:
    """A project's row form as stored."""
    return {
        "title": project.title,
        "cost": str(project.cost),
        "district_id": str(project.district_id or ""),  # type: ignore[attr-defined]
        "feasibility": project.feasibility.value,
        "feasibility_reason": project.feasibility_reason,
        "adjusted_cost": "" if project.adjusted_cost is None else str(project.adjusted_cost),
        "version": str(project.version),
    }


async def admin_project(request: Request) -> Response:
    """A project of the staff's table, edited (issue #22): its title, cost, district and
    feasibility review. One route, two renderings: with htmx the table's row becomes this form
    and a save answers the row again; without JavaScript a page of its own, then back to the
    table at the row (PRG). Refused: the form again, 422 (409 when another save came first)."""
    user = web.require(request, can_administer)
    budget = await _budget(request)
    project = await _project(request, budget)
    context: dict[str, Any] = {
        "budget": budget,
        "project": project,
        "districts": await BudgetDistrict.filter(budget=budget).order_by("name"),
        "locked": await project_services.review_closed(budget),
        "values": _row_values(project),
        "errors": {},
        "current": None,
    }
    template, fragment = "budgets/admin_project.html", "budgets/_project_row_form.html"
    if request.method == "GET":
        return render(request, template, context, fragment=fragment)
    data = await web.form_data(request)
    edit = project_services.RowEdit.from_fields(data)
    try:
        saved = await project_services.edit_project_row(budget.id, project.id, edit, user)
    except project_services.StaleEdit as stale:
        context.update(
            values={**data, "version": str(stale.current.version)},
            errors=web.errors_of(stale.problems, _shown_value),
            current=stale.current,
        )
        return render(request, template, context, status_code=409, fragment=fragment)
    except services.Refused as refused:
        errors = web.errors_of(refused.problems, _shown_value)
        context.update(values=data if not context["locked"] else context["values"], errors=errors)
        return render(request, template, context, status_code=422, fragment=fragment)
    if is_htmx(request):
        await saved.fetch_related("district")
        row = {"budget": budget, "project": saved, "saved": True}
        return render(request, "budgets/_project_row.html", row)
    flash(request, gettext("The project “{title}” is saved.").format(title=saved.title))
    return web.redirect(url("budgets:admin", budget_id=budget.id, anchor=f"project-{project.id}"))


async def admin_project_row(request: Request) -> Response:
    """A project's row of the staff's table, as shown (htmx's « Annuler »); without htmx, the
    table at that row."""
    web.require(request, can_administer)
    budget = await _budget(request)
    project = await _project(request, budget)
    if not is_htmx(request):
        return web.redirect(
            url("budgets:admin", budget_id=budget.id, anchor=f"project-{project.id}")
        )
    row = {"budget": budget, "project": project, "saved": False}
    return render(request, "budgets/_project_row.html", row)


async def admin_edit_project(request: Request) -> Response:
    """Staff correct a project's text (any phase), with a reason kept in the audit log."""
    user = web.require(request, can_administer)
    budget = await _budget(request)
    project = await _project(request, budget)
    upload = await pictures_web.upload(request)  # a new image's file (issue #22), if any

    def edit_of(data: dict[str, str]) -> project_services.TextEdit:
        return project_services.TextEdit(
            data.get("title", ""),
            data.get("description", ""),
            data.get("location", ""),
            data.get("reason", ""),
            (data.get("latitude", ""), data.get("longitude", "")),
            town_box(web.settings_of(request)),
        )

    async def check(data: dict[str, str]) -> object:
        return project_services.checked_text_edit(edit_of(data))

    async def save(data: dict[str, str]) -> str:
        has_image = project.image_id is not None
        image = await pictures_web.checked(request, upload, data, has_image, lambda: check(data))
        await project_services.edit_project_text(project.id, edit_of(data), user, image)
        flash(request, gettext("The project is saved."))
        return url("budgets:admin", budget_id=budget.id, anchor=f"project-{project.id}")

    values = {
        "title": project.title,
        "description": source_of(project.description_source, project.description),
        "location": project.location,
        "geocoded": project.location,  # looked up when it changes (participation/geocoding.py)
        "latitude": "" if project.latitude is None else str(project.latitude),
        "longitude": "" if project.longitude is None else str(project.longitude),
        "image_alt": getattr(picture_of(project), "alt", ""),  # read with the project
    }
    context = {
        "budget": budget,
        "project": project,
        "values": values,
        "image_sent": upload is not None,
        **web.place_picker(request),
    }
    place = web.Place(check, "location")  # the place's point (participation/geocoding.py)
    return await web.form_page(
        request, "budgets/admin_project_form.html", context, save, _shown_value, place
    )


async def admin_tally(request: Request) -> Response:
    user = web.require(request, can_administer)
    budget = await _budget(request)
    if budget.phase not in (Phase.TALLY, Phase.RESULTS):
        flash(request, gettext("The tally runs once voting is closed."), "error")
    else:
        await services.request_tally(budget.id, by_user=user)
        flash(request, gettext("The tally is running in the background. Reload in a moment."))
    return web.redirect(url("budgets:admin", budget_id=budget.id))


async def _admin_page(request: Request, budget: Budget, **extra: Any) -> dict[str, Any]:
    context = await queries.admin_page(budget)
    redis = request.app.state.redis
    context["shares_held"] = await ballot_box.shares_held(redis, budget.id)
    context["my_share_waiting"] = await ballot_box.share_waiting(
        redis, budget.id, request.scope["user"].id
    )
    # the projects table's rows are read-only from then on (project_services.review_closed)
    context["review_closed"] = domain.feasibility_frozen(budget.phase, context["has_ballots"])
    context.update(extra)
    return context


async def admin_key_ceremony(request: Request) -> Response:
    """The key ceremony: staff choose the trustees and how many shares open the ballots."""
    user = web.require(request, can_administer)
    budget = await _budget(request)
    data = await web.parsed_form(request)
    raw_ids = [value for value in data.getlist("trustee") if isinstance(value, str)]
    threshold_raw = str(data.get("threshold", "")).strip()
    try:
        ids = [int(raw) for raw in raw_ids if is_whole_number(raw)]
        trustees = await queries.staff_accounts(ids)
        if len(trustees) != len(set(raw_ids)):
            raise services.refuse(N_("Trustees must be council staff accounts."), "trustees")
        if not is_whole_number(threshold_raw):
            raise services.refuse(
                N_("The number of shares needed must be between 1 and {n}."),
                "threshold",
                n=len(trustees),
            )
        previous = await ballot_box.trustee_accounts(budget.id)
        shares = await ballot_box.generate_key(
            budget.id, trustees, int(threshold_raw), user, held_for_pickup=True
        )
    except services.Refused as refused:
        budget = await Budget.get(id=budget.id)
        context = await _admin_page(
            request,
            budget,
            key_errors=web.errors_of(refused.problems, _shown_value),
            key_values=data,
        )
        return render(request, "budgets/admin_budget.html", context, status_code=422)
    await ballot_box.hold_shares_for_pickup(request.app.state.redis, budget.id, shares, previous)
    flash(
        request,
        gettext(
            "The ballot box key is generated. Each trustee must now sign in and show their key "
            "share on this page, within 15 minutes, to keep it."
        ),
    )
    return web.redirect(url("budgets:admin", budget_id=budget.id, anchor="ballot-box"))


async def admin_key_share(request: Request) -> Response:
    """A trustee shows their key share, once (it is then deleted from Redis)."""
    user = web.require(request, can_administer)
    budget = await _budget(request)
    text = await ballot_box.pick_up_share(request.app.state.redis, budget.id, user.id)
    if text is None:
        flash(request, gettext("No key share is waiting for you on this budget."), "error")
        return web.redirect(url("budgets:admin", budget_id=budget.id, anchor="ballot-box"))
    response = render(request, "budgets/key_share.html", {"budget": budget, "share": text})
    response.headers["Cache-Control"] = "no-store"
    return response


async def admin_open_ballots(request: Request) -> Response:
    """A trustee gives their key share for the count; once enough are in, the job opens the
    ballots and counts them."""
    web.require(request, can_administer)
    budget = await _budget(request)
    data = await web.form_data(request)
    redis = request.app.state.redis
    try:
        held, needed = await ballot_box.add_share(redis, budget.id, data.get("share", ""))
    except services.Refused as refused:
        errors = web.errors_of(refused.problems, _shown_value)
        context = await _admin_page(request, budget, share_errors=errors)
        return render(request, "budgets/admin_budget.html", context, status_code=422)
    if held >= needed:
        await queue.enqueue("open_budget_ballots", budget.id)
        flash(request, gettext("Enough key shares: the ballots are being opened and counted."))
    else:
        flash(
            request,
            gettext(
                "Key share accepted ({held} of {needed}). The next trustee can enter theirs."
            ).format(held=held, needed=needed),
        )
    return web.redirect(url("budgets:admin", budget_id=budget.id, anchor="ballot-box"))


DESK_KEY = "budgets.desk"  # the resident checked in at the desk, in the staff's session
DESK_RECEIPT_KEY = "budgets.desk_receipt"


async def paper_desks(request: Request) -> Response:
    """The paper desks of the budgets whose vote is open: where a desk officer (issue #19),
    who sees no budget's administration page, starts."""
    web.require(request, can_work_at_desk)
    open_votes = await Budget.filter(phase=Phase.VOTING).order_by("-created_at")
    return render(request, "budgets/paper_desks.html", {"budgets": open_votes})


async def admin_paper_ballot(request: Request) -> Response:
    """The desk's first screen: staff check the resident in the register (identity only), by
    the three facts of their census row, or find them by name or e-mail address (`q`) and
    check them in by their verified-resident record (`admin_paper_person`)."""
    web.require(request, can_work_at_desk)
    budget = await _budget(request)
    if request.method == "GET":
        request.session.pop(DESK_KEY, None)

    async def check_in(data: dict[str, str]) -> str:
        desk = await ballot_services.check_in_at_desk(
            web.settings_of(request),
            budget.id,
            data.get("identifier", ""),
            data.get("birth_date", ""),
            data.get("postcode", ""),
        )
        _hold_desk_voter(request, budget, desk)
        return url("budgets:admin_paper_choices", budget_id=budget.id)

    context = await _paper_search(request, budget)
    return await web.form_page(
        request, "budgets/paper_check_in.html", context, check_in, _shown_value
    )


async def _paper_search(request: Request, budget: Budget) -> dict[str, Any]:
    """The residents desk's search (name or e-mail address), for the paper desk."""
    filters = PeopleFilters.from_query(request.query_params)
    found, has_next = await people.people_page(filters) if filters.q else ([], False)
    records = await residents.records_of([p.id for p in found])
    return {
        "budget": budget,
        "filters": filters,
        "people": [(p, records.get(p.id)) for p in found],
        "has_next": has_next,
        "valid_record": residents.valid_record,
    }


async def admin_paper_person(request: Request) -> Response:
    """The person found by name: checked in by their verified-resident record (issue #19)."""
    web.require(request, can_work_at_desk)
    budget = await _budget(request)
    data = await web.form_data(request)
    try:
        person_id = int(data.get("person", ""))
    except ValueError:
        person_id = 0
    try:
        if person_id <= 0 or person_id > 2**31 - 1:
            raise services.Refused([domain.Problem(N_("Choose a person."), field="person")])
        desk = await ballot_services.check_in_by_record(
            web.settings_of(request), budget.id, person_id
        )
    except services.Refused as refused:
        context = await _paper_search(request, budget)
        context.update(values={}, errors=web.errors_of(refused.problems, _shown_value))
        return render(request, "budgets/paper_check_in.html", context, status_code=422)
    _hold_desk_voter(request, budget, desk)
    return web.redirect(url("budgets:admin_paper_choices", budget_id=budget.id))


def _hold_desk_voter(request: Request, budget: Budget, desk: ballot_services.DeskVoter) -> None:
    request.session[DESK_KEY] = {
        "budget": budget.id,
        "entry": desk.census_entry_id,
        "born": desk.birth_date.isoformat() if desk.birth_date else None,
        "district": desk.district,
    }


def _desk_voter(request: Request, budget: Budget) -> ballot_services.DeskVoter | None:
    held = request.session.get(DESK_KEY) or {}
    if held.get("budget") != budget.id:
        return None

    born = date.fromisoformat(held["born"]) if held.get("born") else None
    return ballot_services.DeskVoter(held["entry"], born, held["district"])


async def admin_paper_choices(request: Request) -> Response:
    """The desk's second screen: the paper ballot's choices, without the resident's identity."""
    user = web.require(request, can_work_at_desk)
    budget = await _budget(request)
    desk = _desk_voter(request, budget)
    if desk is None:
        flash(request, gettext("First check the resident in the register."), "error")
        return web.redirect(url("budgets:admin_paper_ballot", budget_id=budget.id))
    voter = desk.voter()
    context = await queries.ballot_page(budget, voter)
    context.update(values={}, errors={}, paper=True)
    draft = _take_draft(request, "paper", budget.id) if request.method == "GET" else None
    if request.method == "GET" and draft is None:
        context.update(queries.ballot_state(context, {}))
        return render(request, "budgets/paper_ballot.html", context)
    if draft is not None:  # checked without JavaScript: shown once, after the redirect
        submitted = draft
    else:
        async with request.form() as form:
            submitted = ballot_fields(form)
        if submitted.get("action") in ("preview", "filter") and not is_htmx(request):
            _keep_draft(request, "paper", budget.id, submitted)
            return web.redirect(
                url("budgets:admin_paper_choices", budget_id=budget.id, anchor="meter")
            )
    choices, problems = domain.parse_choices(budget.ballot_kind, submitted)  # type: ignore[arg-type]
    context.update(queries.ballot_state(context, choices), values=submitted)
    if draft is not None or submitted.get("action") in ("preview", "filter"):
        # "Check my ballot", a filter, or htmx updating the meter: show, record nothing
        context["filters"] = queries.ProjectFilters.from_query(submitted)  # type: ignore[arg-type]
        context["errors"] = web.errors_of(
            problems
            or domain.ballot_problems(
                context["rule"],
                choices,
                context["ballot_projects"],
                context["envelopes"],
                voter.district,
            ),
            _shown_value,
        )
        return render(request, "budgets/paper_ballot.html", context, fragment="budgets/_meter.html")
    try:
        if problems:
            raise services.Refused(problems)
        code = await ballot_services.cast_ballot(
            web.settings_of(request),
            budget.id,
            desk.census_entry_id,
            voter,
            choices,
            Channel.PAPER,
            recorded_by=user,
        )
    except services.Refused as refused:
        context["errors"] = web.errors_of(refused.problems, _shown_value)
        return render(request, "budgets/paper_ballot.html", context, status_code=422)
    request.session.pop(DESK_KEY, None)
    request.session[DESK_RECEIPT_KEY] = {"budget": budget.id, "code": code}
    return web.redirect(url("budgets:admin_paper_receipt", budget_id=budget.id))


async def admin_paper_receipt(request: Request) -> Response:
    """The receipt, for the resident: hidden until they open it, shown once."""
    web.require(request, can_work_at_desk)
    budget = await _budget(request)
    held = request.session.pop(DESK_RECEIPT_KEY, None) or {}
    if held.get("budget") != budget.id:
        return web.redirect(url("budgets:admin_paper_ballot", budget_id=budget.id))
    response = render(
        request, "budgets/paper_receipt.html", {"budget": budget, "receipt": held["code"]}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def admin_import(request: Request) -> Response:
    """A Pabulib file becomes a closed budget; its results show the official outcome."""
    user = web.require(request, can_administer)
    if request.method == "GET":
        return render(request, "budgets/import.html", {"errors": {}})
    async with request.form(max_files=1) as form:
        upload = form.get("file")
        content = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        filename = getattr(upload, "filename", None) or "budget.pb"

    warnings: list[tuple[str, dict[str, object]]] = []
    try:
        budget = await import_pabulib(content, filename, user, warnings)
    except services.Refused as refused:
        errors = web.errors_of(refused.problems, _shown_value)
        return render(request, "budgets/import.html", {"errors": errors}, 422)
    flash(request, gettext("The file is imported; its tally is running in the background."))
    for msgid, values in warnings:  # accepted as the city counted it: say so
        flash(request, gettext(msgid).format(**values), "warning")
    return web.redirect(url("budgets:admin", budget_id=budget.id))


BALLOT_ROUTE = web.form_route(  # secret until the count: the results pages change with the tally
    "/budgets/{budget_id:id}/ballot", ballot, "budgets:ballot", changes_pages=False
)
routes = [
    Route("/budgets", index, name="budgets:index"),
    Route("/budgets/{budget_id:id}", detail, name="budgets:detail"),
    web.form_route("/budgets/{budget_id:id}/projects/new", new_project, "budgets:new_project"),
    Route("/budgets/{budget_id:id}/projects/{project_id:id}", project_page, name="budgets:project"),
    Route("/budgets/{budget_id:id}/map", project_map, name="budgets:map"),
    BALLOT_ROUTE,
    Route("/budgets/{budget_id:id}/ballot/receipt", receipt, name="budgets:receipt"),
    Route("/budgets/{budget_id:id}/receipt-check", check_receipt, name="budgets:receipt_check"),
    Route("/budgets/{budget_id:id}/results", cached_for_visitors(results), name="budgets:results"),
    Route("/budgets/{budget_id:id}/results.csv", results_csv, name="budgets:results_csv"),
    Route(
        "/budgets/{budget_id:id}/results.pdf",
        cached_for_visitors(results_pdf),  # a PDF costs CPU: rendered once per write
        name="budgets:results_pdf",
    ),
    Route("/budgets/{budget_id:id}/ballots.pb", ballots_pabulib, name="budgets:pabulib"),
    web.form_route("/account/residency", residency, "budgets:residency", changes_pages=False),
    web.form_route("/admin/budgets/new", admin_budget_form, "budgets:admin_new"),
    Route("/admin/budgets/paper-ballots", paper_desks, name="budgets:paper_desks"),
    web.form_route("/admin/budgets/import", admin_import, "budgets:admin_import"),
    Route("/admin/budgets/{budget_id:id}", admin_budget, name="budgets:admin"),
    Route(
        "/admin/budgets/{budget_id:id}/ballot.pdf",
        admin_ballot_pdf,
        name="budgets:admin_ballot_pdf",
    ),
    web.form_route("/admin/budgets/{budget_id:id}/edit", admin_budget_form, "budgets:admin_edit"),
    web.action_route(
        "/admin/budgets/{budget_id:id}/phase", admin_switch_phase, "budgets:admin_phase"
    ),
    web.form_route(
        "/admin/budgets/{budget_id:id}/projects/{project_id:id}/edit",
        admin_edit_project,
        "budgets:admin_edit_project",
    ),
    web.form_route(
        "/admin/budgets/{budget_id:id}/projects/{project_id:id}",
        admin_project,
        "budgets:admin_project",
    ),
    Route(
        "/admin/budgets/{budget_id:id}/projects/{project_id:id}/row",
        admin_project_row,
        name="budgets:admin_project_row",
    ),
    web.action_route("/admin/budgets/{budget_id:id}/tally", admin_tally, "budgets:admin_tally"),
    web.form_route(
        "/admin/budgets/{budget_id:id}/paper-ballot",
        admin_paper_ballot,
        "budgets:admin_paper_ballot",
    ),
    web.action_route(
        "/admin/budgets/{budget_id:id}/paper-ballot/person",
        admin_paper_person,
        "budgets:admin_paper_person",
    ),
    web.action_route("/admin/budgets/{budget_id:id}/key", admin_key_ceremony, "budgets:admin_key"),
    web.action_route(
        "/admin/budgets/{budget_id:id}/key-share", admin_key_share, "budgets:admin_key_share"
    ),
    web.action_route(
        "/admin/budgets/{budget_id:id}/shares", admin_open_ballots, "budgets:admin_shares"
    ),
    web.form_route(
        "/admin/budgets/{budget_id:id}/paper-ballot/choices",
        admin_paper_choices,
        "budgets:admin_paper_choices",
    ),
    Route(
        "/admin/budgets/{budget_id:id}/paper-ballot/receipt",
        admin_paper_receipt,
        name="budgets:admin_paper_receipt",
    ),
]
