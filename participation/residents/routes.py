"""The verified residents as staff read them (/admin/residents): a search built for a desk (by
name or e-mail address), each person's record (method, date, expiry, district, who verified)
the proof of address an agent checked in person (the desk method), and its revocation with a
reason the resident reads. Thin: permission -> service -> response."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise import timezone

from participation import pdf
from participation.formatting import format_date, format_number
from participation.i18n import N_, gettext, ngettext
from participation.people import services as people
from participation.people.domain import PeopleFilters
from participation.permissions import can_work_at_desk, is_signed_in, is_staff
from participation.refusals import Refused
from participation.residents import letters, services
from participation.residents.census import CensusFileError
from participation.residents.methods import METHODS, desk, letter
from participation.residents.services import STATE_LABELS, state_of
from participation.templating import flash, render
from participation.urls import url
from participation.web import (
    action_route,
    errors_of,
    form_data,
    form_page,
    form_route,
    redirect,
    require,
    settings_of,
)


async def index(request: Request) -> Response:
    require(request, can_work_at_desk)
    filters = PeopleFilters.from_query(request.query_params)
    found, has_next = await people.people_page(filters) if filters.q else ([], False)
    records = await services.records_of([p.id for p in found])
    context = {
        "filters": filters,
        "people": [(p, records.get(p.id)) for p in found],
        "has_next": has_next,
        "state_of": state_of,
        "states": STATE_LABELS,
    }
    return render(request, "residents/index.html", context)


async def person(request: Request) -> Response:
    """A person's record; POST: the agent records the proof of address checked at the desk."""
    agent = require(request, can_work_at_desk)
    if request.method == "GET":
        return await _person(request)
    person_id = request.path_params["person_id"]
    await people.person(person_id)  # 404 for an unknown id
    data = await form_data(request)
    try:
        await services.verify_at_desk(
            settings_of(request),
            agent,
            person_id,
            data.get("proof", ""),
            data.get("district", ""),
            data.get("birth_date", ""),
            identifier=data.get("identifier", ""),
            postcode=data.get("postcode", ""),
            not_on_file=bool(data.get("not_on_file")),
            confirm_other=bool(data.get("confirm_other")),
        )
    except Refused as refused:
        return await _person(request, data, errors_of(refused.problems, _shown), 422)
    flash(request, gettext("Recorded: this person is a verified resident."))
    return redirect(url("residents:person", person_id=person_id))


def _shown(_name: str, value: object) -> object:
    """A date in a refusal (the desk's look-alike warning) as people read it."""
    return format_date(value) if isinstance(value, date) else value


