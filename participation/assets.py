"""What a page links besides itself: its stylesheets and scripts (issue #22: a resident's page
weighs less than 100 kB of HTML, CSS and JS on first load, counted uncompressed).

- Each file is served at an address that carries its content's hash, `/static/v/<hash>/<path>`
  (`asset_url`), cached for a year: a new version of a file is a new address, so a browser
  never keeps an old stylesheet and never asks again for the current one.
- A stylesheet is served without its comments and runs of blank (`minified_css`): the source
  in static/css/ keeps its explanations, a visitor does not download them (a third of
  app.css).
- The residents' stylesheet is static/css/app.css; what only staff pages use (the moderation
  queue, the projects' table, the design page's swatches...) is static/css/staff.css. A page
  links staff.css, htmx, and Leaflet with our map script, only when its content uses them
  (`page_needs`, called by templates/base.html on the page's rendered content), once in its
  head whatever the number of maps: no page can forget one, and a resident's page never
  carries them.
- What a page's head needs is worked out once per process: the files' addresses
  (`asset_url`) and the staff stylesheet's classes (`staff_classes`) are read at first use,
  not at each render (a render asked the disk for them: a `stat` per file per page). In
  development (`watch(True)`, participation/app.py) they are read again when a file changes,
  for a developer editing app.css.

Pure functions but `asset_url`, `staff_classes` and `asset` (the file's bytes, read once per
process and version of the file)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def web_files(name: str) -> Path:
    """`templates` or `static`: inside the package when installed from a wheel (setup.py copies
    them there), else the repository's own folder (an editable install, `make install`)."""
    package = Path(__file__).resolve().parent
    shipped = package / name
    return shipped if shipped.is_dir() else package.parent / name


STATIC_DIR = web_files("static")
CACHE = "public, max-age=31536000, immutable"
# an address whose hash is not the file's (a page cached before a deployment): the current file,
# which the browser asks again for next time
STALE = "no-cache"
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_BLANK = re.compile(r"\s+")
_AROUND = re.compile(r"\s*([{};])\s*")
# an htmx attribute in the page's markup (a person's text is escaped: its quotes are &#34;, so
# `="` is markup). No leading \s: a pattern that starts with a literal is searched for fast
# (a leading \s made every page's scan some 10 times slower).
_HTMX = re.compile(r'hx-[a-z-]+="')
# a map over tiles (templates/_placemap.html `tile_data`: only when the site has a tile server)
_TILES = re.compile(r'data-tiles="')
_CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
_CLASS_SELECTOR = re.compile(r"\.([a-zA-Z_][\w-]*)")


def minified_css(source: str) -> str:
    """`source` without its comments, blank runs made one space, none around { } ;. Nothing
    else changes (a space can be a descendant combinator: `.a :focus` is not `.a:focus`). The
    stylesheets keep no comment markers inside their strings (tests/participation/
    test_assets.py checks the served file parses to the same rules)."""
    text = _BLANK.sub(" ", _COMMENT.sub("", source))
    return _AROUND.sub(r"\1", text).strip() + "\n"


def css_classes(source: str) -> frozenset[str]:
    """The class names a stylesheet's selectors name (its comments aside)."""
    return frozenset(_CLASS_SELECTOR.findall(_COMMENT.sub("", source)))


@dataclass(frozen=True)
class Needs:
    """What a page's content needs besides app.css."""

    htmx: bool
    staff_css: bool
    leaflet: bool = False  # a map over tiles: Leaflet's stylesheet and script, our place-map.js

    def __or__(self, other: Needs) -> Needs:
        """What content made of both needs."""
        return Needs(
            self.htmx or other.htmx,
            self.staff_css or other.staff_css,
            self.leaflet or other.leaflet,
        )


NOTHING = Needs(htmx=False, staff_css=False)


class Known(Markup):
    """HTML whose needs are known without reading it again: a shared part filled for a request
    (participation/sharedparts.py), its needs kept with the part when it was rendered. A page
    whose content holds it (`needs`) reads the rest of its content only."""

    needs: Needs


def known(html: str, needs: Needs) -> Known:
    part = Known(html)
    part.needs = needs
    return part


def page_needs(content: str, staff_classes: frozenset[str]) -> Needs:
    """Does this rendered content use htmx (an hx- attribute), one of the classes of the
    staff stylesheet (`staff_classes`) in a class attribute, a map over tiles (data-tiles)?"""
    used = {name for found in _CLASS_ATTRIBUTE.findall(content) for name in found.split()}
    return Needs(
        htmx=bool(_HTMX.search(content)),
        staff_css=not used.isdisjoint(staff_classes),
        leaflet=bool(_TILES.search(content)),
    )


