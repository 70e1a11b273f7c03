"""CSRF on every state-changing request, body size limit, security headers, roles."""

import httpx
import pytest

from participation.accounts.models import Role
from participation.settings import Settings
from participation.web import CONTENT_SECURITY_POLICY
from tests.conftest import create_user, csrf_token, log_in

STATE_CHANGING = [
    "/account/signup",
    "/account/login",
    "/account/logout",
    "/account/reset",
    "/language",
]


@pytest.mark.parametrize("url", STATE_CHANGING)
async def test_post_without_csrf_token_is_refused(client: httpx.AsyncClient, url: str) -> None:
    await client.get("/")
    response = await client.post(url, data={"email": "x@example.org", "language": "en"})
    assert response.status_code == 403
    assert "Votre formulaire a expiré" in response.text


@pytest.mark.parametrize("url", STATE_CHANGING)
async def test_post_with_a_wrong_csrf_token_is_refused(client: httpx.AsyncClient, url: str) -> None:
    await client.get("/")
    response = await client.post(url, data={"csrf_token": "forged", "language": "en"})
    assert response.status_code == 403


async def test_token_from_another_session_is_refused(
    client: httpx.AsyncClient, app: object
) -> None:
    attacker = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver",
    )
    async with attacker:
        token = await csrf_token(attacker)
    await client.get("/")
    response = await client.post("/language", data={"csrf_token": token, "language": "en"})
    assert response.status_code == 403


async def test_htmx_requests_send_the_token_in_a_header(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    response = await client.post("/language", data={"language": "en"}, headers=headers)
    assert response.status_code == 303
    bad = await client.post(
        "/language", data={"language": "en"}, headers={"HX-Request": "true", "X-CSRF-Token": "nope"}
    )
    assert bad.status_code == 403


async def test_oversized_body_is_refused_with_413(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client)
    huge = "x" * (10 * 1024 * 1024 + 1)
    response = await client.post("/language", data={"csrf_token": token, "language": huge})
    assert response.status_code == 413
    assert "trop volumineux" in response.text


async def test_security_headers_on_every_page(client: httpx.AsyncClient) -> None:
    for url in ["/", "/account/login", "/does-not-exist"]:
        response = await client.get(url)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


async def test_session_cookie_is_http_only_and_same_site(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_not_found_page_is_localized(client: httpx.AsyncClient) -> None:
    response = await client.get("/nulle-part")
    assert response.status_code == 404 and "Page introuvable" in response.text
    english = await client.get("/nowhere", headers={"Accept-Language": "en"})
    assert "Page not found" in english.text


async def test_server_error_page_is_localized(app: object) -> None:
    from starlette.routing import Route

    async def broken(request: object) -> None:
        raise RuntimeError("boom")

    app.router.routes.append(Route("/broken", broken))  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/broken")
    assert response.status_code == 500 and "Erreur du serveur" in response.text
    assert "boom" not in response.text


@pytest.mark.parametrize(
    ("role", "moderation", "admin"),
    [
        (Role.CITIZEN, 403, 403),
        (Role.MODERATOR, 200, 403),
        (Role.ADMIN, 200, 200),
    ],
)
async def test_role_checks(
    client: httpx.AsyncClient, settings: Settings, role: Role, moderation: int, admin: int
) -> None:
    await log_in(client, await create_user(settings, role=role))
    assert (await client.get("/moderation")).status_code == moderation
    assert (await client.get("/admin")).status_code == admin
    home = (await client.get("/")).text
    assert ('href="/moderation"' in home) == (moderation == 200)
    assert ('href="/admin"' in home) == (admin == 200)


@pytest.mark.parametrize("url", ["/moderation", "/admin", "/account"])
async def test_anonymous_visitors_are_sent_to_log_in(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 303
    assert response.headers["location"] == f"/account/login?next={url}"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/proposals",
        "/budgets",
        "/consultations",
        "/account/login",
        "/account/signup",
        "/account/reset",
    ],
)
async def test_public_pages_answer(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 200
    assert 'href="#main"' in response.text and '<main id="main"' in response.text
