"""Issue #16, secrets at rest: an attacker holding a full copy of the database (every table,
every column), and also SECRET_KEY, tries to turn it into a log-in.

The copy is taken twice: while the reset and confirmation e-mails wait in the outbox, and after
they are sent. Every value of the copy that could be a token is tried as a reset link, as a
confirmation link and, signed with SECRET_KEY, as a session cookie; the real link, which only
the recipient's mailbox holds, is checked to work, and a forged cookie with a real login token
to open /admin, so that the failures mean something."""

from __future__ import annotations

import hashlib
import json
import re
from base64 import b64encode

import httpx
from itsdangerous import TimestampSigner
from tortoise import Tortoise, connections

from participation import mail
from participation.accounts.models import User
from participation.accounts.services import start_session
from participation.settings import Settings
from tests.conftest import post_form

CANDIDATE = re.compile(r"[A-Za-z0-9_\-.:]{16,}")


async def copy_of_database() -> list[str]:
    """Every value of every column of every table, as text (bytes as hex and as latin-1), read
    with plain SQL like a `pg_dump` or the SQLite file would give it."""
    connection = connections.get("default")
    values: list[str] = []
    for app_models in Tortoise.apps.values():
        for model in app_models.values():
            _, rows = await connection.execute_query(f'SELECT * FROM "{model._meta.db_table}"')
            for row in rows:
                for value in dict(row).values():
                    if isinstance(value, bytes | bytearray | memoryview):
                        raw = bytes(value)
                        values += [raw.hex(), raw.decode("latin-1")]
                    elif value is not None:
                        values.append(str(value))
    return values


def candidates(values: list[str]) -> set[str]:
    """Whatever in the copy looks like a token: whole values and their word-like pieces."""
    found: set[str] = set()
    for value in values:
        found.update(CANDIDATE.findall(value))
        for piece in re.split(r"[/\s?=&]", value):
            if 16 <= len(piece) <= 300 and CANDIDATE.fullmatch(piece):
                found.add(piece)
    return found


def session_cookie(settings: Settings, login_token: str) -> str:
    """What Starlette's SessionMiddleware would set for a session holding `login_token`:
    what an attacker who also has SECRET_KEY can forge."""
    data = b64encode(json.dumps({"auth": login_token}).encode())
    return TimestampSigner(settings.secret_key).sign(data).decode()


async def opens_an_account(
    client: httpx.AsyncClient, settings: Settings, value: str, newcomer: User
) -> list[str]:
    """What `value` opens, if anything."""
    opened = []
    reset = await client.get(f"/account/reset/{value}")
    if reset.status_code == 200 and 'name="password"' in reset.text:
        opened.append("reset link")
    await client.get(f"/account/confirm/{value}")
    if (await User.get(id=newcomer.id)).email_confirmed_at is not None:
        opened.append("confirmation link")
    client.cookies.set("participation_session", session_cookie(settings, value))
    if (await client.get("/admin")).status_code == 200:
        opened.append("session")
    client.cookies.clear()
    return opened


async def test_a_copy_of_the_database_with_secret_key_opens_no_account(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    # the admin asks for a reset link; a newcomer signs up (a confirmation link)
    assert (await post_form(client, "/account/reset", {"email": admin.email})).status_code == 303
    sign_up = {
        "email": "nouvelle@example.org",
        "display_name": "Nouvelle Venue",
        "password": "trois pommes vertes au marché",
        "password_confirmation": "trois pommes vertes au marché",
        "accept_terms": "yes",
    }
    assert (await post_form(client, "/account/signup", sign_up)).status_code == 303
    await post_form(client, "/account/logout", {})
    client.cookies.clear()
    newcomer = await User.get(email="nouvelle@example.org")
    emails = await mail.OutboxEmail.all().order_by("id")
    links = [
        re.search(r"http://testserver(/account/(?:reset|confirm)/\S+)", mail.sent_text(settings, e))
        for e in emails
    ]
    secrets = [m.group(1) for m in links if m]
    assert len(secrets) == 2  # the recipients' mailboxes hold them

    before_sending = await copy_of_database()
    for email in emails:
        assert await mail.send_email({"settings": settings}, email.id) == "sent"
    after_sending = await copy_of_database()

    for copy in (before_sending, after_sending):
        text = "\n".join(copy)
        for link in secrets:
            token = link.rsplit("/", 1)[1]
            assert token not in text and token[:16] not in text
    sent = await mail.OutboxEmail.all()
    assert all(e.secret is None and mail.LINK_REMOVED in e.body for e in sent)

    tried = candidates(before_sending + after_sending)
    # the stored hash of the reset token and the encrypted links are among what is tried
    reset_token = next(link for link in secrets if "reset" in link).rsplit("/", 1)[1]
    assert hashlib.sha256(reset_token.encode()).hexdigest() in tried
    for value in sorted(tried):
        assert await opens_an_account(client, settings, value, newcomer) == [], value

    # the attack is not vacuous: the mailbox's links work, and so does a forged cookie
    # around a real login token (which only the browser that logged in holds)
    reset, confirm = sorted(secrets, key=lambda link: "confirm" in link)
    page = await client.get(reset)
    assert page.status_code == 200 and 'name="password"' in page.text
    await client.get(confirm)
    assert (await User.get(id=newcomer.id)).email_confirmed_at is not None
    client.cookies.set(
        "participation_session", session_cookie(settings, await start_session(admin))
    )
    assert (await client.get("/admin")).status_code == 200
