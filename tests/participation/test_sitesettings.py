"""Settings from the browser (issue #18, participation/sitesettings): /admin/settings for
administrators only, every field checked (nothing saved while one is wrong), a version check
between two editors, audited, and effective at once in every web process."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import pytest
from PIL import Image
from redis.asyncio import Redis

from participation.accounts.models import Role, User
from participation.app import create_app
from participation.audit import AuditLogEntry
from participation.sitesettings.live import VERSION_KEY
from participation.sitesettings.models import SiteLogo, SiteSettings
from participation.sitesettings.services import LogoRef
from tests.conftest import (
    count_queries,
    create_user,
    csrf_token,
    field_error,
    logged_in,
    logged_queries,
)
from tests.pictures.helpers import png

# a stored page never expires by the clock during a test (as in test_pagecache.py): a page seen
# fresh after a save was dropped by the save itself
pytestmark = pytest.mark.settings(PAGE_CACHE_SECONDS="86400")
PAGE = "/admin/settings"
GOOD = {
    "site_name": "Ville de Saint-Exemple",
    "contact_email": "participation@saint-exemple.fr",
    "default_language": "fr",
    "primary_colour": "#18753c",
    "proposal_support_threshold": "2",
    "moderation_report_threshold": "5",
}


def visitor(app: Any, language: str = "") -> httpx.AsyncClient:
    headers = {"Accept-Language": language} if language else {}
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)


async def opened_version(client: httpx.AsyncClient) -> str:
    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found
    return found.group(1)


async def save(
    client: httpx.AsyncClient,
    version: str | None = None,
    lists: dict[str, list[str]] | None = None,
    files: dict[str, Any] | None = None,
    **fields: str,
) -> httpx.Response:
    """Send the form as the browser does (multipart, checkboxes repeated)."""
    version = await opened_version(client) if version is None else version
    data: dict[str, Any] = {**GOOD, **fields, "version": version}
    data["csrf_token"] = await csrf_token(client, PAGE)
    chosen = {"premoderated_content": ["proposal"], "rate_limited_actions": ["signup"]}
    data.update(lists or chosen)
    return await client.post(PAGE, data=data, files=files or {"logo": ("", b"", "")})


async def test_an_administrator_saves_the_settings_and_every_page_shows_them(
    app: Any, admin: User
) -> None:
    async with visitor(app) as person:
        assert "Ville de Saint-Exemple" not in (await person.get("/aide")).text  # cached now
    async with logged_in(app, admin) as c:
        page = await c.get(PAGE)
        assert "<h1>Paramètres du site</h1>" in page.text
        assert 'value="Participation"' in page.text  # version 0: the environment's values
        response = await save(c)
        assert response.status_code == 303 and response.headers["location"] == PAGE
        again = (await c.get(PAGE)).text
        assert "Les paramètres sont enregistrés" in again
        assert 'value="2"' in again and "Version 1, enregistrée par" in again
    row = await SiteSettings.get()
    assert (row.version, row.site_name, row.proposal_support_threshold) == (
        1,
        "Ville de Saint-Exemple",
        2,
    )
    assert row.premoderated_content == "proposal" and row.rate_limited_actions == "signup"
    async with visitor(app) as person:  # the cached page was dropped by the save
        home = (await person.get("/aide")).text
        assert (
            '<a class="site-name" href="/"><span class="site-name-text">Ville de Saint-Exemple'
            "</span></a>"
        ) in home
        assert "<title>" in home and "· Ville de Saint-Exemple</title>" in home
        assert '<link rel="stylesheet" href="/site/theme.css?v=1">' in home
        theme = await person.get("/site/theme.css?v=1")
        assert theme.text == ":root { --town-primary: #18753c; --town-primary-dark: #69a580; }\n"
        assert theme.headers["content-type"].startswith("text/css")
    entry = await AuditLogEntry.get(action="site_settings_edit")
    assert entry.actor_id == admin.id and entry.target_kind == "site_settings"
    assert '"proposal_support_threshold": 300' in entry.before
    assert '"proposal_support_threshold": 2' in entry.after
    assert '"site_name": "Ville de Saint-Exemple"' in entry.after


async def test_saved_values_take_effect_in_the_services_at_once(app: Any, admin: User) -> None:
    """The thresholds, pre-moderation, rate limits and language reach the code that uses
    them (participation.web.settings_of) on the next request."""
    async with logged_in(app, admin) as c:
        lists = {"premoderated_content": ["comment"], "rate_limited_actions": []}
        assert (await save(c, lists=lists, default_language="en")).status_code == 303
    async with visitor(app) as person:  # no language of their own: the site's default
        assert '<html lang="en">' in (await person.get("/aide")).text
    async with visitor(app, "fr") as person:  # theirs wins
        assert '<html lang="fr">' in (await person.get("/aide")).text
    async with visitor(app) as person:
        await person.get("/aide")
    # what participation.web.settings_of returns from now on, in this process
    settings = app.state.site[1]
    assert settings.proposal_support_threshold == 2
    assert settings.moderation_report_threshold == 5
    assert settings.premoderates("comment") and not settings.premoderates("proposal")
    assert not settings.limits("signup") and not settings.limits("login_failure")
    assert settings.default_language == "en"


async def test_signing_up_is_not_limited_once_its_limit_is_switched_off(
    app: Any, admin: User
) -> None:
    async with logged_in(app, admin) as c:
        assert (await save(c, lists={"rate_limited_actions": []})).status_code == 303
    for number in range(12):  # the limit is 10 sign-ups an hour per address
        async with visitor(app) as person:
            data = {
                "email": f"habitant{number}@example.org",
                "display_name": f"Habitant {number}",
                "password": "Une-phrase-de-passe-solide",
                "password_confirmation": "Une-phrase-de-passe-solide",
                "accept_terms": "yes",
            }
            data["csrf_token"] = await csrf_token(person, "/account/signup")
            response = await person.post("/account/signup", data=data)
            assert response.status_code != 429, number


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("proposal_support_threshold", "0", "de 1 à 1\u202f000\u202f000"),
        ("proposal_support_threshold", "1000000000", "de 1 à 1\u202f000\u202f000"),
        ("moderation_report_threshold", "0", "de 1 à 1\u202f000\u202f000"),
        ("moderation_report_threshold", "trois", "de 1 à 1\u202f000\u202f000"),
        ("primary_colour", "#ffff00", "contraste de 1,0\u00a0:\u00a01"),
        ("primary_colour", "#767676", "contraste de 4,2\u00a0:\u00a01"),
        ("primary_colour", "bleu", "six chiffres hexadécimaux"),
        ("site_name", "", "nom du site"),
        ("contact_email", "mairie", "adresse e-mail"),
        ("default_language", "de", "le français ou l"),
    ],
)
async def test_a_wrong_field_is_highlighted_and_nothing_is_saved(
    app: Any, admin: User, field: str, value: str, message: str
) -> None:
    async with logged_in(app, admin) as c:
        response = await save(c, **{field: value})
    assert response.status_code == 422
    assert message in field_error(response.text, field)
    assert "<title>Erreur – " in response.text
    assert f'value="{value}"' in response.text or field == "default_language"  # kept
    assert not await SiteSettings.exists()
    assert not await AuditLogEntry.exists(action="site_settings_edit")


async def test_forged_choices_are_refused(app: Any, admin: User) -> None:
    async with logged_in(app, admin) as c:
        lists = {"premoderated_content": ["ballot"], "rate_limited_actions": ["vote"]}
        response = await save(c, lists=lists)
        assert response.status_code == 422
        assert "Choisissez parmi" in field_error(response.text, "premoderated_content")
        assert "Choisissez parmi" in field_error(response.text, "rate_limited_actions")
        assert (await save(c, version="")).status_code == 422  # no version: incomplete form
    assert not await SiteSettings.exists()


async def test_the_second_of_two_editors_is_told_and_loses_nothing(
    app: Any, admin: User, settings: Any
) -> None:
    other = await create_user(settings, "adjointe@example.org", Role.ADMIN, display_name="Inès")
    async with logged_in(app, admin) as first, logged_in(app, other) as second:
        assert await opened_version(first) == await opened_version(second) == "0"
        assert (await save(first, version="0", site_name="Nom du premier")).status_code == 303
        response = await save(second, version="0", site_name="Nom de la seconde")
    assert response.status_code == 409
    assert "a enregistré les paramètres entre-temps (version 1)" in response.text
    # the second editor's text is kept in the form, the first one's shown below it
    assert 'value="Nom de la seconde"' in response.text
    assert "Nom du premier" in response.text.split('class="their-version"')[1]
    assert 'name="version" value="1"' in response.text  # saving again now overwrites knowingly
    row = await SiteSettings.get()
    assert (row.version, row.site_name) == (1, "Nom du premier")
    assert await AuditLogEntry.filter(action="site_settings_edit").count() == 1


async def test_saving_the_same_values_writes_no_version(app: Any, admin: User) -> None:
    async with logged_in(app, admin) as c:
        assert (await save(c)).status_code == 303
        assert (await save(c)).status_code == 303
        assert "Rien n&#39;a changé" in (await c.get(PAGE)).text
    assert (await SiteSettings.get()).version == 1


def test_the_header_shows_a_logo_at_most_80_pixels_high_never_enlarged() -> None:
    assert LogoRef("d", 480, 160).shown == (240, 80)
    assert LogoRef("d", 160, 160).shown == (80, 80)
    assert LogoRef("d", 100, 81).shown == (99, 80)
    assert LogoRef("d", 120, 40).shown == (120, 40)  # a small logo keeps its size
    assert LogoRef("d", 1, 160).shown == (1, 80)


async def test_the_logo_is_resized_served_and_shown_in_the_header(app: Any, admin: User) -> None:
    async with logged_in(app, admin) as c:
        files = {"logo": ("blason.png", png(2400, 1200, "navy"), "image/png")}
        assert (await save(c, files=files)).status_code == 303
    stored = await SiteLogo.get()
    with Image.open(io.BytesIO(stored.png)) as image:
        assert (image.format, image.size) == ("PNG", (320, 160))
    row = await SiteSettings.get()
    assert (row.logo_digest, row.logo_width, row.logo_height) == (stored.digest, 320, 160)
    async with visitor(app) as person:
        home = (await person.get("/aide")).text
        logo = f"/site/logo/{stored.digest}.png"
        # shown 80 px high: the size it carries, so the header keeps its room before it arrives
        assert f'<img class="site-logo" src="{logo}" alt="" width="160" height="80">' in home
        served = await person.get(logo)
        assert served.content == stored.png and served.headers["content-type"] == "image/png"
        assert "immutable" in served.headers["cache-control"]
        assert (await person.get("/site/logo/0123abcd.png")).status_code == 404
    async with logged_in(app, admin) as c:  # removed, on request
        assert (await save(c, remove_logo="on")).status_code == 303
    assert (await SiteSettings.get()).logo_digest == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not an image", "pas une image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "pas une image"),
        (png(10, 10, "navy")[:40], "pas une image"),  # truncated
        (b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), "5\u00a0Mo"),
    ],
)
async def test_a_logo_that_is_not_a_readable_image_or_too_big_is_refused(
    app: Any, admin: User, content: bytes, message: str
) -> None:
    async with logged_in(app, admin) as c:
        files = {"logo": ("logo.png", content, "image/png")}
        response = await save(c, files=files, site_name="Pas enregistré")
    assert response.status_code == 422
    assert message in field_error(response.text, "logo")
    assert not await SiteSettings.exists() and not await SiteLogo.exists()


async def test_a_logo_of_too_many_pixels_is_refused_before_it_is_decoded(
    app: Any, admin: User
) -> None:
    out = io.BytesIO()
    Image.new("1", (5000, 4001)).save(out, format="PNG")  # 20 megapixels and a bit; small file
    async with logged_in(app, admin) as c:
        response = await save(c, files={"logo": ("grand.png", out.getvalue(), "image/png")})
    assert response.status_code == 422
    assert "20\u00a0mégapixels" in field_error(response.text, "logo")


async def test_the_site_name_is_text_everywhere(app: Any, admin: User) -> None:
    hostile = '<script>alert("x")</script>'
    async with logged_in(app, admin) as c:
        assert (await save(c, site_name=hostile)).status_code == 303
        page = (await c.get(PAGE)).text
    async with visitor(app) as person:
        home = (await person.get("/aide")).text
    for html in (page, home):
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


@pytest.mark.parametrize("role", [None, Role.CITIZEN, Role.MODERATOR])
async def test_only_administrators_reach_the_settings(
    app: Any, settings: Any, role: Role | None
) -> None:
    if role is None:
        async with visitor(app) as person:
            response = await person.get(PAGE)
            assert response.status_code == 303 and "/account/login" in response.headers["location"]
            token = await csrf_token(person, "/aide")
            response = await person.post(PAGE, data={**GOOD, "version": "0", "csrf_token": token})
            assert response.status_code == 303 and "/account/login" in response.headers["location"]
    else:
        user = await create_user(settings, f"{role}@example.org", role)
        async with logged_in(app, user) as c:
            assert (await c.get(PAGE)).status_code == 403
            token = await csrf_token(c, "/aide")
            response = await c.post(PAGE, data={**GOOD, "version": "0", "csrf_token": token})
            assert response.status_code == 403
    assert not await SiteSettings.exists()


async def test_a_save_without_the_csrf_token_is_refused(app: Any, admin: User) -> None:
    async with logged_in(app, admin) as c:
        response = await c.post(PAGE, data={**GOOD, "version": "0"}, files={"logo": ("", b"")})
    assert response.status_code == 403
    assert not await SiteSettings.exists()


async def test_a_setting_saved_through_one_web_process_is_seen_by_the_others_next_request(
    app: Any, admin: User, citizen: User, redis_url: str
) -> None:
    """Two app instances on one database and one Redis (two web processes): each keeps the
    settings in memory; a save through the first is seen by the second's next request, for a
    visitor (version from Redis) and for a signed-in person (version from the session
    lookup), and even when Redis lost the version (read from the database again)."""
    second = create_app(app.state.settings)  # another web process: its own memory and client
    second.state.redis = Redis.from_url(redis_url)
    try:
        async with visitor(second) as person, logged_in(second, citizen) as resident:
            assert "· Participation</title>" in (await person.get("/aide")).text  # cached
            assert "Participation" in (await resident.get("/aide")).text
            async with logged_in(app, admin) as c:
                assert (await save(c, site_name="Ville de Deux-Processus")).status_code == 303
            assert "Ville de Deux-Processus" in (await person.get("/aide")).text
            assert "Ville de Deux-Processus" in (await resident.get("/aide")).text
            assert second.state.site[0].version == 1
            # Redis flushed (restarted): the version is read from the database, then announced
            await second.state.redis.flushdb()
            async with logged_in(app, admin) as c:
                assert (await save(c, site_name="Ville de Trois")).status_code == 303
            await second.state.redis.delete(VERSION_KEY)
            assert "Ville de Trois" in (await person.get("/aide")).text
            assert await second.state.redis.get(VERSION_KEY) == b"2"
    finally:
        await second.state.redis.aclose()


async def test_the_ballot_and_other_signed_in_requests_make_no_extra_query(
    app: Any, admin: User
) -> None:
    """The version rides on the session lookup: a signed-in page makes the same number of
    queries before and after a save (once the new row is loaded)."""
    async with logged_in(app, admin) as c:
        await c.get("/aide")
        before, _ = await count_queries(c, "/aide")
        assert (await save(c)).status_code == 303
        reloaded, _ = await count_queries(c, "/aide")  # this process loads the new row once
        after, _ = await count_queries(c, "/aide")
    assert reloaded == before + 1
    assert after == before


async def test_a_visitor_request_reads_no_settings_from_the_database(app: Any, admin: User) -> None:
    """A visitor's request learns the version from Redis: a stored page is served with no
    query at all, before and after a save (the first request after it reads the row once)."""
    async with visitor(app) as person:
        await person.get("/aide")
        with logged_queries() as queries:
            await person.get("/aide")
        assert queries == []
        async with logged_in(app, admin) as c:
            assert (await save(c)).status_code == 303
        with logged_queries() as queries:
            await person.get("/aide")  # in another process, the row would be read here
        with logged_queries() as queries:
            assert "Ville de Saint-Exemple" in (await person.get("/aide")).text
        assert queries == []


async def test_a_worker_job_reads_the_saved_values(app: Any, admin: User, redis_url: str) -> None:
    """E-mails say the town's name as saved: a job's `ctx["settings"]` is refreshed at its
    start like a request's."""
    from participation.worker import worker_job

    seen: list[str] = []

    async def job(ctx: dict[str, Any]) -> None:
        seen.append(ctx["settings"].site_name)

    redis = Redis.from_url(redis_url)
    try:
        ctx: dict[str, Any] = {"settings": app.state.settings, "redis": redis}
        await worker_job(job)(ctx)
        async with logged_in(app, admin) as c:
            assert (await save(c, site_name="Ville du Travail")).status_code == 303
        await worker_job(job)(ctx)
    finally:
        await redis.aclose()
    assert seen == ["Participation", "Ville du Travail"]


async def test_files_read_no_settings(app: Any, redis_url: str) -> None:
    """The stylesheet, scripts and icons go through no settings lookup (no Redis GET)."""
    redis = Redis.from_url(redis_url)
    try:
        async with visitor(app) as person:
            assert (await person.get("/static/css/app.css")).status_code == 200
            assert (await person.get("/favicon.ico")).status_code == 200
            assert await redis.get(VERSION_KEY) is None
            await person.get("/aide")  # a page: the version is read (from the database, once)
            assert await redis.get(VERSION_KEY) == b"0"
    finally:
        await redis.aclose()
