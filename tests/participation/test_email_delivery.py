"""E-mails reach a real SMTP server (aiosmtpd, started here) the three ways towns' relays speak:
plain, STARTTLS (587) and SMTPS (465), the TLS ones against a certificate authority made for
the test; with Date and a Message-ID that stays the same when a send is retried."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer

from participation import queue
from participation.mail import (
    OutboxEmail,
    message_of,
    queue_email,
    send_email,
    send_emails,
    sweep_outbox,
)
from participation.settings import ConfigurationError, Settings
from tests.conftest import make_settings


class Inbox:
    """aiosmtpd's handler: keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[trustme.CA, Path]]:
    ca = trustme.CA()
    pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    yield ca, pem


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    return context


class Counted(Controller):
    """A plain relay that counts the connections it accepted (`start` makes one of its own, to
    see that the server answers: `connections` counts from after it)."""

    def __init__(self, inbox: Inbox, port: int) -> None:
        super().__init__(inbox, hostname="localhost", port=port)
        self.connections = 0

    def factory(self) -> SMTPServer:
        controller = self

        class Counting(SMTPServer):
            def connection_made(self, transport: Any) -> None:
                controller.connections += 1
                super().connection_made(transport)

        return Counting(self.handler)

    def start(self) -> None:
        super().start()
        self.connections = 0


def smtp_server(inbox: Inbox, port: int, mode: str, ca: trustme.CA) -> Controller:
    if mode == "ssl":
        return Controller(inbox, hostname="localhost", port=port, ssl_context=server_context(ca))
    if mode == "starttls":

        class StartTLSController(Controller):
            def factory(self) -> SMTPServer:
                return SMTPServer(
                    self.handler, tls_context=server_context(ca), require_starttls=True
                )

        return StartTLSController(inbox, hostname="localhost", port=port)
    return Controller(inbox, hostname="localhost", port=port)


@pytest.mark.parametrize("mode", ["plain", "starttls", "ssl"])
async def test_an_email_reaches_the_relay_with_date_and_message_id(
    app: Any, tmp_path: Path, redis_url: str, authority: tuple[trustme.CA, Path], mode: str
) -> None:
    ca, ca_file = authority
    inbox, port = Inbox(), free_port()
    settings = make_settings(
        tmp_path,
        redis_url,
        SMTP_HOST="localhost",
        SMTP_PORT=str(port),
        SMTP_STARTTLS="true" if mode == "starttls" else "false",
        SMTP_SSL="true" if mode == "ssl" else "false",
        SMTP_CA_FILE=str(ca_file),
        EMAIL_FROM="participer@villebelle.fr",
    )
    email = await queue_email("camille@example.org", "Votre proposition", "Elle est publiée.")
    server = smtp_server(inbox, port, mode, ca)
    server.start()
    try:
        assert await send_email({"settings": settings}, email.id) == "sent"
    finally:
        server.stop()
    [received] = inbox.messages
    assert received["To"] == "camille@example.org"
    assert received["From"] == "participer@villebelle.fr"
    assert received["Subject"] == "Votre proposition"
    assert "Elle est publiée." in received.get_payload(decode=True).decode()
    assert parsedate_to_datetime(received["Date"]).utcoffset() is not None
    await email.refresh_from_db()
    assert received["Message-ID"] == message_of(settings, email)["Message-ID"]  # every attempt
    assert received["Message-ID"].endswith("@villebelle.fr>")


async def test_a_relay_whose_certificate_is_not_trusted_gets_nothing(
    app: Any, tmp_path: Path, redis_url: str, authority: tuple[trustme.CA, Path]
) -> None:
    """A certificate from an authority not trusted: the e-mail stays in the outbox, the error
    noted, to be sent again (nothing goes out in clear instead)."""
    ca, _ = authority
    inbox, port = Inbox(), free_port()
    settings = make_settings(
        tmp_path, redis_url, SMTP_HOST="localhost", SMTP_PORT=str(port), SMTP_SSL="true"
    )
    email = await queue_email("camille@example.org", "Votre proposition", "Elle est publiée.")
    server = smtp_server(inbox, port, "ssl", ca)
    server.start()
    try:
        with pytest.raises(ssl.SSLError):
            await send_email({"settings": settings}, email.id)
    finally:
        server.stop()
    assert inbox.messages == []
    stored = await OutboxEmail.get(id=email.id)
    assert stored.sent_at is None and stored.attempts == 1 and "CERTIFICATE" in stored.last_error


