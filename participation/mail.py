"""E-mails go through an outbox table: written in the transaction that causes them, sent by an
arq job after commit, and re-sent by a sweeper if Redis lost the job. Nothing is lost.

Without SMTP_HOST, e-mails are written to the log (development).

Several e-mails at once (the sweeper's, the daily digests) are one job, `send_emails`, which
sends them over one SMTP connection (`BATCH_SIZE` at most per job): a relay that counts or
throttles connections sees one, and each message saves a TLS handshake and a log-in. One
e-mail caused by a request is its own job (`send_email`), sent at once.

Secrets never rest in clear (issue #16): an e-mail that carries a link opening an account
(password reset, e-mail confirmation) is queued with `SECRET` in its body where the link goes,
and the link itself encrypted in `secret` with a key that is not in the database
(ANSWERS_KEY, participation.sealing). The link is put in at send time; once sent, the
encrypted link is erased and the body keeps `LINK_REMOVED` in its place: what an audit needs
(to whom, which e-mail, when), nothing that opens anything.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from tortoise import fields, timezone
from tortoise.models import Model

from participation import queue, sealing
from participation.notifications.preferences import unsubscribe_token
from participation.pagecache import job_changes_pages
from participation.settings import Settings
from participation.urls import url

logger = logging.getLogger("participation.mail")
MAX_ATTEMPTS = 5
BATCH_SIZE = 100  # e-mails per `send_emails` job, over one connection
SECRET = "[[secret-link]]"  # where the link goes, in the stored body
# where the one-click unsubscribe link goes in the body, made at send time (a token: not stored)
UNSUBSCRIBE_LINK = "[[unsubscribe-link]]"
LINK_REMOVED = "[lien retiré après l'envoi / link removed once sent]"


class OutboxEmail(Model):
    id = fields.IntField(primary_key=True)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(default="")
    secret = fields.BinaryField(null=True)  # the link, encrypted, until the e-mail is sent
    # "<user id>:<notification kind>" (or ":digest"): the e-mail carries List-Unsubscribe, its
    # signed one-click URL made at send time (not stored: it is a token)
    unsubscribe = fields.CharField(max_length=60, default="", db_default="")

    class Meta:
        table = "mail_outbox"


async def queue_email(
    recipient: str, subject: str, body: str, unsubscribe: str = ""
) -> OutboxEmail:
    """Record an e-mail; call inside the caller's transaction, then `dispatch` after commit.
    `unsubscribe` (`unsubscribe_value`) makes it carry List-Unsubscribe for that person and
    kind of notification."""
    return await OutboxEmail.create(
        recipient=recipient, subject=subject, body=body, unsubscribe=unsubscribe
    )


def unsubscribe_value(user_id: int, kind: str) -> str:
    """What the outbox keeps to make the one-click unsubscribe URL at send time."""
    return f"{user_id}:{kind}"


def unsubscribe_url(settings: Settings, value: str) -> str | None:
    """The one-click unsubscribe URL of an outbox e-mail (RFC 8058), signed with SECRET_KEY
    at send time, or None when the e-mail has none (an account's own messages: a reset link,
    a confirmation, a registration code)."""
    user_id, _, kind = value.partition(":")
    if not user_id.isdigit() or not kind:
        return None
    token = unsubscribe_token(settings.secret_key, int(user_id), kind)
    return settings.base_url + url("accounts:unsubscribe", token=token)


async def queue_secret_email(
    settings: Settings, recipient: str, subject: str, body: str, link: str
) -> OutboxEmail:
    """Record an e-mail whose `link` opens something (`SECRET` marks its place in `body`): the
    link is stored encrypted, and erased once sent."""
    if SECRET not in body:
        raise ValueError("the body must say where the secret link goes")
    return await OutboxEmail.create(
        recipient=recipient,
        subject=subject,
        body=body,
        secret=sealing.encrypt(settings.answers_key, link),
    )


def sent_text(settings: Settings, email: OutboxEmail, unsubscribe: str | None = None) -> str:
    """The body as sent: the secret link put back in its place, and the unsubscribe link
    (`unsubscribe`: the one of the message's header, made once for both)."""
    body = email.body
    if UNSUBSCRIBE_LINK in body:
        link = (
            unsubscribe if unsubscribe is not None else unsubscribe_url(settings, email.unsubscribe)
        )
        body = body.replace(UNSUBSCRIBE_LINK, link or "")
    if email.secret is None:
        return body.replace(SECRET, LINK_REMOVED)
    return body.replace(SECRET, sealing.decrypt(settings.answers_key, email.secret))


async def dispatch(email: OutboxEmail) -> None:
    await queue.enqueue("send_email", email.id, _job_id=f"email:{email.id}:{email.attempts}")


async def dispatch_batch(emails: list[OutboxEmail]) -> None:
    """Enqueue `emails` as `send_emails` jobs of `BATCH_SIZE` at most, each sent over one SMTP
    connection. A job's id names its e-mails and their attempts: the same batch swept again
    while its job still waits is not queued twice."""
    for start in range(0, len(emails), BATCH_SIZE):
        batch = emails[start : start + BATCH_SIZE]
        ids = [email.id for email in batch]
        attempts = sum(email.attempts for email in batch)
        job_id = f"emails:{ids[0]}-{ids[-1]}:{len(ids)}:{attempts}"
        await queue.enqueue("send_emails", ids, _job_id=job_id)


def message_of(settings: Settings, email: OutboxEmail) -> EmailMessage:
    """The e-mail as sent. Its Message-ID is the same at every attempt (from the outbox row), so
    a retry after a lost answer from the server is recognisable as the same message."""
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = formatdate(email.created_at.timestamp(), usegmt=True)
    domain = settings.email_from.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox.{email.id}.{int(email.created_at.timestamp())}@{domain}>"
    if unsubscribe := unsubscribe_url(settings, email.unsubscribe):
        # RFC 2369 and RFC 8058: mail clients show "Unsubscribe" and POST to it in one click
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # the text's link is the header's (signed once: two signings a second apart would differ)
    message.set_content(sent_text(settings, email, unsubscribe or ""))
    return message


def _logged(settings: Settings, email: OutboxEmail) -> None:
    """Without SMTP_HOST: the e-mail in the log (development), or only its id (production)."""
    if settings.is_production:
        # never the body in a production log (a reset link opens an account), nor the address
        logger.warning("e-mail %s not sent: SMTP_HOST is not set", email.id)
        return
    logger.info("E-mail to %s: %s\n%s", email.recipient, email.subject, sent_text(settings, email))


def _connect(settings: Settings) -> smtplib.SMTP:
    """A connection to the relay, TLS (SMTPS or STARTTLS) and log-in done."""
    tls = ssl.create_default_context(cafile=settings.smtp_ca_file or None)
    smtp: smtplib.SMTP
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=30, context=tls)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=tls)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _deliver(settings: Settings, email: OutboxEmail) -> None:
    if not settings.smtp_host:
        return _logged(settings, email)
    message = message_of(settings, email)
    with _connect(settings) as smtp:
        smtp.send_message(message)


