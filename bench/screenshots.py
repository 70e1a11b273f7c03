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
200 (a public page is shown as a visitor sees it, a staff page as the staff sees it). A built
address is tried with every value the demo's links give its ids (`candidates`: a ballot open
to the resident, a proposal its author may still edit...) until one answers 200 to somebody;
some pages need a step before them (`BEFORE`): the receipt is shot after the resident cast a
ballot, the desk's choices after a resident of the census is checked in, a report's tracking
page at the link its sending gave; a page shown once (the desk's receipt, « signalement
reçu ») is shot where its step left the browser (`ONCE`). A page that answers nobody
200 is not shot: the review lists it under « Not shown », with what it answered (a link of an
e-mail with its token, a step before it the review does not take): an error page is not a
page to review.

`--only a,b` shoots the routes whose name contains one of the words and updates their entries
in docs/screenshots.md (read back from it), leaving the others as they were.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import io
import itertools
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from _common import ROOT, demo_town
from PIL import Image
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import ViewportSize, async_playwright
from starlette.routing import Match

from budgets.demo import POSTCODE, census_person
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


@dataclass
class Refused:
    """A page no demo account gets a 200 from: not shot, listed with what it answered."""

    route: str
    url: str
    status: int


# every address of a route the walk saw linked (not only the first), for `candidates`
SEEN_PER_ROUTE = 30
CANDIDATES = 40  # addresses tried at most for one built route


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


def candidates(endpoint: Endpoint, routes: list[Endpoint], seen: dict[str, list[str]]) -> list[str]:
    """Addresses to try for a route no link of the demo reaches: its path filled with each
    combination of the values the linked addresses give its parameters (those of the routes
    whose path shares the longest beginning with it first), at most CANDIDATES; `built`'s
    address first."""
    by_name = {str(e.route.name): e for e in routes}
    ranked = sorted(
        (name for name in seen if name in by_name),
        key=lambda name: -len(os.path.commonprefix([by_name[name].path, endpoint.path])),
    )
    values: dict[str, list[Any]] = {}
    for name in ranked:
        for address in seen[name]:
            scope = {"type": "http", "path": address, "method": "GET", "root_path": ""}
            _, child = by_name[name].route.matches(scope)
            for key, value in child.get("path_params", {}).items():
                if value not in values.setdefault(key, []) and len(values[key]) < 10:
                    values[key].append(value)
    keys = list(getattr(endpoint.route, "param_convertors", {}))
    choices = [values.get(key) or ["lien-de-demonstration"] for key in keys]
    found: list[str] = []
    for combination in itertools.product(*choices):
        try:
            address = url_for_route(endpoint, dict(zip(keys, combination, strict=True)))
        except (AssertionError, KeyError):
            continue
        if address not in found:
            found.append(address)
        if len(found) >= CANDIDATES:
            break
    return found


async def cast_a_ballot(base: str, url: str, context: Any) -> str | None:
    """Before the receipt: the resident casts a ballot (the first project chosen) on the budget
    of `url` (/budgets/<id>/ballot/receipt), so that the receipt is hers to see."""
    page = await context.new_page()
    await page.goto(base + url.removesuffix("/receipt"))
    choice = page.locator('input[name="project"]').first
    if await choice.count():
        await choice.check()
        await page.locator('button[name="action"][value="cast"]').click()
        await page.wait_for_load_state()
    await page.close()
    return None


# census rows the demo keeps for visitors (budgets/demo.py: the first 20 cast no ballot; the
# first is the demo resident's): one checked in at the desk for its choices, one for a receipt
DESK_CHOICES, DESK_RECEIPT = 18, 19


async def check_in_at_desk(base: str, url: str, context: Any, number: int) -> Any:
    """The desk's first screen (/admin/budgets/<id>/paper-ballot): census row `number` of the
    demo checked in; the page is left on the choices (the identity is held in the session)."""
    identifier, born = census_person(number)
    page = await context.new_page()
    await page.goto(base + url.rsplit("/", 1)[0])
    await page.get_by_label("Identifiant", exact=False).fill(identifier)
    await page.get_by_label("Date de naissance", exact=False).fill(born)
    await page.get_by_label("Code postal", exact=False).fill(POSTCODE)
    await page.get_by_role("button", name="Vérifier et passer au bulletin").click()
    await page.wait_for_load_state()
    return page


