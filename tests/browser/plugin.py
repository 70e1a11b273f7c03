"""Browser journeys: a real `participation serve` driven by Playwright in Debian's Chromium
headless shell, or Chromium (`make browser` installs both with apt-get when missing; no browser
download).

A pytest plugin, registered for the whole suite by tests/conftest.py (`pytest_plugins`), so that
any folder of tests can hold browser tests: the core's in tests/browser, a feature's in
tests/<name>/ (its package, templates and tests stay in its own folders).

- A browser test is one marked `browser` or using one of the fixtures below (`BROWSER_FIXTURES`):
  it gets the `browser` mark (`-m "not browser"` leaves them all out: the PostgreSQL pass of
  `make test` does) and runs on the session's event loop (see `pytest_collection_modifyitems`).
- One Chromium for the whole session (`browser`), on the session's event loop. Playwright's
  async API, not the sync one, which would hold a loop in this thread and break later
  pytest-asyncio tests.
- A server per test (`live_server`, seeded before it starts) or per module (`module_server`,
  started once; a module sets `SERVER_ENV` for settings such as PREMODERATED_CONTENT): each a
  `participation serve` forked from one process that imported it once (tests/browser/zygote.py).
- The database is a fresh SQLite file, or on PostgreSQL (DATABASE_URL) a fresh schema
  `browser_live` of that database, so the server never touches the tables of the other tests.
- A test that takes the `javascript` fixture runs twice, JavaScript on and off.
- `axe` audits pages with axe-core from node_modules (WCAG 2.0/2.1 A and AA, and 2.2's touch
  target size), and lays each
  page out again at 390 and 320 px wide to check it does not scroll sideways (`sideways`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from redis import Redis

from participation.db import close_database, init_database, run_migrations
from participation.settings import Settings
from tests import claims
from tests.browser.zygote import ForkedServer, Zygote
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ZYGOTE = Zygote(ROOT)  # the live servers' parent, started with the first (zygote.py)
# Debian's chromium-headless-shell first (`make browser` installs it): the same Blink and V8 as
# Chromium, without the full browser that Chromium's own headless mode runs behind every page;
# the browser tests' Chromium CPU halves (docs/performance.md, "The test suite's length, eighth
# round"). Full Chromium where the shell is absent. The screenshots (bench/screenshots.py) keep
# full Chromium, whose language packs give a file field's words in French.
CHROMIUM = (
    shutil.which("chromium-headless-shell")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's "best practice" rules that check what WCAG 1.3.1 and 2.4.1/2.4.6 ask (RGAA 9.1, 12.6)
# but that axe does not tag wcag*: heading levels, landmarks, one <main>, one <h1>
AXE_RULES = [
    "heading-order",
    "empty-heading",
    "page-has-heading-one",
    "landmark-one-main",
    "landmark-no-duplicate-main",
    "landmark-unique",
    "region",
    "empty-table-header",
    # WCAG 2.2 2.5.8 (AA): a touch target is 24 x 24 CSS px, or has room around it (links inside
    # a sentence are exempt; axe leaves them out); axe tags it wcag22aa, not one of AXE_TAGS
    "target-size",
]
LIVE_SCHEMA = "browser_live"
# A check axe does not make: a field marked aria-invalid must point, with aria-describedby, at
# elements that exist and say something (its error message), so a screen reader reads the
# error when the field takes the focus. Returns the fields that do not.
UNDESCRIBED_ERRORS = """() => Array.from(document.querySelectorAll('[aria-invalid="true"]'))
    .filter(field => {
        const ids = (field.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
        const said = ids.map(id => document.getElementById(id)).filter(Boolean)
            .map(el => el.textContent.trim()).join('');
        return ids.length === 0 || said === ''
            || ids.some(id => document.getElementById(id) === null);
    })
    .map(field => field.id || field.name || field.tagName)"""
# Phones: the widths at which no page may scroll sideways (WCAG 1.4.10 reflow asks for 320 CSS
# px; 390 px is a common phone). Each audited page is laid out again at these widths.
PHONE_WIDTHS = (390, 320)
# The page's width against the window's, and the elements that stick out on the right (the
# deepest ones, leaving out those inside a container that scrolls or clips them): what to fix.
SIDEWAYS = """() => {
    const width = window.innerWidth, scrolled = document.documentElement.scrollWidth;
    if (scrolled <= width) return null;
    const clipped = el => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
            if (getComputedStyle(up).overflowX !== 'visible') return true;
        return false;
    };
    const out = Array.from(document.body.querySelectorAll('*')).filter(el => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.right > width + 1 && !clipped(el);
    });
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + Array.from(el.classList).map(c => '.' + c).join('')
        + ' ' + Math.round(el.getBoundingClientRect().width) + 'px "'
        + (el.textContent || '').trim().slice(0, 40) + '"';
    return {scrolled, width,
            culprits: out.filter(el => !out.some(o => o !== el && el.contains(o)))
                         .slice(0, 6).map(name)};
}"""


TESTS = ROOT / "tests"
# the fixtures that make a test a browser test (they need the session's loop, or a server)
BROWSER_FIXTURES = frozenset({"browser", "context_for", "axe", "live_server", "module_server"})


def module_id(path: str | Path) -> str:
    """How tests/browser/pages.py and a feature's walks.py name a test module: its path under
    tests/, without `.py` ("browser/test_resident_journey", "<name>/test_browser")."""
    full = (ROOT / path).resolve()
    under = full.relative_to(TESTS) if full.is_relative_to(TESTS) else full
    return under.with_suffix("").as_posix()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: a test in Chromium (tests/browser/plugin.py; set by its fixtures)"
    )


def is_browser_test(item: pytest.Item) -> bool:
    used = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("browser") is not None or bool(used & BROWSER_FIXTURES)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by mark: the `browser` mark is set here
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests share the session's loop, the one the shared Chromium lives on."""
    for item in items:
        if is_browser_test(item):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)
            _RUN["modules"].add(module_id(str(item.fspath)))


