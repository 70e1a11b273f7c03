"""Injected sort, filter and pagination parameters, and forged ids in URLs.

Every GET page (walked from app.routes) gets hostile values in every query parameter the app
reads: SQL fragments, huge, negative and Unicode numbers, repeated (array) parameters and
unknown values. The answer is a page with a sane default or a 4xx with a message, never a 500
nor a database error text; and SQL fragments never reveal a draft the visitor may not see.
Every route with an id answers 404 for ids that do not exist or overflow the database.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from budgets.models import Phase as BudgetPhase
from consultations.models import Phase as ConsultationPhase
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.conftest import csrf_token
from tests.participation.proposal_factories import make_proposal
from tests.security.world import (
    app_routes,
    client_for,
    logged_in_client,
    seed_world,
    url_for_route,
    urls_in_every_phase,
)

# every query parameter a page reads (grep query_params / from_query), and common guesses
PARAMETERS = (
    "page sort state status category district answered q type reason kind action target_type "
    "receipt next order limit offset filter cursor"
).split()
SQL_FRAGMENTS = [
    "' OR '1'='1",
    "1; DROP TABLE participation_user; --",
    "1) UNION SELECT id, title FROM proposals_proposal --",
]
HOSTILE = [
    *SQL_FRAGMENTS,
    "-1",
    "0",
    "99999999999999999999999999",
    "²",
    "١٢",  # Arabic-Indic digits: int() accepts them
    "1e9",
    "%_%",
    "\x00",
    "x" * 2000,
    "-support_count",
]
SQL_ERROR = re.compile(
    r"syntax error|sqlite|asyncpg|psycopg|OperationalError|IntegrityError|DataError|"
    r"Traceback|no such (column|table)|invalid input|out of range",
    re.IGNORECASE,
)
DRAFT_TITLE = "Brouillon secret de la propriétaire"


# the pages that list, filter, sort or page things (they read query parameters): every hostile
# value; every other GET route gets a few (a route added tomorrow is still attacked)
LIST_PAGES = {
    "/proposals",
    "/proposals.csv",
    "/proposals.json",
    "/budgets",
    "/budgets/{budget_id:id}",
    "/budgets/{budget_id:id}/receipt-check",
    "/budgets/{budget_id:id}/ballots.pb",
    "/consultations",
    "/admin/consultations",
    "/notifications",
    "/moderation",
    "/admin/audit",
    "/admin/audit.csv",
    "/account/login",
    "/account/residency",
    "/followup",
    "/indicators",
    "/api/v1/{name}",
}


def _get_routes(app: Any) -> list[Any]:
    return [e for e in app_routes(app) if e.method == "GET" and not e.path.startswith("/static")]


def _assert_sane(response: httpx.Response, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code)
    if response.headers.get("content-type", "").startswith("text/html"):
        assert not SQL_ERROR.search(response.text), where
    if response.status_code >= 400:  # a 4xx says why, in French by default
        if response.headers.get("content-type", "").startswith("application/json"):
            assert response.json()["error"]["message"], where  # the public API (issue #21)
        else:
            assert "<h1" in response.text, where


async def test_hostile_query_parameters_on_every_page(app: Any, settings: Settings) -> None:
    world = await seed_world(settings)
    await make_proposal(world.owner, ProposalState.DRAFT, title=DRAFT_TITLE)
    routes = _get_routes(app)
    assert LIST_PAGES <= {e.path for e in routes}  # a renamed list page must be listed again
    tried_phases: set[str] = set()
    async with logged_in_client(app, world.admin) as admin, client_for(app) as anonymous:
        for endpoint in routes:
            values = HOSTILE if endpoint.path in LIST_PAGES else [*SQL_FRAGMENTS[:1], "²"]
            queries = [urlencode({name: value for name in PARAMETERS}) for value in values]
            # the same parameter twice (an "array"), and PHP/Rails-style array names
            queries += ["page=1&page=2&sort=recent&sort=evil", "page[]=1&sort[]=id&q[$ne]=1"]
            # once per phase of the budget or consultation the route names
            for phase, base in urls_in_every_phase(endpoint, world):
                tried_phases.add(phase)
                where = f"{endpoint} [{phase}]"
                for query in queries:
                    _assert_sane(await admin.get(f"{base}?{query}"), f"{where} ?{query[:60]}")
                for value in SQL_FRAGMENTS[:1]:  # a visitor's injection must not reach hidden rows
                    query = urlencode({name: value for name in PARAMETERS})
                    seen = await anonymous.get(f"{base}?{query}")
                    _assert_sane(seen, f"{where} ?{query[:60]}")
                    assert DRAFT_TITLE not in seen.text, endpoint
    # every phase of both kinds was attacked (the receipt check of a budget with results
    # answered 500 on a 33-character receipt: the world had no such budget)
    assert {f"budget_id={p}" for p in world.phases["budget_id"]} <= tried_phases
    assert {f"consultation_id={p}" for p in world.phases["consultation_id"]} <= tried_phases
    assert set(world.phases["budget_id"]) == {p.value for p in BudgetPhase}
    assert set(world.phases["consultation_id"]) == {p.value for p in ConsultationPhase}


async def test_a_receipt_longer_than_any_receipt_is_not_found(app: Any, settings: Settings) -> None:
    world = await seed_world(settings)
    results = world.phases["budget_id"]["results"]
    async with client_for(app) as visitor:
        for code in ("A" * 33, "ABCD-EFGH-JKLM" + "X" * 500, "ABCD EFGH", "é" * 12):
            response = await visitor.get(
                f"/budgets/{results}/receipt-check?{urlencode({'receipt': code})}"
            )
            assert response.status_code == 200, code
            assert "Aucun bulletin publié n’a ce code de reçu." in response.text


async def test_hostile_list_parameters_fall_back_to_the_default_list(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await seed_world(settings)  # published proposals to list
    default = await client.get("/proposals")
    for value in (v for v in HOSTILE if v != "\x00"):
        query = urlencode({"sort": value, "page": value, "state": value, "answered": value})
        response = await client.get(f"/proposals?{query}")
        assert response.status_code == 200
        assert response.text.count("proposal-item") == default.text.count("proposal-item") >= 1


async def test_a_nul_character_is_refused_with_400_and_nothing_is_written(
    app: Any, settings: Settings
) -> None:
    """PostgreSQL text cannot hold NUL: a NUL in a query or a form answered 500 there."""
    world = await seed_world(settings)
    async with logged_in_client(app, world.owner) as owner:
        token = await csrf_token(owner)
        before = await Proposal.all().count()
        form = {"title": "Titre\x00 piégé", "body": "Un texte assez long " * 3, "csrf_token": token}
        for response in (
            await owner.get("/proposals?q=%00"),
            await owner.post("/proposals/new", data=form),
            await owner.post("/proposals/new", files={"file": ("a.csv", b"x")}, data=form),
        ):
            assert response.status_code == 400
            assert "La requête n’a pas pu être comprise." in response.text
        assert await Proposal.all().count() == before


# ids that do not exist: unknown to the database, past PostgreSQL's integer, 20 digits
FORGED_IDS = ["987654", "2147483648", "99999999999999999999"]


def _id_parameters(endpoint: Any) -> list[str]:
    convertors = getattr(endpoint.route, "param_convertors", {})
    return [name for name, c in convertors.items() if c.regex.startswith("[0-9]")]


def _forge(endpoint: Any, url: str, name: str, forged: str) -> str:
    """`url` with the segment of path parameter `name` replaced by `forged`."""
    position = endpoint.path.split("/").index(
        next(s for s in endpoint.path.split("/") if s.startswith("{" + name + ":"))
    )
    segments = url.split("/")
    segments[position] = forged
    return "/".join(segments)


@pytest.mark.parametrize("role", ["owner", "admin"])
async def test_forged_ids_answer_404_on_every_route(
    app: Any, settings: Settings, role: str
) -> None:
    """A forged id is a 404, unless this person may not use the route at all (403 either way:
    checking permissions first reveals nothing about which ids exist)."""
    world = await seed_world(settings)
    wrong = []
    tried: set[str] = set()
    async with logged_in_client(app, world.user(role)) as person:
        data = {"csrf_token": await csrf_token(person), "reason": "Motif suffisant.", "vote": "up"}
        for endpoint in app_routes(app):
            if endpoint.path == "/account/logout" or endpoint.method == "OPTIONS":
                continue  # a CORS preflight (the public API) reads nothing: 204 for any id
            url = url_for_route(endpoint, world.ids)
            for name in _id_parameters(endpoint):
                tried.add(f"{endpoint} {name}")
                for forged in FORGED_IDS:
                    forged_url = _forge(endpoint, url, name, forged)
                    response = await person.request(endpoint.method, forged_url, data=data)
                    if response.status_code == 404:
                        continue
                    if response.status_code == 403:
                        real = await person.request(endpoint.method, url, data=data)
                        if real.status_code == 403:
                            continue
                    wrong.append((str(endpoint), name, forged, response.status_code))
    assert wrong == [], "\n".join(map(str, wrong))
    # guards the walk itself: if no id parameter were recognised, the test would pass vacuously
    assert {"GET /proposals/{id:id} id", "POST /budgets/{budget_id:id}/ballot budget_id"} <= tried


def test_every_route_id_uses_our_convertor_and_starlettes_int_is_left_alone(app: Any) -> None:
    """Ids are `{name:id}` (bounded: a 20-digit id is a 404); `{name:int}` keeps Starlette's
    meaning for every other app of the process (the id convertor once replaced it at import)."""
    from starlette.convertors import CONVERTOR_TYPES, IntegerConvertor

    from participation.web import IdConvertor

    assert type(CONVERTOR_TYPES["int"]) is IntegerConvertor
    assert isinstance(CONVERTOR_TYPES["id"], IdConvertor)
    numeric = {
        f"{endpoint} {name}": type(convertor).__name__
        for endpoint in app_routes(app)
        for name, convertor in getattr(endpoint.route, "param_convertors", {}).items()
        if convertor.regex.startswith("[0-9]")
    }
    assert len(numeric) > 20
    assert set(numeric.values()) == {"IdConvertor"}, numeric


# where a `next` parameter may send a browser after log-in or a language switch: only here
OFF_SITE = [
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\t/evil.example/",
    "/\n/evil.example/",
    " //evil.example/",
    "%2F%2Fevil.example/",
]


# a log-in per target from one address: the rate limits are tested in tests/moderation
@pytest.mark.settings(RATE_LIMITS="off")
async def test_next_parameters_never_send_off_site(app: Any, settings: Settings) -> None:
    world = await seed_world(settings)
    from urllib.parse import urlsplit

    from tests.conftest import TEST_PASSWORD

    for target in OFF_SITE:
        async with client_for(app) as browser:
            login = f"/account/login?{urlencode({'next': target})}"
            token = await csrf_token(browser, login)
            form = {"email": world.owner.email, "password": TEST_PASSWORD, "next": target}
            answers = [await browser.post(login, data={**form, "csrf_token": token})]
            token = await csrf_token(browser)  # a new session's token after log-in
            switch = {"language": "en", "next": target, "csrf_token": token}
            answers.append(await browser.post("/language", data=switch))
            for response in answers:
                assert response.status_code == 303, target
                location = response.headers["location"]
                squeezed = re.sub(r"[\x00-\x20]", "", location)
                assert location.startswith("/") and not urlsplit(location).netloc, target
                assert not squeezed.startswith(("//", "/\\")), (target, location)
