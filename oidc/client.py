"""Talking to a provider over HTTP (httpx, with timeouts) with Authlib's protocol parts:
discovery and JWKS (cached), the authorization URL with PKCE (S256), state and nonce
(`prepare_grant_uri`, `create_s256_code_challenge`), the code exchange
(`prepare_token_request`), the ID token's signature (joserfc, Authlib's JOSE) and claims
(Authlib's `CodeIDToken`, then oidc.domain), and the user info.

Authlib's own httpx client is not used: in Authlib 1.9 it wants `httpx2` and warns on httpx.

Every failure to reach the provider or to trust its answer raises `ProviderError` with a
French-translated msgid; nothing is written before the answer is trusted."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from oidc import domain
from participation.i18n import N_

TIMEOUT = httpx.Timeout(5.0, connect=3.0)
CACHE_SECONDS = 3600  # discovery documents and keys are fetched again after an hour
# a provider that did not answer is not asked again for this long: visitors clicking its button
# meanwhile get the message at once, and cannot make the server wait on it for each click
DOWN_SECONDS = 30
ALGORITHMS = ["RS256", "ES256", "PS256"]
UNREACHABLE = N_(
    "The identity provider does not answer. Try again in a few minutes, or log in with your "
    "e-mail address and password."
)
UNTRUSTED = N_(
    "The identity provider's answer could not be checked, so you are not logged in. Try again."
)


class ProviderError(Exception):
    """The provider is unreachable, or its answer is not to be trusted (`reason`: for logs)."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(reason or message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Credentials:
    """A provider as its row says, with its secret decrypted (oidc.secrets)."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    acr_values: str


@dataclass(frozen=True)
class Started:
    url: str  # where to send the browser
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Identity:
    subject: str
    acr: str
    claims: dict[str, Any]  # the ID token's, then the user info's
    id_token: str


# issuer or JWKS address -> (fetched at, document); one per process
_metadata: dict[str, tuple[float, dict[str, Any]]] = {}
_keys: dict[str, tuple[float, KeySet]] = {}
_down: dict[str, float] = {}  # issuer -> when it last failed to answer


def forget_cache() -> None:
    _metadata.clear()
    _keys.clear()
    _down.clear()


async def _get_json(url: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            response = await http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ProviderError(UNREACHABLE, f"{url}: {error!r}") from None
    if not isinstance(document, dict):
        raise ProviderError(UNREACHABLE, f"{url}: not a JSON object")
    return document


async def metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document (cached), checked to name this issuer."""
    now = time.monotonic()
    cached = _metadata.get(issuer)
    if cached and cached[0] > now - CACHE_SECONDS:
        return cached[1]
    if _down.get(issuer, now - DOWN_SECONDS) > now - DOWN_SECONDS:
        raise ProviderError(UNREACHABLE, f"{issuer}: did not answer a moment ago")
    try:
        document = await _get_json(issuer + "/.well-known/openid-configuration")
    except ProviderError:
        _down[issuer] = now
        raise
    needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if document.get("issuer") != issuer or not all(
        isinstance(document.get(k), str) for k in needed
    ):
        raise ProviderError(UNREACHABLE, f"{issuer}: discovery document for another issuer")
    _metadata[issuer] = (time.monotonic(), document)
    return document


async def _key_set(jwks_uri: str, refresh: bool = False) -> KeySet:
    cached = _keys.get(jwks_uri)
    if cached and not refresh and cached[0] > time.monotonic() - CACHE_SECONDS:
        return cached[1]
    try:
        keys = KeySet.import_key_set(await _get_json(jwks_uri))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise ProviderError(UNREACHABLE, f"{jwks_uri}: {error!r}") from None
    _keys[jwks_uri] = (time.monotonic(), keys)
    return keys


