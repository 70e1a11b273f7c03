"""OpenID Connect commands: providers saved by staff (audited, secret encrypted), a log-in's
outcome (log in, create, or wait for proof), linking after proof, unlinking. They take plain
data, own their transactions and return results; routes keep what the browser must carry."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from oidc import domain
from oidc.client import Credentials, Identity
from oidc.domain import FirstLogin, ProviderForm
from oidc.models import Link, PendingLink, Provider
from participation import mail, sealing
from participation.accounts import services as accounts
from participation.accounts.domain import email_problem, has_password, normalize_email
from participation.accounts.models import User
from participation.audit import audit
from participation.db import fetch_rows
from participation.i18n import N_, gettext
from participation.refusals import DomainError, NotFound
from participation.residents import services as residents
from participation.settings import Settings
from participation.urls import url

LINK_PROOF_LIFETIME = timedelta(hours=1)


# --- providers --------------------------------------------------------------------------------


def _master(settings: Settings) -> bytes:
    # a key of its own, derived from SECRET_KEY: a copy of the database alone opens no secret
    return hashlib.sha256(b"oidc-client-secrets|" + settings.secret_key.encode()).digest()


def encrypt_secret(settings: Settings, secret: str) -> bytes:
    return sealing.encrypt(_master(settings), secret) if secret else b""


def credentials(settings: Settings, provider: Provider) -> Credentials:
    box = bytes(provider.client_secret_box or b"")
    secret = sealing.decrypt(_master(settings), box) if box else ""
    return Credentials(
        provider.issuer, provider.client_id, secret, provider.scopes, provider.acr_values
    )


def provider_values(provider: Provider) -> dict[str, Any]:
    """A provider's settings but its secret: what the audit log keeps, what its form shows."""
    return {
        "name": provider.name,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "scopes": provider.scopes,
        "acr_values": provider.acr_values,
        "for_residents": provider.for_residents,
        "for_staff": provider.for_staff,
        "enabled": provider.enabled,
    }


async def save_provider(
    settings: Settings, actor: Any, provider: Provider | None, form: ProviderForm
) -> Provider:
    """Create or change a provider; an empty secret on a change keeps the stored one."""
    async with in_transaction():
        before = provider_values(provider) if provider else ""
        if provider is None:
            provider = Provider(client_secret_box=b"")
        for name in ("name", "issuer", "client_id", "scopes", "acr_values"):
            setattr(provider, name, getattr(form, name))
        provider.for_residents = form.for_residents
        provider.for_staff = form.for_staff
        provider.enabled = form.enabled
        if form.client_secret:
            provider.client_secret_box = encrypt_secret(settings, form.client_secret)
        await provider.save()
        after = {**provider_values(provider), "secret_changed": bool(form.client_secret)}
        await audit(actor, "oidc_provider_saved", "oidc_provider", provider.id, before, after)
    return provider


async def usable_providers(page: str) -> list[Provider]:
    """Enabled providers shown on the log-in page (all) or the sign-up page (residents')."""
    found = Provider.filter(enabled=True).order_by("name", "id")
    if page == "signup":
        found = found.filter(for_residents=True)
    return await found


# --- a log-in through a provider ----------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """An identity waiting for proof that the person owns the account of its e-mail address
    (kept in the signed session cookie between the pages)."""

    provider_id: int
    subject: str
    acr: str
    user_id: int
    email: str

    def as_session(self) -> dict[str, Any]:
        return {
            "provider": self.provider_id,
            "subject": self.subject,
            "acr": self.acr,
            "user": self.user_id,
            "email": self.email,
        }

    @classmethod
    def from_session(cls, data: Any) -> Pending | None:
        try:
            return cls(
                int(data["provider"]),
                str(data["subject"]),
                str(data["acr"]),
                int(data["user"]),
                str(data["email"]),
            )
        except (TypeError, KeyError, ValueError):
            return None


@dataclass(frozen=True)
class LoggedIn:
    user: User
    created: bool


NOT_FOR_YOU = N_(
    "This identity provider is not offered for your account. Log in with your e-mail address "
    "and password."
)


NO_EMAIL = N_(
    "The identity provider did not give your e-mail address: we cannot create your account."
)


def _email_of(identity: Identity) -> str:
    email = normalize_email(str(identity.claims.get("email") or ""))
    return "" if email_problem(email) else email


async def _record_login(link: Link, identity: Identity) -> None:
    await Link.filter(id=link.id).update(
        acr=identity.acr[:100],
        eidas_level=domain.eidas_level(identity.acr),
        last_login_at=timezone.now(),
    )


async def _note_birth_date(provider: Provider, user_id: int, identity: Identity) -> None:
    """A residents' provider (FranceConnect) vouches for the birth date: it counts for age
    rules (participation.residents, docs/verification.md). A staff provider's is not kept."""
    if not provider.for_residents:
        return
    born = domain.birth_date_claim(identity.claims, timezone.now().date())
    if born is not None:
        await residents.note_birth_date(user_id, born, provider.name)


