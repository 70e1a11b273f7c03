"""What a page links besides itself (participation/assets.py, issue #22): stylesheets served
without their comments at an address carrying their content's hash, cached for a year; the
staff stylesheet and htmx linked only by the pages whose content uses them."""

from __future__ import annotations

import re
from typing import Any

import httpx

from participation import assets
from participation.app import create_app
from participation.settings import Settings
from participation.templating import templates
from tests.conftest import create_user, logged_in

STYLESHEETS = ("css/app.css", "css/staff.css")


def _rules(css: str) -> list[str]:
    """The stylesheet's rules and at-rules, each as its text with blank runs made one space
    and none around { } ; (the comments out): what `minified_css` must keep, in order."""
    text = re.sub(r"\s+", " ", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    return [part.strip() for part in re.split(r"\s*[{};]\s*", text) if part.strip()]


def test_a_stylesheet_is_served_without_its_comments_and_its_rules_unchanged() -> None:
    for path in STYLESHEETS:
        source = (assets.STATIC_DIR / path).read_text("utf-8")
        served = assets.minified_css(source)
        assert "/*" not in served and "*/" not in served
        assert _rules(served) == _rules(source)
        assert assets.minified_css(served) == served
        # no comment marker inside a string: removing comments leaves every string whole
        strings = re.findall(r'"[^"\n]*"', source.replace("/*", "\n/*").replace("*/", "*/\n"))
        assert not [s for s in strings if "/*" in s or "*/" in s]
    assert assets.minified_css(".a :focus,\n.b > .c {\n  color: red;\n}\n") == (
        ".a :focus, .b > .c{color: red;}\n"
    )


def test_what_a_page_needs_is_read_from_its_content() -> None:
    staff = frozenset({"row-actions", "moderation-item"})
    # a person's text is escaped: its quotes are &#34;, and a class name is only a word there
    plain = '<p class="card">Un texte qui parle de hx-get=&#34;x&#34; et de row-actions</p>'
    assert assets.page_needs(plain, staff) == assets.Needs(htmx=False, staff_css=False)
    assert assets.page_needs('<form hx-post="/x">', staff).htmx
    both = '<td class="row-actions"><button hx-get="/x" class="button">'
    assert assets.page_needs(both, staff) == assets.Needs(htmx=True, staff_css=True)
    # a class both stylesheets name (`.row-actions .button`) is no reason to link staff.css
    assert "button" not in assets.staff_classes() and "row-actions" in assets.staff_classes()
    # a map over tiles (templates/_placemap.html `tile_data`); a person's text that says so
    # is escaped, as above
    tiled = '<figure class="report-map" data-tiles="https://t/{z}/{x}/{y}.png">'
    assert assets.page_needs(tiled, staff).leaflet
    assert not assets.page_needs("<p>data-tiles=&#34;x&#34;</p>", staff).leaflet


def test_the_head_s_files_are_read_once_per_process() -> None:
    """A page's head asks nothing of the disk once its files are known (a `stat` per file per
    render before); in development (`watch`), each call looks at the file again."""
    assets.watch(False)
    first = (assets.asset_url("css/app.css"), assets.staff_classes())
    read = assets._address.cache_info().misses, assets._staff_once.cache_info().misses
    for _ in range(3):
        assert (assets.asset_url("css/app.css"), assets.staff_classes()) == first
    assert (assets._address.cache_info().misses, assets._staff_once.cache_info().misses) == read
    assets.watch(True)
    try:
        assert (assets.asset_url("css/app.css"), assets.staff_classes()) == first
        assert assets._address.cache_info().currsize == 0  # looked at the file itself
    finally:
        assets.watch(False)


def test_templates_are_read_once_per_process_but_in_development() -> None:
    """Outside development a render asks nothing of the disk about its templates (Jinja's
    `auto_reload` would stat each one at every render and every include); in development an
    edited template is used at once."""
    try:
        create_app(Settings.from_env({"ENVIRONMENT": "test", "SECRET_KEY": "once"}))
        assert templates.env.auto_reload is False
        create_app(Settings.from_env({"ENVIRONMENT": "development", "SECRET_KEY": "dev"}))
        assert templates.env.auto_reload is True
    finally:
        create_app(Settings.from_env({"ENVIRONMENT": "test", "SECRET_KEY": "once"}))
        assets.watch(False)


def test_a_file_is_served_at_its_versioned_address_cached_for_a_year() -> None:
    url = assets.asset_url("css/app.css")
    assert re.fullmatch(r"/static/v/[0-9a-f]{16}/css/app\.css", url)
    assert assets.asset_url("js/missing.js") == "/static/js/missing.js"  # as before: a 404
    assert assets.asset("../pyproject.toml") is None and assets.asset("css/../../setup.py") is None


async def test_the_versioned_address_answers_and_refuses(client: httpx.AsyncClient) -> None:
    url = assets.asset_url("css/app.css")
    fresh = await client.get(url)
    assert fresh.status_code == 200 and fresh.headers["content-type"].startswith("text/css")
    assert fresh.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert fresh.content == assets.minified_css(
        (assets.STATIC_DIR / "css/app.css").read_text("utf-8")
    ).encode("utf-8")
    # a page cached before a deployment names the old hash: the current file, not kept
    stale = await client.get("/static/v/0123456789abcdef/css/app.css")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    for wrong in ("css/none.css", "../pyproject.toml", "%2e%2e/setup.py", "favicon.svg"):
        assert (await client.get(f"/static/v/0123456789abcdef/{wrong}")).status_code == 404
    # the files themselves, as they are, where they always were
    assert (await client.get("/static/css/app.css")).status_code == 200


def _linked(html: str) -> set[str]:
    return {
        re.sub(r"^/static/v/[0-9a-f]{16}/", "", src)
        for src in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    }


async def test_staff_pages_link_the_staff_stylesheet_and_residents_pages_do_not(
    app: Any, settings: Settings, client: httpx.AsyncClient
) -> None:
    from participation.accounts.models import Role

    home = (await client.get("/")).text
    assert _linked(home) == {"css/app.css"}  # no staff.css, no htmx: nothing uses them
    moderator = await create_user(settings, "moderatrice@example.org", Role.MODERATOR)
    async with logged_in(app, moderator) as staff:
        for page in ("/moderation", "/design"):
            linked = _linked((await staff.get(page)).text)
            assert {"css/app.css", "css/staff.css"} <= linked, page
        assert "vendor/htmx.min.js" in _linked((await staff.get("/moderation")).text)
        assert "css/staff.css" not in _linked((await staff.get("/proposals")).text)