async def desk_choices(base: str, url: str, context: Any) -> str | None:
    """Before the desk's choices: a resident checked in (the page answers only then)."""
    await (await check_in_at_desk(base, url, context, DESK_CHOICES)).close()
    return None


async def desk_receipt(base: str, url: str, context: Any) -> Any:
    """The desk's receipt, shown once: a resident checked in, the first project open to them
    chosen, the paper ballot recorded; the page the browser is left on."""
    page = await check_in_at_desk(base, url, context, DESK_RECEIPT)
    await page.locator('input[name="project"]:not([disabled])').first.check()
    await page.get_by_role("button", name="Enregistrer le bulletin papier", exact=True).click()
    await page.wait_for_load_state()
    return page


async def file_a_report(base: str, context: Any) -> Any:
    """A visitor reports a problem in the middle of the demo town (step 1 by its address, as
    its form sends it; step 2 described and sent): the page the browser is left on, « Votre
    signalement est reçu » with the tracking link, shown once."""
    south, west, north, east = Settings.from_env({}).signalements_town_box
    page = await context.new_page()
    await page.goto(f"{base}/signalements/new")
    options = page.get_by_label("Catégorie").locator("option:not([value=''])")
    roads = options.filter(has_text="Voirie")  # the demo's: a pavement is the road's service
    chosen = roads.first if await roads.count() else options.first
    place = {
        "category": await chosen.get_attribute("value") or "",
        "address": "14 rue de la Loire, devant la boulangerie",
        "latitude": f"{(south + north) / 2:.5f}",
        "longitude": f"{(west + east) / 2:.5f}",
    }
    await page.goto(f"{base}/signalements/new?{urlencode(place)}")
    await page.get_by_label("Description").fill("Trottoir défoncé sur deux mètres, on y trébuche.")
    await page.get_by_role("button", name="Envoyer le signalement").click()
    await page.wait_for_load_state()
    return page


async def report_sent(base: str, url: str, context: Any) -> Any:
    return await file_a_report(base, context)


async def tracking_link(base: str, url: str, context: Any) -> str | None:
    """Before the tracking page: a report filed, its link (given once) read from the page."""
    page = await file_a_report(base, context)
    link = page.locator(".tracking-link")
    address = urlsplit(await link.inner_text()) if await link.count() else None
    await page.close()
    return f"{address.path}?{address.query}" if address else None


def shown(address: str) -> str:
    """An address as the review document writes it: a token's value left out (a tracking link
    is a capability, and it changes at every run)."""
    return re.sub(r"(token=)[^&]+", r"\1…", address)


# what a page needs done before it, by route name: (role, step); the step may return the
# address to shoot instead of the route's (a tracking link, with its token)
BEFORE = {
    "budgets:receipt": ("citizen", cast_a_ballot),
    "budgets:admin_paper_choices": ("admin", desk_choices),
    "signalements:track": ("visitor", tracking_link),
}
# the pages shown once (their content leaves the session when they are read): (role, step), the
# step leaves a browser page on it, shot at both widths as it is (never loaded again)
ONCE = {
    "budgets:admin_paper_receipt": ("admin", desk_receipt),
    "signalements:sent": ("visitor", report_sent),
}


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


