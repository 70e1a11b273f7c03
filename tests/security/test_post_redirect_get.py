"""POST, redirect, GET on every POST route of the app, found by walking `app.routes` (as
test_csrf.py does): the back button after a form sent without JavaScript never lands on
« Confirmer le nouvel envoi du formulaire » (issue #15).

- A successful POST answers 303 See Other (never 200, nor 302/307, to a POST): the page the
  person lands on, and goes back to, is a GET.
- A refused one answers 4xx; when it is the person's input that is wrong, 422 with the form and
  what was typed, so it can be corrected (no redirect that would lose it).
- htmx requests may get a fragment (200): they make no history entry.

A route added tomorrow fails `test_every_post_route_is_walked` until it gets a step with valid
data, here for the core's routes, in `tests/<name>/walks.py` for a feature's
(tests/security/walks.py). The world is tests/security/world.py's, with a few people more
(`_extras`).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from tortoise import timezone

from participation.accounts import services as accounts
from participation.accounts.models import User
from participation.mail import OutboxEmail, sent_text
from participation.notifications.preferences import unsubscribe_token
from participation.people.models import SpaceRole, StaffInvitation
from participation.settings import Settings
from tests.conftest import TEST_PASSWORD, create_user, csrf_token
from tests.security.walks import Ctx, Data, Step, feature_walks
from tests.security.world import (
    client_for,
    log_in,
    seed_world,
    state_changing_routes,
    url_for_route,
)


async def _extras(ctx: Ctx) -> None:
    """The people the core's steps need besides the world's, and the world's hidden objects."""
    ctx.extra = {
        "leaving": await create_user(ctx.settings, "depart@example.org"),
        "forgetful": await create_user(ctx.settings, "oubli@example.org"),
        **ctx.world.hidden,
    }


async def _reset_token(ctx: Ctx) -> Data:
    other = ctx.extra["forgetful"]  # not a person of the world: the steps after log them in
    await accounts.request_password_reset(ctx.settings, other.email)
    message = await OutboxEmail.filter(recipient=other.email).order_by("-id").first()
    assert message is not None
    body = sent_text(ctx.settings, message)
    match = re.search(r"/account/reset/(\S+)", body)
    assert match, body
    return {**ctx.world.ids, "token": match.group(1)}


NEW_PASSWORD = "Une-autre-phrase-de-passe-solide"


async def _same_name(ctx: Ctx) -> Data:
    return {"display_name": ctx.world.owner.display_name}


async def _unsubscribe_token(ctx: Ctx) -> dict[str, Any]:
    """The one-click unsubscribe of the owner's "comment" e-mails (sent from no browser)."""
    token = unsubscribe_token(ctx.settings.secret_key, ctx.world.owner.id, "comment")
    return {**ctx.world.ids, "token": token}


async def _invitation_for_the_owner(ctx: Ctx) -> dict[str, Any]:
    """An invitation to the owner's address that leaves their role as it is (the steps after
    it expect a resident): accepted, it redirects."""
    await StaffInvitation.create(
        token_hash=accounts.token_hash("walk-invitation"),
        email=ctx.world.owner.email,
        role="citizen",
        expires_at=timezone.now() + timedelta(days=1),
    )
    return {**ctx.world.ids, "token": "walk-invitation"}


async def _space_role(ctx: Ctx) -> Data:
    """The world's person made moderator of the world's space (withdrawn by the next step)."""
    return {"space": str(ctx.world.ids["space_id"]), "space_role": "moderator", "space_reason": ""}


async def _space_role_held(ctx: Ctx) -> dict[str, Any]:
    held = await SpaceRole.get(
        user_id=ctx.world.ids["person_id"], space_id=ctx.world.ids["space_id"]
    )
    return {**ctx.world.ids, "role_id": held.id}


SITE_SETTINGS = {
    "version": "0",
    "site_name": "Ville de Test",
    "default_language": "fr",
    "primary_colour": "#000091",
    "proposal_support_threshold": "300",
    "moderation_report_threshold": "3",
    "premoderated_content": ["consultation_answer"],
    "rate_limited_actions": ["signup", "login_failure"],
}


async def _unused(ctx: Ctx, model: Any, key: str) -> Data:
    row = await model.create(name=f"Sans proposition {key}", slug=f"sans-proposition-{key}")
    return {**ctx.world.ids, key: row.id}


async def _unused_category(ctx: Ctx) -> Data:
    from participation.territory import Category

    return await _unused(ctx, Category, "category_id")


async def _unused_district(ctx: Ctx) -> Data:
    from participation.residents.models import District

    return await _unused(ctx, District, "district_id")


