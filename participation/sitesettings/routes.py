"""/admin/settings (administrators), and what every page links: the logo and the colour's
stylesheet. Thin: permission -> service -> response."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import ratelimit
from participation.formatting import format_number
from participation.i18n import N_, gettext
from participation.permissions import can_administer
from participation.pictures import web as pictures_web
from participation.refusals import NotFound, Problem, Refused
from participation.settings import PREMODERATABLE
from participation.sitesettings import live, services
from participation.sitesettings import logo as logos
from participation.sitesettings.domain import DEFAULT_COLOUR, SettingsForm, SiteValues, dark_variant
from participation.templating import flash, render
from participation.urls import url
from participation.web import errors_of, redirect, require

# the labels of the content kinds (msgids); the rate-limited actions carry their own
CONTENT_KINDS = {
    "proposal": N_("Proposals"),
    "comment": N_("Comments"),
    "budget_project": N_("Budget project ideas"),
    "consultation_answer": N_("Free-text consultation answers"),
}
assert set(CONTENT_KINDS) == set(PREMODERATABLE)
YEAR = 365 * 24 * 3600


def _values_of(current: services.Current) -> dict[str, object]:
    v: SiteValues = current.values
    return {
        "site_name": v.site_name,
        "contact_email": v.contact_email,
        "default_language": v.default_language,
        "primary_colour": v.primary_colour,
        "proposal_support_threshold": str(v.proposal_support_threshold),
        "moderation_report_threshold": str(v.moderation_report_threshold),
        "premoderated_content": sorted(v.premoderated_content),
        "rate_limited_actions": sorted(v.rate_limited_actions),
        "map_tile_url": v.map_tile_url,
        "map_tile_attribution": v.map_tile_attribution,
        "version": str(current.version),
    }


def _values_of_form(form: SettingsForm) -> dict[str, object]:
    return {
        "site_name": form.site_name,
        "contact_email": form.contact_email,
        "default_language": form.default_language,
        "primary_colour": form.primary_colour,
        "proposal_support_threshold": form.proposal_support_threshold,
        "moderation_report_threshold": form.moderation_report_threshold,
        "premoderated_content": list(form.premoderated_content),
        "rate_limited_actions": list(form.rate_limited_actions),
        "map_tile_url": form.map_tile_url,
        "map_tile_attribution": form.map_tile_attribution,
        "version": form.base_version,
    }


async def edit(request: Request) -> Response:
    user = require(request, can_administer)
    settings = request.app.state.settings  # the environment's: the defaults of version 0
    if request.method == "GET":
        current = await services.current(settings, ratelimit.actions())
        return _page(request, _values_of(current), current)
    async with request.form(max_files=1, max_fields=100) as data:
        fields = {k: v for k, v in data.items() if isinstance(v, str)}
        lists = {
            name: [v for v in data.getlist(name) if isinstance(v, str)]
            for name in ("premoderated_content", "rate_limited_actions")
        }
        logo = await pictures_web.read(data, logos.FIELD)
    form = SettingsForm.from_fields(fields, lists)
    try:
        saved = await services.save(
            settings,
            ratelimit.actions(),
            form,
            user,
            logo,
            remove_logo=fields.get("remove_logo") == "on",
        )
    except Refused as refused:
        current = await services.current(settings, ratelimit.actions())
        errors = errors_of(refused.problems, _present)
        return _page(request, _values_of_form(form), current, errors, 422)
    except services.EditConflict as conflict:
        problem = Problem(
            N_(
                "{author} saved the settings meanwhile (version {version}): nothing of yours "
                "was saved. Their values are below; your changes are in the form: check them, "
                "then save again."
            ),
            {"author": conflict.current.updated_by, "version": conflict.current.version},
        )
        values = {**_values_of_form(form), "version": str(conflict.current.version)}
        return _page(request, values, conflict.current, errors_of([problem]), 409, theirs=True)
    if saved.changed:
        await live.announce(request.app.state.redis, saved.current.version)
        flash(request, gettext("The settings are saved: they apply at once."))
    else:
        flash(request, gettext("Nothing changed."))
    return redirect(url("sitesettings:edit"))


def _present(_name: str, value: object) -> object:
    return format_number(value, 1) if isinstance(value, float) else value


def _page(
    request: Request,
    values: dict[str, object],
    current: services.Current,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    theirs: bool = False,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "current": current,
        "theirs": current.values if theirs else None,
        "content_kinds": CONTENT_KINDS,
        # the rate-limited actions' labels: the core's, then each feature's (its manifest)
        "actions": {name: action.label for name, action in ratelimit.actions().items()},
    }
    return render(request, "sitesettings/edit.html", context, status_code=status_code)


async def logo(request: Request) -> Response:
    """A logo by its digest: an address that never changes content, kept a year by browsers."""
    digest = request.path_params["digest"]
    png = await services.logo_png(digest) if digest.isalnum() and len(digest) <= 64 else None
    if png is None:
        raise NotFound(digest)
    return Response(
        png, media_type="image/png", headers={"Cache-Control": f"public, max-age={YEAR}, immutable"}
    )


async def theme(request: Request) -> Response:
    """The primary colour as a stylesheet (the Content-Security-Policy allows no inline style);
    base.html links it with the settings' version, so a new colour is a new address. It sets
    the town's colour and its dark-mode variant, which app.css's tokens read (docs/design.md)."""
    site: services.Current | None = request.scope.get(live.SCOPE_KEY)
    colour = site.values.primary_colour if site is not None else DEFAULT_COLOUR
    return Response(
        f":root {{ --town-primary: {colour}; --town-primary-dark: {dark_variant(colour)}; }}\n",
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600"},
    )


routes = [
    Route("/admin/settings", edit, methods=["GET", "POST"], name="sitesettings:edit"),
    Route("/site/logo/{digest}.png", logo, name="sitesettings:logo"),
    Route("/site/theme.css", theme, name="sitesettings:theme"),
]
