"""The agent's desk (/admin/counter): find the person by name among accounts (the residents
desk's search) or record a person without an account, then, on the person's page, record a
contribution for them with each feature's form (`Feature.counter_section`). Thin: permission ->
service -> response."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import features
from participation.counter import domain, services
from participation.i18n import gettext
from participation.people import services as people
from participation.people.domain import PeopleFilters
from participation.refusals import Refused
from participation.residents import services as residents
from participation.templating import flash, render
from participation.urls import url
from participation.web import action_route, errors_of, form_data, place_picker, redirect, require


def channels() -> list[tuple[str, str]]:
    """The channel choices of the agent's forms, translated."""
    return [(c.value, gettext(domain.CHANNEL_LABELS[c])) for c in domain.OFFLINE_CHANNELS]


async def index(request: Request) -> Response:
    """The search among accounts, and the form for a person without an account."""
    require(request, domain.may_record)
    return await _index(request, {}, {}, 200)


async def _index(
    request: Request, values: dict[str, str], errors: dict[str, str], status_code: int
) -> Response:
    filters = PeopleFilters.from_query(request.query_params)
    found, has_next = await people.people_page(filters) if filters.q else ([], False)
    records = await residents.records_of([p.id for p in found])  # one query for the page
    context = {
        "filters": filters,
        "people": found,
        "has_next": has_next,
        "records": records,
        "state_of": residents.state_of,
        "states": residents.STATE_LABELS,
        "consent_label": domain.CONSENT_LABEL,
        "values": values,
        "errors": errors,
    }
    return render(request, "counter/index.html", context, status_code=status_code)


async def new_person(request: Request) -> Response:
    agent = require(request, domain.may_record)
    data = await form_data(request)
    try:
        person = await services.record_person(
            agent, data.get("name", ""), data.get("contact", ""), bool(data.get("consent"))
        )
    except Refused as refused:
        return await _index(request, data, errors_of(refused.problems), 422)
    flash(request, gettext("The person is recorded: now record their contribution."))
    return redirect(url("counter:person", person_id=person.id))


async def person(request: Request) -> Response:
    require(request, domain.may_record)
    return await person_page(request, {}, {}, 200)


async def person_page(
    request: Request, errors: dict[str, str], values: dict[str, str], status_code: int
) -> Response:
    """The person's page at the counter, with each feature's section; a feature's route that
    refuses a form of its section answers with this page, its errors and values."""
    someone = await services.person(request.path_params["person_id"])
    sections = []
    for feature in features.FEATURES:
        if feature.counter_section is not None:
            if (section := await feature.counter_section(someone, errors, values)) is not None:
                sections.append(section)
    context = {
        "person": someone,
        "offline": await services.offline_record(someone.id),
        "sections": sections,
        # for the sections' place fields (proposals: templates/_placemap.html `place_fields`)
        **place_picker(request),
        "values": values,
        "errors": errors,
    }
    return render(request, "counter/person.html", context, status_code=status_code)


routes = [
    Route("/admin/counter", index, name="counter:index"),
    action_route("/admin/counter/people", new_person, "counter:new_person"),
    Route("/admin/counter/people/{person_id:id}", person, name="counter:person"),
]
