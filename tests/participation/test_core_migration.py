"""A database made by the code before the shared core (main at d2967f5), with rows in it,
migrated by this code: the core's migration moves models between Tortoise apps without touching
the database (participation/migration_ops.py::MoveModel). Same tables, columns, indexes and
constraints, every row kept, and the app reads and writes them (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from participation.db import run_migrations, tortoise_config
from participation.migration_state import migrate
from participation.settings import Settings
from tests.conftest import empty_database

BEFORE_THE_CORE = "d2967f5"  # main before issue #17's shared core
ROOT = Path(__file__).resolve().parents[2]

# Run by the old code (its tree on sys.path): migrate, then a town's worth of rows through its
# own services: a verified resident, a budget in voting with a ballot, a consultation with an
# answer, phase switches, audit entries, a proposal in a district.
SEED = """
import asyncio

from participation.db import close_database, init_database, run_migrations
from participation.settings import Settings


async def seed() -> None:
    settings = Settings.from_env()
    await run_migrations(settings)
    await init_database(settings)
    from budgets import domain, services
    from budgets.models import Phase
    from consultations import services as consultations
    from consultations.models import Phase as ConsultationPhase
    from participation.accounts.models import Role
    from tests.budgets.factories import PERSON, budget_in_voting, verified
    from tests.conftest import create_user
    from tests.consultations.factories import consultation_open
    from tests.participation.proposal_factories import make_territory

    resident = await create_user(settings, "resident@example.org")
    admin = await create_user(settings, "admin@example.org", Role.ADMIN)
    await verified(settings, resident)
    budget, projects = await budget_in_voting()
    entry, born = await services.find_census_entry(settings, *PERSON.values())
    voter = domain.Voter(True, born, entry.district)
    await services.cast_ballot(settings, budget.id, entry, voter, {projects[0].id: 1})
    await services.switch_phase(budget.id, Phase.REVIEW, admin)
    consultation, _ = await consultation_open()
    await consultations.switch_phase(consultation.id, ConsultationPhase.CLOSED, admin)
    await make_territory()
    await close_database()


