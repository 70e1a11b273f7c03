"""Sign-up, e-mail confirmation, log in/out and password reset, through HTTP."""

import re
from datetime import timedelta

import httpx
import pytest
from tortoise import timezone

from participation.accounts.models import PasswordResetToken, User, UserSession
from participation.mail import OutboxEmail, sent_text
from participation.settings import Settings
from tests.conftest import TEST_PASSWORD, create_user, field_error, log_in, post_form

GOOD_SIGN_UP = {
    "email": "Camille.Martin@Example.org",
    "display_name": "Camille M.",
    "password": "trois pommes vertes au marché",
    "password_confirmation": "trois pommes vertes au marché",
    "accept_terms": "yes",
}


def _link(settings: Settings, email: OutboxEmail, path: str) -> str:
    """The link as the recipient reads it; the stored body holds no link (see test_secrets)."""
    assert path not in email.body
    text = sent_text(settings, email)
    match = re.search(rf"http://testserver({path}/\S+)", text)
    assert match, text
    return match.group(1)


async def test_sign_up_logs_in_and_sends_a_confirmation_link(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await post_form(client, "/account/signup", GOOD_SIGN_UP)
    assert response.status_code == 303 and response.headers["location"] == "/account"
    user = await User.get(email="camille.martin@example.org")
    assert user.email_confirmed_at is None and user.password_hash.startswith("$argon2")
    assert TEST_PASSWORD not in user.password_hash

    account = await client.get("/account")
    assert "Camille M." in account.text and "non confirmée" in account.text

    email = await OutboxEmail.get(recipient="camille.martin@example.org")
    assert "Confirmez votre adresse e-mail" in email.subject
    confirmed = await client.get(_link(settings, email, "/account/confirm"))
    assert confirmed.status_code == 303
    await user.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert "confirmée" in (await client.get("/account")).text


async def test_a_forged_confirmation_link_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/account/confirm/forged.token.value")
    assert response.status_code == 400
    assert "Lien de confirmation non valide" in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-address", "Indiquez une adresse e-mail valide"),
        ("email", "", "Indiquez votre adresse e-mail"),
        ("display_name", "", "Indiquez le nom que les autres habitants verront"),
        ("display_name", "x" * 81, "au plus 80 caractères"),
        ("password", "court", "au moins 10 caractères"),
        ("password_confirmation", "autre chose encore", "ne sont pas identiques"),
    ],
)
async def test_sign_up_with_a_bad_field_shows_its_error_and_saves_nothing(
    client: httpx.AsyncClient, field: str, value: str, message: str
) -> None:
    response = await post_form(client, "/account/signup", {**GOOD_SIGN_UP, field: value})
    assert response.status_code == 422
    # the field is highlighted and its error, tied to it for screen readers, says what to fix
    assert message in field_error(response.text, field)
    # what the person typed is kept (except passwords)
    if field != "email":
        assert "Camille.Martin@Example.org" in response.text
    assert await User.all().count() == 0
    assert await OutboxEmail.all().count() == 0


async def test_duplicate_email_is_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    await create_user(settings, "camille.martin@example.org")
    response = await post_form(client, "/account/signup", GOOD_SIGN_UP)
    assert response.status_code == 422
    assert "Un compte utilise déjà cette adresse e-mail" in response.text
    assert await User.all().count() == 1


