"""Small helpers shared by every feature's routes: permissions, forms, redirects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from participation.urls import url


class LoginRequired(Exception):
    """Raised by `require`; the app answers with a redirect to the login page."""


def require(request: Request, allowed: Callable[[Any], bool]) -> Any:
    """The current user if `allowed(user)`; anonymous visitors are sent to log in, others 403."""
    user = request.scope["user"]
    if not user.is_authenticated:
        raise LoginRequired()
    if not allowed(user):
        raise HTTPException(status_code=403)
    return user


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return url("accounts:login", query="next=" + quote(target))


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def query_string(values: Mapping[str, Any], **defaults: Any) -> str:
    """A list's filters as a query string: empty values and defaults (page 1) left out."""
    defaults = {"page": 1, **defaults}
    return urlencode({k: v for k, v in values.items() if v and v != defaults.get(k)})


def redirect(url: str) -> RedirectResponse:
    """Redirect after a successful POST (303: the browser follows with GET)."""
    return RedirectResponse(url, status_code=303)


def translated(problems: dict[str, str]) -> dict[str, str]:
    """Field -> message in the visitor's language (services return English msgids)."""
    from participation.i18n import gettext

    return {field: gettext(message) for field, message in problems.items()}


async def parsed_form(request: Request) -> FormData:
    """The submitted URL-encoded form as the CSRF check already parsed it (no second parse);
    other bodies (multipart) are parsed here. Only for forms without files: a multipart form's
    uploads are closed on return."""
    from participation.middleware import FORM_SCOPE_KEY

    cached = request.scope.get(FORM_SCOPE_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    async with request.form() as form:
        return form


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as plain strings (files and repeated fields are not used here)."""
    form = await parsed_form(request)
    return {key: value for key, value in form.items() if isinstance(value, str)}


def attachment(content: str, media_type: str, filename: str) -> Response:
    """A file to download (an export): `content` served as `filename`."""
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
