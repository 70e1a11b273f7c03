"""The helpers of every feature's routes, in one place: the id convertor, route declarations
(`form_route`, `action_route`), the app's settings, permissions (`require` raises), refusals
shown as form errors, forms (`form_page`: show, send, 422 or redirect), redirects, downloads."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from tortoise.models import Model

from participation import geocoding, licence, pagecache, ratelimit, tiles
from participation.i18n import gettext
from participation.numbers import MAX_ID, parse_page
from participation.refusals import NotAllowed, NotFound, Problem, Refused
from participation.templating import render
from participation.territory import MAP_MARGIN, frame, town_box
from participation.urls import url

# the URL-encoded form of a POST, parsed once by the CSRF check and kept for the route
# (`parsed_form`); multipart forms are parsed again (their files are closed)
FORM_SCOPE_KEY = "participation.form"
# sent with every response (participation.middleware), error pages included (participation.errors);
# a page's policy also allows the images of the maps' tile server (`security_headers`)
CONTENT_SECURITY_POLICY = tiles.BASE_POLICY
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]


@functools.lru_cache(maxsize=8)
def security_headers(tile_url: str) -> list[tuple[bytes, bytes]]:
    """`SECURITY_HEADERS` with the policy's `img-src` widened to the tile server's origin of
    `tile_url` (the setting as it applies to the request: docs/maps.md), and nothing else."""
    if not tile_url:
        return SECURITY_HEADERS
    policy = tiles.content_security_policy(tile_url).encode()
    return [(b"content-security-policy", policy), *SECURITY_HEADERS[1:]]


class IdConvertor(Convertor[int]):
    """`{name:id}` in a route path: a database id. Starlette's `int` matches any run of digits;
    this one stops at 10 digits, and a number above `MAX_ID` matches no row (404) instead of
    overflowing the database's integer column (500)."""

    regex = "[0-9]{1,10}"

    def convert(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0  # id 0 never exists: the page answers 404

    def to_string(self, value: int) -> str:
        return str(int(value))


# Registered under its own name: Starlette's `int` stays what it is for every other app in the
# process. Every route module imports this module before it declares its routes.
register_url_convertor("id", IdConvertor())


def form_route(
    path: str, endpoint: Callable[..., Any], name: str, *, changes_pages: bool = True
) -> Route:
    """A page with a form: GET shows it, POST sends it (`form_page`). `changes_pages=False`:
    what it writes is seen by nobody else (an account's own settings, a secret ballot, staff's
    own notes), so its POSTs leave the pages kept for visitors (`pagecache.writes_no_page`)."""
    route = Route(path, endpoint, methods=["GET", "POST"], name=name)
    return route if changes_pages else pagecache.writes_no_page(route)


def action_route(
    path: str, endpoint: Callable[..., Any], name: str, *, changes_pages: bool = True
) -> Route:
    """A button: POST only; it changes something, then redirects (or shows its form's errors).
    `changes_pages=False` as for `form_route`."""
    route = Route(path, endpoint, methods=["POST"], name=name)
    return route if changes_pages else pagecache.writes_no_page(route)


class LoginRequired(Exception):
    """Raised by `require` for an anonymous visitor; the app redirects to the login page."""


def require(request: Request, allowed: Callable[[Any], bool]) -> Any:
    """The current user, who may do this (`allowed`, a pure predicate of
    participation/permissions.py); otherwise it raises: `LoginRequired` for an anonymous
    visitor (redirect to log in), `refusals.NotAllowed` for the others (403). It never returns
    a value to test: `user = require(request, can_moderate)` is the whole check."""
    user = request.scope["user"]
    if not user.is_authenticated:
        raise LoginRequired()
    if not allowed(user):
        raise NotAllowed()
    return user


M = TypeVar("M", bound=Model)


async def object_or_404(request: Request, model: type[M], param: str = "id") -> M:
    """The row of `model` whose id is the path parameter `param`; otherwise `NotFound` (404)."""
    found = await model.get_or_none(id=request.path_params[param])
    if found is None:
        raise NotFound()
    return found


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return url("accounts:login", query="next=" + quote(target))


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def query_choice(
    query: Mapping[str, str], name: str, choices: Iterable[str], default: str = ""
) -> str:
    """A list's filter or sort read from its query string: the value if it is one of `choices`,
    else `default` (an unknown value never reaches a query or a link)."""
    value = query.get(name, default)
    return value if value in tuple(choices) else default


def query_page(query: Mapping[str, str], last: int) -> int:
    """A list's page read from its query string: 1 to `last`, 1 for anything else."""
    return parse_page(query.get("page", "1"), last)


def query_string(values: Mapping[str, Any], **defaults: Any) -> str:
    """A list's filters as a query string: empty values and defaults (page 1) left out."""
    defaults = {"page": 1, **defaults}
    return urlencode({k: v for k, v in values.items() if v and v != defaults.get(k)})


def redirect(url: str) -> RedirectResponse:
    """Redirect after a successful POST (303: the browser follows with GET)."""
    return RedirectResponse(url, status_code=303)


def settings_of(request: Request) -> Any:
    """The app's `Settings` (read once at start-up, participation/settings.py) with the values
    staff saved in the browser as this request found them (participation/sitesettings/live.py)."""
    return request.scope.get("settings") or request.app.state.settings


def _as_typed(_name: str, value: object) -> object:
    return value


def errors_of(
    problems: Iterable[Problem],
    present: Callable[[str, object], object] = _as_typed,
) -> dict[str, str]:
    """Field -> message in the visitor's language (the first problem of each field), for the
    `errors` of a form shown again (422); `present` formats each value (amounts as money...)."""
    errors: dict[str, str] = {}
    for problem in problems:
        values = {name: present(name, value) for name, value in problem.values.items()}
        errors.setdefault(problem.field, gettext(problem.message).format(**values))
    return errors


F = TypeVar("F")


def accepted(parsed: tuple[F, Sequence[Problem]]) -> F:
    """The form a `parse_*_form(data)` made, or `Refused` with the problems it found."""
    form, problems = parsed
    if problems:
        raise Refused(problems)
    return form


T = TypeVar("T")


def place_picker(request: Request) -> dict[str, Any]:
    """The context of a form's place fields (templates/_placemap.html `place_fields`): the
    outline of the town to click (static/js/map-pick.js), an aid; the fields stay the way."""
    return {"pick_frame": frame(town_box(settings_of(request))), "map_margin": MAP_MARGIN}


@dataclass(frozen=True)
class Place:
    """A form whose address is looked up (issue #20, participation/geocoding.py): the name of
    its address field, and `check(fields)`, the form's own checks without writing anything
    (they raise `Refused` with every wrong field), run when the lookup has something to say on
    the address so that every error shows at once."""

    check: Callable[[dict[str, str]], Awaitable[object]]
    field: str = "address"


async def saved_with_place(
    request: Request,
    data: dict[str, str],
    save: Callable[[dict[str, str]], Awaitable[T]],
    place: Place,
) -> T:
    """`save(data)` once the address in `data` is turned into its point (`geocoding.locate`
    fills the point fields of `data`); when the lookup refuses the address (not found, outside
    the town, several places, service down), nothing is saved: `place.check` runs instead and
    `Refused` carries its problems and the address's together. The one way a form's route
    looks up an address (`form_page`'s `place` calls it)."""
    settings = settings_of(request)

    async def asking() -> None:  # each request to the address service is rate-limited
        try:
            await ratelimit.check(request, "address_lookup")
        except ratelimit.RateLimited:  # the form comes back as typed, the address said why
            raise geocoding.NotAsked() from None

    found = await geocoding.locate(settings, data, town_box(settings), place.field, asking)
    if not found:
        return await save(data)
    try:
        await place.check(data)
    except Refused as refused:  # the form's own message on the address comes first
        raise Refused([*refused.problems, *found]) from None
    raise Refused(found)


async def form_page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    save: Callable[[dict[str, str]], Awaitable[str]],
    present: Callable[[str, object], object] = _as_typed,
    place: Place | None = None,
) -> Response:
    """A page with one form, one route for both methods (CONVENTIONS.md, 7). GET: `template`
    with `context` (its "values" fill the form). POST: `save(fields typed)` runs the service,
    flashes what happened and returns where to go (303); when the service refuses, the page
    again with what was typed and each field's error (`errors_of(problems, present)`), 422.
    `place`: the form's address is looked up first (`saved_with_place`), its refusal shown
    with the form's own."""
    if request.method == "GET":
        return render(request, template, {"values": {}, "errors": {}, **context})
    data = await form_data(request)
    try:
        if place is None:
            target = await save(data)
        else:
            target = await saved_with_place(request, data, save, place)
    except Refused as refused:
        again = {**context, "values": data, "errors": errors_of(refused.problems, present)}
        return render(request, template, again, status_code=422)
    return redirect(target)


