"""Pure rules of OpenID Connect log-in: the providers' form and presets, the ID token's claims,
who may use a provider, and what a first log-in does. Plain data in, results or msgids out."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from participation.i18n import N_
from participation.refusals import Problem

# how far the provider's clock may be from ours, and how old an ID token may be when it arrives
LEEWAY_SECONDS = 120
MAX_TOKEN_AGE_SECONDS = 600
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SCOPE_TOKEN = re.compile(r"^[A-Za-z0-9_:.\-]{1,60}$")
EIDAS = re.compile(r"\beidas([123])\b")


@dataclass(frozen=True)
class Preset:
    """What a well-known provider's form starts with (the issuer of its test platform: staff
    change it to the production one once the provider has accepted the service, docs/oidc.md)."""

    name: str
    issuer: str
    scopes: str
    acr_values: str
    for_residents: bool
    for_staff: bool


PRESETS: Mapping[str, Preset] = {
    "franceconnect": Preset(
        "FranceConnect",
        "https://fcp-low.integ01.dev-franceconnect.fr/api/v2",
        "openid given_name family_name email birthdate",
        "eidas1",
        for_residents=True,
        for_staff=False,
    ),
    "proconnect": Preset(
        "ProConnect",
        "https://fca.integ01.dev-agentconnect.fr/api/v2",
        "openid given_name usual_name email",
        "eidas1",
        for_residents=False,
        for_staff=True,
    ),
}


@dataclass(frozen=True)
class ProviderForm:
    name: str
    issuer: str
    client_id: str
    client_secret: str  # "" on an edit: keep the stored one
    scopes: str
    acr_values: str
    for_residents: bool
    for_staff: bool
    enabled: bool


def preset_values(preset: str) -> dict[str, Any]:
    """The form's values for a preset (unknown: an empty form)."""
    found = PRESETS.get(preset)
    if found is None:
        return {}
    return {
        "name": found.name,
        "issuer": found.issuer,
        "scopes": found.scopes,
        "acr_values": found.acr_values,
        "for_residents": found.for_residents,
        "for_staff": found.for_staff,
    }


def issuer_problem(issuer: str, allow_loopback_http: bool) -> str | None:
    """An issuer is an https URL without query nor fragment (http only on this machine, outside
    production: the tests' provider)."""
    parts = urlsplit(issuer)
    if not parts.hostname or parts.query or parts.fragment or len(issuer) > 300:
        return N_("Enter the provider's address, for example https://example.gouv.fr/api/v2.")
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and allow_loopback_http and parts.hostname in LOOPBACK_HOSTS:
        return None
    return N_("The provider's address must start with https://.")


def _words(text: str) -> list[str]:
    return text.split()


def parse_provider_form(
    data: Mapping[str, str], creating: bool, allow_loopback_http: bool
) -> tuple[ProviderForm, list[Problem]]:
    """The staff's form, and what is wrong with it (one problem per field)."""
    form = ProviderForm(
        name=data.get("name", "").strip(),
        issuer=data.get("issuer", "").strip().rstrip("/"),
        client_id=data.get("client_id", "").strip(),
        client_secret=data.get("client_secret", "").strip(),
        scopes=" ".join(_words(data.get("scopes", ""))),
        acr_values=" ".join(_words(data.get("acr_values", ""))),
        for_residents=data.get("for_residents") == "yes",
        for_staff=data.get("for_staff") == "yes",
        enabled=data.get("enabled") == "yes",
    )
    problems: list[Problem] = []
    if not form.name or len(form.name) > 80:
        problems.append(Problem(N_("Enter a name of at most 80 characters."), field="name"))
    if message := issuer_problem(form.issuer, allow_loopback_http):
        problems.append(Problem(message, field="issuer"))
    if not form.client_id or len(form.client_id) > 200:
        problems.append(
            Problem(N_("Enter the client identifier the provider gave you."), field="client_id")
        )
    if creating and not form.client_secret:
        problems.append(
            Problem(N_("Enter the client secret the provider gave you."), field="client_secret")
        )
    if len(form.client_secret) > 500:
        problems.append(Problem(N_("This secret is too long."), field="client_secret"))
    scopes = _words(form.scopes)
    if "openid" not in scopes or len(form.scopes) > 300:
        problems.append(Problem(N_("The scopes must include “openid”."), field="scopes"))
    elif not all(SCOPE_TOKEN.match(scope) for scope in scopes):
        problems.append(Problem(N_("Scopes are words separated by spaces."), field="scopes"))
    acr = _words(form.acr_values)
    if len(form.acr_values) > 100 or not all(SCOPE_TOKEN.match(value) for value in acr):
        problems.append(Problem(N_("Levels are words separated by spaces."), field="acr_values"))
    if not (form.for_residents or form.for_staff):
        problems.append(
            Problem(N_("Choose who may log in with this provider."), field="for_residents")
        )
    return form, problems


