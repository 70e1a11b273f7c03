"""The maps' tile server (issue #20, participation/tiles.py): which URL templates are accepted,
the origin they add to the Content-Security-Policy (for images only), the setting in the
environment and on the settings page (a wrong template: 422 on its field, in French)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tortoise import timezone

from participation import assets, tiles
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.settings import ConfigurationError, Settings
from participation.sitesettings.models import SiteSettings
from tests.conftest import database_at, field_error, insert_as_before, logged_in, upgrade
from tests.participation.test_sitesettings import save, visitor

OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("", None),  # no tiles
        (OSM, None),
        ("https://tiles.ville.fr:8443/osm/{z}/{x}/{y}.png?key=abc", None),
        ("https://tiles.ville.fr/wmts?layer=plan&z={z}&x={x}&y={y}", None),
        ("http://127.0.0.1:8123/{z}/{x}/{y}.png", None),  # a server on this machine
        ("http://localhost/{z}/{x}/{y}.png", None),
        ("http://tile.openstreetmap.org/{z}/{x}/{y}.png", tiles.NOT_HTTPS),
        ("ftp://tiles.ville.fr/{z}/{x}/{y}.png", tiles.NOT_HTTPS),
        ("javascript:alert(1)//{z}{x}{y}", tiles.NOT_HTTPS),
        ("tile.openstreetmap.org/{z}/{x}/{y}.png", tiles.NOT_HTTPS),
        ("https://tile.openstreetmap.org/{z}/{x}.png", tiles.NO_PLACEHOLDERS),
        ("https://tile.openstreetmap.org/", tiles.NO_PLACEHOLDERS),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", tiles.NOT_A_TEMPLATE),
        ("https://tile.openstreetmap.org/{z}/{x}/{y}{r}.png", tiles.NOT_A_TEMPLATE),
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png'; script-src *", tiles.NOT_A_TEMPLATE),
        ("https://tile.example.org; img-src */{z}/{x}/{y}", tiles.NOT_A_TEMPLATE),
        ("https://a b.org/{z}/{x}/{y}.png", tiles.NOT_A_TEMPLATE),
        ("https://user:pw@tiles.ville.fr/{z}/{x}/{y}.png", tiles.NOT_A_TEMPLATE),
        ("https://tiles.ville.fr/{z}/{x}/{y}.png#top", tiles.NOT_A_TEMPLATE),
        ("https://tiles.ville.fr:99999/{z}/{x}/{y}.png", tiles.NOT_A_TEMPLATE),
        ("https://[2001:db8::1]/{z}/{x}/{y}.png", tiles.NOT_A_TEMPLATE),
        ("https://tiles.ville.fr/" + "a" * 500 + "/{z}/{x}/{y}.png", tiles.TOO_LONG),
    ],
)
def test_a_tile_url_template_is_checked(template: str, problem: str | None) -> None:
    assert tiles.tile_url_problem(template) == problem
    assert bool(tiles.tile_origin(template)) == (problem is None and template != "")


def test_the_policy_allows_the_tile_server_for_images_only() -> None:
    assert tiles.tile_origin(OSM) == "https://tile.openstreetmap.org"
    assert tiles.tile_origin("HTTPS://Tiles.Ville.FR:8443/{z}/{x}/{y}") == (
        "https://tiles.ville.fr:8443"
    )
    policy = dict(p.strip().split(" ", 1) for p in tiles.content_security_policy(OSM).split(";"))
    base = dict(p.strip().split(" ", 1) for p in tiles.BASE_POLICY.split(";"))
    assert policy["img-src"] == "'self' data: https://tile.openstreetmap.org"
    assert {k: v for k, v in policy.items() if k != "img-src"} == {
        k: v for k, v in base.items() if k != "img-src"
    }
    assert tiles.content_security_policy("") == tiles.BASE_POLICY
    # a template refused never reaches the policy, whatever its origin
    assert tiles.content_security_policy("https://{s}.evil.org/{z}/{x}/{y}") == tiles.BASE_POLICY


def test_the_environment_s_template_is_checked_at_start() -> None:
    env = {"ENVIRONMENT": "test", "SECRET_KEY": "x"}
    default = Settings.from_env(env)
    assert default.map_tile_url == OSM and "OpenStreetMap" in default.map_tile_attribution
    assert Settings.from_env({**env, "MAP_TILE_URL": ""}).map_tile_url == ""
    with pytest.raises(ConfigurationError, match="MAP_TILE_URL"):
        Settings.from_env({**env, "MAP_TILE_URL": "http://tiles.ville.fr/{z}/{x}/{y}.png"})
    with pytest.raises(ConfigurationError, match="MAP_TILE_ATTRIBUTION"):
        Settings.from_env({**env, "MAP_TILE_ATTRIBUTION": " "})


async def test_a_wrong_template_is_refused_on_its_field_in_french(app: Any, admin: User) -> None:
    async with logged_in(app, admin) as c:
        response = await save(
            c, map_tile_url="http://tiles.ville.fr/{z}/{x}/{y}.png", map_tile_attribution="©"
        )
        assert response.status_code == 422
        assert field_error(response.text, "map_tile_url") == (
            "Erreur\u00a0: L’adresse des tuiles doit commencer par https:// (http:// seulement "
            "pour un serveur sur cette machine), par exemple "
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
        assert 'value="http://tiles.ville.fr/{z}/{x}/{y}.png"' in response.text  # kept
        response = await save(c, map_tile_url="https://tiles.ville.fr/{z}/{x}.png")
        assert response.status_code == 422
        assert "{z}, {x} et {y}" in field_error(response.text, "map_tile_url")
        assert "crédit" in field_error(response.text, "map_tile_attribution")
    assert not await SiteSettings.exists()


async def test_the_saved_tile_server_is_allowed_for_images_on_every_page(
    app: Any, admin: User
) -> None:
    async with visitor(app) as v:
        before = (await v.get("/proposals/map")).headers["content-security-policy"]
    assert before == tiles.BASE_POLICY  # the tests' environment: no tiles
    async with logged_in(app, admin) as c:
        response = await save(
            c,
            map_tile_url="https://tuiles.ville.fr/plan/{z}/{x}/{y}.png",
            map_tile_attribution="© Ville de Saint-Exemple, © OpenStreetMap",
        )
        assert response.status_code == 303, response.text
    async with visitor(app) as v:
        page = await v.get("/proposals/map")
        policy = page.headers["content-security-policy"]
        assert "img-src 'self' data: https://tuiles.ville.fr;" in policy
        assert policy.replace(" https://tuiles.ville.fr", "") == tiles.BASE_POLICY
        assert 'data-tiles="https://tuiles.ville.fr/plan/{z}/{x}/{y}.png"' in page.text
        assert 'data-attribution="© Ville de Saint-Exemple, © OpenStreetMap"' in page.text
        # Leaflet and our map script once, in the head, at their versioned address
        head = page.text.split("</head>")[0]
        for file in ("vendor/leaflet.js", "vendor/leaflet.css", "js/place-map.js"):
            assert page.text.count(file) == 1 and f'{assets.asset_url(file)}"' in head
        assert "leaflet" not in (await v.get("/proposals")).text  # map pages only
    async with logged_in(app, admin) as c:
        assert (await save(c, map_tile_url="", map_tile_attribution="")).status_code == 303
    async with visitor(app) as v:
        page = await v.get("/proposals/map")
        assert page.headers["content-security-policy"] == tiles.BASE_POLICY
        assert "data-tiles" not in page.text and "leaflet" not in page.text


async def test_the_migration_gives_a_row_saved_before_openstreetmap_s_tiles(
    tmp_path: Path, redis_url: str
) -> None:
    async with database_at(tmp_path, redis_url, "participation.0031_pictures") as old:
        await insert_as_before(  # the settings saved in the browser before participation.0032
            SiteSettings(
                version=2,
                site_name="Villebelle",
                default_language="fr",
                primary_colour="#000091",
                proposal_support_threshold=10,
                moderation_report_threshold=3,
                updated_at=timezone.now(),
            ),
            "map_tile_url",
            "map_tile_attribution",
        )
        await upgrade(old)
        row = await SiteSettings.get(id=1)
        assert (row.version, row.site_name) == (2, "Villebelle")
        assert row.map_tile_url == OSM
        assert row.map_tile_attribution == tiles.OSM_ATTRIBUTION


@pytest.mark.parametrize(
    ("template", "recorded"),
    [
        (OSM, OSM),
        ("", ""),
        (
            "https://tiles.ville.fr:8443/osm/{z}/{x}/{y}.png?apikey=s3cr3t",
            "https://tiles.ville.fr:8443/osm/{z}/{x}/{y}.png?apikey=***",
        ),
        (
            "https://tiles.ville.fr/wmts?layer=plan&z={z}&x={x}&y={y}&key=abc&flag",
            "https://tiles.ville.fr/wmts?layer=***&z={z}&x={x}&y={y}&key=***&flag",
        ),
    ],
)
def test_the_audit_log_keeps_a_tile_url_without_its_query_values(
    template: str, recorded: str
) -> None:
    assert tiles.for_the_record(template) == recorded


async def test_a_saved_tile_url_s_key_never_reaches_the_audit_log(app: Any, admin: User) -> None:
    keyed = "https://tuiles.ville.fr/plan/{z}/{x}/{y}.png?apikey=s3cr3t-k3y"
    async with logged_in(app, admin) as c:
        assert (
            await save(c, map_tile_url=keyed, map_tile_attribution="© Ville")
        ).status_code == 303
        again = "https://tuiles.ville.fr/plan/{z}/{x}/{y}.png?apikey=an0th3r"
        assert (
            await save(c, map_tile_url=again, map_tile_attribution="© Ville")
        ).status_code == 303
        log = await c.get("/admin/audit")
        assert log.status_code == 200 and "tuiles.ville.fr/plan" in log.text
    assert (await SiteSettings.get()).map_tile_url == again  # the setting itself works
    entries = await AuditLogEntry.filter(action="site_settings_edit").order_by("id")
    assert len(entries) == 2
    masked = "https://tuiles.ville.fr/plan/{z}/{x}/{y}.png?apikey=***"
    assert f'"map_tile_url": "{masked}"' in entries[0].after
    assert f'"map_tile_url": "{masked}"' in entries[1].before
    for entry in entries:
        assert "s3cr3t" not in entry.before + entry.after
        assert "an0th3r" not in entry.before + entry.after
    assert "s3cr3t" not in log.text and "an0th3r" not in log.text