def test_an_smtp_ca_file_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SMTP_CA_FILE"):
        Settings.from_env({"DATA_DIR": str(tmp_path), "SMTP_CA_FILE": str(tmp_path / "ca.pem")})


async def test_without_smtp_in_production_no_link_or_address_reaches_the_log(
    app: Any, tmp_path: Path, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A production site whose SMTP_HOST is empty: a reset link must not land in the logs
    (they are shipped to a collector); development prints e-mails, production never does."""
    from dataclasses import replace

    from participation.mail import SECRET, queue_secret_email

    settings = make_settings(tmp_path, redis_url)
    link = "https://participer.villebelle.fr/account/reset/s3cr3t-t0ken"
    email = await queue_secret_email(
        settings, "camille@example.org", "Mot de passe", f"Suivez ce lien : {SECRET}", link
    )
    with caplog.at_level("INFO", logger="participation.mail"):
        await send_email({"settings": replace(settings, environment="production")}, email.id)
    assert "not sent: SMTP_HOST is not set" in caplog.text
    assert "s3cr3t-t0ken" not in caplog.text and "camille@example.org" not in caplog.text
    caplog.clear()
    other = await queue_secret_email(
        settings, "camille@example.org", "Mot de passe", f"Suivez ce lien : {SECRET}", link
    )
    with caplog.at_level("INFO", logger="participation.mail"):
        await send_email({"settings": settings}, other.id)
    assert "s3cr3t-t0ken" in caplog.text  # development: the e-mail is printed instead of sent


async def test_a_batch_of_emails_goes_over_one_connection(
    app: Any, tmp_path: Path, redis_url: str
) -> None:
    """The sweeper's e-mails (the daily digests' too: `mail.dispatch_batch`) are one job that
    sends them all over one SMTP connection, through the real queue and worker; a message the
    relay refuses does not stop the others."""
    from datetime import timedelta

    from tortoise import timezone

    from tests.participation.test_worker import run_jobs

    inbox, port = Inbox(), free_port()
    settings = make_settings(
        tmp_path, redis_url, SMTP_HOST="localhost", SMTP_PORT=str(port), SMTP_STARTTLS="false"
    )
    emails = [
        await queue_email(f"personne{n}@example.org", f"Message {n}", "Bonjour") for n in range(3)
    ]
    # their jobs were lost (Redis flushed): the sweeper finds them a minute later
    await OutboxEmail.all().update(created_at=timezone.now() - timedelta(minutes=5))
    server = Counted(inbox, port)
    server.start()
    previous = queue.get_pool()
    queue.open_pool(redis_url)
    try:
        assert await sweep_outbox({}) == 3
        worker = await run_jobs(settings, redis_url)
    finally:
        await queue.close_pool()
        queue.set_pool(previous)
        server.stop()
    assert worker.jobs_complete == 1 and worker.jobs_failed == 0
    assert sorted(m["To"] for m in inbox.messages) == [e.recipient for e in emails]
    assert server.connections == 1  # was one per e-mail
    assert await OutboxEmail.filter(sent_at=None).count() == 0

    # a recipient the relay refuses: the others of the batch are sent, over one connection
    class Refusing(Inbox):
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address.startswith("refuse"):
                return "550 No such user here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    refusing = Refusing()
    second = [
        await queue_email(address, "Encore", "Bonjour")
        for address in ("a@example.org", "refuse@example.org", "b@example.org")
    ]
    server = Counted(refusing, port)
    server.start()
    try:
        with pytest.raises(Exception, match="1 of 3 e-mails not sent"):
            await send_emails({"settings": settings}, [e.id for e in second])
    finally:
        server.stop()
    assert sorted(m["To"] for m in refusing.messages) == ["a@example.org", "b@example.org"]
    assert server.connections == 1
    refused = await OutboxEmail.get(id=second[1].id)
    assert refused.sent_at is None and refused.attempts == 1 and "550" in refused.last_error