async def _person(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    someone = await people.person(request.path_params["person_id"])
    record = await services.record_of(someone.id)
    context = {
        "person": someone,
        "record": record,
        "state": state_of(record),
        "states": STATE_LABELS,
        "methods": METHODS,
        "proof_labels": desk.PROOFS,
        "proofs": [(key, gettext(label)) for key, label in desk.PROOFS.items()],
        "districts": [
            *((name, name) for name in await services.town_districts()),
            (desk.OUTSIDE, gettext("Another town (outside)")),
        ],
        "census_loaded": await services.census_loaded(),
        "not_on_file_label": desk.NOT_ON_FILE_LABEL,
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "residents/person.html", context, status_code=status_code)


async def revoke(request: Request) -> Response:
    user = require(request, is_staff)
    person_id = request.path_params["person_id"]
    await people.person(person_id)  # 404 for an unknown id
    data = await form_data(request)
    try:
        revoked = await services.revoke_verification(person_id, data.get("reason", ""), user)
    except Refused as refused:
        return await _person(request, data, errors_of(refused.problems), 422)
    if revoked:
        flash(request, gettext("The verification is withdrawn; the resident reads your reason."))
    else:
        flash(request, gettext("Nothing changed: this person has no valid verification."))
    return redirect(url("residents:person", person_id=person_id))


# --- the resident's own page (/account/verification) ------------------------------------------


async def mine(request: Request) -> Response:
    """The resident's verification: their state (and why a record was withdrawn), the postal
    letter (their address; then the code of the letter), the other methods."""
    user = require(request, is_signed_in)

    async def save(data: dict[str, str]) -> str:
        await letters.save_address(settings_of(request), user, data)
        flash(request, gettext("Your address is saved: the town hall will post you a letter."))
        return url("residents:mine")

    return await form_page(request, "residents/mine.html", await _mine_context(user), save)


async def _mine_context(user: Any) -> dict[str, Any]:
    record = await services.record_of(user.id)
    address = await letters.address_of(user.id)
    code = await letters.code_of(user.id)
    waiting_code = (
        code is not None
        and letter.code_problem(
            True, code.used_at is not None, code.attempts, code.expires_at, timezone.now()
        )
        is None
    )
    state = state_of(record)
    return {
        "record": record,
        "state": state,
        "states": STATE_LABELS,
        "former": record if state in ("revoked", "expired") else None,
        "methods": METHODS,
        "address": address,
        "code": code,
        "waiting_code": waiting_code,
        "code_days": letter.CODE_DAYS,
        "districts": [(name, name) for name in await services.town_districts()],
        "code_errors": {},
        "code_value": "",
    }


async def enter_code(request: Request) -> Response:
    user = require(request, is_signed_in)
    data = await form_data(request)
    try:
        await letters.enter_code(settings_of(request), user, data.get("code", ""))
    except Refused as refused:
        context = await _mine_context(user)
        context.update(code_value=data.get("code", ""), values={}, errors={})
        context["code_errors"] = errors_of(refused.problems)
        return render(request, "residents/mine.html", context, status_code=422)
    flash(request, gettext("You are verified as a resident."))
    return redirect(url("residents:mine"))


# --- staff: the batch of letters ----------------------------------------------------------------


async def letters_page(request: Request) -> Response:
    require(request, is_staff)
    context = {"waiting": await letters.waiting(), "code_days": letter.CODE_DAYS}
    return render(request, "residents/letters.html", context)


async def print_letters(request: Request) -> Response:
    """The PDF of the waiting letters, each with a new code (shown once: a new batch makes new
    codes); nothing waiting: back to the page, which says so."""
    user = require(request, is_staff)
    settings = settings_of(request)
    content = await letters.print_letters(settings, user, settings.site_name)
    if content is None:
        flash(request, gettext("No letter is waiting to be printed."))
        return redirect(url("residents:letters"))
    response = pdf.response(content, "lettres-verification.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- staff: the town's register (census file) ----------------------------------------------------


async def census(request: Request) -> Response:
    """The register of residents (census file): how many rows, and a new import. Once under
    the budgets (/admin/census); one verification method among others (issue #19)."""
    user = require(request, is_staff)
    context: dict[str, Any] = {"errors": [], "count": await services.census_count()}
    if request.method == "GET":
        return render(request, "residents/census.html", context)
    async with request.form(max_files=1) as form:
        upload = form.get("file")
        content = await upload.read() if upload is not None and not isinstance(upload, str) else b""
    try:
        if not content:
            raise CensusFileError([(0, N_("Choose a CSV file."), {})])
        imported = await services.import_census(settings_of(request), content, by_user=user)
    except CensusFileError as refused:
        context["errors"] = [
            (line, gettext(message).format(**values))
            for line, message, values in refused.problems[:50]
        ]
        context["more_errors"] = max(0, len(refused.problems) - 50)
        return render(request, "residents/census.html", context, status_code=422)
    flash(
        request,
        ngettext("{n} resident imported.", "{n} residents imported.", imported).format(
            n=format_number(imported)
        ),
    )
    return redirect(url("residents:census"))


async def census_moved(request: Request) -> Response:
    """The register's old address (under the budgets): moved for good (301; the new address
    checks the permission). GET only: a POST is never redirected (it would be sent again)."""
    return RedirectResponse(url("residents:census"), status_code=301)


routes = [
    form_route("/account/verification", mine, "residents:mine", changes_pages=False),
    action_route("/account/verification/code", enter_code, "residents:code", changes_pages=False),
    Route("/admin/residents/letters", letters_page, name="residents:letters"),
    action_route(
        "/admin/residents/letters", print_letters, "residents:print_letters", changes_pages=False
    ),
    Route("/admin/residents", index, name="residents:index"),
    form_route("/admin/residents/census", census, "residents:census", changes_pages=False),
    Route("/admin/census", census_moved, name="residents:census_moved"),
    form_route("/admin/residents/{person_id:id}", person, "residents:person"),
    action_route("/admin/residents/{person_id:id}/revoke", revoke, "residents:revoke"),
]