@dataclass(frozen=True)
class Asset:
    body: bytes
    digest: str  # 16 hex digits of the SHA-256 of what is served
    media_type: str


@functools.lru_cache(maxsize=32)
def _read(path: str, changed: int) -> Asset:
    file = STATIC_DIR / path
    body = file.read_bytes()
    if file.suffix == ".css":
        body = minified_css(body.decode("utf-8")).encode("utf-8")
    media_type = TYPES.get(file.suffix, "application/octet-stream")
    return Asset(body, hashlib.sha256(body).hexdigest()[:16], media_type)


def asset(path: str) -> Asset | None:
    """The file static/`path` as served (a stylesheet minified), None when there is none. Read
    again when the file changes (its modification time: a developer editing app.css)."""
    root = STATIC_DIR.resolve()
    file = (STATIC_DIR / path).resolve()
    if not file.is_relative_to(root) or not file.is_file() or file.suffix not in TYPES:
        return None
    return _read(path, file.stat().st_mtime_ns)


_WATCH = [False]


def watch(on: bool) -> None:
    """Development (participation/app.py): `asset_url` and `staff_classes` look at the files
    at each call, so that an edited stylesheet is linked at its new address at once; else they
    are read once per process (a deployment restarts it)."""
    _WATCH[0] = on
    _address.cache_clear()
    _staff_once.cache_clear()


def watching() -> bool:
    """Whether the files are looked at each call (`watch`): nothing read from them may be kept."""
    return _WATCH[0]


def _address_now(path: str) -> str:
    found = asset(path)
    return f"/static/{path}" if found is None else f"/static/v/{found.digest}/{path}"


_address = functools.cache(_address_now)  # once per process and path


def asset_url(path: str) -> str:
    """`/static/v/<hash>/<path>`: the address of static/`path` (templates: `asset_url(...)`);
    `/static/<path>` when there is no such file (htmx before `make assets`: pages work without
    it). Worked out once per process (`watch`)."""
    return _address_now(path) if _WATCH[0] else _address(path)


@functools.lru_cache(maxsize=4)
def _staff_classes(changed: tuple[int, int]) -> frozenset[str]:
    css = STATIC_DIR / "css"
    staff = css_classes((css / "staff.css").read_text("utf-8"))
    return staff - css_classes((css / "app.css").read_text("utf-8"))


def _staff_now() -> frozenset[str]:
    css = STATIC_DIR / "css"
    return _staff_classes(
        ((css / "staff.css").stat().st_mtime_ns, (css / "app.css").stat().st_mtime_ns)
    )


_staff_once = functools.cache(_staff_now)


def staff_classes() -> frozenset[str]:
    """The classes staff.css defines and app.css does not (`.row-actions .button` names
    `button`, which every page uses: not a reason to link staff.css). Read once per process
    (`watch`)."""
    return _staff_now() if _WATCH[0] else _staff_once()


def needs(content: str, parts: Iterable[Known] = ()) -> Needs:
    """`page_needs` with the staff stylesheet's classes (templates/base.html). `parts`: the
    shared parts in `content` (`templating.render` finds them in the page's context), whose
    needs are known: each is taken out of the content (a C search, not a scan of its markup),
    the rest is read, their needs added. A part inserted whole between elements, as
    `{{ shared_body }}` does, changes no match of the rest (tests/participation/
    test_shared_parts.py compares both on every shared page). A part not found as such in the
    content (a template that changed it): the whole content is read."""
    text = str(content)
    found = NOTHING
    for part in parts or ():
        at = text.find(part)
        if at < 0:
            return page_needs(str(content), staff_classes())
        text = text[:at] + text[at + len(part) :]
        found |= part.needs
    return found | page_needs(text, staff_classes())


async def served(request: Request) -> Response:
    found = asset(request.path_params["path"])
    if found is None:
        raise HTTPException(404)
    fresh = request.path_params["digest"] == found.digest
    return Response(
        found.body,
        media_type=found.media_type,
        headers={"Cache-Control": CACHE if fresh else STALE},
    )


# before the Mount of /static (participation/app.py), which serves the files as they are
routes = [Route("/static/v/{digest}/{path:path}", served, name="assets:file")]