async def log_in(settings: Settings, provider: Provider, identity: Identity) -> LoggedIn | Pending:
    """What a trusted identity from `provider` does (oidc.domain.first_login): the account it is
    linked to, a new account linked to it, or a `Pending` proof. Refuses (DomainError) when
    nothing may be done."""
    link = await Link.get_or_none(provider_id=provider.id, subject=identity.subject)
    email = _email_of(identity)
    account = None if link or not email else await User.get_or_none(email=email)
    decision = domain.first_login(
        link is not None, email, account is not None, provider.for_residents
    )
    if decision == FirstLogin.LOG_IN:
        assert link is not None
        user = await User.get(id=link.user_id)
        if user.is_deleted or not domain.may_use(
            provider.for_residents, provider.for_staff, user.role
        ):
            raise DomainError(NOT_FOR_YOU)
        await _record_login(link, identity)
        await _note_birth_date(provider, user.id, identity)
        return LoggedIn(user, created=False)
    if decision == FirstLogin.PROVE:
        assert account is not None
        if account.is_deleted or not domain.may_use(
            provider.for_residents, provider.for_staff, account.role
        ):
            raise DomainError(NOT_FOR_YOU)
        return Pending(provider.id, identity.subject, identity.acr[:100], account.id, email)
    if decision == FirstLogin.REFUSE:
        if not email:
            raise DomainError(NO_EMAIL)
        raise DomainError(NOT_FOR_YOU)
    return await _create(settings, provider, identity, email)


async def _create(
    settings: Settings, provider: Provider, identity: Identity, email: str
) -> LoggedIn | Pending:
    """A resident's account for this identity, linked to it (no password: one may be chosen
    later with "Forgot your password?"). The address counts as confirmed when the provider
    says it verified it; otherwise the usual confirmation e-mail is sent."""
    verified = identity.claims.get("email_verified") is True
    try:
        async with in_transaction():
            user = await User.create(
                email=email,
                display_name=domain.display_name(identity.claims, email),
                password_hash="",  # no password: a password log-in never matches
                email_confirmed_at=timezone.now() if verified else None,
            )
            await Link.create(
                provider_id=provider.id,
                user_id=user.id,
                subject=identity.subject,
                acr=identity.acr[:100],
                eidas_level=domain.eidas_level(identity.acr),
                last_login_at=timezone.now(),
            )
            message = None if verified else await accounts.confirmation_email(settings, user)
    except IntegrityError:
        # the same address or identity was taken by another request meanwhile: start again
        raise DomainError(N_("Your log-in could not be completed. Try again.")) from None
    if message is not None:
        await mail.dispatch(message)
    await _note_birth_date(provider, user.id, identity)
    return LoggedIn(user, created=True)


async def _link(pending: Pending, user: User) -> None:
    try:
        async with in_transaction():
            await Link.create(
                provider_id=pending.provider_id,
                user_id=user.id,
                subject=pending.subject,
                acr=pending.acr,
                eidas_level=domain.eidas_level(pending.acr),
                last_login_at=timezone.now(),
            )
            await audit(user, "oidc_linked", "oidc_provider", pending.provider_id)
    except IntegrityError:
        raise DomainError(
            N_("This identity or this account is already linked to the provider.")
        ) from None