async def test_log_in_renews_the_session_and_log_out_ends_it(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await client.get("/")
    cookie_before = client.cookies["participation_session"]
    await log_in(client, citizen)
    assert client.cookies["participation_session"] != cookie_before
    assert await UserSession.filter(user=citizen).count() == 1
    assert "Mon compte" in (await client.get("/account")).text
    stolen_cookie = client.cookies["participation_session"]

    response = await post_form(client, "/account/logout", {}, page="/account")
    assert response.status_code == 303
    assert await UserSession.filter(user=citizen).count() == 0
    assert (await client.get("/account")).status_code == 303
    # replaying the old cookie does not log anyone in: the server-side session is gone
    client.cookies.set("participation_session", stolen_cookie)
    assert (await client.get("/account")).status_code == 303


async def test_log_in_follows_next_but_only_to_local_pages(
    client: httpx.AsyncClient, citizen: User
) -> None:
    token_page = "/account/login?next=/budgets"
    response = await post_form(
        client,
        "/account/login",
        {"email": citizen.email, "password": TEST_PASSWORD, "next": "https://evil.example/"},
        page=token_page,
    )
    assert response.headers["location"] == "/"
    await post_form(client, "/account/logout", {})
    response = await post_form(
        client,
        "/account/login",
        {"email": citizen.email, "password": TEST_PASSWORD, "next": "/budgets"},
    )
    assert response.headers["location"] == "/budgets"


@pytest.mark.parametrize("email", ["citizen@example.org", "nobody@example.org"])
async def test_wrong_password_or_unknown_account_gives_the_same_answer(
    client: httpx.AsyncClient, citizen: User, email: str
) -> None:
    response = await post_form(
        client, "/account/login", {"email": email, "password": "pas le bon mot de passe"}
    )
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in response.text
    assert "participation_session" in client.cookies
    assert (await client.get("/account")).status_code == 303


async def _reset_link(client: httpx.AsyncClient, settings: Settings, email: str) -> str:
    response = await post_form(client, "/account/reset", {"email": email})
    assert response.status_code == 303  # then a GET: going back resends nothing
    sent = await client.get(response.headers["location"])
    assert "Consultez vos e-mails" in sent.text
    message = await OutboxEmail.filter(recipient=email).order_by("-id").first()
    assert message is not None
    return _link(settings, message, "/account/reset")


async def test_password_reset_works_once_and_ends_other_sessions(
    client: httpx.AsyncClient, app: object, citizen: User, settings: Settings
) -> None:
    other_browser = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver",
    )
    async with other_browser:
        await log_in(other_browser, citizen)
        link = await _reset_link(client, settings, citizen.email)
        new_password = "un nouveau mot de passe solide"
        data = {"password": new_password, "password_confirmation": new_password}
        response = await post_form(client, link, data, page=link)
        assert response.status_code == 303 and response.headers["location"] == "/account/login"
        # the session in the other browser is over
        assert (await other_browser.get("/account")).status_code == 303

    # the link works once
    again = await client.get(link)
    assert again.status_code == 400 and "Ce lien a expiré ou a déjà été utilisé" in again.text
    # the new password works, the old one does not
    ok = await post_form(
        client, "/account/login", {"email": citizen.email, "password": new_password}
    )
    assert ok.status_code == 303
    await post_form(client, "/account/logout", {})
    old = await post_form(
        client, "/account/login", {"email": citizen.email, "password": TEST_PASSWORD}
    )
    assert old.status_code == 401


async def test_password_reset_link_expires(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    link = await _reset_link(client, settings, citizen.email)
    await PasswordResetToken.all().update(expires_at=timezone.now() - timedelta(seconds=1))
    response = await client.get(link)
    assert response.status_code == 400
    assert "Ce lien a expiré" in response.text


async def test_password_reset_with_a_weak_password_keeps_the_link_usable(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    link = await _reset_link(client, settings, citizen.email)
    data = {"password": "court", "password_confirmation": "court"}
    response = await post_form(client, link, data, page=link)
    assert response.status_code == 422 and "au moins 10 caractères" in response.text
    assert (await client.get(link)).status_code == 200


async def test_password_reset_does_not_reveal_which_accounts_exist(
    client: httpx.AsyncClient,
) -> None:
    response = await post_form(client, "/account/reset", {"email": "nobody@example.org"})
    assert response.status_code == 303  # the same answer as for an account that exists
    assert "Consultez vos e-mails" in (await client.get(response.headers["location"])).text
    assert await OutboxEmail.all().count() == 0


async def test_logging_out_or_deleting_the_account_keeps_the_chosen_language(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await log_in(client, citizen)
    await post_form(client, "/language", {"language": "en", "next": "/"})
    await post_form(client, "/account/logout", {}, page="/account")
    home = (await client.get("/")).text
    assert '<html lang="en"' in home and "You are logged out." in home

    await post_form(client, "/language", {"language": "fr", "next": "/"})
    await log_in(client, citizen)  # the account's language (English) comes back
    response = await post_form(
        client, "/account/delete", {"password": TEST_PASSWORD}, page="/account/delete"
    )
    assert response.status_code == 303
    home = (await client.get("/")).text
    assert '<html lang="en"' in home and "Your account is deleted." in home


async def test_an_expired_session_is_signed_out(client: httpx.AsyncClient, citizen: User) -> None:
    """The session lookup compares the expiry in Python: past it, the visitor is anonymous."""
    await log_in(client, citizen)
    assert (await client.get("/account/residency")).status_code == 200
    await UserSession.filter(user_id=citizen.id).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = await client.get("/account/residency")
    assert response.status_code == 303 and "/account/login" in response.headers["location"]
