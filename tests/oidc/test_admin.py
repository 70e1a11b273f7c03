"""Staff configure identity providers: presets, the secret encrypted at rest, the audit log,
refused input, CSRF, and who may do it."""

from __future__ import annotations

from typing import Any

import httpx

from oidc import services
from oidc.models import Provider
from participation.audit import AuditLogEntry
from participation.settings import Settings
from tests.conftest import csrf_token, field_error, logged_in

FORM = {
    "name": "FranceConnect",
    "issuer": "https://fcp-low.integ01.dev-franceconnect.fr/api/v2",
    "client_id": "client-de-la-ville",
    "client_secret": "un-secret-tres-secret",
    "scopes": "openid given_name family_name email",
    "acr_values": "eidas1",
    "for_residents": "yes",
    "enabled": "yes",
}


async def test_presets_fill_the_form(app: Any, admin: Any) -> None:
    async with logged_in(app, admin) as browser:
        index = await browser.get("/admin/oidc")
        assert "http://testserver/auth/oidc/callback" in index.text
        page = await browser.get("/admin/oidc/new?preset=franceconnect")
        assert 'value="openid given_name family_name email birthdate"' in page.text
        assert 'value="eidas1"' in page.text
        staff = await browser.get("/admin/oidc/new?preset=proconnect")
        assert 'value="ProConnect"' in staff.text
        assert 'id="for_staff" name="for_staff" value="yes" checked' in staff.text
        listed = await browser.get("/admin")
        assert "/admin/oidc" in listed.text


async def test_a_provider_is_saved_with_its_secret_encrypted_and_audited(
    app: Any, admin: Any, settings: Settings
) -> None:
    async with logged_in(app, admin) as browser:
        token = await csrf_token(browser, "/admin/oidc/new")
        response = await browser.post("/admin/oidc/new", data={**FORM, "csrf_token": token})
        assert response.status_code == 303
        provider = await Provider.get(name="FranceConnect")
        assert b"un-secret-tres-secret" not in bytes(provider.client_secret_box)
        assert services.credentials(settings, provider).client_secret == "un-secret-tres-secret"
        entry = await AuditLogEntry.get(action="oidc_provider_saved", target_id=provider.id)
        assert "un-secret" not in entry.after and "client-de-la-ville" in entry.after
        # an edit without a secret keeps the stored one
        edit = {**FORM, "client_secret": "", "enabled": ""}
        token = await csrf_token(browser, f"/admin/oidc/{provider.id}")
        response = await browser.post(
            f"/admin/oidc/{provider.id}", data={**edit, "csrf_token": token}
        )
        assert response.status_code == 303
        await provider.refresh_from_db()
        assert not provider.enabled
        assert services.credentials(settings, provider).client_secret == "un-secret-tres-secret"
        assert await AuditLogEntry.filter(action="oidc_provider_saved").count() == 2


async def test_wrong_input_is_shown_on_its_field(app: Any, admin: Any) -> None:
    async with logged_in(app, admin) as browser:
        token = await csrf_token(browser, "/admin/oidc/new")
        wrong = {
            **FORM,
            "issuer": "http://fournisseur.example",
            "scopes": "profile email",
            "client_secret": "",
            "for_residents": "",
            "name": "<script>alert(1)</script>",
        }
        response = await browser.post("/admin/oidc/new", data={**wrong, "csrf_token": token})
        assert response.status_code == 422
        assert "https://" in field_error(response.text, "issuer")
        assert "openid" in field_error(response.text, "scopes")
        assert field_error(response.text, "client_secret")
        assert field_error(response.text, "for_residents")
        assert "<script>alert(1)</script>" not in response.text
        assert not await Provider.exists()


async def test_the_admin_forms_need_the_csrf_token(app: Any, admin: Any) -> None:
    async with logged_in(app, admin) as browser:
        response = await browser.post("/admin/oidc/new", data=FORM)
        assert response.status_code == 403
        assert not await Provider.exists()


async def test_only_admins_manage_providers(
    app: Any, client: httpx.AsyncClient, citizen: Any, moderator: Any
) -> None:
    for page in ("/admin/oidc", "/admin/oidc/new"):
        response = await client.get(page)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/account/login"
        )
    for person in (citizen, moderator):
        async with logged_in(app, person) as browser:
            assert (await browser.get("/admin/oidc")).status_code == 403
            token = await csrf_token(browser)
            response = await browser.post("/admin/oidc/new", data={**FORM, "csrf_token": token})
            assert response.status_code == 403
    assert not await Provider.exists()


async def test_a_provider_that_does_not_exist_is_not_found(app: Any, admin: Any) -> None:
    async with logged_in(app, admin) as browser:
        for provider_id in ("987654", "2147483648"):
            assert (await browser.get(f"/admin/oidc/{provider_id}")).status_code == 404
            token = await csrf_token(browser)
            response = await browser.post(
                f"/admin/oidc/{provider_id}", data={**FORM, "csrf_token": token}
            )
            assert response.status_code == 404
    assert not await Provider.exists()
