"""Session fixation and session end: a cookie planted or copied by an attacker is worth nothing
once its owner logs in, logs out or resets the password."""

from __future__ import annotations

from typing import Any

from participation.accounts.models import UserSession
from participation.mail import OutboxEmail, sent_text
from participation.settings import Settings
from tests.conftest import TEST_PASSWORD, create_user, csrf_token, log_in, post_form
from tests.security.world import client_for

COOKIE = "participation_session"


async def _is_logged_in(client: Any) -> bool:
    return (await client.get("/account")).status_code == 200


async def test_a_cookie_planted_before_log_in_is_not_the_one_after(
    app: Any, settings: Settings
) -> None:
    victim_user = await create_user(settings, "victim@example.org")
    async with client_for(app) as attacker, client_for(app) as victim:
        planted_token = await csrf_token(attacker)  # the attacker's own anonymous session
        planted = attacker.cookies[COOKIE]
        # e.g. through a sibling sub-domain; the same jar entry the server's answers replace
        victim.cookies.set(COOKIE, planted, domain="testserver.local")
        await log_in(victim, victim_user)
        assert victim.cookies[COOKIE] != planted
        assert await _is_logged_in(victim)
        # the attacker's copy of the planted cookie is still anonymous
        assert not await _is_logged_in(attacker)
        # and the CSRF token the attacker knew does not work in the victim's new session
        forged = await victim.post(
            "/language", data={"csrf_token": planted_token, "language": "en"}
        )
        assert forged.status_code == 403


async def test_log_out_ends_the_session_on_the_server(app: Any, settings: Settings) -> None:
    user = await create_user(settings, "leaving@example.org")
    async with client_for(app) as browser, client_for(app) as thief:
        await log_in(browser, user)
        thief.cookies.set(COOKIE, browser.cookies[COOKIE], domain="testserver.local")  # copied
        assert await _is_logged_in(thief)
        response = await post_form(browser, "/account/logout", {})
        assert response.status_code == 303
        assert not await _is_logged_in(browser)
        assert not await _is_logged_in(thief)  # the copy died with the server-side row
        assert await UserSession.filter(user_id=user.id).count() == 0


async def test_password_reset_ends_every_other_session(app: Any, settings: Settings) -> None:
    user = await create_user(settings, "forgetful@example.org")
    async with client_for(app) as laptop, client_for(app) as thief, client_for(app) as phone:
        await log_in(laptop, user)
        thief.cookies.set(COOKIE, laptop.cookies[COOKIE], domain="testserver.local")
        await log_in(phone, user)
        async with client_for(app) as stranger:
            await post_form(stranger, "/account/reset", {"email": user.email})
            message = await OutboxEmail.filter(recipient=user.email).order_by("-id").first()
            assert message is not None
            text = sent_text(settings, message)  # the recipient's copy (the outbox keeps none)
            link = "/account/reset/" + text.split("/account/reset/")[1].split()[0]
            new = "une toute nouvelle phrase secrète"
            data = {"password": new, "password_confirmation": new}
            assert (await post_form(stranger, link, data, page=link)).status_code == 303
        for browser in (laptop, thief, phone):
            assert not await _is_logged_in(browser)
        assert await UserSession.filter(user_id=user.id).count() == 0
        # and the old password no longer opens a session
        old = await post_form(
            laptop, "/account/login", {"email": user.email, "password": TEST_PASSWORD}
        )
        assert old.status_code == 401


async def test_an_expired_session_is_not_accepted(app: Any, settings: Settings) -> None:
    from datetime import timedelta

    from tortoise import timezone

    user = await create_user(settings, "expired@example.org")
    async with client_for(app) as browser:
        await log_in(browser, user)
        await UserSession.filter(user_id=user.id).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        assert not await _is_logged_in(browser)


async def test_a_tampered_cookie_is_ignored(app: Any, settings: Settings) -> None:
    user = await create_user(settings, "tamper@example.org")
    async with client_for(app) as browser:
        await log_in(browser, user)
        value = browser.cookies[COOKIE]
        tampered = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
        browser.cookies.set(COOKIE, tampered, domain="testserver.local")
        response = await browser.get("/account")
        assert response.status_code == 303  # anonymous again: sent to log in


async def test_cached_public_pages_carry_each_visitors_own_token(
    app: Any, settings: Settings
) -> None:
    """Public pages are served from memory to visitors (participation/pagecache.py): neither a
    visitor's CSRF token nor a signed-in person's page may reach someone else."""
    from tests.conftest import CSRF_FIELD
    from tests.security.world import seed_world

    world = await seed_world(settings)
    pages = ["/", "/proposals", f"/proposals/{world.ids['id']}"]
    async with client_for(app) as owner, client_for(app) as first, client_for(app) as second:
        await log_in(owner, world.owner)
        for url in pages:
            signed_in = await owner.get(url)  # a signed-in rendering first: never stored
            assert "Olivia Owner" in signed_in.text
            seen = [await first.get(url), await first.get(url), await second.get(url)]
            tokens = [CSRF_FIELD.search(page.text).group(1) for page in seen]  # type: ignore[union-attr]
            assert tokens[0] == tokens[1] != tokens[2], url
            for page in seen:
                assert "Olivia Owner" not in page.text.split("<main")[0], url  # header
        for browser, token in ((first, tokens[0]), (second, tokens[2])):
            answer = await browser.post("/language", data={"csrf_token": token, "language": "en"})
            assert answer.status_code == 303  # the token on the page is this visitor's own