asyncio.run(seed())
"""


def _environment(settings: Settings, old_tree: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(old_tree),
        "ENVIRONMENT": "test",
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        # the pass's own Redis database (two SQLite processes run at once: each has its own)
        "REDIS_URL": os.environ.get("REDIS_URL")
        or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "BASE_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
    }


def _old_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "main"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", BEFORE_THE_CORE], cwd=ROOT, capture_output=True, check=False
    )
    if archive.returncode != 0:
        pytest.skip(f"commit {BEFORE_THE_CORE} is not in this checkout's history")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


async def _schema(postgres: bool) -> dict[str, Any]:
    """Tables with their columns, indexes and constraints, and every table's row count."""
    client = connections.get("default")
    if postgres:
        columns = await client.execute_query_dict(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, "
            "character_maximum_length FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY 1, 2"
        )
        indexes = await client.execute_query_dict(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = 'public' ORDER BY 1, 2"
        )
        constraints = await client.execute_query_dict(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        tables = sorted({row["table_name"] for row in columns})
        shape = {
            "columns": [tuple(row.values()) for row in columns],
            "indexes": [tuple(row.values()) for row in indexes],
            "constraints": [tuple(row.values()) for row in constraints],
        }
    else:
        rows = await client.execute_query_dict(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
        )
        tables = sorted(row["name"] for row in rows if row["type"] == "table")
        shape = {"objects": [tuple(row.values()) for row in rows]}
    counts = {}
    for table in tables:
        rows = await client.execute_query_dict(f'SELECT COUNT(*) AS n FROM "{table}"')
        counts[table] = rows[0]["n"]
    return {"shape": shape, "counts": counts}


async def _recorded() -> set[tuple[str, str]]:
    """The migrations the database has recorded, as (app, name)."""
    rows = await connections.get("default").execute_query_dict(
        'SELECT app, name FROM "tortoise_migrations"'
    )
    return {(row["app"], row["name"]) for row in rows}


def _of_tables(shape: dict[str, list[tuple[Any, ...]]], tables: set[str]) -> dict[str, Any]:
    """The rows of `shape` about `tables` (each row starts with its table's name, but SQLite's
    sqlite_master rows, whose table is their third value)."""
    if "objects" in shape:
        return {"objects": [row for row in shape["objects"] if row[2] in tables]}
    return {
        key: [row for row in rows if str(row[0]).strip('"') in tables]
        for key, rows in shape.items()
    }


CORE_MOVE = (
    "participation.0008_target_kind",
    "moderation.0003_target_kind",
    "indicators.0002_target_kind",
    "followup.0002_target_kind",
)


async def test_a_database_made_before_the_core_migrates_without_change(
    tmp_path: Path, redis_url: str
) -> None:
    async with empty_database(tmp_path, redis_url) as settings:
        old_tree = await asyncio.to_thread(_old_tree, tmp_path)
        environment = _environment(settings, old_tree) | {"REDIS_URL": redis_url}
        seeded = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", SEED],
            cwd=old_tree,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stderr[-3000:]

        postgres = not settings.uses_sqlite
        config = tortoise_config(settings)
        await Tortoise.init(config=config)
        before = await _schema(postgres)
        migrations_before = await _recorded()
        await Tortoise.close_connections()

        # the core move is these migrations (and those of apps new since, e.g. meetings);
        # later ones may change the old tables (budgets.0004 adds a column): applied below
        for target in CORE_MOVE:
            await migrate(config=config, target=target)
        await Tortoise.close_connections()

        context = await Tortoise.init(config=config)
        after = await _schema(postgres)
        # features installed since (meetings...) bring tables of their own: compare the others
        old_tables = set(before["counts"])
        assert _of_tables(after["shape"], old_tables) == before["shape"]  # nothing moved
        recorder = "tortoise_migrations"
        counts_before = {t: n for t, n in before["counts"].items() if t != recorder}
        counts_after = {
            t: n for t, n in after["counts"].items() if t != recorder and t in old_tables
        }
        assert counts_after == counts_before  # every row kept
        assert counts_before["budgets_residency"] == 1 and counts_before["moderation_auditlog"]
        migrations = await _recorded()
        new = migrations - migrations_before
        old_apps = {app for app, _name in migrations_before}
        since = {(app, name) for app, name in new if app not in old_apps}
        # the move, and only it, then the renames of (kind, id) (state only as well, the tables
        # compared above; followup.0002's data: tests/followup/test_kind_migration.py)
        assert new - since == {
            ("participation", "0007_core_models"),
            ("participation", "0008_target_kind"),
            ("moderation", "0003_target_kind"),
            ("indicators", "0002_target_kind"),
            ("followup", "0002_target_kind"),
        }
        await Tortoise.close_connections()
        await run_migrations(settings)  # and every later one
        context = await Tortoise.init(config=config)
        detector = MigrationAutodetector(context.apps, config["apps"])
        assert await detector.changes() == []  # the models match the migrated state

        # the moved models read the old rows, and the features work on them
        from budgets import services as budgets
        from budgets.models import Budget, Phase, PhaseSwitch, VoterRegister
        from consultations import services as consultations
        from participation.accounts.models import User
        from participation.audit import AuditLogEntry, audit
        from participation.residents import services as residents
        from participation.residents.models import CensusEntry, District

        resident = await User.get(email="resident@example.org")
        known, residency = await residents.resident_of(resident)
        assert known.verified and known.district == "Nord" and residency is not None
        register = await VoterRegister.get().prefetch_related("census_entry")
        assert register.census_entry.id == residency.census_entry_id  # the foreign key follows
        assert await CensusEntry.all().count() == counts_before["budgets_census_entry"]
        assert await District.all().count() == counts_before["territory_district"]
        assert (await consultations.person_of(resident)).district == "Nord"
        logged = await AuditLogEntry.filter(action="budget_phase").count()
        assert logged == 2  # voting (the factory) and review (staff)
        budget = await Budget.get()
        assert await budgets.switch_phase(budget.id, Phase.VOTING, by_user=resident)
        assert await PhaseSwitch.filter(budget_id=budget.id).count() == 3
        await audit(resident, "test", "budget", budget.id)
        assert await AuditLogEntry.all().count() == counts_before["moderation_auditlog"] + 2
