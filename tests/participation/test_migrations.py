"""The committed migrations build the whole schema and match the models."""

from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from participation import touch
from participation.db import run_migrations, tortoise_config
from tests.conftest import empty_database


async def test_migrations_apply_on_a_fresh_database_and_match_the_models(
    tmp_path: Path, redis_url: str
) -> None:
    async with empty_database(tmp_path, redis_url) as settings:
        await run_migrations(settings)
        await run_migrations(settings)  # a second run is a no-op

        config = tortoise_config(settings)
        context = await Tortoise.init(config=config)
        tables = {m._meta.db_table for app in Tortoise.apps.values() for m in app.values()}
        for table in tables:  # every model's table exists
            await connections.get("default").execute_query(f'SELECT 1 FROM "{table}" LIMIT 1')
        models = [m for app in Tortoise.apps.values() for m in app.values()]
        for model in touch.touched_models(models):  # and the `updated_at` trigger it declares
            table = model._meta.db_table
            assert await touch.installed(connections.get("default"), table), table
        from moderation.models import ReasonTemplate

        # the data migration gives a new installation its ready-made reasons, in both languages
        seeded = await ReasonTemplate.all().order_by("position")
        assert len(seeded) == 5 and seeded[0].text("fr").startswith("Votre contribution")
        assert seeded[0].text("en") == "Your contribution follows the participation charter."
        detector = MigrationAutodetector(context.apps, config["apps"])
        pending = await detector.changes()
        assert pending == [], "models changed: run `participation makemigrations`"


def test_a_state_cloned_before_an_operation_keeps_the_schema_of_before() -> None:
    """`participation migrate` renders a migration state only when an operation reads it
    (participation/migration_state.py): what a copy renders is still the state of the moment
    it was taken, not the state the operation then changed."""
    from tortoise import fields
    from tortoise.migrations.operations import AddField, CreateModel, RemoveField
    from tortoise.migrations.schema_generator.state import State
    from tortoise.migrations.schema_generator.state_apps import StateApps

    from participation import migration_state

    migration_state.install()
    state = State(models={}, apps=StateApps()).clone()  # as `migrate` makes them: lazy
    assert isinstance(state, migration_state._LazyState)
    CreateModel("Town", [("id", fields.IntField(primary_key=True))]).state_forward("t", state)
    AddField("Town", "mayor", fields.CharField(max_length=50)).state_forward("t", state)
    before = state.clone()
    RemoveField("Town", "mayor").state_forward("t", state)
    AddField("Town", "motto", fields.CharField(max_length=50)).state_forward("t", state)

    assert set(before.apps.get_model("t.Town")._meta.fields_map) == {"id", "mayor"}
    assert set(state.apps.get_model("t.Town")._meta.fields_map) == {"id", "motto"}

    # a state read, then copied, then changed: the copy keeps the classes it was rendered
    # with, the state renders its own again (a district pointing to the town: both ends)
    CreateModel(
        "District",
        [
            ("id", fields.IntField(primary_key=True)),
            ("town", fields.ForeignKeyField("t.Town", related_name="districts")),
        ],
    ).state_forward("t", state)
    assert "districts" in state.apps.apps["t"]["Town"]._meta.fields_map  # the whole state
    with_districts = state.clone()
    RemoveField("District", "town").state_forward("t", state)
    assert "districts" in with_districts.apps.apps["t"]["Town"]._meta.fields_map
    assert "districts" not in state.apps.apps["t"]["Town"]._meta.fields_map
    assert set(state.apps.get_model("t.District")._meta.fields_map) == {"id"}

    # one model asked for, as a schema operation does: it and what its relations lead to are
    # rendered, not the rest of the state (no street there)
    AddField("District", "town", fields.ForeignKeyField("t.Town")).state_forward("t", state)
    CreateModel("Street", [("id", fields.IntField(primary_key=True))]).state_forward("t", state)
    district = state.apps.get_model("t.District")
    assert district._meta.fields_map["town"].related_model._meta.db_table == "town"
    town = district._meta.fields_map["town"].related_model
    assert set(town._meta.fields_map) == {"id", "motto", "districts"}
    assert state._partial is not None and set(state._partial[0]) == {
        ("t", "District"),
        ("t", "Town"),
    }


