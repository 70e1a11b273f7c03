"""The committed migrations build the whole schema and match the models."""

from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from participation.db import run_migrations, tortoise_config
from tests.conftest import DATABASE_URL, make_settings


async def test_migrations_apply_on_a_fresh_database_and_match_the_models(
    tmp_path: Path, redis_url: str
) -> None:
    url = f"sqlite://{tmp_path / 'fresh.db'}" if DATABASE_URL.startswith("sqlite") else DATABASE_URL
    settings = make_settings(tmp_path, redis_url, DATABASE_URL=url)
    if not settings.uses_sqlite:
        await Tortoise.init(config=tortoise_config(settings))
        await connections.get("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    await run_migrations(settings)
    await run_migrations(settings)  # a second run is a no-op

    config = tortoise_config(settings)
    context = await Tortoise.init(config=config)
    try:
        tables = {m._meta.db_table for app in Tortoise.apps.values() for m in app.values()}
        for table in tables:  # every model's table exists
            await connections.get("default").execute_query(f'SELECT 1 FROM "{table}" LIMIT 1')
        from moderation.models import ReasonTemplate

        # the data migration gives a new installation its ready-made reasons, in both languages
        seeded = await ReasonTemplate.all().order_by("position")
        assert len(seeded) == 5 and seeded[0].text("fr").startswith("Votre contribution")
        assert seeded[0].text("en") == "Your contribution follows the participation charter."
        detector = MigrationAutodetector(context.apps, config["apps"])
        pending = await detector.changes()
        assert pending == [], "models changed: run `participation makemigrations`"
    finally:
        await Tortoise.close_connections()
        if not settings.uses_sqlite:  # leave an empty schema for the next test's fixture
            from tests import conftest

            conftest._postgres_schema_ready = False
