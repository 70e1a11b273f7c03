"""Content pages: public pages at their French addresses (cached for visitors), staff's
editing under /admin/pages (list, edit, history, restore), and the conditions of use a person
accepts again at sign-in when they changed. Thin: permission -> service -> response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.i18n import N_, current_language, gettext
from participation.pagecache import cached_for_visitors, writes_no_page
from participation.permissions import can_administer, is_signed_in
from participation.refusals import NotFound, Problem, Refused
from participation.richtext import page_source, render_page
from participation.sitepages import services
from participation.sitepages.domain import BY_SLUG, PAGES, PageForm, must_accept_terms
from participation.templating import flash, render
from participation.urls import url
from participation.web import errors_of, form_data, redirect, require, safe_next


def _public(slug: str) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        text = await services.current(slug)
        body, language = text.body(current_language.get())
        context = {
            "page": BY_SLUG[slug],
            "text": text,
            "body": render_page(body, text.sanitized_with),
            "lang": language,
        }
        return render(request, "sitepages/page.html", context)

    page.__name__ = f"page_{slug.replace('-', '_')}"
    return cached_for_visitors(page)


def _slug(request: Request) -> str:
    slug = request.path_params["slug"]
    if slug not in BY_SLUG:
        raise NotFound(slug)
    return str(slug)


async def admin_index(request: Request) -> Response:
    require(request, can_administer)
    texts = await services.all_pages()
    return render(request, "sitepages/admin_index.html", {"pages": PAGES, "texts": texts})


async def admin_edit(request: Request) -> Response:
    user = require(request, can_administer)
    slug = _slug(request)
    if request.method == "GET":
        text = await services.current(slug)
        values = {
            "body_fr": page_source(text.body_fr),
            "body_en": page_source(text.body_en),
            "version": text.version,
        }
        return _edit_form(request, slug, values)
    data = await form_data(request)
    form = PageForm(data.get("body_fr", ""), data.get("body_en", ""), data.get("version", ""))
    values = {"body_fr": form.body_fr, "body_en": form.body_en, "version": form.base_version}
    try:
        saved = await services.save(slug, form, user)
    except Refused as refused:
        return _edit_form(request, slug, values, errors_of(refused.problems), 422)
    except services.EditConflict as conflict:
        return _conflict(request, slug, values, conflict.current)
    if saved.changed:
        flash(
            request, gettext("Version {version} is published.").format(version=saved.page.version)
        )
    else:
        flash(request, gettext("Nothing changed: no new version."))
    return redirect(url("sitepages:admin_edit", slug=slug))


def _edit_form(
    request: Request,
    slug: str,
    values: dict[str, object],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    theirs: services.PageText | None = None,
) -> Response:
    context = {"page": BY_SLUG[slug], "values": values, "errors": errors or {}, "theirs": theirs}
    return render(request, "sitepages/admin_edit.html", context, status_code=status_code)


def _conflict(
    request: Request, slug: str, values: dict[str, object], current: services.PageText
) -> Response:
    """409: someone published a version meanwhile. The editor keeps their text, sees theirs,
    and may save again (from the new version) once they have merged what they want."""
    problem = Problem(
        N_(
            "{author} published version {version} while you were editing: nothing was saved. "
            "Their text is below yours; merge what you want to keep, then save again."
        ),
        {"author": current.author, "version": current.version},
    )
    values = {**values, "version": current.version}
    return _edit_form(request, slug, values, errors_of([problem]), 409, theirs=current)


async def admin_history(request: Request) -> Response:
    require(request, can_administer)
    slug = _slug(request)
    versions = await services.history(slug)
    return render(
        request, "sitepages/admin_history.html", {"page": BY_SLUG[slug], "versions": versions}
    )


async def admin_version(request: Request) -> Response:
    require(request, can_administer)
    return await _version_page(request, _slug(request), request.path_params["version"])


async def _version_page(
    request: Request, slug: str, number: int, errors: dict[str, str] | None = None
) -> Response:
    text = await services.version(slug, number)
    context = {
        "page": BY_SLUG[slug],
        "text": text,
        "current": await services.current(slug),
        "body_fr": render_page(text.body_fr, text.sanitized_with),
        "body_en": render_page(text.body_en, text.sanitized_with),
        "errors": errors or {},
    }
    status_code = 422 if errors else 200
    return render(request, "sitepages/admin_version.html", context, status_code=status_code)


async def admin_restore(request: Request) -> Response:
    user = require(request, can_administer)
    slug = _slug(request)
    number = request.path_params["version"]
    data = await form_data(request)
    try:
        saved = await services.restore(slug, number, data.get("version", ""), user)
    except Refused as refused:  # a form without the version it was opened at
        return await _version_page(request, slug, number, errors_of(refused.problems))
    except services.EditConflict as conflict:
        flash(
            request,
            gettext(
                "{author} published version {version} meanwhile: nothing was restored. "
                "Check that version first."
            ).format(author=conflict.current.author, version=conflict.current.version),
            "error",
        )
        return redirect(url("sitepages:admin_history", slug=slug))
    flash(
        request,
        gettext("Version {old} is published again as version {version}.").format(
            old=number, version=saved.page.version
        )
        if saved.changed
        else gettext("Nothing changed: no new version."),
    )
    return redirect(url("sitepages:admin_history", slug=slug))


async def accept_terms(request: Request) -> Response:
    """Asked at sign-in when the conditions of use changed since the person accepted them."""
    user = require(request, is_signed_in)
    current = await services.current_terms_version()
    if request.method == "GET":
        next_url = safe_next(request.query_params.get("next"), url("pages:home"))
        return _accept_form(request, user, current, next_url)
    data = await form_data(request)
    next_url = safe_next(data.get("next"), url("pages:home"))
    if data.get("accept_terms") != "yes":
        problem = Problem(N_("Tick the box to accept the conditions of use."), field="accept_terms")
        return _accept_form(request, user, current, next_url, errors_of([problem]))
    if data.get("version") != str(current):
        problem = Problem(
            N_("The conditions of use changed meanwhile: read the new version, then accept it."),
            field="accept_terms",
        )
        return _accept_form(request, user, current, next_url, errors_of([problem]))
    await services.accept_terms(user, current)
    flash(request, gettext("Thank you: you accepted the conditions of use."))
    return redirect(next_url)


def _accept_form(
    request: Request,
    user: object,
    current: int,
    next_url: str,
    errors: dict[str, str] | None = None,
) -> Response:
    context = {
        "version": current,
        "next": next_url,
        "errors": errors or {},
        "needed": must_accept_terms(getattr(user, "terms_version", None), current),
    }
    return render(request, "sitepages/accept.html", context, status_code=422 if errors else 200)


def accept_url(next_url: str) -> str:
    """Where sign-in sends a person who must accept the conditions of use again."""
    return url("sitepages:accept", query=urlencode({"next": next_url}))


async def terms_to_accept(user: object) -> bool:
    return must_accept_terms(
        getattr(user, "terms_version", None), await services.current_terms_version()
    )


routes = [
    *(Route(f"/{page.slug}", _public(page.slug), name=page.route) for page in PAGES),
    writes_no_page(
        Route("/account/conditions", accept_terms, methods=["GET", "POST"], name="sitepages:accept")
    ),
    Route("/admin/pages", admin_index, name="sitepages:admin_index"),
    Route("/admin/pages/{slug}", admin_edit, methods=["GET", "POST"], name="sitepages:admin_edit"),
    Route("/admin/pages/{slug}/history", admin_history, name="sitepages:admin_history"),
    Route(
        "/admin/pages/{slug}/history/{version:id}",
        admin_version,
        name="sitepages:admin_version",
    ),
    Route(
        "/admin/pages/{slug}/history/{version:id}/restore",
        admin_restore,
        methods=["POST"],
        name="sitepages:admin_restore",
    ),
]