async def walk(
    routes: list[Endpoint], base: str, contexts: dict[str, Any]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """route name -> the first address of the demo site that reaches it, following the links
    of the pages (each route's page read once per account); and route name -> every address
    of it the pages read link to (at most SEEN_PER_ROUTE)."""
    found: dict[str, str] = {}
    seen: dict[str, list[str]] = {}
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
                addresses = seen.setdefault(route, []) if route is not None else []
                if address.path not in addresses and len(addresses) < SEEN_PER_ROUTE:
                    addresses.append(address.path)
                if route is not None and route not in found:
                    found[route] = address.path
                    queue.append(address.path)
    return found, seen


async def load_lazy_images(page: Any) -> None:
    """A full-page screenshot scrolls nothing: the images below the first screen (lazy, as a
    phone's cards) would show as empty boxes. They are asked for now, and awaited (5 s at
    most)."""
    await page.evaluate(
        """() => Promise.race([
            Promise.all([...document.images].map(image => {
                image.loading = "eager";
                return image.complete ? null : new Promise(done => {
                    image.addEventListener("load", done, {once: true});
                    image.addEventListener("error", done, {once: true});
                });
            })),
            new Promise(done => setTimeout(done, 5000)),  // a map's tile that never answers
        ])"""
    )


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


def markdown(
    shots: list[Shot], missing: list[str], refused: list[Refused], out: Path, size: int
) -> str:
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
    lines += [f"- [{s.route}](#{slug(s.route)}) `{shown(s.url)}`" for s in shots]
    lines.append("")
    for shot in shots:
        status = "" if shot.status == 200 else f", answers {shot.status}"
        if not shot.linked:
            status += " (no link of the demo leads there: address built from its neighbours' ids)"
        lines += [
            f'<h2 id="{slug(shot.route)}">{shot.route}</h2>',
            "",
            f"`{shown(shot.url)}` — seen by: {ROLE_NAMES[shot.role]}{status}",
            "",
            f'<img src="{folder}/{shot.files["desktop"]}" width="600" alt="{shot.route}, '
            f'1280 px"> <img src="{folder}/{shot.files["phone"]}" width="183" '
            f'alt="{shot.route}, 390 px">',
            "",
        ]
    if refused:
        lines += [
            "## Not shown",
            "",
            "These pages answer none of the demo accounts with the page itself: each needs a link",
            "of an e-mail with its token, a sign-in provider the demo has not, or a step before",
            "it that the review does not take (the browser tests reach them:",
            "tests/browser/pages.py). An error page is not shown as if it were the page:",
            "",
            *[f"- {r.route} `{r.url}`: answers {r.status}" for r in refused],
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
    routes: list[Endpoint],
    base: str,
    out: Path,
    only: list[str],
    missing: list[str],
    refused: list[Refused],
) -> list[Shot]:
    """The screenshots of every page of `routes` (those whose name contains a word of `only`,
    when given); those it cannot reach go into `missing`, those that answer nobody 200 into
    `refused`."""
    shots: list[Shot] = []
    async with async_playwright() as playwright:
        # the browser's own words (a file field's button, a date's placeholder and order) are
        # Chromium's, in the language of its environment: neither the context's locale nor
        # --lang changes them in headless mode. French with LANGUAGE=fr when Debian's
        # chromium-l10n is installed (`make browser`), English without it.
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "LANGUAGE": "fr"}
        )
        contexts = {"visitor": await browser.new_context(locale="fr-FR")}
        for email, _name, role, password in DEMO_ACCOUNTS:
            # the evaluator is a resident with a role in a space: a context of their own
            key = "evaluator" if email == EVALUATOR else role.value
            contexts[key] = await browser.new_context(locale="fr-FR")
            await sign_in(contexts[key], base, email, password)
        found, seen = await walk(routes, base, contexts)
        pages = {role: await context.new_page() for role, context in contexts.items()}
        for endpoint in routes:
            name = str(endpoint.route.name)
            if only and not any(word in name for word in only):
                continue
            url, linked = found.get(name), True
            tries = [url] if url is not None else []
            if url is None:
                linked, first = False, built(endpoint, routes, found)
                tries = [first] if first is not None else []
                tries += [c for c in candidates(endpoint, routes, seen) if c not in tries]
            if not tries:
                missing.append(name)
                continue
            viewer, status, shown, once = "admin", 0, tries[0], None
            for shown in tries:
                if name in ONCE:  # the step leaves a page on it: not asked again
                    viewer, step = ONCE[name]
                    try:
                        once = await step(base, shown, contexts[viewer])
                    except PlaywrightError as error:  # a button or field the step did not find
                        print(f"{name}: {error}", flush=True)
                        once = None
                    status = 200 if once and urlsplit(once.url).path == shown else 0
                else:
                    if name in BEFORE:
                        who, before = BEFORE[name]
                        shown = await before(base, shown, contexts[who]) or shown
                    viewer, status = await who_sees(base, shown, contexts)
                if status == 200:
                    break
            if status != 200:
                refused.append(Refused(name, tries[0], status))
                print(f"{name:45} {tries[0]:55} not shown: {status}", flush=True)
                continue
            page, files = once or pages[viewer], {}
            for kind, size in (("desktop", DESKTOP), ("phone", PHONE)):
                await page.set_viewport_size(size)
                if once is None:
                    await page.goto(base + shown)
                await load_lazy_images(page)
                png = await page.screenshot(full_page=True, animations="disabled")
                files[kind] = f"{slug(name)}-{kind}.webp"
                save(png, out / files[kind], kind)
            if once is not None:
                await once.close()
            shots.append(Shot(name, shown, viewer, status, files, linked))
            print(f"{name:45} {shown:55} {viewer} {status}", flush=True)
        await browser.close()
    return shots


