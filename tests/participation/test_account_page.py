"""The account page over HTTP (issue #19): public name, e-mail address re-confirmed, password,
notification preferences, one-click unsubscribe (RFC 8058) and "My activity"."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest
from tortoise import timezone

from consultations.models import Consultation, Participant, Response
from participation.accounts import activity
from participation.accounts.models import EmailChange, User, UserSession
from participation.comments.models import Comment
from participation.mail import OutboxEmail, message_of, sent_text
from participation.notifications import services as notifications
from participation.notifications.models import Notification, NotificationPreference
from participation.notifications.preferences import unsubscribe_token
from participation.proposals.models import Support
from participation.settings import Settings
from tests.conftest import (
    TEST_PASSWORD,
    browser_of,
    create_user,
    field_error,
    log_in,
    logged_in,
    post_form,
)
from tests.participation.proposal_factories import make_proposal

NEW = "nouvelle.adresse@example.org"


async def _signed_in(app: Any, settings: Settings, email: str = "camille@example.org") -> Any:
    user = await create_user(settings, email)
    return user


def _link(settings: Settings, email: OutboxEmail) -> str:
    """The confirmation link as the new address reads it; never in the stored body."""
    assert "/account/email/confirm/" not in email.body
    match = re.search(r"http://testserver(/account/email/confirm/\S+)", sent_text(settings, email))
    assert match
    return match.group(1)


async def test_public_name_is_changed_and_an_empty_one_is_refused(
    app: Any, settings: Settings
) -> None:
    user = await _signed_in(app, settings)
    async with logged_in(app, user) as browser:
        refused = await post_form(browser, "/account/name", {"display_name": " "}, "/account")
        assert refused.status_code == 422
        assert "Indiquez le nom" in field_error(refused.text, "display_name")
        done = await post_form(browser, "/account/name", {"display_name": "Camille D."}, "/account")
        assert done.status_code == 303
    assert (await User.get(id=user.id)).display_name == "Camille D."


async def test_a_new_email_address_is_confirmed_by_a_link_sent_there(
    app: Any, settings: Settings
) -> None:
    user = await _signed_in(app, settings)
    async with logged_in(app, user) as browser:
        data = {"new_email": NEW, "email_password": TEST_PASSWORD}
        response = await post_form(browser, "/account/email", data, "/account")
        assert response.status_code == 303
        page = (await browser.get("/account")).text
        assert "En attente de confirmation" in page and NEW in page
        # the link goes to the new address; the current one gets a notice, with no link
        confirmation = await OutboxEmail.get(recipient=NEW)
        notice = await OutboxEmail.get(recipient="camille@example.org")
        assert NEW in notice.body and "/account/email/confirm/" not in sent_text(settings, notice)
        change = await EmailChange.get(user_id=user.id)
        link = _link(settings, confirmation)
        assert link.rsplit("/", 1)[1] not in change.token_hash  # only its hash is stored
        # until the link is opened, the account keeps its address (and logs in with it)
        assert (await User.get(id=user.id)).email == "camille@example.org"
        async with browser_of(app) as elsewhere:
            await log_in(elsewhere, user)
        opened = await browser.get(link)
        assert opened.status_code == 303
        updated = await User.get(id=user.id)
        assert updated.email == NEW and updated.email_confirmed_at is not None
        # used once: the second click is refused, and the address stays
        again = await browser.get(link)
        assert again.status_code == 400 and "expiré ou a déjà été utilisé" in again.text


async def test_an_expired_email_change_link_is_refused(app: Any, settings: Settings) -> None:
    user = await _signed_in(app, settings)
    async with logged_in(app, user) as browser:
        data = {"new_email": NEW, "email_password": TEST_PASSWORD}
        await post_form(browser, "/account/email", data, "/account")
        link = _link(settings, await OutboxEmail.get(recipient=NEW))
        await EmailChange.all().update(expires_at=timezone.now() - timedelta(seconds=1))
        response = await browser.get(link)
        assert response.status_code == 400
    assert (await User.get(id=user.id)).email == "camille@example.org"


@pytest.mark.parametrize(
    ("new_email", "password", "field", "message"),
    [
        (NEW, "pas le bon mot de passe", "email_password", "pas le bon"),
        ("deja.pris@example.org", TEST_PASSWORD, "new_email", "Un compte utilise déjà"),
        ("pas-une-adresse", TEST_PASSWORD, "new_email", "adresse e-mail valide"),
        ("camille@example.org", TEST_PASSWORD, "new_email", "déjà votre adresse"),
    ],
)
async def test_a_refused_email_change_highlights_its_field_and_sends_nothing(
    app: Any, settings: Settings, new_email: str, password: str, field: str, message: str
) -> None:
    user = await _signed_in(app, settings)
    await create_user(settings, "deja.pris@example.org")
    async with logged_in(app, user) as browser:
        data = {"new_email": new_email, "email_password": password}
        response = await post_form(browser, "/account/email", data, "/account")
        assert response.status_code == 422
        assert message in field_error(response.text, field)
    assert not await EmailChange.exists() and not await OutboxEmail.exists()


async def test_account_forms_refuse_a_post_without_the_csrf_token(
    app: Any, settings: Settings
) -> None:
    user = await _signed_in(app, settings)
    async with logged_in(app, user) as browser:
        for path, data in (
            ("/account/email", {"new_email": NEW, "email_password": TEST_PASSWORD}),
            ("/account/name", {"display_name": "Pirate"}),
            ("/account/notifications", {"kind-comment": "never"}),
            ("/account/password", {"current_password": TEST_PASSWORD}),
        ):
            assert (await browser.post(path, data=data)).status_code == 403, path
    assert not await EmailChange.exists() and not await NotificationPreference.exists()
    assert (await User.get(id=user.id)).display_name == "Camille Test"


async def test_password_change_needs_the_current_one_and_ends_the_other_sessions(
    app: Any, settings: Settings
) -> None:
    user = await _signed_in(app, settings)
    new = "trois pommes vertes"
    async with logged_in(app, user) as browser, logged_in(app, user) as other_device:
        assert await UserSession.filter(user_id=user.id).count() == 2
        data = {
            "current_password": "pas le bon",
            "new_password": new,
            "new_password_confirmation": new,
        }
        wrong = await post_form(browser, "/account/password", data, "/account/password")
        assert wrong.status_code == 422
        assert "actuel n’est pas le bon" in field_error(wrong.text, "current_password")
        done = await post_form(
            browser, "/account/password", {**data, "current_password": TEST_PASSWORD}, "/account"
        )
        assert done.status_code == 303
        # this browser stays signed in, the other device is logged out
        assert (await browser.get("/account")).status_code == 200
        assert (await other_device.get("/account")).status_code == 303
        assert await UserSession.filter(user_id=user.id).count() == 1
    async with browser_of(app) as fresh:
        response = await post_form(
            fresh, "/account/login", {"email": user.email, "password": new}, "/account/login"
        )
        assert response.status_code == 303


async def test_preferences_are_saved_per_kind_and_decide_the_emails(
    app: Any, settings: Settings
) -> None:
    user = await _signed_in(app, settings)
    actor = await create_user(settings, "autre@example.org", display_name="Alix")
    proposal = await make_proposal(user)
    async with logged_in(app, user) as browser:
        page = await browser.get("/account/notifications")
        # every kind of the app, core and features, with its three ways
        for kind, _subject in notifications.kinds():
            assert f'name="kind-{kind}"' in page.text
        assert 'id="kind-comment-email" name="kind-comment" value="email" checked' in page.text
        bad = await post_form(browser, "/account/notifications", {"kind-reply": "fax"}, "/account")
        assert bad.status_code == 422
        assert "trois façons" in field_error(bad.text, "kind-reply")
        data = {"kind-comment": "digest", "kind-answer": "never"}
        saved = await post_form(browser, "/account/notifications", data, "/account")
        assert saved.status_code == 303
    stored = dict(
        await NotificationPreference.filter(user_id=user.id).values_list("kind", "channel")
    )
    assert stored == {"comment": "digest", "answer": "never"}  # defaults are not stored

    for kind in ("comment", "answer", "state"):
        emails = await notifications.notify(
            settings, kind, f"{kind}:1", [user], proposal, actor=actor, state="published"
        )
        delivered = await Notification.get(user_id=user.id, kind=kind)
        expected = {"comment": "digest", "answer": "never", "state": "email"}[kind]
        assert delivered.delivery == expected
        assert len(emails) == (1 if expected == "email" else 0)
    # the e-mail sent at once carries the preferences link and a one-click unsubscribe
    (email,) = await OutboxEmail.all()
    assert "/account/notifications" in email.body
    message = message_of(settings, email)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://testserver/account/unsubscribe/\S+>", message["List-Unsubscribe"])
    assert "unsubscribe/" not in email.body and email.unsubscribe == f"{user.id}:state"


async def test_one_click_unsubscribe_works_without_a_session_or_csrf_token(
    app: Any, settings: Settings
) -> None:
    user = await _signed_in(app, settings)
    proposal = await make_proposal(user)
    (email,) = await notifications.notify(settings, "state", "state:1", [user], proposal)
    target = message_of(settings, email)["List-Unsubscribe"].strip("<>")
    path = target.removeprefix("http://testserver")
    async with browser_of(app) as mail_client:  # no cookie at all
        shown = await mail_client.get(path)  # a link scanner: nothing changes
        assert shown.status_code == 200 and not await NotificationPreference.exists()
        # "done" in the address says nothing while the kind still e-mails
        assert "C’est fait" not in (await mail_client.get(path + "?done=1")).text
        response = await mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 303
        done = await mail_client.get(response.headers["location"])
        assert "C’est fait" in done.text
        # twice is harmless
        again = await mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert again.status_code == 303
        # a forged token, or one naming another person with this one's signature: 400
        forged = unsubscribe_token("not-the-secret-key", user.id, "comment")
        assert (await mail_client.post(f"/account/unsubscribe/{forged}")).status_code == 400
        other = await create_user(settings, "autre@example.org")
        token = path.rsplit("/", 1)[1]
        swapped = unsubscribe_token(settings.secret_key, other.id, "state").rsplit(".", 1)[0]
        swapped += "." + token.rsplit(".", 1)[1]
        assert (await mail_client.post(f"/account/unsubscribe/{swapped}")).status_code == 400
    stored = await NotificationPreference.all().values_list("user_id", "kind", "channel")
    assert stored == [(user.id, "state", "never")]
    # the same kind sends no e-mail any more; the notification is still in the list
    assert await notifications.notify(settings, "state", "state:2", [user], proposal) == []
    assert await Notification.filter(user_id=user.id, event_key="state:2").exists()


async def test_my_activity_shows_what_is_tied_to_the_account_and_never_anonymous_answers(
    app: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await _signed_in(app, settings)
    other = await create_user(settings, "autre@example.org", display_name="Alix")
    mine = await make_proposal(user, title="Un banc sous le tilleul")
    theirs = await make_proposal(other, title="Des nichoirs au parc")
    await Support.create(proposal=theirs, user=user)
    await Comment.create(proposal=theirs, author=user, body="<p>Bonne idée</p>")
    await make_proposal(other, title="La proposition d’Alix seule")
    named = await Consultation.create(title="Horaires de la médiathèque", anonymous=False)
    secret = await Consultation.create(title="Consultation anonyme du parc", anonymous=True)
    today = timezone.now().date()
    for consultation in (named, secret):
        await Participant.create(consultation=consultation, user=user, answered_on=today)
    # an anonymous response is linked to nobody: nothing of it can show
    await Response.create(
        consultation=secret, token="t" * 64, answers="", sealed=b"x", submitted_on=today
    )
    async with logged_in(app, user) as browser:
        page = (await browser.get("/account/activity")).text
        for title in (mine.title, theirs.title, named.title, secret.title):
            assert title in page
        assert "La proposition d’Alix seule" not in page  # another person's
        assert "anonyme\u00a0: vos réponses ne sont pas liées à votre compte" in page
        assert "Proposition soutenue" in page and "Commentaire écrit" in page
        # paginated
        monkeypatch.setattr(activity, "PAGE_SIZE", 2)
        first = (await browser.get("/account/activity")).text
        assert 'rel="next"' in first and 'rel="prev"' not in first
        last = (await browser.get("/account/activity?page=3")).text
        assert 'rel="prev"' in last and 'rel="next"' not in last
        assert (await browser.get("/account/activity?page=x")).status_code == 200
    async with logged_in(app, other) as browser:
        page = (await browser.get("/account/activity")).text
        assert mine.title not in page and named.title not in page


async def test_the_account_pages_share_a_local_navigation(app: Any, settings: Settings) -> None:
    user = await _signed_in(app, settings)
    async with logged_in(app, user) as browser:
        for path in (
            "/account",
            "/account/password",
            "/account/notifications",
            "/account/activity",
        ):
            page = (await browser.get(path)).text
            assert f'<a href="{path}" aria-current="page">' in page, path
            assert "/account/verification" in (await browser.get("/account")).text


async def test_two_clicks_at_once_on_an_email_change_link_change_it_once(
    app: Any, settings: Settings
) -> None:
    user = await _signed_in(app, settings)
    async with logged_in(app, user) as browser:
        data = {"new_email": NEW, "email_password": TEST_PASSWORD}
        await post_form(browser, "/account/email", data, "/account")
        link = _link(settings, await OutboxEmail.get(recipient=NEW))
        async with browser_of(app) as one, browser_of(app) as two:
            answers = await asyncio.gather(one.get(link), two.get(link))
    assert sorted(r.status_code for r in answers) == [303, 400]
    assert (await User.get(id=user.id)).email == NEW
    assert await EmailChange.filter(used_at__not_isnull=True).count() == 1