async def test_a_migration_model_is_finished_for_queries_when_first_queried(app: object) -> None:
    """The classes a migration renders are finished for queries (filters, base query) only when
    something queries them (`_finish_when_queried`): a data migration querying one gets what
    Tortoise would have built."""
    from tortoise import fields
    from tortoise.migrations.operations import CreateModel
    from tortoise.migrations.schema_generator.state import State
    from tortoise.migrations.schema_generator.state_apps import StateApps
    from tortoise.models import MetaInfo

    from participation import migration_state

    migration_state.install()
    state = State(models={}, apps=StateApps(default_connections={"t": "default"})).clone()
    CreateModel(
        "Town",
        [("id", fields.IntField(primary_key=True)), ("name", fields.CharField(max_length=50))],
        options={"table": "town"},
    ).state_forward("t", state)
    town = state.apps.get_model("t.Town")
    assert type(town._meta) is migration_state._UnfinishedMeta  # not finished by rendering

    sql = town.filter(name__icontains="Villebelle").sql()
    assert type(town._meta) is MetaInfo
    assert 'FROM "town" WHERE' in sql and "LIKE" in sql.upper()
    assert {"name", "name__in", "name__icontains", "pk"} <= set(town._meta.filters)


def test_the_filters_written_once_are_tortoises_for_every_field_of_every_model() -> None:
    """`participation migrate` writes the filter table of a field once and shares it between
    the model classes it renders (participation/migration_state.py): for every field of every
    model, and each primary key as `pk`, it is the table Tortoise would have made, asked twice."""
    import importlib

    from tortoise.models import Model

    from participation import migration_state
    from participation.db import apps

    modules = {importlib.import_module(m) for app in apps().values() for m in app["models"]}
    models = [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Model)
        and value.__module__ == module.__name__
    ]
    fields_seen = 0
    for model in models:
        for name, field in model._meta.fields_map.items():
            if isinstance(field, migration_state._FIELDS_OF_THEIR_OWN):
                continue  # Tortoise's own function makes theirs, each time
            names = [name, "pk"] if field.pk else [name]
            for field_name in names:
                source = field.source_field or name
                for _ in range(2):
                    ours = migration_state.get_filters_for_field(field_name, field, source)
                    theirs = migration_state._TORTOISE_FIELD_FILTERS(field_name, field, source)
                    assert ours == theirs, (model.__name__, field_name)
                fields_seen += 1
    assert fields_seen > 300


def test_a_column_added_to_an_existing_table_can_fill_its_rows() -> None:
    """Upgrading a town's database adds columns to tables that have rows: a NOT NULL column
    without a database default is refused there (PostgreSQL: « contains null values »), while
    a new installation, whose tables are empty, never notices. Every such column of every
    migration is nullable or has a `db_default` (a Python `default` alone is not in the SQL)."""
    import importlib
    import pkgutil

    from tortoise import fields
    from tortoise.fields.relational import RelationalField
    from tortoise.migrations.operations import AddField, CreateModel

    from participation.db import apps

    NOT_SET = fields.IntField().db_default  # Tortoise's "no database default" marker
    refused = []
    for app in apps().values():
        package = importlib.import_module(app["migrations"])
        created: set[str] = set()
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            migration = importlib.import_module(f"{package.__name__}.{info.name}").Migration
            for operation in migration.operations:
                if isinstance(operation, CreateModel):
                    created.add(operation.name)
                elif isinstance(operation, AddField) and operation.model_name in created:
                    field = operation.field
                    if isinstance(field, RelationalField) or field.null:
                        continue  # a relation is refused anyway; a nullable column fills itself
                    if field.db_default in (None, NOT_SET) and not field.pk:
                        refused.append(f"{info.name}: {operation.model_name}.{operation.name}")
    assert refused == [], "\n".join(refused)