SHOT_LINE = re.compile(r"^`([^`]+)` — seen by: ([^,( ]+)(?:, answers (\d+))?( \(no link)?")
NOT_SHOWN_LINE = re.compile(r"^- (\S+) `([^`]+)`: answers (\d+)")


def read_review(doc: Path) -> tuple[list[Shot], list[str], list[Refused]]:
    """The shots, unreached and refused routes docs/screenshots.md lists (what `markdown`
    wrote), for a partial run to update."""
    roles = {label: role for role, label in ROLE_NAMES.items()}
    shots: list[Shot] = []
    missing: list[str] = []
    refused: list[Refused] = []
    section, route = "", ""
    for line in doc.read_text().splitlines():
        if line.startswith("## "):
            section = line
        elif heading := re.match(r'^<h2 id="[^"]+">([^<]+)</h2>$', line):
            route = heading.group(1)
        elif (shot := SHOT_LINE.match(line)) and route:
            url, role, status, built_from = shot.groups()
            files = {kind: f"{slug(route)}-{kind}.webp" for kind in ("desktop", "phone")}
            shots.append(Shot(route, url, roles[role], int(status or 200), files, not built_from))
            route = ""
        elif section == "## Not reached" and line.startswith("- "):
            missing.append(line[2:])
        elif section == "## Not shown" and (row := NOT_SHOWN_LINE.match(line)):
            refused.append(Refused(row.group(1), row.group(2), int(row.group(3))))
    return shots, missing, refused


def merged(
    order: list[str],
    before: tuple[list[Shot], list[str], list[Refused]],
    now: tuple[list[Shot], list[str], list[Refused]],
) -> tuple[list[Shot], list[str], list[Refused]]:
    """The review after a partial run: each route as the run found it, the others as the
    review had them, in the order of the route list."""
    redone = {s.route for s in now[0]} | set(now[1]) | {r.route for r in now[2]}
    position = {name: n for n, name in enumerate(order)}
    shots = [s for s in before[0] if s.route not in redone] + now[0]
    missing = [m for m in before[1] if m not in redone] + now[1]
    refused = [r for r in before[2] if r.route not in redone] + now[2]
    known = [s for s in shots if s.route in position]
    return (
        sorted(known, key=lambda s: position[s.route]),
        sorted((m for m in missing if m in position), key=position.__getitem__),
        sorted((r for r in refused if r.route in position), key=lambda r: position[r.route]),
    )


def main(out: Path, doc: Path, only: list[str]) -> int:
    routes = page_routes()
    data_dir = Path(tempfile.mkdtemp(prefix="screenshots-"))
    missing: list[str] = []
    refused: list[Refused] = []
    if out.exists() and not only:
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with demo_town(data_dir) as base:
            shots = asyncio.run(shoot(routes, base, out, only, missing, refused))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"{len(shots)} pages, {2 * len(shots)} images")
    print(f"not reached: {', '.join(missing) or 'none'}")
    print(f"not shown: {', '.join(r.route for r in refused) or 'none'}")
    if only and doc.exists():  # a partial run updates its routes' entries, keeps the others
        order = [str(e.route.name) for e in routes]
        shots, missing, refused = merged(order, read_review(doc), (shots, missing, refused))
    for gone in refused:  # an error page is not kept as if it were one to review
        for kind in ("desktop", "phone"):
            (out / f"{slug(gone.route)}-{kind}.webp").unlink(missing_ok=True)
    size = sum(f.stat().st_size for f in out.iterdir())
    doc.write_text(markdown(shots, missing, refused, out, size))
    print(f"review: {len(shots)} pages, {size / 1e6:.1f} MB in {out}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "screenshots.md")
    parser.add_argument(
        "--only", default="", help="only the routes whose name contains one of these (a,b,...)"
    )
    args = parser.parse_args()
    if CHROMIUM is None:
        sys.exit("Chromium is not installed (`make browser`)")
    sys.exit(main(args.out, args.doc, [w for w in args.only.split(",") if w]))