async def start(credentials: Credentials, redirect_uri: str) -> Started:
    """The authorization request: its URL, and what the callback must find again."""
    document = await metadata(credentials.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(48)
    extra = {"acr_values": credentials.acr_values} if credentials.acr_values else {}
    url = prepare_grant_uri(
        document["authorization_endpoint"],
        credentials.client_id,
        "code",
        redirect_uri=redirect_uri,
        scope=credentials.scopes,
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
        **extra,
    )
    return Started(url, state, nonce, verifier)


async def _decode(token: str, jwks_uri: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The claims and header of a signed JWT from the provider, its signature checked against
    the provider's keys (fetched again once when the key is unknown: keys rotate)."""
    for refresh in (False, True):
        keys = await _key_set(jwks_uri, refresh)
        try:
            decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
        except (JoseError, ValueError, TypeError, KeyError) as error:
            if refresh:
                raise ProviderError(UNTRUSTED, f"signature: {error!r}") from None
            continue
        return dict(decoded.claims), dict(decoded.header)
    raise AssertionError("unreachable")


async def finish(
    credentials: Credentials, redirect_uri: str, code: str, nonce: str, code_verifier: str
) -> Identity:
    """Exchange the code (with the PKCE verifier), verify the ID token, read the user info."""
    document = await metadata(credentials.issuer)
    body = prepare_token_request(
        "authorization_code", code=code, redirect_uri=redirect_uri, code_verifier=code_verifier
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if credentials.client_secret and "client_secret_basic" in methods:
        # RFC 6749 2.3.1: each part form-encoded before the Basic encoding
        pair = (
            f"{quote(credentials.client_id, safe='')}:{quote(credentials.client_secret, safe='')}"
        )
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:  # client_secret_post (ProConnect, FranceConnect), or a public client
        fields = {"client_id": credentials.client_id}
        if credentials.client_secret:
            fields["client_secret"] = credentials.client_secret
        body += "&" + str(httpx.QueryParams(fields))
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            response = await http.post(
                document["token_endpoint"],
                content=body,
                headers=headers,
            )
        token = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ProviderError(UNREACHABLE, f"token: {error!r}") from None
    if response.status_code >= 500:
        raise ProviderError(UNREACHABLE, f"token: {response.status_code}")
    if response.status_code != 200 or not isinstance(token, dict):
        # the provider refused: a used or forged code, a wrong verifier or secret
        raise ProviderError(UNTRUSTED, f"token: {response.status_code} {token!r}"[:300])
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise ProviderError(UNTRUSTED, "no id_token")
    claims, header = await _decode(id_token, document["jwks_uri"])
    now = time.time()
    checked = CodeIDToken(
        claims,
        header,
        options={
            "iss": {"essential": True, "value": credentials.issuer},
            "aud": {"essential": True, "value": credentials.client_id},
        },
        params={
            "nonce": nonce,
            "client_id": credentials.client_id,
            "access_token": token.get("access_token"),
        },
    )
    try:  # Authlib: iss, aud, exp, iat, nbf, nonce, azp, at_hash
        checked.validate(now=int(now), leeway=domain.LEEWAY_SECONDS)
    except (JoseError, ValueError, TypeError) as error:
        raise ProviderError(UNTRUSTED, f"id_token: {error!r}") from None
    # and ours, stricter: a nonce always, an ID token not older than ten minutes
    if reason := domain.id_token_problem(
        claims, credentials.issuer, credentials.client_id, nonce, now
    ):
        raise ProviderError(UNTRUSTED, f"id_token {reason}")
    info = await _user_info(document, token.get("access_token"), claims, credentials)
    return Identity(claims["sub"], str(claims.get("acr") or ""), {**claims, **info}, id_token)


async def _user_info(
    document: dict[str, Any], access_token: Any, claims: dict[str, Any], credentials: Credentials
) -> dict[str, Any]:
    """The user info (JSON, or a JWT signed by the provider as FranceConnect sends it); its
    `sub` must be the ID token's."""
    endpoint = document.get("userinfo_endpoint")
    if not isinstance(endpoint, str) or not isinstance(access_token, str):
        return {}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            response = await http.get(endpoint, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
    except httpx.HTTPError as error:
        raise ProviderError(UNREACHABLE, f"userinfo: {error!r}") from None
    if response.headers.get("content-type", "").startswith("application/jwt"):
        info, _ = await _decode(response.text.strip(), document["jwks_uri"])
        problem = domain.userinfo_jwt_problem(
            info, credentials.issuer, credentials.client_id, time.time()
        )
        if problem:
            raise ProviderError(UNTRUSTED, f"userinfo {problem}")
    else:
        try:
            info = json.loads(response.text)
        except ValueError:
            raise ProviderError(UNTRUSTED, "userinfo not JSON") from None
    if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
        raise ProviderError(UNTRUSTED, "userinfo sub")
    return {k: v for k, v in info.items() if k not in ("iss", "aud", "exp", "iat", "nonce")}


async def logout_url(issuer: str, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to end the provider's session too (RP-initiated logout), or None when the
    provider has no `end_session_endpoint` or does not answer (the local log-out goes on)."""
    try:
        document = await metadata(issuer)
    except ProviderError:
        return None
    endpoint = document.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    query = httpx.QueryParams(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "state": generate_token(16),
        }
    )
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{query}"
