"""Screenshot review (issue #22): every page of the route list, in French, at 1280 px (desktop)
and 390 px (phone), with the demo town, so that a reviewer sees the whole product in one page.

    .venv/bin/python bench/screenshots.py            # or: make screenshots

migrates a fresh SQLite data dir, loads the demo town, serves it (bench/_common.py `demo_town`),
signs in the demo accounts (participation/demo.py), and writes docs/screenshots/*.webp and
docs/screenshots.md (generated: do not edit by hand). Not part of `make test`.

Which pages: every GET route of the app that tests/browser/pages.py does not exempt (the same
list axe audits). A route with ids in its path is reached the way a person reaches it: the
script walks the demo site's links (as a visitor, then each demo account) and takes, for each
such route, the first address that the site links to (tests/security/world.py `app_routes`
tells which route an address belongs to). A route no link of the demo reaches (a link of an
e-mail, a form only the owner is offered) gets its path filled by `url_for_route` with the ids
of the linked addresses (`built`), and the review page says so.

Who looks: the first of visitor, resident, moderator, administrator for whom the page answers
200 (a public page is shown as a visitor sees it, a staff page as the staff sees it).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import io
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from _common import ROOT, demo_town
from PIL import Image
from playwright.async_api import ViewportSize, async_playwright
from starlette.routing import Match

from participation.app import create_app
from participation.demo import DEMO_ACCOUNTS, EVALUATOR
from participation.settings import Settings
from tests.browser.pages import exempt
from tests.browser.plugin import CHROMIUM, CHROMIUM_ARGS
from tests.security.world import Endpoint, app_routes, url_for_route

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
# a long page is cut at this height (CSS px): the review needs its top, not 20 screens of it;
# the desktop image is scaled down to 800 px wide. WebP at this quality keeps the whole review
# at a few MB in git (docs/screenshots.md says how much).
MAX_HEIGHT = {"desktop": 1600, "phone": 1800}
SCALE = {"desktop": 0.625, "phone": 1.0}
WEBP_QUALITY = 35
# who may look at a page, in the order tried: the visitor, then the demo accounts (resident,
# moderator, administrator, the evaluator of the budget space: participation/demo.py)
ROLE_NAMES = {
    "visitor": "visiteur",
    "citizen": "habitante",
    "moderator": "modération",
    "admin": "mairie",
    "evaluator": "évaluatrice",
}
HREF = re.compile(r'href="([^"#]+)')


@dataclass
class Shot:
    route: str
    url: str
    role: str
    status: int
    files: dict[str, str]
    linked: bool  # reached by a link of the demo (else its address is built: `built`)


def page_routes() -> list[Endpoint]:
    """The GET routes of the route list: every one but the exempt (downloads, feeds, images)."""
    app = create_app(Settings.from_env({"ENVIRONMENT": "test", "SECRET_KEY": "screenshots"}))
    skipped = exempt()
    return [e for e in app_routes(app) if e.method == "GET" and e.route.name not in skipped]


def route_of(routes: list[Endpoint], path: str) -> str | None:
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
    for endpoint in routes:
        if hasattr(endpoint.route, "matches") and endpoint.route.matches(scope)[0] == Match.FULL:
            return str(endpoint.route.name)
    return None


def built(endpoint: Endpoint, routes: list[Endpoint], found: dict[str, str]) -> str | None:
    """The address of a route no link of the demo reaches (an e-mail's link, an edit form the
    owner alone is offered): its path filled, through tests/security/world.py `url_for_route`,
    with the values the linked addresses give the same parameters (those of the route whose
    path shares the longest beginning with it), a made-up value for a token; None when no
    linked address gives a value to one of its ids."""
    values: dict[str, Any] = {}
    by_name = {str(e.route.name): e for e in routes}
    ranked = sorted(
        found.items(),
        key=lambda item: -len(os.path.commonprefix([by_name[item[0]].path, endpoint.path])),
    )
    for route, url in ranked:
        scope = {"type": "http", "path": url, "method": "GET", "root_path": ""}
        _, child = by_name[route].route.matches(scope)
        for key, value in child.get("path_params", {}).items():
            values.setdefault(key, value)
    for key in getattr(endpoint.route, "param_convertors", {}):
        values.setdefault(key, "lien-de-demonstration")
    try:
        return url_for_route(endpoint, values)
    except AssertionError:  # an id no linked address gives: the made-up value is no number
        return None


async def sign_in(context: Any, base: str, email: str, password: str) -> None:
    page = await context.new_page()
    await page.goto(f"{base}/account/login")
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_label("Mot de passe").fill(password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_load_state()
    if "/account/conditions" in page.url:  # the demo publishes a version of the conditions
        await page.get_by_label("J’accepte les conditions d’utilisation").check()
        await page.get_by_role("button", name="Continuer").click()
        await page.wait_for_load_state()
    if "/account/login" in page.url:
        raise RuntimeError(f"{email} could not sign in")
    await page.close()


async def walk(routes: list[Endpoint], base: str, contexts: dict[str, Any]) -> dict[str, str]:
    """route name -> the first address of the demo site that reaches it, following the links
    of the pages (each route's page read once per account)."""
    found: dict[str, str] = {}
    for endpoint in routes:
        if not getattr(endpoint.route, "param_convertors", None):
            found[str(endpoint.route.name)] = endpoint.path
    for context in contexts.values():
        queue = list(found.values())
        read: set[str] = set()
        while queue:
            url = queue.pop(0)
            if url in read:
                continue
            read.add(url)
            response = await context.request.get(base + url, max_redirects=0)
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            for href in HREF.findall(await response.text()):
                address = urlsplit(urljoin(base + url, html.unescape(href)))
                if address.netloc != urlsplit(base).netloc:
                    continue
                route = route_of(routes, address.path)
                if route is not None and route not in found:
                    found[route] = address.path
                    queue.append(address.path)
    return found


async def who_sees(base: str, url: str, contexts: dict[str, Any]) -> tuple[str, int]:
    """The first role for whom the page answers 200 (else the administrator, with the status)."""
    status = 0
    for role, context in contexts.items():
        response = await context.request.get(base + url, max_redirects=0)
        status = response.status
        if status == 200:
            return role, status
    return "admin", status


def save(png: bytes, path: Path, kind: str) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.height > MAX_HEIGHT[kind]:
        image = image.crop((0, 0, image.width, MAX_HEIGHT[kind]))
    if SCALE[kind] != 1:
        size = (round(image.width * SCALE[kind]), round(image.height * SCALE[kind]))
        image = image.resize(size, Image.Resampling.LANCZOS)
    image.save(path, "WEBP", quality=WEBP_QUALITY, method=6)


def slug(route: str) -> str:
    return route.replace(":", "-").replace("_", "-")


def markdown(shots: list[Shot], missing: list[str], out: Path, size: int) -> str:
    folder = out.name
    lines = [
        "# Screenshot review",
        "",
        "Generated by `make screenshots` (`bench/screenshots.py`): every page of the route list",
        "(the GET routes that `tests/browser/pages.py` does not exempt) in French, with the demo",
        "town, at 1280 px and at 390 px, the top of each page (long pages are cut). Who looks is",
        "said for each page: the first of visitor, resident (habitante), moderator, town hall",
        "(mairie) to whom the page answers. Do not edit by hand: run the script again.",
        "",
        f"{len(shots)} pages, {2 * len(shots)} images (WebP), {size / 1e6:.1f} MB in "
        f"`docs/{out.name}/`. Contents:",
        "",
    ]
    lines += [f"- [{s.route}](#{slug(s.route)}) `{s.url}`" for s in shots]
    lines.append("")
    for shot in shots:
        status = "" if shot.status == 200 else f", answers {shot.status}"
        if not shot.linked:
            status += " (no link of the demo leads there: address built from its neighbours' ids)"
        lines += [
            f'<h2 id="{slug(shot.route)}">{shot.route}</h2>',
            "",
            f"`{shot.url}` — seen by: {ROLE_NAMES[shot.role]}{status}",
            "",
            f'<img src="{folder}/{shot.files["desktop"]}" width="600" alt="{shot.route}, '
            f'1280 px"> <img src="{folder}/{shot.files["phone"]}" width="183" '
            f'alt="{shot.route}, 390 px">',
            "",
        ]
    if missing:
        lines += [
            "## Not reached",
            "",
            "No link of the demo town leads to these pages, nor to an object of their kind",
            "(the browser tests reach them: tests/browser/pages.py):",
            "",
            *[f"- {route}" for route in missing],
            "",
        ]
    return "\n".join(lines)


async def shoot(
    routes: list[Endpoint], base: str, out: Path, only: str, missing: list[str]
) -> list[Shot]:
    """The screenshots of every page of `routes`; those it cannot reach go into `missing`."""
    shots: list[Shot] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = {"visitor": await browser.new_context(locale="fr-FR")}
        for email, _name, role, password in DEMO_ACCOUNTS:
            # the evaluator is a resident with a role in a space: a context of their own
            key = "evaluator" if email == EVALUATOR else role.value
            contexts[key] = await browser.new_context(locale="fr-FR")
            await sign_in(contexts[key], base, email, password)
        found = await walk(routes, base, contexts)
        pages = {role: await context.new_page() for role, context in contexts.items()}
        for endpoint in routes:
            name = str(endpoint.route.name)
            if only and only not in name:
                continue
            url, linked = found.get(name), True
            if url is None:
                url, linked = built(endpoint, routes, found), False
            if url is None:
                missing.append(name)
                continue
            viewer, status = await who_sees(base, url, contexts)
            page, files = pages[viewer], {}
            for kind, size in (("desktop", DESKTOP), ("phone", PHONE)):
                await page.set_viewport_size(size)
                await page.goto(base + url)
                png = await page.screenshot(full_page=True, animations="disabled")
                files[kind] = f"{slug(name)}-{kind}.webp"
                save(png, out / files[kind], kind)
            shots.append(Shot(name, url, viewer, status, files, linked))
            print(f"{name:45} {url:55} {viewer} {status}", flush=True)
        await browser.close()
    return shots


def main(out: Path, doc: Path, only: str) -> int:
    routes = page_routes()
    data_dir = Path(tempfile.mkdtemp(prefix="screenshots-"))
    missing: list[str] = []
    if out.exists() and not only:
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with demo_town(data_dir) as base:
            shots = asyncio.run(shoot(routes, base, out, only, missing))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    size = sum(f.stat().st_size for f in out.iterdir())
    if not only:  # a partial run leaves the review page as it was
        doc.write_text(markdown(shots, missing, out, size))
    print(f"{len(shots)} pages, {2 * len(shots)} images, {size / 1e6:.1f} MB in {out}")
    print(f"not reached: {', '.join(missing) or 'none'}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "screenshots.md")
    parser.add_argument("--only", default="", help="only the routes whose name contains this")
    args = parser.parse_args()
    if CHROMIUM is None:
        sys.exit("Chromium is not installed (`make browser`)")
    sys.exit(main(args.out, args.doc, args.only))
