"""Security headers on every kind of answer: pages (every GET route), htmx fragments, redirects,
error pages (403, 404, 405, 409, 413, 422, 500, CSRF), downloads, JSON, static files."""

from __future__ import annotations

from typing import Any

import httpx

from participation.settings import Settings
from participation.web import CONTENT_SECURITY_POLICY
from tests.conftest import csrf_token
from tests.security.world import app_routes, client_for, logged_in_client, seed_world, url_for_route

EXPECTED = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def _missing(response: httpx.Response) -> dict[str, str | None]:
    return {
        name: response.headers.get(name)
        for name, value in EXPECTED.items()
        if response.headers.get(name) != value
    }


def test_the_policy_forbids_inline_scripts_and_framing() -> None:
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert policy["script-src"] == "'self'" and "unsafe" not in CONTENT_SECURITY_POLICY
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"


async def test_every_page_and_fragment_carries_the_headers(app: Any, settings: Settings) -> None:
    world = await seed_world(settings)
    wrong = []
    async with logged_in_client(app, world.admin) as admin:
        for endpoint in app_routes(app):
            if endpoint.method != "GET":
                continue
            url = url_for_route(endpoint, world.ids)
            for headers in ({}, {"HX-Request": "true"}):  # full page, then htmx fragment
                response = await admin.get(url, headers=headers)
                if _missing(response):
                    wrong.append((str(endpoint), headers, _missing(response)))
    assert wrong == []


async def test_error_answers_carry_the_headers(app: Any, settings: Settings) -> None:
    from starlette.routing import Route

    async def broken(request: object) -> None:
        raise RuntimeError("boom")

    app.router.routes.append(Route("/broken-for-headers", broken))
    world = await seed_world(settings)
    async with logged_in_client(app, world.owner) as owner, client_for(app) as visitor:
        token = await csrf_token(owner)
        answers = {
            403: await owner.get("/admin"),
            404: await owner.get("/nulle-part"),
            405: await owner.delete("/proposals", headers={"X-CSRF-Token": token}),
            409: await owner.post(
                f"/proposals/{world.ids['id']}/comments/{world.ids['comment']}/vote",
                data={"csrf_token": token},
            ),
            413: await owner.post("/language", content=b"x" * (settings.max_body_size + 1)),
            422: await owner.post("/proposals/new", data={"csrf_token": token, "title": ""}),
            500: await owner.get("/broken-for-headers"),
            303: await visitor.get("/account"),  # a redirect to log in
        }
        answers_csrf = await owner.post("/language", data={"language": "en"})
        for status, response in answers.items():
            assert response.status_code == status, (status, response.status_code)
            assert _missing(response) == {}, status
        assert answers_csrf.status_code == 403 and _missing(answers_csrf) == {}


async def test_downloads_and_static_files_carry_the_headers(client: httpx.AsyncClient) -> None:
    for url in ["/static/css/app.css", "/static/nowhere.js", "/proposals.csv", "/proposals.json"]:
        response = await client.get(url)
        assert _missing(response) == {}, url
    css = await client.get("/static/css/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