async def link_with_password(settings: Settings, pending: Pending, password: str) -> User | None:
    """Proof by the account's password: the account, now linked; None for a wrong password."""
    account = await User.get_or_none(id=pending.user_id, deleted_at=None)
    if account is None:
        return None
    user = await accounts.authenticate(settings, account.email, password)
    if user is None or user.id != account.id:
        return None
    await _link(pending, user)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def send_link_proof(settings: Settings, pending: Pending) -> None:
    """Proof by e-mail: a single-use link, valid one hour, sent to the account's address."""
    user = await User.get_or_none(id=pending.user_id, deleted_at=None)
    provider = await Provider.get_or_none(id=pending.provider_id)
    if user is None or provider is None:
        return
    token = secrets.token_urlsafe(32)
    async with in_transaction():
        await PendingLink.filter(expires_at__lt=timezone.now()).delete()  # the stale ones
        await PendingLink.create(
            token_hash=_token_hash(token),
            provider_id=provider.id,
            user_id=user.id,
            subject=pending.subject,
            acr=pending.acr,
            expires_at=timezone.now() + LINK_PROOF_LIFETIME,
        )
        link = settings.base_url + url("oidc:confirm_link", token=token)
        body = gettext(
            "Hello {name},\n\nSomeone asked to log in to {site} with {provider} using this "
            "e-mail address. If it is you, open this link within one hour to link {provider} "
            "to your account:\n{link}\n\nIf it is not you, ignore this message: nothing changes."
        ).format(
            name=user.display_name,
            site=settings.site_name,
            provider=provider.name,
            link=mail.SECRET,
        )
        subject = gettext("Link {provider} to your account").format(provider=provider.name)
        message = await mail.queue_secret_email(
            settings, user.email, f"[{settings.site_name}] {subject}", body, link
        )
    await mail.dispatch(message)


async def confirm_link_proof(token: str) -> tuple[User, int] | None:
    """The e-mailed link: the account, now linked, and the provider's id; None when the link
    is unknown, used or expired. Works once, even for two clicks at once."""
    proof = await PendingLink.filter(
        token_hash=_token_hash(token), used_at=None, expires_at__gt=timezone.now()
    ).first()
    if proof is None:
        return None
    claimed = await PendingLink.filter(id=proof.id, used_at=None).update(used_at=timezone.now())
    user = await User.get_or_none(id=proof.user_id, deleted_at=None)
    if not claimed or user is None:
        return None
    pending = Pending(proof.provider_id, proof.subject, proof.acr, user.id, user.email)
    await _link(pending, user)
    return user, proof.provider_id


# --- the account's links ----------------------------------------------------------------------


async def links_of(user: Any) -> list[Link]:
    return await Link.filter(user_id=user.id).select_related("provider").order_by("id")


# The account page's section (`account_links`): the person's links with their provider's name,
# and whether any provider is enabled, in one plain statement whose text never changes.
ACCOUNT_LINKS_SQL = (
    'SELECT EXISTS (SELECT 1 FROM "oidc_provider" WHERE "enabled") AS "any_enabled", '
    '"l"."id", "l"."created_at", "l"."eidas_level", "p"."name" AS "provider_name" '
    'FROM (SELECT 1 AS "one") AS "one" '
    'LEFT JOIN "oidc_link" AS "l" ON "l"."user_id" = $1 '
    'LEFT JOIN "oidc_provider" AS "p" ON "p"."id" = "l"."provider_id" '
    'ORDER BY "l"."id"'
)


@dataclass(frozen=True)
class ShownProvider:
    name: str


@dataclass(frozen=True)
class ShownLink:
    """A link as the account page shows it (oidc/_account.html)."""

    id: int
    created_at: Any
    eidas_level: str
    provider: ShownProvider


async def account_links(user_id: int) -> tuple[list[ShownLink], bool]:
    """`links_of` the person as the account page shows them, and whether any provider is
    enabled (`usable_providers("login")` is not empty): one statement on every visit of the
    page (issue #23) where they were two, each built by the ORM."""
    rows = await fetch_rows(ACCOUNT_LINKS_SQL, [user_id])
    moment = Link._meta.fields_map["created_at"].to_python_value
    links = [
        ShownLink(
            row["id"],
            moment(row["created_at"]),
            row["eidas_level"],
            ShownProvider(row["provider_name"]),
        )
        for row in rows
        if row["id"] is not None
    ]
    return links, bool(rows[0]["any_enabled"])


LAST_WAY_TO_LOG_IN = N_(
    "This provider is the only way to log in to your account: choose a password first "
    "(My account → Password), then unlink it."
)


async def unlink(user: Any, link_id: int) -> Link:
    """Dissociate one of the person's own links (another's is "not found"); refused when it
    is the last way to log in (no password and no other provider)."""
    async with in_transaction():
        link = await Link.get_or_none(id=link_id, user_id=user.id)
        if link is None:
            raise NotFound()
        others = await Link.filter(user_id=user.id).exclude(id=link.id).count()
        if not domain.may_unlink(has_password(user.password_hash), others):
            raise DomainError(LAST_WAY_TO_LOG_IN)
        await Link.filter(id=link.id).delete()
        await audit(user, "oidc_unlinked", "oidc_provider", link.provider_id)
    return link
