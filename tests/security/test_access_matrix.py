"""Access control (IDOR): every route × every kind of person × objects they own or not.

One resident, the *owner*, owns one object of each kind (a published proposal and a draft, a
comment and a hidden comment, an amendment answered by them, a ballot and its receipt, a
moderation decision about them, a notification); *other* is a resident who owns nothing; the
*evaluator* is a resident who evaluates the budget projects of the space that holds the world's
budgets (issue #18: a role in one space, tests/budgets/walks.py). Staff also keep a consultation
and a budget in preparation. Each route is tried by each person with
the world's ids, then with the id of an object in a state only some people may see (the
`[...]` rows). The table says what each person must get (the core's routes here, a feature's in
its tests/<name>/walks.py); a route that no table lists fails the test, so a new route needs a
decision.
"""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from moderation.models import ModerationCase
from participation.people.models import SpaceRole
from participation.settings import Settings
from tests.conftest import create_user, csrf_token
from tests.security.walks import (
    BAD,
    DENIED,
    DONE,
    DOWN,
    FORM,
    HIDDEN,
    LOGIN,
    PAGE,
    REFUSED,
    WRONG,
    Access,
    merged,
)
from tests.security.world import ROLES, Endpoint, app_routes, logged_in_client, seed_world
from tests.security.world import url_for_route as _url

