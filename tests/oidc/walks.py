"""What the route walkers need to know about the OpenID Connect routes (tests/security/walks.py):
the world's provider (enabled, but nobody listens at its address: the walkers make no network
call succeed) and a link of the owner's, who may use each route, valid and wrong data for each
POST, the forms no page of the world shows, the pages axe audits."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from oidc.models import Link
from participation.settings import Settings
from tests.oidc.factories import provider_row
from tests.oidc.provider import closed_port_issuer
from tests.security.walks import BAD, DENIED, DONE, FORM, HIDDEN, LOGIN, MISSING, PAGE, Step, Walks
from tests.security.world import World


async def _seed(settings: Settings, world: World) -> None:
    provider = await provider_row(settings, closed_port_issuer())
    world.ids["provider_id"] = provider.id
    link = await Link.create(provider_id=provider.id, user_id=world.owner.id, subject="owner-sub")
    world.ids["link_id"] = link.id


# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    # the provider does not answer: back to the log-in page, with a message
    "GET /auth/oidc/{provider_id}/start":          (LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN),
    "GET /auth/oidc/callback":                     (BAD,     BAD,     BAD,     BAD,     BAD,     BAD,     BAD),
    # no identity waits for proof in these browsers: back to the log-in page
    "GET /auth/oidc/link":                         (LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN),
    "POST /auth/oidc/link":                        (LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN),
    "POST /auth/oidc/link/email":                  (LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN,   LOGIN),
    "GET /auth/oidc/link/{token}":                 (BAD,     BAD,     BAD,     BAD,     BAD,     BAD,     BAD),
    "POST /auth/oidc/links/{link_id}/unlink":      (LOGIN,   DONE,    HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /admin/oidc":                             (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/oidc/new":                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/oidc/new":                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/oidc/{provider_id}":               (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/oidc/{provider_id}":              (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
}
# fmt: on

PROVIDER = {
    "name": "ProConnect",
    "issuer": "https://fca.integ01.dev-agentconnect.fr/api/v2",
    "client_id": "client-de-la-ville",
    "client_secret": "un-secret",
    "scopes": "openid email",
    "for_staff": "yes",
}

WALKS = Walks(
    seed=_seed,
    matrix=MATRIX,
    steps=[
        Step("oidc:link", "owner", {"password": "pas-le-bon"}),
        Step("oidc:send_link", "owner"),
        Step("oidc:unlink", "owner"),
        Step("oidc:admin_new", "admin", PROVIDER),
        Step("oidc:admin", "admin", PROVIDER),
    ],
    refused=[
        Step("oidc:admin_new", "admin", {**PROVIDER, "issuer": "ftp://idp.example"}),
        Step("oidc:admin", "admin", {**PROVIDER, "scopes": "email"}),
    ],
    # the proof page shows its forms only to a browser back from a provider
    no_form_in_the_world={
        "POST /auth/oidc/link": ("password",),
        "POST /auth/oidc/link/email": (),
    },
    not_found=(f"/admin/oidc/{MISSING}", f"/auth/oidc/{MISSING}/start"),
    audited={
        "oidc:admin_index": "oidc/test_browser",
        "oidc:admin_new": "oidc/test_browser",
        "oidc:admin": "oidc/test_browser",
        "oidc:link": "oidc/test_browser",
        "oidc:callback": "oidc/test_browser",
        "oidc:confirm_link": "oidc/test_browser",
    },
    exempt={
        "oidc:start": "a redirect to the identity provider, not a page",
    },
)
