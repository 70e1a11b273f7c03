"""OpenID Connect log-in end to end, against a real provider on a local port
(tests/oidc/provider.py): success, and every way the answer can be wrong."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

from oidc.models import Link, PendingLink, Provider
from participation.accounts.models import Role, User
from participation.accounts.privacy import delete_account
from participation.mail import OutboxEmail, sent_text
from participation.settings import Settings
from tests.conftest import (
    TEST_PASSWORD,
    browser_of,
    create_user,
    csrf_token,
    field_error,
    post_form,
)
from tests.oidc.factories import callback_url, provider_row, through_provider
from tests.oidc.provider import LocalProvider, closed_port_issuer


async def _signed_in_as(client: httpx.AsyncClient) -> str:
    page = await client.get("/account")
    return page.text if page.status_code == 200 else ""


async def test_a_first_log_in_creates_the_account_and_logs_in(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    provider = await provider_row(settings, idp.issuer)
    response = await through_provider(client, provider)
    assert response.status_code == 303
    user = await User.get(email="camille@example.org")
    assert user.display_name == "Camille M."
    assert user.password_hash == "" and user.email_confirmed_at is not None
    link = await Link.get(user_id=user.id)
    assert (link.provider_id, link.subject) == (provider.id, "sub-camille-0001")
    assert (link.acr, link.eidas_level) == ("eidas1", "eidas1")
    # a new account accepts the conditions of use first, then lands on the page it came for
    assert (
        response.headers["location"].startswith("/account/accept")
        or "/" in response.headers["location"]
    )
    account = await _signed_in_as(client)
    assert "camille@example.org" in account and "FranceConnect" in account
    # the next log-in finds the same account
    await client.post("/account/logout", data={"csrf_token": await csrf_token(client)})
    again = await through_provider(client, provider)
    assert again.status_code == 303
    assert await User.filter(email="camille@example.org").count() == 1
    assert "camille@example.org" in await _signed_in_as(client)


async def test_the_authorization_request_uses_pkce_state_nonce_and_acr(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    provider = await provider_row(settings, idp.issuer)
    start = await client.get(f"/auth/oidc/{provider.id}/start")
    query = httpx.URL(start.headers["location"]).params
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"] and query["acr_values"] == "eidas1"
    assert query["redirect_uri"] == "http://testserver/auth/oidc/callback"
    assert query["scope"] == "openid given_name family_name email"


async def test_a_wrong_state_is_refused(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    provider = await provider_row(settings, idp.issuer)
    callback = await callback_url(client, provider)
    forged = callback.copy_set_param("state", "forged-state")
    response = await client.get(str(forged))
    assert response.status_code == 400
    assert "plus valable" in response.text
    assert not await User.filter(email="camille@example.org").exists()
    # and the flow is spent: the right state does not work after a wrong one
    assert (await client.get(str(callback))).status_code == 400


async def test_a_replayed_code_is_refused(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    provider = await provider_row(settings, idp.issuer)
    first = await callback_url(client, provider)
    assert (await client.get(str(first))).status_code == 303
    # an attacker replays the code in a new flow of theirs (with its own state)
    async with browser_of(app) as other:
        start = await other.get(f"/auth/oidc/{provider.id}/start")
        state = httpx.URL(start.headers["location"]).params["state"]
        replay = first.copy_set_param("state", state)
        response = await other.get(str(replay))
        assert response.status_code == 400
        assert await _signed_in_as(other) == ""


async def _refused_log_in(
    client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> httpx.Response:
    provider = await provider_row(settings, idp.issuer)
    response = await through_provider(client, provider)
    assert response.status_code == 400, response.text
    assert "ne peut pas" in response.text or "could not be checked" in response.text
    assert not await User.filter(email="camille@example.org").exists()
    assert not await Link.exists()
    assert await _signed_in_as(client) == ""
    return response


async def test_a_forged_id_token_is_refused(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    idp.signing_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    await _refused_log_in(client, settings, idp)


@pytest.mark.parametrize(
    "tweak",
    [
        {"exp": 1_000_000_000, "iat": 999_999_000},  # expired
        {"aud": "another-client"},  # meant for another site
        {"nonce": "not-the-nonce-we-sent"},  # replayed from another log-in
        {"iss": "https://attacker.example"},  # from another provider
    ],
    ids=["expired", "audience", "nonce", "issuer"],
)
async def test_an_id_token_with_a_wrong_claim_is_refused(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider, tweak: dict
) -> None:
    idp.tweak = tweak
    await _refused_log_in(client, settings, idp)


async def test_a_provider_that_is_down_gets_a_clear_message_and_creates_nothing(
    app: Any, client: httpx.AsyncClient, settings: Settings
) -> None:
    provider = await provider_row(settings, closed_port_issuer())
    start = await client.get(f"/auth/oidc/{provider.id}/start")
    assert start.status_code == 303 and start.headers["location"] == "/account/login"
    page = await client.get("/account/login")
    assert "ne répond pas" in page.text
    assert not await User.filter(email="camille@example.org").exists()


async def test_a_disabled_provider_is_not_offered_nor_usable(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    enabled = await provider_row(settings, idp.issuer)
    login = await client.get("/account/login")
    assert "Se connecter avec FranceConnect" in login.text
    started = await callback_url(client, enabled)  # a log-in under way
    await Provider.filter(id=enabled.id).update(enabled=False)
    assert "Se connecter avec FranceConnect" not in (await client.get("/account/login")).text
    refused = await client.get(f"/auth/oidc/{enabled.id}/start")
    assert refused.status_code == 303 and refused.headers["location"] == "/account/login"
    # a log-in started before it was disabled does not finish either (the refused start
    # above left it in the session)
    response = await client.get(str(started))
    assert response.status_code == 400
    assert not await User.filter(email="camille@example.org").exists()


async def test_an_email_claim_never_takes_over_an_account_until_proven_by_password(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    owner = await create_user(settings, "camille@example.org", display_name="Camille Owner")
    provider = await provider_row(settings, idp.issuer)
    response = await through_provider(client, provider)
    assert response.status_code == 303 and response.headers["location"] == "/auth/oidc/link"
    assert await _signed_in_as(client) == ""  # not logged in on the claim
    assert not await Link.exists()
    page = await client.get("/auth/oidc/link")
    assert "camille@example.org" in page.text
    wrong = await post_form(
        client, "/auth/oidc/link", {"password": "pas-le-bon"}, "/auth/oidc/link"
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "password")
    assert not await Link.exists()
    right = await post_form(
        client, "/auth/oidc/link", {"password": TEST_PASSWORD}, "/auth/oidc/link"
    )
    assert right.status_code == 303
    landing = await client.get(right.headers["location"])
    assert "FranceConnect est maintenant associé à votre compte" in landing.text
    link = await Link.get(user_id=owner.id)
    assert link.subject == "sub-camille-0001"
    assert "Camille Owner" in await _signed_in_as(client)
    assert await User.all().count() == 1
    # proven in this browser after the provider's log-in: log-out ends the provider's session
    out = await client.post("/account/logout", data={"csrf_token": await csrf_token(client)})
    assert out.headers["location"].startswith(idp.issuer + "/end_session")


async def test_an_email_claim_is_linked_by_the_link_sent_to_that_address(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    owner = await create_user(settings, "camille@example.org")
    provider = await provider_row(settings, idp.issuer)
    await through_provider(client, provider)
    sent = await post_form(client, "/auth/oidc/link/email", {}, "/auth/oidc/link")
    assert sent.status_code == 303
    assert not await Link.exists()
    proof = await PendingLink.get(user_id=owner.id)
    email = await OutboxEmail.filter(recipient="camille@example.org").order_by("-id").first()
    assert email is not None
    text = sent_text(settings, email)
    path = text.split("http://testserver")[1].split()[0]
    assert path.startswith("/auth/oidc/link/")
    assert path.rsplit("/", 1)[1] not in proof.token_hash  # only the hash is stored
    # the link, opened in the mailbox's browser, links and logs in; then it is spent
    async with browser_of(app) as mailbox:
        assert (await mailbox.get(path)).status_code == 303
        assert await Link.filter(user_id=owner.id, provider_id=provider.id).exists()
        assert "camille@example.org" in await _signed_in_as(mailbox)
        assert (await mailbox.get(path)).status_code == 400


async def test_a_staff_account_cannot_use_a_residents_provider(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    await create_user(settings, "camille@example.org", Role.ADMIN)
    provider = await provider_row(settings, idp.issuer)
    response = await through_provider(client, provider)
    assert response.status_code == 403
    assert not await Link.exists()


async def test_a_staff_provider_creates_no_account(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    provider = await provider_row(
        settings, idp.issuer, name="ProConnect", for_residents=False, for_staff=True
    )
    response = await through_provider(client, provider)
    assert response.status_code == 403
    assert not await User.exists()


async def test_log_out_ends_the_provider_session_and_links_can_be_dissociated(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    provider = await provider_row(settings, idp.issuer)
    await through_provider(client, provider)
    user = await User.get(email="camille@example.org")
    link = await Link.get(user_id=user.id)
    # someone else's link is not theirs to dissociate
    other = await create_user(settings, "other@example.org")
    others = await Link.create(provider_id=provider.id, user_id=other.id, subject="other-sub")
    token = await csrf_token(client, "/account")
    forged = await client.post(f"/auth/oidc/links/{others.id}/unlink", data={"csrf_token": token})
    assert forged.status_code == 404 and await Link.exists(id=others.id)
    out = await client.post("/account/logout", data={"csrf_token": token})
    assert out.status_code == 303
    target = httpx.URL(out.headers["location"])
    assert str(target).startswith(idp.issuer + "/end_session")
    assert target.params["post_logout_redirect_uri"] == "http://testserver/"
    assert target.params["id_token_hint"].count(".") == 2
    assert await _signed_in_as(client) == ""
    # dissocier, from the account page
    await through_provider(client, provider)
    token = await csrf_token(client, "/account")
    # the only way to log in of an account without a password: refused, and no button shown
    response = await client.post(f"/auth/oidc/links/{link.id}/unlink", data={"csrf_token": token})
    assert response.status_code == 409 and await Link.exists(id=link.id)
    assert "seul moyen de vous connecter" in response.text
    assert f"/auth/oidc/links/{link.id}/unlink" not in (await client.get("/account")).text
    # with a password chosen (none asked before: the account had none), it may go
    chosen = await post_form(
        client,
        "/account/password",
        {"new_password": "trois pommes vertes", "new_password_confirmation": "trois pommes vertes"},
        "/account/password",
    )
    assert chosen.status_code == 303
    response = await client.post(f"/auth/oidc/links/{link.id}/unlink", data={"csrf_token": token})
    assert response.status_code == 303
    assert not await Link.exists(id=link.id)
    assert (
        "Aucun fournisseur" in (await client.get("/account")).text
        or "No identity" in (await client.get("/account")).text
    )


async def test_links_are_in_the_data_export_and_go_with_the_account(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    provider = await provider_row(settings, idp.issuer)
    await through_provider(client, provider)
    data = (await client.get("/account/data.json")).json()
    (link,) = data["identity_providers"]
    assert (link["provider"], link["subject"], link["acr"]) == (
        "FranceConnect",
        "sub-camille-0001",
        "eidas1",
    )
    user = await User.get(email="camille@example.org")
    await PendingLink.create(
        token_hash="0" * 64,
        provider_id=provider.id,
        user_id=user.id,
        subject="x",
        expires_at=user.created_at,
    )
    await delete_account(user)
    assert not await Link.exists() and not await PendingLink.exists()
    # the identity is free again: the next log-in makes a new account
    assert (await through_provider(client, provider)).status_code == 303
    assert await Link.filter(subject="sub-camille-0001").count() == 1


async def test_user_info_about_someone_else_is_refused(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    idp.tweak_userinfo = {"sub": "sub-of-someone-else"}
    await _refused_log_in(client, settings, idp)


async def test_an_unverified_address_is_confirmed_by_e_mail_and_no_password_opens_it(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    idp.user = {**idp.user, "email_verified": False}
    provider = await provider_row(settings, idp.issuer)
    assert (await through_provider(client, provider)).status_code == 303
    user = await User.get(email="camille@example.org")
    assert user.email_confirmed_at is None
    assert await OutboxEmail.filter(recipient="camille@example.org").exists()
    # the account has no password: a password log-in never opens it
    async with browser_of(app) as other:
        for password in ("", "n'importe-quoi"):
            response = await post_form(
                other, "/account/login", {"email": user.email, "password": password}
            )
            assert response.status_code == 401


async def test_a_log_in_cancelled_at_the_provider_says_so(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    provider = await provider_row(settings, idp.issuer)
    callback = await callback_url(client, provider)
    cancelled = callback.copy_remove_param("code").copy_set_param("error", "access_denied")
    response = await client.get(str(cancelled))
    assert response.status_code == 303 and response.headers["location"] == "/account/login"
    assert "annulée" in (await client.get("/account/login")).text
    assert not await User.exists()
