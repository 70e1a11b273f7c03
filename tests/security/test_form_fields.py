"""Over-long and out-of-range values in every field of every form (issue #15).

The forms are found as a browser finds them (`forms.py`): every GET page of the world, in every
phase of its budgets and consultations, as a visitor, a resident and an administrator. Each
field of each form is then sent alone with a hostile value (the other fields as the page filled
them): text far over any column, an e-mail over 254 characters, dates in year 1 and 9999 and
with a time zone that overflows, numbers over the database's integers, `nan` and `1e999`.
Found by this test: 500s on log-in and reset (a 256-character e-mail), on the budget and
consultation forms (dates in year 1 or 9999, titles, districts, categories, options and
questions over their column, `²` and 20 digits in a consultation's counts) and on the
ballots.pb download (a district in another script put in a header).
"""

from __future__ import annotations

import html
from typing import Any

import httpx
import pytest
from starlette.routing import Match

from participation.errors import CSRF_TEXT
from participation.i18n import translations
from participation.settings import Settings
from tests.conftest import csrf_token
from tests.security.forms import Form, post_forms
from tests.security.test_parameters import _assert_sane
from tests.security.walks import merged
from tests.security.world import (
    Endpoint,
    World,
    app_routes,
    logged_in_client,
    seed_world,
    state_changing_routes,
    url_for_route,
    urls_in_every_phase,
)

CSRF_MESSAGES = [translations(language).gettext(CSRF_TEXT) for language in ("fr", "en")]
LONG_TEXT = "x" * 5000
HOSTILE_BY_TYPE = {
    "email": ["a" * 250 + "@example.org", "a@" + "b" * 300 + ".fr"],
    "datetime-local": [
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "0001-01-01T00:00+14:00",
        "9999-12-31T23:59-14:00",
    ],
    "date": ["0001-01-01", "9999-12-31"],
    "number": ["9" * 30, "²", "nan", "1e999"],
}
# not attacked: the CSRF token (tests/security/test_csrf.py) and the log-out form (it ends the
# session the other forms need)
SKIPPED_FIELDS = {"csrf_token"}
SKIPPED_ACTIONS = {"/account/logout"}
# POST routes whose form no page of this world shows (the state it needs is not there: an
# unconfirmed address, a reset link, a block, an invitation, a support of the owner's, a
# trustee, a resident at the desk):
# listed, so that a new form the crawl cannot find fails here until it is looked at; they get
# the fields they read, by name, each over-long
NO_FORM_IN_THE_WORLD = {
    "POST /account/confirm/resend": (),
    # reached from an e-mail's List-Unsubscribe header, with a signed token the world has not
    "POST /account/unsubscribe/{token}": (),
    "POST /account/reset/{token}": ("password", "password_confirmation"),
    # the world's people accepted the current conditions of use, and its content page's version
    # is the current one: no acceptance form, no restore button
    "POST /account/conditions": ("accept_terms", "version", "next"),
    "POST /admin/pages/{slug}/history/{version:id}/restore": ("version",),
    # a staff invitation's page: its link is e-mailed, the world's token is not one
    "POST /account/invitation/{token}": (),
    # the world's person has no role in a space (the world's is its moderator's): no withdrawal
    "POST /admin/people/space-roles/{role_id:id}/withdraw": (),
    # the world's category and district hold its proposals: no button removes them
    "POST /admin/classification/category/{category_id:id}/remove": (),
    "POST /admin/classification/district/{district_id:id}/remove": (),
}


def no_form_in_the_world() -> dict[str, tuple[str, ...]]:
    """The core's and each installed feature's (tests/<name>/walks.py)."""
    return merged(NO_FORM_IN_THE_WORLD, lambda walks: walks.no_form_in_the_world)


def _hostile_values(kind: str) -> list[str]:
    return HOSTILE_BY_TYPE.get(kind, [LONG_TEXT])


