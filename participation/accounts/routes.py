"""Account pages: thin handlers, permission -> service -> response."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation import features, i18n, ratelimit, web
from participation.accounts import privacy, services
from participation.accounts.domain import SignUpForm, email_problem, normalize_email
from participation.i18n import N_, gettext
from participation.permissions import is_signed_in
from participation.refusals import Problem, Refused
from participation.sitepages import routes as sitepages_routes
from participation.templating import flash, render
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


async def profile(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    sections = []
    for feature in features.FEATURES:
        if feature.account_section is not None:
            if (section := await feature.account_section(user)) is not None:
                sections.append(section)
    return render(request, "accounts/profile.html", {"account": user, "sections": sections})


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


routes = [
    Route("/account", profile, name="accounts:profile"),
    Route("/account/data.json", download_data, name="accounts:data"),
    web.form_route("/account/delete", delete_account, "accounts:delete"),
    web.form_route("/account/signup", sign_up, "accounts:signup"),
    web.form_route("/account/login", log_in, "accounts:login"),
    web.action_route("/account/logout", log_out, "accounts:logout"),
    web.action_route(
        "/account/confirm/resend", resend_confirmation, "accounts:resend_confirmation"
    ),
    Route("/account/confirm/{token}", confirm_email, name="accounts:confirm"),
    web.form_route("/account/reset", request_reset, "accounts:reset"),
    web.form_route("/account/reset/{token}", reset_password, "accounts:reset_password"),
]