# fmt: off
# the core's routes, one per line, read as a table (each feature's rows are in its
# tests/<name>/walks.py); the features' [restricted object] rows name a draft proposal of the
# owner [draft], a comment of the owner hidden by a moderator [hidden], a consultation or budget
# staff are preparing [preparation] (RESTRICTED below)
MATRIX: dict[str, Access] = {
    # route [restricted object]: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /":                                                                                    (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /design":                                                                              (LOGIN,   DENIED,  DENIED,  PAGE,    PAGE,    PAGE,    DENIED),
    "GET /healthz":                                                                             (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /healthz/live":                                                                        (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /healthz/ready":                                                                       (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /metrics":                                                                             (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /account":                                                                             (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /account/data.json":                                                                   (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /account/delete":                                                                      (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /account/delete":                                                                     (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /account/name":                                                                       (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /account/email":                                                                      (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "GET /account/email/confirm/{token}":                                                       (BAD,     BAD,     BAD,     BAD,     BAD,     BAD,     BAD),
    "GET /account/password":                                                                    (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /account/password":                                                                   (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "GET /account/notifications":                                                               (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /account/notifications":                                                              (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "GET /account/activity":                                                                    (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /account/unsubscribe/{token}":                                                         (BAD,     BAD,     BAD,     BAD,     BAD,     BAD,     BAD),
    "POST /account/unsubscribe/{token}":                                                        (BAD,     BAD,     BAD,     BAD,     BAD,     BAD,     BAD),
    "GET /account/signup":                                                                      (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /account/login":                                                                       (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /account/confirm/{token}":                                                             (BAD,     BAD,     BAD,     BAD,     BAD,     BAD,     BAD),
    "GET /account/reset":                                                                       (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /account/reset/{token}":                                                               (BAD,     BAD,     BAD,     BAD,     BAD,     BAD,     BAD),
    "GET /notifications":                                                                       (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /admin":                                                                               (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE,    PAGE,    DENIED),
    "GET /static/{path}":                                                                       (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /static/v/{digest}/{path}":                                                            (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /static/patterns/{pattern}.svg":                                                       (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /favicon.ico":                                                                          (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /favicon.svg":                                                                          (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /language":                                                                           (DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "POST /account/signup":                                                                     (FORM,    FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /account/login":                                                                      (FORM,    FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /account/confirm/resend":                                                             (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "POST /account/reset":                                                                      (FORM,    FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /account/reset/{token}":                                                              (BAD,     BAD,     BAD,     BAD,     BAD,     BAD,     BAD),
    "POST /notifications/read":                                                                 (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    # content pages (issue #18): public at French addresses; staff edit them; a person accepts new conditions
    "GET /mentions-legales":                                                                    (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /accessibilite":                                                                       (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /donnees-personnelles":                                                                (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /conditions-utilisation":                                                              (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /aide":                                                                                (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /account/conditions":                                                                  (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /account/conditions":                                                                 (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "GET /admin/pages":                                                                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/pages/{slug}":                                                                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/pages/{slug}":                                                                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/pages/{slug}/history":                                                          (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/pages/{slug}/history/{version}":                                                (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/pages/{slug}/history/{version}/restore":                                       (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /feeds/all.atom":                                                                      (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /feeds/{feed}.atom":                                                                   (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    # settings from the browser (issue #18): administrators only; the logo and colour every page links
    # the town's categories and districts (/admin/classification): the world's are in use
    "GET /admin/classification":                                                                (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/classification/category":                                                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/classification/category/{category_id}":                                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/classification/category/{category_id}/remove":                                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/classification/district":                                                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/classification/district/{district_id}":                                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/classification/district/{district_id}/remove":                                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/settings":                                                                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/settings":                                                                     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /site/logo/{digest}.png":                                                              (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    # the readable audit log (issue #18), in the core since it names every feature's actions
    "GET /admin/audit":                                                                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/audit.csv":                                                                     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/people":                                                                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/people/{person_id}":                                                            (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/people/invite":                                                                (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /account/invitation/{token}":                                                          (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /account/invitation/{token}":                                                         (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /admin/people/{person_id}/role":                                                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/people/{person_id}/spaces":                                                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/people/space-roles/{role_id}/withdraw":                                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "GET /site/theme.css":                                                                      (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /account/logout":                                                                     (DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    # the public read API and the open data (issue #21): what a visitor sees, for everyone
    "GET /api/v1/":                                                                             (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /api/v1/openapi.json":                                                                 (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "OPTIONS /api/v1/openapi.json":                                                             ("204",   "204",   "204",   "204",   "204",   "204",   "204"),
    "GET /api/v1/{name}":                                                                       (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "OPTIONS /api/v1/{name}":                                                                   ("204",   "204",   "204",   "204",   "204",   "204",   "204"),
    "GET /api/v1/{name}/{id}":                                                                  (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "OPTIONS /api/v1/{name}/{id}":                                                              ("204",   "204",   "204",   "204",   "204",   "204",   "204"),
    "GET /donnees-ouvertes":                                                                    (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /donnees-ouvertes/{name}/{file}":                                                      (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
}
# fmt: on


def expected() -> dict[str, Access]:
    """The core's MATRIX and each installed feature's rows (tests/<name>/walks.py)."""
    return merged(MATRIX, lambda walks: walks.matrix)


# form fields sent with every POST, so that the permission checks behind them are reached
POST_DATA = {
    "state": "withdrawn",
    "vote": "up",
    "phase": "submission",
    "action": "approve",
    "language": "en",
}
# objects in restricted states, by the path parameter that names their kind
RESTRICTED = {
    "id": ("draft_proposal", "draft"),
    "comment": ("hidden_comment", "hidden"),
    "consultation_id": ("consultation_in_preparation", "preparation"),
    "budget_id": ("budget_in_preparation", "preparation"),
}
# routes that change what later routes see: tried last, in this order (the longest match wins)
LAST = ("/state", "/delete", "/account/delete", "/account/logout")


def _outcome(response: httpx.Response) -> str:
    if response.status_code == 303:
        return LOGIN if response.headers["location"].startswith("/account/login") else DONE
    names = {
        200: PAGE,
        422: FORM,
        403: DENIED,
        404: HIDDEN,
        409: REFUSED,
        400: BAD,
        401: WRONG,
        503: DOWN,
    }
    return names.get(response.status_code, str(response.status_code))


def _route(endpoint: Endpoint) -> str:
    """`POST /proposals/{id}/edit`: the route as the table names it (no convertor types)."""
    return re.sub(r":(id|int|str|path)}", "}", str(endpoint))


def _order(endpoint: Endpoint) -> tuple[bool, int]:
    last = [i for i, suffix in enumerate(LAST) if endpoint.path.endswith(suffix)]
    return endpoint.method != "GET", last[-1] + 1 if last else 0


def _attempts(endpoint: Endpoint, world: Any) -> list[tuple[str, str]]:
    """(matrix key, url): the world's ids, then each restricted object the route can name."""
    attempts = [(_route(endpoint), _url(endpoint, world.ids))]
    names = getattr(endpoint.route, "param_convertors", {})
    for name in names:
        if name not in RESTRICTED:
            continue
        if name == "id" and not endpoint.path.startswith(("/proposals/", "/moderation/report/")):
            continue  # elsewhere {id} is a person, a decision or a reason, not a proposal
        ids = dict(world.ids)
        kind, label = RESTRICTED[name]
        ids[name] = world.hidden[kind]
        if endpoint.path.startswith("/moderation/report/"):  # reports name a comment
            ids["comment"], label = world.hidden["hidden_comment"], "hidden"
        attempts.append((f"{_route(endpoint)} [{label}]", _url(endpoint, ids)))
    if endpoint.path.startswith("/moderation/report/"):  # and free-text consultation answers
        for label, answer in (
            ("answer", world.ids["answer"]),
            ("hidden answer", world.hidden["hidden_answer"]),
        ):
            ids = {**world.ids, "type": "consultation_answer", "comment": answer}
            attempts.append((f"{_route(endpoint)} [{label}]", _url(endpoint, ids)))
    return attempts


def test_every_route_is_in_the_matrix(app: Any) -> None:
    routes = {_route(e) for e in app_routes(app)}
    listed = {key.split(" [")[0] for key in expected()}
    assert routes - listed == set(), "new routes: decide who may use them, in MATRIX"
    assert listed - routes == set(), "routes that no longer exist: remove them from MATRIX"


@pytest.mark.parametrize("role", ROLES)
async def test_access_matrix(app: Any, settings: Settings, role: str) -> None:
    world = await seed_world(settings)
    pages: dict[str, str] = {}
    async with logged_in_client(app, world.user(role)) as person:
        await _lists_show_restricted_objects_only_to_who_may_see_them(person, role)
        seen = await outcomes(person, world, app_routes(app), pages)
    matrix = expected()
    assert set(seen) == set(matrix), "the matrix lists exactly the attempts made"
    assert_as_listed(seen, matrix, role)
    if role == "anonymous":  # the public pages, as search engines and link previews read them
        assert_described(pages)


# A moderator of one participatory space (issue #18) is a resident like *other* everywhere but
# the moderation queue, which shows them their space's cases (the decision's walk sends no case:
# 422); a case of content outside their space (the world's: a comment, in no space) is as
# unknown to them as an id of no case: 404 (issue #22).
SPACE_MODERATOR = {
    "GET /moderation": PAGE,
    "POST /moderation/decide": FORM,
    "POST /moderation/cases/{case_id}/decide": HIDDEN,
}


async def test_a_space_moderator_gets_a_residents_access_but_their_spaces_queue(
    app: Any, settings: Settings
) -> None:
    world = await seed_world(settings)
    keeper = await create_user(settings, "gardien@example.org", display_name="Gaël Gardien")
    await SpaceRole.create(user=keeper, space_id=world.ids["space_id"], role="moderator")
    async with logged_in_client(app, keeper) as person:
        case = await ModerationCase.filter(target_kind="comment").first()
        assert case is not None and case.space_id is None
        data = {"case": str(case.id), "action": "approve", "reason": "Hors de ma démarche."}
        token = await csrf_token(person, "/moderation")
        refused = await person.post("/moderation/decide", data={**data, "csrf_token": token})
        assert refused.status_code == 404  # another space's (here: no space's) content
        seen = await outcomes(person, world, app_routes(app))  # logs out, last
    matrix = expected()
    column = ROLES.index("other")
    wrong = {
        key: f"expected {SPACE_MODERATOR.get(key, matrix[key][column])}, got {got}"
        for key, got in seen.items()
        if got != SPACE_MODERATOR.get(key, matrix[key][column])
    }
    assert wrong == {}, "\n".join(f"space moderator: {k}: {v}" for k, v in wrong.items())


async def outcomes(
    person: httpx.AsyncClient,
    world: Any,
    endpoints: list[Endpoint],
    pages: dict[str, str] | None = None,
) -> dict[str, str]:
    """What this person gets from each attempt on these routes (matrix key -> outcome); the
    HTML pages they are shown go into `pages` (matrix key -> HTML) when it is given."""
    seen: dict[str, str] = {}
    data = {"csrf_token": await csrf_token(person), **POST_DATA}
    for endpoint in sorted(endpoints, key=_order):
        for key, url in _attempts(endpoint, world):
            sent = data if endpoint.method != "GET" else None
            response = await person.request(endpoint.method, url, data=sent)
            seen[key] = _outcome(response)
            html = response.headers.get("content-type", "").startswith("text/html")
            if pages is not None and endpoint.method == "GET" and response.status_code == 200:
                if html and "<html" in response.text:
                    pages[key] = response.text
    return seen


DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')
# pages whose description comes from their content, not from their title (base.html)
DESCRIBED_BY_CONTENT = {
    "GET /": "Proposez des idées",
    "GET /proposals": "Les habitants apportent leurs idées",
    "GET /proposals/{id}": "",
    "GET /demarches": "Ce que la commune vous demande",
    "GET /demarches/{space_slug}": "",
    "GET /budgets": "Les habitants proposent des projets pour la ville",
    "GET /budgets/{budget_id}": "",
    "GET /consultations": "La mairie demande votre avis avant de décider",
    "GET /meetings": "Rencontrez les élus et d’autres habitants",
    "GET /consultations/{consultation_id}": "",
}


def assert_described(pages: dict[str, str]) -> None:
    """Every public page has a description of its own (base.html `meta_description`): never
    empty, never the same for two routes (the default says the page's title), and taken from
    the content on the pages that have one (a proposal's text, a space's summary...)."""
    routes_of: dict[str, set[str]] = {}
    for key, html in pages.items():
        found = DESCRIPTION.search(html)
        assert found and found.group(1).strip(), f"{key}: no description"
        routes_of.setdefault(found.group(1), set()).add(key.split(" [")[0])
        if key in DESCRIBED_BY_CONTENT:
            assert "plateforme de participation" not in found.group(1), key
            assert DESCRIBED_BY_CONTENT[key] in found.group(1), key
    assert {d: routes for d, routes in routes_of.items() if len(routes) > 1} == {}
    assert set(DESCRIBED_BY_CONTENT) <= set(pages), sorted(pages)


def assert_as_listed(seen: dict[str, str], matrix: dict[str, Access], role: str) -> None:
    column = ROLES.index(role)
    wrong = {
        key: f"expected {matrix[key][column]}, got {got}"
        for key, got in seen.items()
        if got != matrix[key][column]
    }
    assert wrong == {}, "\n".join(f"{role}: {k}: {v}" for k, v in wrong.items())


async def _lists_show_restricted_objects_only_to_who_may_see_them(person: Any, role: str) -> None:
    budgets = (await person.get("/budgets")).text
    consultations = (await person.get("/consultations")).text
    proposals = (await person.get("/proposals")).text
    exports = (await person.get("/proposals.csv")).text + (await person.get("/proposals.json")).text
    notifications = (await person.get("/notifications")).text
    own_data = (await person.get("/account/data.json")).text
    assert ("Budget en préparation" in budgets) == (role == "admin")
    assert "Consultation en préparation" not in consultations  # staff see it under /admin
    assert ("Brouillon d'Olivia" in proposals.replace("&#39;", "'")) == (role == "owner")
    assert "Brouillon" not in exports  # open data: public proposals only, for everyone
    # the owner's notification (about their proposal) is theirs alone
    assert ("Des arceaux à vélo" in notifications.replace("&#39;", "'")) == (role == "owner")
    assert ("owner@example.org" in own_data) == (role == "owner")  # one's own data only
