"""Jinja2 rendering: one environment, translated with the request's language.

One route, two renderings: `render(..., fragment=...)` answers htmx requests (HX-Request) with
just the fragment, and every response says `Vary: HX-Request`.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from participation import i18n, richtext

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
    env.globals["translate"] = i18n.gettext
    env.filters["public_name"] = public_name
    env.filters["richtext"] = richtext.render
    env.filters["money"] = money
    env.filters["percent"] = percent
    env.filters["number"] = number
    return env


def percent(share: Any, digits: int = 1) -> str:
    """0.125 -> "12,5 %" in French, "12.5%" in English; None (suppressed) -> ""."""
    if share is None:
        return ""
    from babel.numbers import format_percent

    pattern = "#,##0." + "0" * digits + "\u00a0%" if digits else "#,##0\u00a0%"
    if i18n.current_language.get() == "en":
        pattern = pattern.replace("\u00a0", "")
    return format_percent(share, format=pattern, locale=i18n.current_language.get())


def number(value: Any) -> str:
    """1234.5 -> "1 234,5" in French, "1,234.5" in English."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=i18n.current_language.get())


def public_name(user: Any) -> str:
    """The name shown next to a contribution: "Former participant" once the account is deleted."""
    from participation.accounts.domain import FORMER_PARTICIPANT

    if user is None:
        return ""
    if getattr(user, "deleted_at", None) is not None:
        return i18n.gettext(FORMER_PARTICIPANT)
    return str(user.display_name)


def money(amount: Any, currency: str = "EUR", cents: bool = False) -> str:
    """12 500 € in French, €12,500 in English; `cents` keeps two decimals (12,37 €)."""
    if amount is None:
        return ""
    from babel.numbers import format_currency

    language = i18n.current_language.get()
    number = "#,##0.00" if cents else "#,##0"
    pattern = f"{number}\u00a0¤" if language == "fr" else f"¤{number}"
    return format_currency(amount, currency, format=pattern, locale=language, currency_digits=False)


templates = Jinja2Templates(env=_environment())


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def flash(request: Request, message: str, category: str = "success") -> None:
    """Show `message` (already translated) on the next page this visitor sees."""
    request.session.setdefault("flashes", []).append([category, message])


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    fragment: str | None = None,
) -> HTMLResponse:
    settings = request.app.state.settings
    full_context: dict[str, Any] = {
        "user": request.scope.get("user"),
        "csrf_token": csrf_token(request),
        "language": i18n.current_language.get(),
        "site_name": settings.site_name,
        "flashes": request.session.pop("flashes", []),
        **(context or {}),
    }
    name = fragment if fragment and is_htmx(request) else template
    response = templates.TemplateResponse(request, name, full_context, status_code=status_code)
    response.headers["Vary"] = "HX-Request, Accept-Language"
    return response