def pytest_deselected(items: list[pytest.Item]) -> None:
    _RUN["partial"].update(module_id(str(item.fspath)) for item in items)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:  # a skipped test audited nothing: its module's claims cannot be checked
        _RUN["partial"].add(module_id(report.fspath))


# what this run audited: the route names of the pages axe checked (see `Axe.check`)
AUDITED_ROUTES: set[str] = set()
AUDITS: list[str] = []
_RUN: dict[str, set[str]] = {"modules": set(), "partial": set()}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After a whole, green run of a browser test module, every page that tests/browser/pages.py
    (or a feature's walks.py) says it audits must have been audited (a stale claim would hide
    an unaudited page)."""
    from tests.browser.pages import audited

    ZYGOTE.close()  # its servers have all stopped with their tests

    if not AUDITS:
        return
    listed = audited()  # the core's pages and the features' (tests/<name>/walks.py)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
    say = reporter.write_line if reporter is not None else print
    say(f"axe audited {len(AUDITS)} page states, on {len(AUDITED_ROUTES)} routes of the app")
    say(
        f"and checked each for sideways scrolling at {' and '.join(map(str, PHONE_WIDTHS))} px wide"
    )
    if exitstatus != 0:
        return
    # a module another process ran (tests/claims.py) was not checked here
    complete = _RUN["modules"] - _RUN["partial"] - {module_id(m) for m in claims.ELSEWHERE}
    claimed = {route for route, module in listed.items() if module in complete}
    unaudited = sorted(claimed - AUDITED_ROUTES)
    if unaudited:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        say(
            "FAILED: tests/browser/pages.py says these pages are audited, but no test audited "
            "them: " + ", ".join(f"{r} ({listed[r]})" for r in unaudited)
        )


def _route_name(url: str) -> str | None:
    """The name of the app's route that answers `url` (None when none does)."""
    from urllib.parse import urlsplit

    from starlette.routing import Match

    from tests.security.world import app_routes

    if "app" not in _ROUTER:
        from participation.app import create_app

        settings = Settings.from_env({"ENVIRONMENT": "test", "SECRET_KEY": "routes"})
        _ROUTER["app"] = [e for e in app_routes(create_app(settings)) if e.method == "GET"]
    scope = {"type": "http", "path": urlsplit(url).path, "method": "GET", "root_path": ""}
    for endpoint in _ROUTER["app"]:
        if hasattr(endpoint.route, "matches"):
            match, _ = endpoint.route.matches(scope)
            if match == Match.FULL:
                return str(endpoint.route.name)
    return None