# --- the ID token -----------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def id_token_problem(
    claims: Mapping[str, Any], issuer: str, client_id: str, nonce: str, now: float
) -> str | None:
    """What is wrong with an ID token's claims whose signature was verified (OpenID Connect
    Core 3.1.3.7): None when it may be trusted. `now` in seconds since the epoch."""
    if claims.get("iss") != issuer:
        return "iss"
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        return "aud"
    if len(audiences) > 1 and claims.get("azp") != client_id:
        return "azp"
    expires, issued = _number(claims.get("exp")), _number(claims.get("iat"))
    if expires is None or expires <= now - LEEWAY_SECONDS:
        return "exp"
    if issued is None or issued > now + LEEWAY_SECONDS or issued < now - MAX_TOKEN_AGE_SECONDS:
        return "iat"
    if not nonce or claims.get("nonce") != nonce:
        return "nonce"
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        return "sub"
    return None


def userinfo_jwt_problem(
    claims: Mapping[str, Any], issuer: str, client_id: str, now: float
) -> str | None:
    """What is wrong with the claims of a user info signed as a JWT (FranceConnect answers
    `application/jwt`; OpenID Connect Core 5.3.2: if signed, it SHOULD contain `iss` and `aud`),
    its signature verified: None when it may be trusted. `iss` and `aud` are checked when
    present (a provider may leave them out), `exp` too: an answer meant for another site, from
    another provider or replayed late is refused. The `sub` is compared with the ID token's by
    the caller."""
    if "iss" in claims and claims["iss"] != issuer:
        return "iss"
    if "aud" in claims:
        audience = claims["aud"]
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or client_id not in audiences:
            return "aud"
    if "exp" in claims:
        expires = _number(claims["exp"])
        if expires is None or expires <= now - LEEWAY_SECONDS:
            return "exp"
    return None


def eidas_level(acr: str) -> str:
    """ "eidas1", "eidas2" or "eidas3" when the acr says one; "" otherwise."""
    found = EIDAS.search(acr or "")
    return f"eidas{found.group(1)}" if found else ""


def display_name(claims: Mapping[str, Any], email: str) -> str:
    """ "Camille M.": the given name and the family name's initial (never the whole name on
    the public pages); the address's first part when the provider gave no name."""
    given = str(claims.get("given_name") or "").split(" ")[0].strip()
    family = str(claims.get("usual_name") or claims.get("family_name") or "").strip()
    if given:
        name = f"{given} {family[0].upper()}." if family else given
    else:
        name = email.split("@")[0]
    return name[:80] or "?"


# --- who may log in, and what a first log-in does ----------------------------------------------


def may_use(for_residents: bool, for_staff: bool, role: str) -> bool:
    """A provider for residents logs in residents; one for staff, moderators and staff."""
    return for_staff if role in ("moderator", "admin") else for_residents


class FirstLogin(StrEnum):
    LOG_IN = "log-in"  # the provider's identity is linked to an account: log it in
    CREATE = "create"  # nobody has this address: a new resident's account, linked
    PROVE = "prove"  # an account has this address: link only once its owner proves it
    REFUSE = "refuse"  # nothing can be done (no address, or no account for a staff provider)


def first_login(
    linked: bool, email: str, account_exists: bool, creates_accounts: bool
) -> FirstLogin:
    """What a log-in through a provider does. An e-mail claim never logs into an account by
    itself: the person must prove they own it (its password, or a link sent there)."""
    if linked:
        return FirstLogin.LOG_IN
    if not email:
        return FirstLogin.REFUSE
    if account_exists:
        return FirstLogin.PROVE
    return FirstLogin.CREATE if creates_accounts else FirstLogin.REFUSE


def scopes_of(text: str) -> Sequence[str]:
    return _words(text)


def birth_date_claim(claims: Mapping[str, Any], today: date) -> date | None:
    """The `birthdate` claim of a trusted identity as a date (OpenID Connect Core 5.1:
    YYYY-MM-DD; FranceConnect sends it so, from the civil registry). None when absent, partial
    (a year alone, or 0000 for an unknown year), malformed or in the future."""
    raw = claims.get("birthdate")
    if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return None
    try:
        born = date.fromisoformat(raw)
    except ValueError:
        return None
    if born.year < 1880 or born > today:
        return None
    return born


def may_unlink(has_password: bool, other_links: int) -> bool:
    """Whether a provider may be unlinked: the account must keep a way to log in (a password
    or another provider)."""
    return has_password or other_links > 0
