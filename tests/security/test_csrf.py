"""CSRF on every state-changing route, found by walking the app's routes: a route added
tomorrow is covered without editing this file. The attacker's victim is a logged-in admin (the
strongest user); every forged request is refused with 403 and changes nothing in the database."""

from __future__ import annotations

from typing import Any

import httpx

from participation.middleware import CSRF_EXEMPT_PREFIXES
from participation.settings import Settings
from tests.conftest import csrf_token
from tests.security.world import (
    client_for,
    database_snapshot,
    logged_in_client,
    seed_world,
    state_changing_routes,
    url_for_route,
)

# what a hostile page can make the admin's browser send (the admin's cookies go along)
FORGERIES = ("no token", "wrong token", "token of another session")


async def _forged_body(app: Any, forgery: str) -> dict[str, str]:
    # fields most forms accept, so a route that forgot the check would act on them
    body = {"language": "en", "action": "approve", "phase": "voting", "reason": "x" * 20}
    if forgery == "wrong token":
        body["csrf_token"] = "forged-" + "A" * 36
    elif forgery == "token of another session":
        async with client_for(app) as attacker:  # the attacker's own, valid, session
            body["csrf_token"] = await csrf_token(attacker)
    return body


def test_the_app_has_state_changing_routes(app: Any) -> None:
    # guards the walk itself: an empty list would make the tests below pass vacuously
    paths = {str(e) for e in state_changing_routes(app)}
    assert {
        "POST /account/logout",
        "POST /moderation/decide",
        "POST /admin/residents/census",
    } <= paths
    assert len(paths) > 40


async def test_every_state_changing_route_refuses_a_forged_request(
    app: Any, settings: Settings
) -> None:
    world = await seed_world(settings)
    async with logged_in_client(app, world.admin) as admin:
        before = await database_snapshot()
        accepted = []
        for forgery in FORGERIES:
            body = await _forged_body(app, forgery)
            for endpoint in state_changing_routes(app):
                url = url_for_route(endpoint, world.ids)
                headers = {"HX-Request": "true"}
                if forgery != "no token":
                    headers["X-CSRF-Token"] = body.get("csrf_token", "")
                for sent in (
                    admin.request(endpoint.method, url, data=body),
                    admin.request(endpoint.method, url, data=body, headers=headers),
                    admin.request(
                        endpoint.method, url, files={"file": ("x.csv", b"a;b\n")}, data=body
                    ),
                ):
                    response: httpx.Response = await sent
                    if str(endpoint).startswith("POST /account/unsubscribe/"):
                        # the one-click unsubscribe needs no CSRF token (RFC 8058, a mail client
                        # has no cookie; middleware.CSRF_EXEMPT_PREFIXES): its signed token is
                        # what it checks, and the world's is not one (400, nothing changed)
                        assert response.status_code == 400
                        continue
                    if response.status_code != 403:
                        accepted.append((forgery, str(endpoint), response.status_code))
        assert accepted == []
        assert await database_snapshot() == before
        # the admin is still logged in: even the forged log-out was refused
        assert (await admin.get("/admin")).status_code == 200


def test_only_the_one_click_unsubscribe_is_exempt_from_the_csrf_token() -> None:
    # widening this list lets another site post to those routes: each entry needs a reason
    assert CSRF_EXEMPT_PREFIXES == ("/account/unsubscribe/",)
