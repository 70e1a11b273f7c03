"""Maps (issue #20): the tile server of the maps' background, saved with the site's settings
(participation/tiles.py). A row saved before gets OpenStreetMap's tiles and credit, the
environment's default (MAP_TILE_URL, MAP_TILE_ATTRIBUTION); "" means no tiles."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© les contributeurs d’OpenStreetMap (openstreetmap.org/copyright)"


class Migration(migrations.Migration):
    dependencies = [("participation", "0031_pictures")]

    initial = False

    operations = [
        ops.AddField(
            model_name="SiteSettings",
            name="map_tile_url",
            field=fields.CharField(default=OSM_TILE_URL, db_default=OSM_TILE_URL, max_length=500),
        ),
        ops.AddField(
            model_name="SiteSettings",
            name="map_tile_attribution",
            field=fields.CharField(
                default=OSM_ATTRIBUTION, db_default=OSM_ATTRIBUTION, max_length=200
            ),
        ),
    ]