_ROUTER: dict[str, Any] = {}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(data_dir: Path) -> str:
    """The test run's PostgreSQL database in its own schema, else a SQLite file that commits
    without waiting for the disk (`synchronous=OFF`: a test's server never has to survive a
    power cut, and its seeds and forms wait for the disk at each commit, about 2 ms here)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url + ("&" if "?" in url else "?") + f"schema={LIVE_SCHEMA}"
    return f"sqlite://{data_dir / 'browser.db'}?synchronous=OFF"


async def _fresh_schema(database_url: str) -> None:
    import asyncpg  # installed with tortoise-orm[asyncpg]

    connection = await asyncpg.connect(database_url.split("?")[0])
    try:
        await connection.execute(
            f"DROP SCHEMA IF EXISTS {LIVE_SCHEMA} CASCADE; CREATE SCHEMA {LIVE_SCHEMA};"
        )
    finally:
        await connection.close()


class LiveServer:
    def __init__(self, tmp_path: Path, redis_url: str, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "ENVIRONMENT": "test",
            "DATA_DIR": str(tmp_path),
            "DATABASE_URL": _database_url(tmp_path),
            "REDIS_URL": redis_url,
            "SECRET_KEY": "browser-test-secret",
            "PORT": str(self.port),
            "BASE_URL": self.url,
            "LOG_LEVEL": "WARNING",
            "GEOCODER_URL": "",  # never the public address service (tests/participation/geocoder)
            "MAP_TILE_URL": "",  # never OpenStreetMap's tiles (tests/participation/tileserver.py)
            **env,
        }
        self.settings = Settings.from_env(self.env)
        self.process: ForkedServer | None = None
        self._migrated = False

    async def seed(self, seeder: Callable[[Settings], Awaitable[Any]]) -> Any:
        """Run `seeder` against the server's database (also used to read it back)."""
        if not self._migrated:
            await self._migrate()
            with Redis.from_url(self.env["REDIS_URL"]) as redis:
                redis.flushdb()  # rate-limit counters and jobs of earlier runs
            self._migrated = True
        await init_database(self.settings)
        try:
            return await seeder(self.settings)
        finally:
            await close_database()

    async def _migrate(self) -> None:
        if not self.settings.uses_sqlite:
            await _fresh_schema(self.settings.database_url)
            await run_migrations(self.settings)
            return
        # SQLite: migrate once per session, then copy the migrated file (saves seconds a server)
        database = Path(self.settings.database_url.removeprefix("sqlite://").split("?")[0])
        template = self.settings.data_dir.parent / "migrated-template.db"
        if not template.exists():
            await run_migrations(self.settings)
            shutil.copyfile(database, template)
        else:
            shutil.copyfile(template, database)

    def start(self) -> None:  # blocking on purpose: nothing else runs until it answers
        """`participation serve` with this server's environment, forked from the process that
        imported it once for the run (tests/browser/zygote.py)."""
        self.log = self.settings.data_dir / "server.log"
        self.process = ZYGOTE.fork(self.env, self.log)
        # wait for the server as long as it is starting: on a loaded machine importing and
        # binding took more than the 20 s allowed before; a server that stopped fails at once
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at start: {self.log}")
            try:
                httpx.get(self.url + "/healthz", timeout=5)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not answer within 3 minutes")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


async def _nothing(settings: Settings) -> None:
    return None


@pytest.fixture
def live_server(tmp_path: Path, redis_url: str) -> Iterator[LiveServer]:
    """A server for one test: seed it with `await live_server.seed(...)`, then `start()`."""
    server = LiveServer(tmp_path, redis_url)
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def module_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> AsyncIterator[LiveServer]:
    """One migrated, running server for the whole module (its settings: `SERVER_ENV`)."""
    env = getattr(request.module, "SERVER_ENV", {})
    server = LiveServer(tmp_path_factory.mktemp("server"), redis_url, **env)
    await server.seed(_nothing)
    server.start()
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (`make browser` installs it with apt-get)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


