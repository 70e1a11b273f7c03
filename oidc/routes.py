"""OpenID Connect pages: thin handlers, permission -> service -> response.

People: /auth/oidc/{provider}/start (the "Log in with ..." buttons), /auth/oidc/callback (the
redirect URI declared to every provider), /auth/oidc/link (prove an existing account is yours:
its password, or a link e-mailed to it), /auth/oidc/link/{token}, and "dissocier" on the account
page. Staff: /admin/oidc (the providers), /admin/oidc/new, /admin/oidc/{provider}.

The browser carries, in its signed session cookie, the flow under way (state, nonce, PKCE
verifier: single use), an identity waiting for proof, and the ID token of a session opened
through a provider (for the provider's log-out).
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from oidc import client, domain, services
from oidc.client import ProviderError
from oidc.models import Provider
from participation import features, ratelimit
from participation.accounts.domain import has_password
from participation.accounts.routes import log_in_browser
from participation.i18n import N_, gettext
from participation.permissions import can_administer, is_signed_in
from participation.refusals import DomainError, Problem
from participation.sitepages import routes as sitepages_routes
from participation.templating import flash, render
from participation.urls import url
from participation.web import (
    accepted,
    action_route,
    errors_of,
    form_data,
    form_page,
    form_route,
    object_or_404,
    redirect,
    require,
    safe_next,
    settings_of,
)

log = logging.getLogger(__name__)

FLOW = "oidc_flow"  # the authorization request under way
PENDING = "oidc_pending"  # an identity waiting for proof of the account's e-mail address
SESSION = "oidc_session"  # the provider and ID token of a session opened through a provider
LINKED = N_("{provider} is now linked to your account.")


def _redirect_uri(request: Request) -> str:
    return settings_of(request).base_url + url("oidc:callback")


def _failed(request: Request, message: str, status_code: int = 400) -> Response:
    return render(request, "oidc/failed.html", {"message": gettext(message)}, status_code)


# --- log-in -------------------------------------------------------------------------------------


async def start(request: Request) -> Response:
    provider = await object_or_404(request, Provider, "provider_id")
    next_url = safe_next(request.query_params.get("next"), url("pages:home"))
    if not provider.enabled:
        flash(request, gettext("This way of logging in is not offered any more."), "error")
        return redirect(url("accounts:login"))
    settings = settings_of(request)
    try:
        started = await client.start(
            services.credentials(settings, provider), _redirect_uri(request)
        )
    except ProviderError as error:
        log.warning("oidc: %s unreachable: %s", provider.issuer, error.reason)
        flash(request, gettext(error.message), "error")
        return redirect(url("accounts:login"))
    request.session[FLOW] = {
        "provider": provider.id,
        "state": started.state,
        "nonce": started.nonce,
        "verifier": started.code_verifier,
        "next": next_url,
    }
    return redirect(started.url)


async def callback(request: Request) -> Response:
    flow = request.session.pop(FLOW, None)  # single use, whatever comes next
    params = request.query_params
    state = params.get("state", "")
    if (
        not isinstance(flow, dict)
        or not state
        or not hmac.compare_digest(str(flow.get("state", "")).encode(), state.encode())
    ):
        return _failed(
            request,
            N_(
                "This log-in link is not valid any more (it was used, or it comes from another "
                "browser). Start again from the log-in page."
            ),
        )
    if params.get("error"):  # the person cancelled at the provider, or it refused
        flash(request, gettext("The log-in was cancelled at the identity provider."), "error")
        return redirect(url("accounts:login"))
    provider = await Provider.get_or_none(id=flow.get("provider"), enabled=True)
    if provider is None:
        return _failed(request, N_("This way of logging in is not offered any more."))
    settings = settings_of(request)
    try:
        identity = await client.finish(
            services.credentials(settings, provider),
            _redirect_uri(request),
            params.get("code", ""),
            str(flow.get("nonce", "")),
            str(flow.get("verifier", "")),
        )
    except ProviderError as error:
        log.warning("oidc: log-in through %s refused: %s", provider.issuer, error.reason)
        return _failed(request, error.message, 502 if error.message == client.UNREACHABLE else 400)
    try:
        outcome = await services.log_in(settings, provider, identity)
    except DomainError as refusal:
        return _failed(request, refusal.message, 403)
    if isinstance(outcome, services.Pending):
        # the ID token too: proven in this browser, the session ends at the provider as well
        request.session[PENDING] = {
            **outcome.as_session(),
            "next": flow.get("next"),
            "id_token": identity.id_token,
        }
        return redirect(url("oidc:link"))
    return await _logged_in(
        request, outcome.user, provider, identity.id_token, str(flow.get("next") or "")
    )


async def _logged_in(
    request: Request,
    user: Any,
    provider: Provider,
    id_token: str,
    next_url: str,
    message: str = N_("You are logged in with {provider}."),
) -> Response:
    await log_in_browser(request, user)  # a new session: what the old one held is gone
    if id_token:  # the provider's session is ended with ours (log_out_redirect)
        request.session[SESSION] = {"provider": provider.id, "id_token": id_token}
    flash(request, gettext(message).format(provider=provider.name))
    next_url = safe_next(next_url, url("pages:home"))
    if await sitepages_routes.terms_to_accept(user):  # a new account, or new conditions
        return redirect(sitepages_routes.accept_url(next_url))
    return redirect(next_url)


# --- an account that has the provider's e-mail address: prove it is yours ---------------------


def _pending(request: Request) -> services.Pending | None:
    return services.Pending.from_session(request.session.get(PENDING))


async def link(request: Request) -> Response:
    pending = _pending(request)
    if pending is None:
        return redirect(url("accounts:login"))
    provider = await Provider.get_or_none(id=pending.provider_id)
    if provider is None:
        request.session.pop(PENDING, None)
        return redirect(url("accounts:login"))
    context = {"provider": provider, "email": pending.email, "errors": {}}
    if request.method == "GET":
        return render(request, "oidc/link.html", context)
    data = await form_data(request)
    await ratelimit.refuse_if_exhausted(request, "login_failure", email=pending.email)
    user = await services.link_with_password(
        settings_of(request), pending, data.get("password", "")
    )
    if user is None:
        await ratelimit.check(request, "login_failure", email=pending.email)
        errors = errors_of([Problem(N_("The password is not right."), field="password")])
        return render(request, "oidc/link.html", {**context, "errors": errors}, status_code=422)
    kept = request.session.get(PENDING, {})
    return await _logged_in(
        request,
        user,
        provider,
        str(kept.get("id_token") or ""),
        str(kept.get("next") or ""),
        LINKED,
    )


async def send_link(request: Request) -> Response:
    pending = _pending(request)
    if pending is None:
        return redirect(url("accounts:login"))
    await ratelimit.check(request, "password_reset", email=pending.email)
    await services.send_link_proof(settings_of(request), pending)
    flash(
        request,
        gettext("We sent a link to {email}: open it within one hour to link your account.").format(
            email=pending.email
        ),
    )
    return redirect(url("oidc:link"))


async def confirm_link(request: Request) -> Response:
    try:
        found = await services.confirm_link_proof(request.path_params["token"])
    except DomainError as refusal:
        return _failed(request, refusal.message, 409)
    if found is None:
        return _failed(request, N_("This link has expired or was already used."))
    user, provider_id = found
    provider = await Provider.get(id=provider_id)
    return await _logged_in(request, user, provider, "", "", LINKED)


async def unlink(request: Request) -> Response:
    user = require(request, is_signed_in)
    link = await services.unlink(user, request.path_params["link_id"])
    provider = await Provider.get(id=link.provider_id)
    flash(
        request,
        gettext("{provider} is no longer linked to your account.").format(provider=provider.name),
    )
    return redirect(url("accounts:profile"))


# --- staff: the providers -----------------------------------------------------------------------


async def admin_index(request: Request) -> Response:
    require(request, can_administer)
    providers = await Provider.all().order_by("name", "id")
    context = {
        "providers": providers,
        "presets": domain.PRESETS,
        "redirect_uri": _redirect_uri(request),
        "logout_uri": settings_of(request).base_url + url("pages:home"),
    }
    return render(request, "oidc/admin_index.html", context)


async def admin_provider(request: Request) -> Response:
    user = require(request, can_administer)
    # new or edit, told apart by the id in the path (an id past the database's integer is 0:
    # still an edit, of nothing, so 404)
    editing = "provider_id" in request.path_params
    provider = await object_or_404(request, Provider, "provider_id") if editing else None
    settings = settings_of(request)
    if provider is not None:
        values = services.provider_values(provider)
    else:
        values = domain.preset_values(request.query_params.get("preset", ""))
    context = {
        "provider": provider,
        "redirect_uri": _redirect_uri(request),
        "has_secret": bool(provider and provider.client_secret_box),
    }

    async def save(data: dict[str, str]) -> str:
        form = accepted(
            domain.parse_provider_form(
                data, creating=provider is None, allow_loopback_http=not settings.is_production
            )
        )
        saved = await services.save_provider(settings, user, provider, form)
        flash(request, gettext("The provider “{name}” is saved.").format(name=saved.name))
        return url("oidc:admin_index")

    if request.method == "GET":
        return render(
            request, "oidc/admin_provider.html", {**context, "values": values, "errors": {}}
        )
    return await form_page(request, "oidc/admin_provider.html", context, save)


# --- hooks of the manifest --------------------------------------------------------------------


async def login_options(page: str, next_url: str) -> list[features.LoginOption]:
    return [
        features.LoginOption(
            gettext("Log in with {provider}").format(provider=provider.name),
            url("oidc:start", provider_id=provider.id, query={"next": next_url})
            if page == "login"
            else url("oidc:start", provider_id=provider.id),
        )
        for provider in await services.usable_providers(page)
    ]


async def logout_redirect(request: Request) -> str | None:
    """The provider's end of session, when this session was opened through a provider."""
    opened = request.session.get(SESSION)
    if not isinstance(opened, dict):
        return None
    provider = await Provider.get_or_none(id=opened.get("provider"))
    if provider is None:
        return None
    home = settings_of(request).base_url + url("pages:home")
    return await client.logout_url(provider.issuer, str(opened.get("id_token", "")), home)


async def account_section(user: Any) -> features.AccountSection | None:
    links, any_provider = await services.account_links(user.id)
    if not links and not any_provider:
        return None
    password = has_password(user.password_hash)
    context = {
        "links": links,
        "has_password": password,
        "may_unlink": domain.may_unlink(password, len(links) - 1),
    }
    return features.AccountSection("oidc/_account.html", context)


routes = [
    Route("/auth/oidc/{provider_id:id}/start", start, name="oidc:start"),
    Route("/auth/oidc/callback", callback, name="oidc:callback"),
    form_route("/auth/oidc/link", link, "oidc:link"),
    action_route("/auth/oidc/link/email", send_link, "oidc:send_link"),
    Route("/auth/oidc/link/{token}", confirm_link, name="oidc:confirm_link"),
    action_route("/auth/oidc/links/{link_id:id}/unlink", unlink, "oidc:unlink"),
    Route("/admin/oidc", admin_index, name="oidc:admin_index"),
    form_route("/admin/oidc/new", admin_provider, "oidc:admin_new"),
    form_route("/admin/oidc/{provider_id:id}", admin_provider, "oidc:admin"),
]