def _deliver_all(
    settings: Settings, emails: list[OutboxEmail]
) -> list[OSError | smtplib.SMTPException | None]:
    """Send `emails` over one connection; for each, None or why it was not sent. A message the
    relay refuses does not stop the others; a connection lost on the way is opened again for
    the next one; a relay that cannot be reached fails the rest at once (one timeout, not one
    per e-mail)."""
    if not settings.smtp_host:
        for email in emails:
            _logged(settings, email)
        return [None] * len(emails)
    errors: list[OSError | smtplib.SMTPException | None] = []
    smtp: smtplib.SMTP | None = None
    try:
        for index, email in enumerate(emails):
            if smtp is None:
                try:
                    smtp = _connect(settings)
                except (OSError, smtplib.SMTPException) as error:
                    # the relay cannot be reached: the rest wait for the next sweep
                    errors += [error] * (len(emails) - index)
                    break
            try:
                smtp.send_message(message_of(settings, email))
                errors.append(None)
            except (OSError, smtplib.SMTPException) as error:
                errors.append(error)
                # a refusal (an SMTP answer) leaves the connection usable; a lost one does not
                # (SMTPException is an OSError: told apart by what it is not)
                lost = isinstance(error, smtplib.SMTPServerDisconnected) or not isinstance(
                    error, smtplib.SMTPException
                )
                if lost:
                    smtp.close()
                    smtp = None
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return errors


@job_changes_pages(False)  # e-mails only
async def send_email(ctx: dict[str, Any], email_id: int) -> str:
    """arq job: send one outbox e-mail; idempotent (an e-mail already sent is not re-sent)."""
    email = await OutboxEmail.get_or_none(id=email_id)
    if email is None or email.sent_at is not None:
        return "skipped"
    email.attempts += 1
    try:
        await asyncio.to_thread(_deliver, ctx["settings"], email)
    except (OSError, smtplib.SMTPException) as error:
        email.last_error = str(error)
        await email.save(update_fields=["attempts", "last_error"])
        raise
    _mark_sent(email)
    await email.save(update_fields=["attempts", "sent_at", "secret", "body"])
    return "sent"


class NotAllSent(Exception):
    """Some e-mails of a batch were not sent (each one's error is in its row)."""


def _mark_sent(email: OutboxEmail) -> None:
    email.sent_at = timezone.now()
    email.secret = None  # erased: the link is in the recipient's mailbox, not here
    email.body = email.body.replace(SECRET, LINK_REMOVED)


@job_changes_pages(False)  # e-mails only
async def send_emails(ctx: dict[str, Any], email_ids: list[int]) -> int:
    """arq job: send the outbox e-mails `email_ids` not sent yet over one SMTP connection;
    returns how many were sent. Those that failed keep their error and are swept again
    (`sweep_outbox`); the job then fails, so that it shows in the job runs."""
    emails = list(await OutboxEmail.filter(id__in=email_ids, sent_at=None).order_by("id"))
    for email in emails:
        email.attempts += 1
    errors = await asyncio.to_thread(_deliver_all, ctx["settings"], emails)
    for email, error in zip(emails, errors, strict=True):
        if error is None:
            _mark_sent(email)
            await email.save(update_fields=["attempts", "sent_at", "secret", "body"])
        else:
            email.last_error = str(error)
            await email.save(update_fields=["attempts", "last_error"])
    failed = sum(error is not None for error in errors)
    if failed:
        raise NotAllSent(f"{failed} of {len(emails)} e-mails not sent: {errors[-1]}")
    return len(emails)


@job_changes_pages(False)  # enqueues the e-mails again
async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """arq cron: re-enqueue e-mails left unsent for a minute (lost job, Redis flushed, relay
    down...), in batches sent over one connection each (`dispatch_batch`)."""
    stale = timezone.now() - timedelta(minutes=1)
    pending = (
        await OutboxEmail.filter(sent_at=None, created_at__lt=stale, attempts__lt=MAX_ATTEMPTS)
        .order_by("id")
        .limit(500)
    )
    await dispatch_batch(list(pending))
    return len(pending)