def _endpoint_of(path: str, posts: list[Endpoint]) -> Endpoint | None:
    for endpoint in posts:
        scope = {"type": "http", "path": path, "method": "POST", "root_path": ""}
        prefix = endpoint.path[: endpoint.path.index("{")] if "{" in endpoint.path else None
        if prefix is None:
            if endpoint.path == path:
                return endpoint
            continue
        if path.startswith(prefix) and endpoint.route.matches(scope)[0] == Match.FULL:
            return endpoint
    return None


async def _crawl(app: Any, world: World, role: str) -> list[Form]:
    """Every POST form this person is shown on the world's pages."""
    found = []
    async with logged_in_client(app, world.user(role)) as person:
        for endpoint in app_routes(app):
            if endpoint.method != "GET" or endpoint.path.startswith("/static"):
                continue
            for _, url in urls_in_every_phase(endpoint, world):
                response = await person.get(url)
                if response.status_code == 200 and "text/html" in response.headers.get(
                    "content-type", ""
                ):
                    found += post_forms(response.text, url)
    return found


@pytest.mark.settings(RATE_LIMITS="off")  # hundreds of posts from one address
async def test_over_long_values_in_every_field_of_every_form(app: Any, settings: Settings) -> None:
    world = await seed_world(settings)
    posts = [e for e in state_changing_routes(app) if e.method == "POST"]
    # each form once, as the first of these people shown it: a visitor, then the owner of the
    # world's objects, then an administrator (whose forms can move and delete things: last)
    attacks: dict[tuple[str, str], tuple[str, Form]] = {}
    for role in ("anonymous", "owner", "admin"):
        for form in await _crawl(app, world, role):
            if form.action in SKIPPED_ACTIONS:
                continue
            key = (form.action, ",".join(sorted(form.fields)))
            attacks.setdefault(key, (role, form))
    reached: set[str] = set()
    sent = 0
    for role in ("anonymous", "owner", "admin"):
        async with logged_in_client(app, world.user(role)) as person:
            for (action, _), (form_role, form) in attacks.items():
                if form_role != role:
                    continue
                endpoint = _endpoint_of(action, posts)
                assert endpoint is not None, f"a form posts to {action}, which no route answers"
                reached.add(str(endpoint))
                sent += await _attack_form(person, form, str(endpoint))
    unreached = {str(e) for e in posts} - reached - {f"POST {a}" for a in SKIPPED_ACTIONS}
    no_form = no_form_in_the_world()
    assert unreached == set(no_form), "\n".join(sorted(unreached))
    for role in ("owner", "admin"):
        async with logged_in_client(app, world.user(role)) as person:
            for endpoint in posts:
                if str(endpoint) in no_form:
                    names = no_form[str(endpoint)]
                    form = Form(url_for_route(endpoint, world.ids), {})
                    form.fields.update(dict.fromkeys(names, ""))
                    form.types.update(dict.fromkeys(names, "text"))
                    sent += await _attack_form(person, form, f"{endpoint} as {role}")
    assert sent > 300  # guards the crawl: the forms were found and attacked


def _assert_answered(response: httpx.Response, where: str) -> None:
    """Not a 500, and past the CSRF check (else the test would attack nothing)."""
    _assert_sane(response, where)
    text = html.unescape(response.text)
    assert not any(message in text for message in CSRF_MESSAGES), where


async def _attack_form(person: httpx.AsyncClient, form: Form, where: str) -> int:
    """Each field alone with each hostile value of its type, then all of them at once."""
    sent = 0
    form.fields["csrf_token"] = await csrf_token(person)  # this session's, not the crawl's
    for name, kind in form.types.items():
        if name in SKIPPED_FIELDS:
            continue
        for value in _hostile_values(kind):
            data = {**form.fields, name: value}
            response = await person.post(form.action, data=data)
            _assert_answered(response, f"{where} {name}={value[:30]}")
            sent += 1
    everything = {
        name: (value if name in SKIPPED_FIELDS else _hostile_values(form.types[name])[0])
        for name, value in form.fields.items()
    }
    _assert_answered(await person.post(form.action, data=everything), f"{where} (every field)")
    return sent + 1
