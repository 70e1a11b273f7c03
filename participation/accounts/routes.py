"""Account pages: thin handlers, permission -> service -> response."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation import features, i18n, ratelimit, sharedparts, web
from participation.accounts import activity, privacy, services
from participation.accounts.domain import (
    SignUpForm,
    email_problem,
    has_password,
    normalize_email,
)
from participation.i18n import N_, gettext
from participation.notifications import preferences
from participation.notifications import services as notifications
from participation.permissions import is_signed_in
from participation.refusals import Problem, Refused
from participation.residents.domain import Resident
from participation.sitepages import routes as sitepages_routes
from participation.templating import csrf_token, flash, render, render_part
from participation.urls import url


async def log_in_browser(request: Request, user) -> None:  # type: ignore[no-untyped-def]
    """A fresh session at login (no fixation): old token ended, new CSRF token. Other ways to
    log in (oidc) call it too, then keep what they need in the new session."""
    if old := request.session.get("auth"):
        await services.end_session(old)
    _clear_session(request, user.language or request.session.get("lang"))
    request.session["auth"] = await services.start_session(user)


def _clear_session(request: Request, language: str | None) -> None:
    """Empty the session cookie (so a new CSRF token), keeping the language choice."""
    request.session.clear()
    if language:
        request.session["lang"] = language


async def _login_options(page: str, next_url: str) -> list[features.LoginOption]:
    """The other ways to log in that installed features offer (identity providers)."""
    options: list[features.LoginOption] = []
    for feature in features.FEATURES:
        if feature.login_options is not None:
            options.extend(await feature.login_options(page, next_url))
    return options


async def sign_up(request: Request) -> Response:
    options = await _login_options("signup", url("pages:home"))
    if request.method == "GET":
        context: dict[str, object] = {"values": {}, "errors": {}, "login_options": options}
        return render(request, "accounts/signup.html", context)
    await ratelimit.check(request, "signup")
    data = await web.form_data(request)
    form = SignUpForm(
        email=data.get("email", ""),
        display_name=data.get("display_name", ""),
        password=data.get("password", ""),
        password_confirmation=data.get("password_confirmation", ""),
        accepts_terms=data.get("accept_terms") == "yes",
    )
    try:
        user = await services.sign_up(web.settings_of(request), form, i18n.current_language.get())
    except Refused as refused:
        values = {"email": form.email, "display_name": form.display_name}
        context = {
            "values": values,
            "errors": web.errors_of(refused.problems),
            "login_options": options,
        }
        return render(request, "accounts/signup.html", context, status_code=422)
    await log_in_browser(request, user)
    flash(
        request, gettext("Welcome! We sent you an e-mail: open its link to confirm your address.")
    )
    return web.redirect(url("accounts:profile"))


async def log_in(request: Request) -> Response:
    next_url = web.safe_next(request.query_params.get("next"), url("pages:home"))
    if request.method == "GET":
        options = await _login_options("login", next_url)
        context = {"values": {}, "errors": {}, "next": next_url, "login_options": options}
        return render(request, "accounts/login.html", context)
    data = await web.form_data(request)
    next_url = web.safe_next(data.get("next"), url("pages:home"))
    options = await _login_options("login", next_url)
    email = data.get("email", "")
    if problem := email_problem(normalize_email(email)):
        # no account has such an address (nor a longer one than the column holds): say so on
        # the field before any lookup, which would fail on an over-long value
        context = {
            "values": {"email": email},
            "errors": web.errors_of([Problem(problem, field="email")]),
            "next": next_url,
            "login_options": options,
        }
        return render(request, "accounts/login.html", context, status_code=422)
    # after 5 failed log-ins in a minute for an e-mail address, or 30 from an IP: 429, even
    # with the right password; successful log-ins are not counted
    await ratelimit.refuse_if_exhausted(request, "login_failure", email=email)
    user = await services.authenticate(web.settings_of(request), email, data.get("password", ""))
    if user is None:
        await ratelimit.check(request, "login_failure", email=email)
        context = {
            "values": {"email": data.get("email", "")},
            "errors": {"form": gettext("Wrong e-mail address or password.")},
            "next": next_url,
            "login_options": options,
        }
        return render(request, "accounts/login.html", context, status_code=401)
    await log_in_browser(request, user)
    flash(request, gettext("You are logged in."))
    if await sitepages_routes.terms_to_accept(user):  # changed since the person accepted them
        return web.redirect(sitepages_routes.accept_url(next_url))
    return web.redirect(next_url)


async def log_out(request: Request) -> Response:
    target = url("pages:home")
    for feature in features.FEATURES:  # a session from an identity provider ends there too
        if feature.logout_redirect is not None:
            target = await feature.logout_redirect(request) or target
    if token := request.session.get("auth"):
        await services.end_session(token)
    _clear_session(request, request.session.get("lang"))
    flash(request, gettext("You are logged out."))
    return web.redirect(target)


async def _profile_page(
    request: Request,
    user,  # type: ignore[no-untyped-def]
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    sections = []
    for feature in features.FEATURES:
        if feature.account_section is not None:
            if (section := await feature.account_section(user)) is not None:
                sections.append(section)
    records = await services.profile_records(user.id)  # what it shows of them: one statement
    context = {
        "account": user,
        "sections": sections,
        "errors": errors or {},
        "values": values or {},
        "pending_email": records.pending_email,
        "resident": Resident(records.verified),
        "residency": records.residency,
        "has_password": has_password(user.password_hash),
        "current": "profile",
    }
    if not errors and not values and records.pending_email is None:
        context["shared_body"] = await _shared_profile_body(request, user, context)
    return render(request, "accounts/profile.html", context, status_code=status_code)


@dataclass(frozen=True)
class _SharedAccount:
    """Who the shared account page is rendered for: what its template branches on of the
    person (their role, whether their address is confirmed), holes for what it shows."""

    is_admin: bool
    is_moderator: bool
    email_confirmed_at: bool
    display_name: Markup = field(default_factory=lambda: sharedparts.hole("name"))
    email: Markup = field(default_factory=lambda: sharedparts.hole("email"))


async def _shared_profile_body(
    request: Request,
    user,  # type: ignore[no-untyped-def]
    context: dict[str, Any],
) -> Markup | None:
    """The account page's content as everyone with the same role, records and options sees it,
    rendered once and shared (participation/sharedparts.py, issue #23), with this person's
    CSRF token, public name, e-mail address and sections (their identity providers: rendered
    for them) filled in. Its key: what the template branches on (role, address confirmed,
    password or not, verified or its record revoked, the record's end), the language, the
    settings' version. None (rendered for them alone) when parts are not kept; the route
    does not ask it for a form sent back with its errors or an e-mail change waiting (rare:
    its address and deadline are the person's)."""
    residency = context["residency"]
    variant = (
        bool(user.is_admin),
        bool(user.is_moderator),
        bool(user.email_confirmed_at),
        context["has_password"],
        context["resident"].verified,
        residency is not None,
        bool(residency and residency.revoked_at),
        residency.expires_at if residency else None,
    )
    key = sharedparts.key_of(request, "account", *variant, query="")

    def rendered() -> str:
        account = _SharedAccount(*variant[:3])
        shared_context = {**context, "account": account, "sections": [], "shared": True}
        shared_context["user"] = sharedparts.SHARED_RESIDENT
        shared_context["csrf_token"] = sharedparts.hole("csrf")
        return render_part(request, "accounts/_profile_body.html", shared_context)

    part = await sharedparts.shared(request, key, rendered)
    if part is None:
        return None
    values = {
        "csrf": str(escape(csrf_token(request))),
        "name": str(escape(user.display_name)),
        "email": str(escape(user.email)),
        # most people have no section (no identity provider): nothing to render
        "sections": render_part(
            request, "accounts/_sections.html", {"sections": context["sections"]}
        )
        if context["sections"]
        else "",
    }
    return sharedparts.fill_in(part, values)


async def profile(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    return await _profile_page(request, user)


async def change_name(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    data = await web.form_data(request)
    try:
        await services.change_display_name(user, data.get("display_name", ""))
    except Refused as refused:
        return await _profile_page(
            request, user, web.errors_of(refused.problems), data, status_code=422
        )
    flash(request, gettext("Your public name is changed."))
    return web.redirect(url("accounts:profile"))


async def change_email(request: Request) -> Response:
    """Ask for a new address: a link goes there, a notice to the current one."""
    user = web.require(request, is_signed_in)
    data = await web.form_data(request)
    # no password guessing here: a wrong password counts as a failed log-in
    await ratelimit.refuse_if_exhausted(request, "login_failure", email=user.email)
    try:
        change = await services.request_email_change(
            web.settings_of(request),
            user,
            data.get("new_email", ""),
            data.get("email_password", ""),
        )
    except Refused as refused:
        if any(problem.field == "email_password" for problem in refused.problems):
            await ratelimit.check(request, "login_failure", email=user.email)
        values = {"new_email": data.get("new_email", "")}
        return await _profile_page(
            request, user, web.errors_of(refused.problems), values, status_code=422
        )
    flash(
        request,
        gettext(
            "We sent a link to {email}: open it within 24 hours to use this address. Until "
            "then, your account keeps its current address."
        ).format(email=change.new_email),
    )
    return web.redirect(url("accounts:profile"))


async def confirm_email_change(request: Request) -> Response:
    try:
        await services.confirm_email_change(request.path_params["token"])
    except Refused as refused:
        errors = web.errors_of(refused.problems)
        return render(
            request, "accounts/email_change_failed.html", {"errors": errors}, status_code=400
        )
    flash(request, gettext("Your new e-mail address is confirmed: it is now your account's."))
    return web.redirect(
        url("accounts:profile") if request.scope["user"].is_authenticated else url("accounts:login")
    )


async def change_password(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    context: dict[str, object] = {
        "has_password": has_password(user.password_hash),
        "current": "password",
    }
    if request.method == "GET":
        return render(request, "accounts/password.html", {**context, "errors": {}})
    data = await web.form_data(request)
    await ratelimit.refuse_if_exhausted(request, "login_failure", email=user.email)
    try:
        await services.change_password(
            web.settings_of(request),
            user,
            data.get("current_password", ""),
            data.get("new_password", ""),
            data.get("new_password_confirmation", ""),
            request.session.get("auth"),
        )
    except Refused as refused:
        if any(problem.field == "current_password" for problem in refused.problems):
            await ratelimit.check(request, "login_failure", email=user.email)
        errors = web.errors_of(refused.problems)
        return render(
            request, "accounts/password.html", {**context, "errors": errors}, status_code=422
        )
    flash(
        request,
        gettext("Your password is changed. Your other sessions are logged out."),
    )
    return web.redirect(url("accounts:profile"))


async def notification_preferences(request: Request) -> Response:
    """Per kind of notification: an e-mail at once, the daily digest, or none."""
    user = web.require(request, is_signed_in)
    kinds = notifications.kinds()
    chosen = await notifications.chosen_of(user.id)
    context: dict[str, object] = {
        "kinds": kinds,
        "channels": list(preferences.Channel),
        "labels": preferences.CHANNEL_LABELS,
        "current": "notifications",
    }
    if request.method == "GET":
        values = {kind: preferences.channel_for(kind, chosen).value for kind, _subject in kinds}
        return render(
            request, "accounts/notifications.html", {**context, "values": values, "errors": {}}
        )
    data = await web.form_data(request)
    choices, problems = preferences.parse_choices(data, [kind for kind, _subject in kinds])
    if problems:
        values = {kind: data.get(f"kind-{kind}", "") for kind, _subject in kinds}
        errors = {field: gettext(message) for field, message in problems.items()}
        return render(
            request,
            "accounts/notifications.html",
            {**context, "values": values, "errors": errors},
            status_code=422,
        )
    await notifications.save_preferences(user.id, choices)
    flash(request, gettext("Your notification preferences are saved."))
    return web.redirect(url("accounts:notifications"))


async def my_activity(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    page = activity.page_number(request.query_params.get("page"))
    items, more = await activity.page_of(user.id, page)
    context = {"items": items, "page": page, "more": more, "current": "activity"}
    return render(request, "accounts/activity.html", context)


async def unsubscribe(request: Request) -> Response:
    """The one-click unsubscribe of an e-mail (RFC 8058): POST sets the e-mail's kind to
    "never", signed in or not. It needs no CSRF token (participation/middleware.py exempts this
    path): mail clients POST `List-Unsubscribe=One-Click` with no cookie, and the signed token
    in the URL is what proves the request comes from the e-mail. GET only shows a button (a
    link scanner that opens it changes nothing)."""
    settings = web.settings_of(request)
    kinds = [kind for kind, _subject in notifications.kinds()]
    subscriptions = {s.kind: s for f in features.FEATURES for s in f.email_subscriptions}
    found = preferences.read_unsubscribe_token(
        settings.secret_key, request.path_params["token"], [*kinds, *subscriptions]
    )
    if found is None:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status_code=400)
    user_id, kind = found
    if subscription := subscriptions.get(kind):  # an address without an account (a feature's)
        if request.method == "POST":
            await subscription.stop(user_id)
            return web.redirect(request.url.path + "?done=1")
        done = request.query_params.get("done") == "1" and await subscription.stopped(user_id)
        context = {"invalid": False, "label": subscription.label, "done": done, "account": False}
        return render(request, "accounts/unsubscribe.html", context)
    label = (
        N_("Daily digest")
        if kind == preferences.DIGEST_KIND
        else dict(notifications.kinds()).get(kind, "")
    )
    if request.method == "POST":
        if await notifications.unsubscribe(user_id, kind) is None:
            return render(request, "accounts/unsubscribe.html", {"invalid": True}, status_code=400)
        return web.redirect(request.url.path + "?done=1")  # going back does not post again
    # "done" is said only when it is true: the kind (or every digest kind) is off
    done = request.query_params.get("done") == "1" and await notifications.is_unsubscribed(
        user_id, kind
    )
    context = {"invalid": False, "label": label, "done": done, "account": True}
    return render(request, "accounts/unsubscribe.html", context)


async def confirm_email(request: Request) -> Response:
    user = await services.confirm_email(web.settings_of(request), request.path_params["token"])
    if user is None:
        return render(request, "accounts/confirm_failed.html", status_code=400)
    flash(request, gettext("Your e-mail address is confirmed."))
    return web.redirect(
        url("accounts:profile") if request.scope["user"].is_authenticated else url("accounts:login")
    )


async def resend_confirmation(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    await services.resend_confirmation(web.settings_of(request), user)
    flash(request, gettext("We sent you a new confirmation e-mail."))
    return web.redirect(url("accounts:profile"))


async def request_reset(request: Request) -> Response:
    if request.method == "GET":
        if request.query_params.get("sent") == "1":
            return render(request, "accounts/reset_sent.html")
        return render(request, "accounts/reset_request.html", {"values": {}, "errors": {}})
    data = await web.form_data(request)
    if problem := email_problem(normalize_email(data.get("email", ""))):
        # the same answer for every well-formed address; a malformed one is said on the field
        values = {"email": data.get("email", "")}
        context = {"values": values, "errors": web.errors_of([Problem(problem, field="email")])}
        return render(request, "accounts/reset_request.html", context, status_code=422)
    await ratelimit.check(request, "password_reset", email=data.get("email", ""))
    await services.request_password_reset(web.settings_of(request), data.get("email", ""))
    # The same answer whether or not the account exists; a GET, so going back is harmless.
    return web.redirect(url("accounts:reset", query="sent=1"))


async def reset_password(request: Request) -> Response:
    token = request.path_params["token"]
    if await services.valid_reset_token(token) is None:
        return render(request, "accounts/reset_invalid.html", status_code=400)
    if request.method == "GET":
        return render(request, "accounts/reset_form.html", {"errors": {}})
    data = await web.form_data(request)
    try:
        await services.reset_password(
            web.settings_of(request),
            token,
            data.get("password", ""),
            data.get("password_confirmation", ""),
        )
    except Refused as refused:
        if any(problem.field == "token" for problem in refused.problems):
            return render(request, "accounts/reset_invalid.html", status_code=400)
        return render(
            request,
            "accounts/reset_form.html",
            {"errors": web.errors_of(refused.problems)},
            status_code=422,
        )
    request.session.pop("auth", None)
    flash(request, gettext("Your password has been changed. You can log in."))
    return web.redirect(url("accounts:login"))


async def download_data(request: Request) -> Response:
    """RGPD right of access and portability: everything about the person, as JSON."""
    user = web.require(request, is_signed_in)
    data = await privacy.export_personal_data(user, gettext)
    return JSONResponse(
        data,
        headers={
            "Content-Disposition": 'attachment; filename="mes-donnees-participation.json"',
            "Cache-Control": "no-store",
        },
    )


async def delete_account(request: Request) -> Response:
    """RGPD right to erasure: confirmed with the password (and CSRF, as every POST)."""
    user = web.require(request, is_signed_in)
    if request.method == "GET":
        return render(request, "accounts/delete.html", {"errors": {}})
    data = await web.form_data(request)
    # no password guessing here: a wrong password counts as a failed log-in
    await ratelimit.refuse_if_exhausted(request, "login_failure", email=user.email)
    if not await services.verify_password(
        web.settings_of(request), user.password_hash, data.get("password", "")
    ):
        await ratelimit.check(request, "login_failure", email=user.email)
        errors = web.errors_of([Problem(N_("The password is not right."), field="password")])
        return render(request, "accounts/delete.html", {"errors": errors}, status_code=422)
    await privacy.delete_account(user)
    _clear_session(request, request.session.get("lang"))
    flash(request, gettext("Your account is deleted. Thank you for taking part."))
    return web.redirect(url("pages:home"))


UNSUBSCRIBE_PATH = "/account/unsubscribe/"  # no CSRF token there (participation/middleware.py)

routes = [
    Route("/account", profile, name="accounts:profile"),
    web.action_route("/account/name", change_name, "accounts:name"),
    web.action_route("/account/email", change_email, "accounts:email", changes_pages=False),
    Route(
        "/account/email/confirm/{token}", confirm_email_change, name="accounts:confirm_email_change"
    ),
    web.form_route("/account/password", change_password, "accounts:password", changes_pages=False),
    web.form_route(
        "/account/notifications",
        notification_preferences,
        "accounts:notifications",
        changes_pages=False,
    ),
    Route("/account/activity", my_activity, name="accounts:activity"),
    web.form_route(
        UNSUBSCRIBE_PATH + "{token}", unsubscribe, "accounts:unsubscribe", changes_pages=False
    ),
    Route("/account/data.json", download_data, name="accounts:data"),
    web.form_route("/account/delete", delete_account, "accounts:delete"),
    web.form_route("/account/signup", sign_up, "accounts:signup", changes_pages=False),
    web.form_route("/account/login", log_in, "accounts:login", changes_pages=False),
    web.action_route("/account/logout", log_out, "accounts:logout", changes_pages=False),
    web.action_route(
        "/account/confirm/resend",
        resend_confirmation,
        "accounts:resend_confirmation",
        changes_pages=False,
    ),
    Route("/account/confirm/{token}", confirm_email, name="accounts:confirm"),
    web.form_route("/account/reset", request_reset, "accounts:reset", changes_pages=False),
    web.form_route(
        "/account/reset/{token}", reset_password, "accounts:reset_password", changes_pages=False
    ),
]
