"""Localized error pages (403, 404, 413, 500, 503) for browsers, JSON-free and accessible."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from participation.accounts.models import AnonymousUser
from participation.i18n import N_
from participation.refusals import DomainError, NotAllowed, NotFound
from participation.templating import render
from participation.web import SECURITY_HEADERS, LoginRequired, login_url

logger = logging.getLogger("participation.errors")

ERROR_TEXTS = {
    400: (N_("Bad request"), N_("The request could not be understood.")),
    403: (N_("Access denied"), N_("You do not have permission to see this page.")),
    404: (N_("Page not found"), N_("This page does not exist or no longer exists.")),
    405: (N_("Method not allowed"), N_("This address does not accept this kind of request.")),
    413: (N_("Request too large"), N_("What you sent is too large. Send a smaller file.")),
    429: (N_("Too many requests"), N_("You have made too many attempts. Wait a minute.")),
    500: (N_("Server error"), N_("Something went wrong on our side. Try again later.")),
    503: (
        N_("Service unavailable"),
        N_("The service is temporarily unavailable. Try again in a few minutes."),
    ),
}
CSRF_TEXT = N_(
    "Your form has expired or did not come from this site. Go back, reload the page and try again."
)


def error_response(
    request: Request, status_code: int, reason: str | None = None, message: str = ""
) -> Response:
    title, default = ERROR_TEXTS.get(status_code, ERROR_TEXTS[500])
    message = message or default
    if reason == "csrf":
        message = CSRF_TEXT
    if "user" not in request.scope:  # raised before the user was known (middleware)
        request.scope["user"] = AnonymousUser()
    context = {"status_code": status_code, "title": title, "message": message}
    return render(request, "errors/error.html", context, status_code=status_code)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, exc.status_code)


async def not_allowed(request: Request, exc: Exception) -> Response:
    """403; `NotAllowed(msgid)` says why (comments closed here), else the general sentence."""
    reason = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else ""
    return error_response(request, 403, message=reason)


async def not_found(request: Request, exc: Exception) -> Response:
    return error_response(request, 404)


async def domain_error(request: Request, exc: Exception) -> Response:
    """A refused action: 409 with its message; the command changed nothing. htmx gets the
    message alone (base.html's htmx-config swaps 409 into what the request targets)."""
    assert isinstance(exc, DomainError)
    context = {
        "status_code": 409,
        "title": N_("This action is not possible"),
        "message": exc.message,
    }
    return render(
        request, "errors/error.html", context, status_code=409, fragment="errors/_refused.html"
    )


async def login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse(login_url(request), status_code=303)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    response = error_response(request, 500)
    # Starlette answers unhandled errors outside every middleware, ours included: add them here
    for name, value in SECURITY_HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


EXCEPTION_HANDLERS = {
    HTTPException: http_exception,
    LoginRequired: login_required,
    NotAllowed: not_allowed,
    NotFound: not_found,
    DomainError: domain_error,
    Exception: server_error,
}