async def parsed_form(request: Request) -> FormData:
    """The submitted URL-encoded form as the CSRF check already parsed it (no second parse);
    other bodies (multipart) are parsed here. Only for forms without files: a multipart form's
    uploads are closed on return."""
    cached = request.scope.get(FORM_SCOPE_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    async with request.form() as form:
        return form


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as plain strings (files and repeated fields are not used here)."""
    form = await parsed_form(request)
    return {key: value for key, value in form.items() if isinstance(value, str)}


def attachment(
    content: str, media_type: str, filename: str, *, open_data: bool = False
) -> Response:
    """A file to download (an export): `content` served as `filename`; `open_data`: a public
    export, which states its licence (`Link: <Licence Ouverte 2.0>; rel="license"`)."""
    return Response(
        content, media_type=media_type, headers=_attachment_headers(filename, open_data)
    )


def streamed_attachment(
    chunks: AsyncIterable[str], media_type: str, filename: str, *, open_data: bool = False
) -> StreamingResponse:
    """`attachment`, its content sent as `chunks` come (no Content-Length): a large export
    is never held whole in memory."""
    return StreamingResponse(
        chunks, media_type=media_type, headers=_attachment_headers(filename, open_data)
    )


def _attachment_headers(filename: str, open_data: bool) -> dict[str, str]:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return {**headers, **(licence.HEADER if open_data else {})}
