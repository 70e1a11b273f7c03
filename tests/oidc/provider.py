"""A small, real OpenID Connect provider for the tests, served by uvicorn on a free local port
in a thread: discovery, JWKS, authorize (it approves at once, as the person of `user`), token
(PKCE S256 checked, codes single use, client secret checked), userinfo, end_session. Tokens are
signed with joserfc (Authlib's JOSE). `tweak` changes the next ID tokens' claims, `signing_key`
may be swapped for a forged one: what the tests attack with. `userinfo_as_jwt` answers the user
info as FranceConnect does, a signed JWT (application/jwt)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.localserver import LocalServer, closed_port_url

CLIENT_ID = "participation-test"
CLIENT_SECRET = "le-secret-du-client-de-test"


class LocalProvider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.signing_key = self.key  # a test may sign with another key (forgery)
        self.user: dict[str, Any] = {
            "sub": "sub-camille-0001",
            "email": "camille@example.org",
            "email_verified": True,
            "given_name": "Camille",
            "family_name": "Martin",
        }
        self.acr = "eidas1"
        self.tweak: dict[str, Any] = {}  # claims of the next ID tokens, changed
        self.tweak_userinfo: dict[str, Any] = {}  # and of the user info
        # FranceConnect answers the user info as a JWT signed with its keys (application/jwt),
        # with iss, aud, iat, exp: switched on by a test
        self.userinfo_as_jwt = False
        self.userinfo_key: RSAKey | None = None  # signs the user info JWT (None: signing_key)
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.ended: list[dict[str, str]] = []  # the end_session calls
        self.issuer = ""
        self._server: LocalServer | None = None

    # --- endpoints ---------------------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "userinfo_endpoint": self.issuer + "/userinfo",
                "jwks_uri": self.issuer + "/jwks",
                "end_session_endpoint": self.issuer + "/end_session",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        p = request.query_params
        if p.get("client_id") != CLIENT_ID or p.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if p.get("code_challenge_method") != "S256" or not p.get("code_challenge"):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": p["redirect_uri"],
            "nonce": p.get("nonce", ""),
            "challenge": p["code_challenge"],
            "user": dict(self.user),
            "acr": self.acr,
        }
        query = urlencode({"code": code, "state": p.get("state", "")})
        return RedirectResponse(f"{p['redirect_uri']}?{query}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)  # single use
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", "")).encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant["user"]["sub"],
            "aud": CLIENT_ID,
            "exp": now + 300,
            "iat": now,
            "nonce": grant["nonce"],
            "acr": grant["acr"],
            **self.tweak,
        }
        id_token = jwt.encode(
            {"alg": "RS256", "kid": self.signing_key.kid}, claims, self.signing_key
        )
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = grant["user"]
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "id_token": id_token,
                "expires_in": 300,
            }
        )

    async def userinfo(self, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        user = self.tokens.get(token)
        if user is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        if not self.userinfo_as_jwt:
            return JSONResponse({**user, **self.tweak_userinfo})
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 60, **user}
        key = self.userinfo_key or self.signing_key
        signed = jwt.encode(
            {"alg": "RS256", "kid": key.kid}, {**claims, **self.tweak_userinfo}, key
        )
        return Response(signed, media_type="application/jwt")

    async def end_session(self, request: Request) -> Response:
        self.ended.append(dict(request.query_params))
        target = request.query_params.get("post_logout_redirect_uri", "/")
        return RedirectResponse(target, status_code=302)

    # --- serving -----------------------------------------------------------------------------

    def start(self) -> LocalProvider:
        app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo),
                Route("/end_session", self.end_session),
            ]
        )
        self._server = LocalServer(app)
        self.issuer = self._server.start()
        return self

    def stop(self) -> None:
        assert self._server is not None
        self._server.stop()


def closed_port_issuer() -> str:
    """The address of a provider that is down: a local port nobody listens on."""
    return closed_port_url()