@pytest_asyncio.fixture(loop_scope="session")
async def context_for(browser: Any) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """`await context_for(javascript=...)`: a French browser context, closed after the test."""
    contexts: list[Any] = []

    async def make(javascript: bool = True, **options: Any) -> Any:
        context = await browser.new_context(
            java_script_enabled=javascript, locale="fr-FR", **options
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()


# --- what a person does often -----------------------------------------------------------------


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    """A test that takes `javascript` runs twice: with JavaScript (htmx) and without, where
    every form posts a full page."""
    return bool(request.param)


async def log_in(
    page: Any, server: LiveServer, email: str, password: str, lands_on: str = "/"
) -> None:
    await page.goto(f"{server.url}/account/login")
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_label("Mot de passe").fill(password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(f"{server.url}{lands_on}")


async def signed_in(
    context_for: Callable[..., Awaitable[Any]],
    server: LiveServer,
    email: str,
    at: str = "",
    **options: Any,
) -> Any:
    """A page in a browser context of its own (`options`: javascript, viewport...) where the
    person `email` (password TEST_PASSWORD) has logged in, then gone to the path `at`."""
    page = await (await context_for(**options)).new_page()
    await log_in(page, server, email, TEST_PASSWORD)
    if at:
        await page.goto(server.url + at)
    return page


async def mark_document(page: Any) -> None:
    """Tag the current document, to tell later whether htmx updated it in place."""
    await page.evaluate("window.__sameDocument = true")


async def same_document(page: Any) -> bool:
    """True when no navigation replaced the document tagged by `mark_document` (an htmx swap,
    not a full-page fallback)."""
    return bool(await page.evaluate("window.__sameDocument === true"))


async def emails_to(server: LiveServer, recipient: str) -> list[Any]:
    """The e-mails the platform wrote for `recipient`, oldest first: the outbox is what the
    worker sends (without SMTP_HOST it only logs them), so the test reads it like a mailbox."""
    from participation.mail import OutboxEmail, sent_text

    async def read(settings: Settings) -> list[Any]:
        emails = await OutboxEmail.filter(recipient=recipient).order_by("id")
        for email in emails:  # as the recipient reads it: with its link (encrypted at rest)
            email.body = sent_text(settings, email)
        return emails

    return list(await server.seed(read))


async def ballots_in(server: LiveServer, budget_id: int) -> list[str]:
    """The choices (JSON) of every ballot stored for the budget `budget_id`: opened ones, and
    sealed ones opened in memory with the factory trustee's share."""
    from budgets.models import Ballot
    from tests.budgets.factories import SHARES, ballots_of

    async def read(settings: Settings) -> list[str]:
        opened = [b.choices for b in await Ballot.filter(budget_id=budget_id)]
        sealed = [b.choices for b in await ballots_of(budget_id)] if budget_id in SHARES else []
        return opened + sealed

    return list(await server.seed(read))


def link_in(body: str, path_start: str) -> str:
    match = re.search(r"https?://\S+" + re.escape(path_start) + r"\S*", body)
    assert match, f"no link to {path_start} in: {body}"
    return match.group(0)


# --- accessibility ----------------------------------------------------------------------------


SETTLED = (
    "Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition)"
    ".map(a => a.finished.catch(() => null)))"
)


class Axe:
    """Runs axe-core on a page and fails on any WCAG 2.0/2.1 A or AA violation.

    The site's CSP forbids inline scripts, so axe is never added as a <script>: its source goes
    in with `page.evaluate()`, which Chromium runs through the DevTools protocol, outside the CSP.
    A page whose context has JavaScript off cannot run axe (its timers never fire), so its DOM
    is copied as it stands into a JavaScript-enabled audit page on the same origin (same CSS),
    with htmx blocked there so the copy stays the no-JavaScript page.
    """

    SNAPSHOT = "/__axe_snapshot__"

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.source = AXE_SOURCE.read_text() if AXE_SOURCE.exists() else None
        self.audited: list[str] = []
        self._audit_page: Any = None

    async def check(self, page: Any, state: str = "") -> None:
        where = f"{page.url} {state}".strip()
        # a page shown after a click may still be loading its style sheets: the page audited
        # is the page loaded (contrast, sizes and reflow read the styles)
        await page.wait_for_load_state()
        wide = await sideways(page)  # phones: measured even when axe-core is absent
        if self.source is None:
            assert not wide, f"accessibility violations on {where}:\n" + "\n".join(wide)
            return
        target = page
        # htmx runs on every page of a JavaScript context: its absence means JavaScript is off
        if not await page.evaluate("typeof window.htmx !== 'undefined'"):
            target = await self._snapshot(page)
        if not await target.evaluate("typeof window.axe !== 'undefined'"):
            await target.evaluate(self.source)
        # a colour still changing is not the page's colour (buttons ease theirs over 0.15 s
        # after a switch to dark mode): the transitions under way end before contrast is read
        await target.evaluate(SETTLED)
        result = await target.evaluate(
            "([tags, rules]) => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
            "rules: Object.fromEntries(rules.map(r => [r, {enabled: true}])), "
            "resultTypes: ['violations']})",
            [AXE_TAGS, AXE_RULES],
        )
        self.audited.append(where)
        AUDITS.append(where)
        if route := _route_name(page.url):
            AUDITED_ROUTES.add(route)
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + json.dumps([n["target"] for n in nodes][:5])
            for v in result["violations"]
            if (nodes := [n for n in v["nodes"] if not _equivalent_elsewhere(v["id"], n)])
        ]
        problems += [
            f"field-error-described: {name} is marked invalid but its error message is not tied "
            "to it with aria-describedby (WCAG 3.3.1, RGAA 11.10)"
            for name in await target.evaluate(UNDESCRIBED_ERRORS)
        ]
        problems += wide
        assert not problems, f"accessibility violations on {where}:\n" + "\n".join(problems)

    async def _snapshot(self, page: Any) -> Any:
        html = await page.content()
        origin = re.match(r"https?://[^/]+", page.url)
        assert origin, page.url
        if self._audit_page is None:
            context = await self.browser.new_context(locale="fr-FR")
            await context.route("**/htmx.min.js", lambda route: route.abort())
            # nor Leaflet: the maps stay the server's (static/js/place-map.js), no tile asked
            await context.route("**/leaflet.js", lambda route: route.abort())
            self._audit_page = await context.new_page()
        audit_page = self._audit_page
        url = origin.group(0) + self.SNAPSHOT

        async def serve(route: Any) -> None:
            await route.fulfill(body=html, content_type="text/html; charset=utf-8")

        await audit_page.route(url, serve)
        await audit_page.goto(url)
        await audit_page.unroute(url)
        return audit_page

    async def close(self) -> None:
        if self._audit_page is not None:
            await self._audit_page.context.close()

    def finish(self) -> None:
        """Call at the end of a journey: says so when axe-core was not there to audit it."""
        if self.source is None:
            pytest.skip(
                "the journey passed, but node_modules/axe-core is absent (`make assets`): "
                "its pages were not audited"
            )


def _equivalent_elsewhere(rule: str, node: dict[str, Any]) -> bool:
    """A tile map's markers close together (static/js/place-map.js) may be smaller than 24 px
    apart: WCAG 2.5.8's « Equivalent » exception, each marker's link being also in the list of
    places below the map (its text alternative, whose links are full size). Nothing else."""
    return rule == "target-size" and 'class="map-marker-dot"' in node.get("html", "")


async def sideways(page: Any) -> list[str]:
    """Lays the page out again at each of `PHONE_WIDTHS` and says where it scrolls sideways
    (`scrollWidth > innerWidth`), naming what sticks out; then restores the window's size. The
    same document is measured (no reload): a form's typed values and htmx's changes stay."""
    problems = []
    size = page.viewport_size
    try:
        for width in PHONE_WIDTHS:
            await page.set_viewport_size({"width": width, "height": 800})
            found = await page.evaluate(SIDEWAYS)
            if found:
                problems.append(
                    f"reflow ({width} px): the page is {found['scrolled']} px wide and scrolls "
                    f"sideways (WCAG 1.4.10); sticking out: {'; '.join(found['culprits'])}"
                )
    finally:
        if size is not None:
            await page.set_viewport_size(size)
    return problems


@pytest_asyncio.fixture(loop_scope="session")
async def axe(browser: Any) -> AsyncIterator[Axe]:
    auditor = Axe(browser)
    yield auditor
    await auditor.close()
