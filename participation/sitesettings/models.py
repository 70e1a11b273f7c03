"""The settings staff edit in the browser: one row (id 1), and the logo apart (its bytes are
read only by the logo's route). No docstrings on models: Tortoise turns them into SQL comments."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from participation.tiles import OSM_ATTRIBUTION, OSM_TILE_URL

THE_ROW = 1


# The site's settings (participation/sitesettings/domain.py: SiteValues). No row: the values of
# the environment (participation/settings.py), as version 0. `version` rises by one on each save;
# a save names the version it started from (the conditional UPDATE on it is the version check),
# and every web process compares it with the version of its cached copy on each request
# (participation/sitesettings/live.py). Lists are stored as comma-separated names.
class SiteSettings(Model):
    id = fields.IntField(primary_key=True)
    version = fields.IntField()
    site_name = fields.CharField(max_length=80)
    contact_email = fields.CharField(max_length=254, default="")
    default_language = fields.CharField(max_length=5)
    primary_colour = fields.CharField(max_length=7)
    proposal_support_threshold = fields.IntField()
    moderation_report_threshold = fields.IntField()
    premoderated_content = fields.CharField(max_length=200, default="")
    rate_limited_actions = fields.CharField(max_length=200, default="")
    # the maps' tiles (participation/tiles.py), "": none; a row saved before they existed
    # (migration 0032) gets OpenStreetMap's, the environment's default
    map_tile_url = fields.CharField(max_length=500, default=OSM_TILE_URL, db_default=OSM_TILE_URL)
    map_tile_attribution = fields.CharField(
        max_length=200, default=OSM_ATTRIBUTION, db_default=OSM_ATTRIBUTION
    )
    logo_digest = fields.CharField(max_length=64, default="")  # "": no logo
    logo_width = fields.IntField(default=0)
    logo_height = fields.IntField(default=0)
    updated_at = fields.DatetimeField()
    updated_by_name = fields.CharField(max_length=80, default="")

    class Meta:
        table = "sitesettings_settings"


# A logo as served (PNG, resized), by its digest: the header links /site/logo/<digest>.png, so a
# new logo is a new address and browsers may keep each one for a year.
class SiteLogo(Model):
    id = fields.IntField(primary_key=True)
    digest = fields.CharField(max_length=64, unique=True)
    png = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sitesettings_logo"


# The current version, read in the session lookup of every signed-in request (no extra round
# trip: participation.accounts.services.session_lookup); NULL (no row) is version 0.
VERSION_SQL = '(SELECT "version" FROM "sitesettings_settings" WHERE "id" = 1)'