# In order: a step may need what an earlier one made (a support before its withdrawal...).
STEPS: list[Step] = [
    Step("pages:language", "anonymous", {"language": "en", "next": "/"}),
    Step(
        "accounts:signup",
        "anonymous",
        {
            "email": "nouvelle@example.org",
            "display_name": "Nouvelle Venue",
            "password": TEST_PASSWORD,
            "password_confirmation": TEST_PASSWORD,
            "accept_terms": "yes",
        },
    ),
    Step("accounts:login", "anonymous", {"email": "other@example.org", "password": TEST_PASSWORD}),
    Step("accounts:resend_confirmation", "other"),
    Step("accounts:reset", "anonymous", {"email": "other@example.org"}),
    Step(
        "accounts:reset_password",
        "anonymous",
        {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
        ids=_reset_token,
    ),
    Step("notifications:read", "owner"),
    # the account page (issue #19): the same name, an address to confirm, the same password
    Step("accounts:name", "owner", _same_name),
    Step(
        "accounts:email",
        "other",
        {"new_email": "autre.adresse@example.org", "email_password": TEST_PASSWORD},
    ),
    Step(
        "accounts:password",
        "other",
        {
            "current_password": TEST_PASSWORD,
            "new_password": TEST_PASSWORD,
            "new_password_confirmation": TEST_PASSWORD,
        },
    ),
    Step("accounts:notifications", "owner", {"kind-comment": "digest"}),
    Step("accounts:unsubscribe", "anonymous", ids=_unsubscribe_token),
    # content pages (issue #18): staff publish a version, then bring version 1 back; a person
    # accepts the conditions of use
    Step("sitepages:admin_edit", "admin", {"version": "1", "body_fr": "<p>Mentions.</p>"}),
    Step("sitesettings:edit", "admin", SITE_SETTINGS),
    Step("people:role", "admin", {"role": "citizen", "reason": "Vérification"}),  # unchanged
    Step(
        "people:invite",
        "admin",
        {"invite_email": "renfort@example.org", "invite_role": "moderator"},
    ),
    Step("people:invitation", "owner", ids=_invitation_for_the_owner),
    Step("people:space_role", "admin", _space_role),
    Step("people:space_role_withdraw", "admin", ids=_space_role_held),
    Step("sitepages:admin_restore", "admin", {"version": "2"}),
    Step("sitepages:accept", "owner", {"version": "1", "accept_terms": "yes", "next": "/"}),
    # the town's categories and districts: the world's are renamed, unused ones removed
    Step("proposals:add_category", "admin", {"name": "Culture"}),
    Step("proposals:add_district", "admin", {"name": "Les Rives"}),
    Step("proposals:rename_category", "admin", {"name": "Mobilités"}),
    Step("proposals:rename_district", "admin", {"name": "Centre"}),
    Step("proposals:remove_category", "admin", ids=_unused_category),
    Step("proposals:remove_district", "admin", ids=_unused_district),
]
# after the features' steps and their last ones (tests/<name>/walks.py): the world loses a
# person, and logs out
LAST_STEPS: list[Step] = [
    # last: the world loses a person
    Step("accounts:delete", "leaving", {"password": TEST_PASSWORD}),
    Step("accounts:logout", "owner"),
]

# what a refused request sends: input a person could type, wrongly (422 with the form)
REFUSED: list[Step] = [
    Step(
        "accounts:signup",
        "anonymous",
        {"email": "x@example.org", "password": TEST_PASSWORD, "password_confirmation": "autre"},
    ),
    Step("accounts:delete", "other", {"password": "pas-le-bon-mot-de-passe"}),
    Step("accounts:name", "other", {"display_name": " "}),
    Step("accounts:email", "other", {"new_email": "pas une adresse", "email_password": ""}),
    Step(
        "accounts:password",
        "other",
        {
            "current_password": "pas-le-bon-mot-de-passe",
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
        },
    ),
    Step("accounts:notifications", "other", {"kind-comment": "fax"}),
    Step("sitepages:admin_edit", "admin", {"version": "1", "body_fr": " "}),
    Step("sitesettings:edit", "admin", {**SITE_SETTINGS, "proposal_support_threshold": "0"}),
    Step("people:role", "admin", {"role": "superuser"}),
    Step("people:space_role", "admin", {"space": "", "space_role": "moderator"}),
    Step("people:invite", "admin", {"invite_email": "pas une adresse", "invite_role": "admin"}),
    Step("sitepages:accept", "other", {"version": "1", "next": "/"}),
    Step("proposals:add_category", "admin", {"name": " "}),
    Step("proposals:remove_district", "admin"),  # the world's proposal is filed under it
]


def steps() -> list[Step]:
    """The core's steps, each installed feature's (tests/<name>/walks.py), their last ones, then
    the core's last ones."""
    return [
        *STEPS,
        *(s for walks in feature_walks() for s in walks.steps),
        *(s for walks in feature_walks() for s in walks.last_steps),
        *LAST_STEPS,
    ]


def refused() -> list[Step]:
    return [*REFUSED, *(s for walks in feature_walks() for s in walks.refused)]


async def _send(
    app: Any, ctx: Ctx, step: Step, extra_headers: dict[str, str] | None = None
) -> httpx.Response:
    """The step as a browser without JavaScript sends it: logged in, the form's CSRF token."""
    world = ctx.world
    user: User | None = ctx.extra["leaving"] if step.role == "leaving" else world.user(step.role)
    endpoint = next(e for e in state_changing_routes(app) if e.route.name == step.route)
    ids = await step.ids(ctx) if step.ids is not None else world.ids
    url = url_for_route(endpoint, ids)
    data = await step.data(ctx) if callable(step.data) else dict(step.data)
    # one browser per person (logging in again and again would meet the login rate limit);
    # logging out or leaving ends that browser's session: those get a browser of their own
    own = step.route in ("accounts:logout", "accounts:delete")
    client = None if own else ctx.clients.get(step.role)
    if client is None:
        client = client_for(app)
        if user is not None:
            await log_in(client, user)
        if not own:
            ctx.clients[step.role] = client
    data["csrf_token"] = await csrf_token(client)
    try:
        return await client.post(url, data=data, files=step.files, headers=extra_headers or {})
    finally:
        if own:
            await client.aclose()


def test_every_post_route_is_walked(app: Any) -> None:
    routes = {e.route.name for e in state_changing_routes(app)}
    walked = {step.route for step in steps()}
    assert {e.method for e in state_changing_routes(app)} == {"POST"}
    assert sorted(routes - walked) == [], "a POST route without valid data in STEPS"
    assert sorted(walked - routes) == [], "STEPS names routes that are gone"
    assert len(routes) > 50


def shown_once() -> set[str]:
    """POST routes that show a secret once (tests/<name>/walks.py): they answer their POST
    themselves, never cached, since a redirect would have to carry the secret in the session
    cookie (signed, not encrypted). Going back re-posts, and finds nothing left."""
    return {route for walks in feature_walks() for route in walks.shown_once}


async def test_a_successful_post_answers_303_see_other(app: Any, settings: Settings) -> None:
    ctx = Ctx(await seed_world(settings), settings)
    await _extras(ctx)
    answered = []
    once = shown_once()
    for step in steps():
        response = await _send(app, ctx, step)
        if step.route in once:
            if response.status_code != 200 or response.headers.get("cache-control") != "no-store":
                answered.append((step.route, response.status_code, _summary(response)))
            continue
        if response.status_code != 303:
            answered.append((step.route, response.status_code, _summary(response)))
            continue
        # where the person lands, and comes back with the back button, is a page that answers
        landing = response.headers["location"].split("#")[0]
        async with client_for(app) as visitor:
            client = ctx.clients.get(step.role, visitor)
            status = (await client.get(landing)).status_code
        if status not in (200, 303):
            answered.append((step.route, f"303 to {landing}", status))
    await ctx.close()
    assert answered == [], "\n".join(map(str, answered))


async def test_a_refused_post_answers_422_with_the_form(app: Any, settings: Settings) -> None:
    ctx = Ctx(await seed_world(settings), settings)
    await _extras(ctx)
    answered = []
    for step in refused():
        response = await _send(app, ctx, step)
        if response.status_code != 422 or "<form" not in response.text:
            answered.append((step.route, response.status_code, _summary(response)))
    await ctx.close()
    assert answered == [], "\n".join(map(str, answered))


async def test_no_post_answers_200_or_a_temporary_redirect(app: Any, settings: Settings) -> None:
    """Whatever is sent (here: nothing but the token) by whoever, a POST without htmx gets a
    303 or a refusal (4xx), never a page (200) nor a redirect that repeats the POST."""
    ctx = Ctx(await seed_world(settings), settings)
    await _extras(ctx)
    answered = []
    for role in ("anonymous", "other", "admin"):
        for endpoint in state_changing_routes(app):
            if endpoint.route.name in ("accounts:logout", "accounts:delete"):
                continue  # walked above; here they would end the session of the next steps
            response = await _send(app, ctx, Step(endpoint.route.name, role))
            status = response.status_code
            if not (status == 303 or 400 <= status < 500):
                answered.append((role, endpoint.route.name, status))
            elif status == 422 and "<form" not in response.text:
                answered.append((role, endpoint.route.name, "422 without its form"))
    await ctx.close()
    assert answered == [], "\n".join(map(str, answered))


def _summary(response: httpx.Response) -> str:
    """Enough of the answer to see why (the first error message, or the location)."""
    if response.status_code in (301, 302, 303, 307, 308):
        return response.headers.get("location", "")
    found = re.search(r'class="error-message"[^>]*>(.*?)</p>', response.text, re.S)
    if found:
        return re.sub(r"<[^>]+>", "", found.group(1)).strip()
    title = re.search(r"<title>(.*?)</title>", response.text, re.S)
    return (found.group(1) if found else title.group(1) if title else response.text[:120]).strip()
