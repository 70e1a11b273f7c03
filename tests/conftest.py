"""A fresh app and database for each test, on the real services.

- Database: SQLite in memory by default; PostgreSQL when DATABASE_URL says so (the schema is
  built once per run, then the tables a test wrote to are emptied before the next one).
- Redis: REDIS_URL when set, else an embedded Redis started once for the run; flushed per test.
- HTTP: httpx against the ASGI app, inside the app's lifespan.
- Browser: Chromium, live servers and axe (tests/browser/plugin.py), for any folder of tests.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from tortoise import Tortoise, connections, timezone
from tortoise.utils import get_schema_sql

from participation import textsearch, touch
from participation.accounts.models import Role, User
from participation.accounts.services import hash_password
from participation.app import create_app
from participation.db import run_migrations, tortoise_config
from participation.migration_state import migrate
from participation.redis import EmbeddedRedis
from participation.settings import Settings
from tests import ormcache

ormcache.install()  # each model finished once per run (tests/ormcache.py)

# the browser fixtures and hooks, for the core's browser tests and each feature's (tests/<name>/);
# processes sharing one selection module by module (tests/claims.py, TEST_CLAIMS); the garbage
# collector set for a process that holds every module (tests/heap.py)
pytest_plugins = ["tests.claims", "tests.browser.plugin", "tests.heap"]

DATABASE_URL = os.environ.get("DATABASE_URL") or "sqlite://:memory:"
TEST_PASSWORD = "Une-phrase-de-passe-solide"
_postgres_schema_ready = False


# What reaches the pass's database or Redis: every fixture that gives a database, an app or a
# Redis depends on `redis_url`; tests/deploy asks for `postgres_url`.
_SERVICE_FIXTURES = frozenset({"redis_url", "postgres_url"})


def pytest_sessionstart(session: pytest.Session) -> None:
    """On PostgreSQL, the pass's database commits without waiting for the disk
    (`synchronous_commit` off for every later connection to it, the live servers' included):
    a test's data never has to survive a power cut, and waiting for the disk at each of the
    pass's tens of thousands of writing commits (about 2 ms each here) was minutes of its
    length. What the application itself asks of a commit is unchanged: it sets nothing at this
    level."""
    if DATABASE_URL.startswith("postgres"):
        asyncio.run(_commits_without_waiting(DATABASE_URL))


async def _commits_without_waiting(url: str) -> None:
    import asyncpg  # installed with tortoise-orm[asyncpg]

    connection = await asyncpg.connect(url.split("?")[0])
    try:
        name = str(await connection.fetchval("SELECT current_database()"))
        quoted = '"' + name.replace('"', '""') + '"'
        await connection.execute(f"ALTER DATABASE {quoted} SET synchronous_commit = off")
    except asyncpg.PostgresError as error:  # a role that may not: the pass only takes longer
        logging.getLogger(__name__).warning("synchronous_commit left on: %s", error)
    finally:
        await connection.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass runs the tests that use the pass's database or Redis; the others
    (the tally engine, the domain rules, the checks of the source, commands run on their own
    SQLite installation) give the same result on any database and run once, in the SQLite
    pass, instead of twice."""
    if not DATABASE_URL.startswith("postgres"):
        return
    needed, once = [], []
    for item in items:
        uses = _SERVICE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (needed if uses else once).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = needed


@pytest.fixture(scope="session")
def embedded_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest) -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    return str(request.getfixturevalue("embedded_redis").url)


def make_settings(data_dir: Path, redis_url: str, **overrides: str) -> Settings:
    environ = {
        "ENVIRONMENT": "test",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "BASE_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
        "GEOCODER_URL": "",  # never the public service: tests/participation/test_geocoding.py
        "MAP_TILE_URL": "",  # never OpenStreetMap's tiles: tests/participation/tileserver.py
        **overrides,
    }
    return Settings.from_env(environ)


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> Settings:
    """The test's settings; `@pytest.mark.settings(RATE_LIMITS="off")` overrides some."""
    marker = request.node.get_closest_marker("settings")
    return make_settings(tmp_path, redis_url, **(marker.kwargs if marker else {}))


@asynccontextmanager
async def empty_database(tmp_path: Path, redis_url: str) -> AsyncIterator[Settings]:
    """Settings for a database with no table yet (a file of its own on SQLite, the test schema
    emptied on PostgreSQL), for the migration tests; afterwards Tortoise is closed and the
    shared PostgreSQL schema is rebuilt by the next test's fixture."""
    global _postgres_schema_ready
    sqlite = DATABASE_URL.startswith("sqlite")
    url = f"sqlite://{tmp_path / 'migrated.db'}" if sqlite else DATABASE_URL
    settings = make_settings(tmp_path, redis_url, DATABASE_URL=url)
    if not settings.uses_sqlite:
        # whatever happens from here on, the next test's fixture rebuilds the shared schema
        _postgres_schema_ready = False
        await Tortoise.init(config=tortoise_config(settings))
        await connections.get("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    try:
        yield settings
    finally:
        await Tortoise.close_connections()
        if not settings.uses_sqlite:
            _postgres_schema_ready = False


@pytest.fixture
def fresh_installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Scenario: a new installation (SQLite in `tmp_path`), migrated from the command line as
    the README says; its data folder."""
    from participation.cli import main

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["migrate"]) == 0
    return tmp_path


@asynccontextmanager
async def database_at(tmp_path: Path, redis_url: str, target: str) -> AsyncIterator[Settings]:
    """Scenario: an older release's database, `empty_database` migrated up to `target` only,
    Tortoise connected to it (rows are then written with that release's columns)."""
    async with empty_database(tmp_path, redis_url) as settings:
        config = tortoise_config(settings)
        await migrate(config=config, target=target)
        await Tortoise.close_connections()
        await Tortoise.init(config=config)
        yield settings


async def insert_as_before(
    row: Any, *added_since: str, gone_since: dict[str, Any] | None = None
) -> Any:
    """Scenario helper for `database_at`: write `row` (a model instance, not saved) into a table
    of an older release, which lacks the columns `added_since` that the model has now (Tortoise
    would write them all) and has the columns `gone_since` (with these values) that it no longer
    has. Sets and returns `row` with its new id; read it back only after `upgrade`."""
    meta = row._meta
    client = connections.get("default")
    postgres = client.capabilities.dialect == "postgres"
    now = timezone.now()
    columns, values = [], []
    for name, column in meta.fields_db_projection.items():
        if column in added_since or name == meta.pk_attr:
            continue
        field = meta.fields_map[name]
        value = getattr(row, name)
        if value is None and (
            getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
        ):
            value = now
        columns.append(f'"{column}"')
        values.append(field.to_db_value(value, row))
    for column, value in (gone_since or {}).items():
        columns.append(f'"{column}"')
        values.append(value)
    marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, len(values) + 1))
    rows = await client.execute_query_dict(  # execute_query returns no rows for an INSERT
        f'INSERT INTO "{meta.db_table}" ({", ".join(columns)}) VALUES ({marks}) RETURNING "id"',
        values,
    )
    row.id = rows[0]["id"]
    row._saved_in_db = True  # rows may refer to it
    return row


async def upgrade(settings: Settings) -> None:
    """Run the migrations still to apply (as a deployment does), then connect again."""
    await Tortoise.close_connections()
    await run_migrations(settings)
    await Tortoise.init(config=tortoise_config(settings))


async def _prepare_schema(settings: Settings) -> None:
    global _postgres_schema_ready
    if settings.uses_sqlite:
        await _create_tables()
        return
    connection = connections.get("default")
    if _postgres_schema_ready:
        tables = [model._meta.db_table for app in Tortoise.apps.values() for model in app.values()]
        try:
            await connection.execute_script(_EMPTY_TABLES.replace("{tables}", _sql_array(tables)))
            return
        except Exception:  # a test left the schema unusable (dropped, half-migrated): rebuild
            logging.getLogger(__name__).warning("test schema unusable, rebuilt", exc_info=True)
    _postgres_schema_ready = False
    await connection.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await _create_tables()
    _postgres_schema_ready = True


_schema_sql: dict[tuple[str, ...], str] = {}


async def _create_tables() -> None:
    """`Tortoise.generate_schemas()` with its SQL written once per run and set of models:
    Tortoise's generator takes 0.1-0.3 s of CPU each time (it walks every model's relations
    again), which every SQLite test paid for the same text."""
    for connection in connections.all():
        tables = sorted(
            model._meta.db_table for app in Tortoise.apps.values() for model in app.values()
        )
        key = (connection.capabilities.dialect, *tables)
        if key not in _schema_sql:
            models = [m for app in Tortoise.apps.values() for m in app.values()]
            # and the `updated_at` triggers that the migrations create (participation/touch.py)
            triggers = touch.script(connection.capabilities.dialect, models)
            # and the stored search vectors of migration 0035 (participation/textsearch.py)
            if connection.capabilities.dialect == "postgres":
                triggers += "\n" + "\n".join(
                    textsearch.postgres_script(t) for t in textsearch.SEARCHED if t in tables
                )
            _schema_sql[key] = get_schema_sql(connection, safe=False) + "\n" + triggers
        await connection.schema_generator(connection).generate_from_string(_schema_sql[key])


def _sql_array(names: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + name.replace("'", "''") + "'" for name in names) + "]"


# Empty the tables the previous test wrote to, and restart the sequences it used (ids start at 1
# again), in one round trip. TRUNCATE of every table took 0.2-1 s per test (a new file per table,
# and CASCADE from the users table reaches most others): it was most of the PostgreSQL pass.
# Tables with rows are emptied with DELETE, the foreign-key triggers off for the statement
# (session_replication_role: every table with rows is emptied, so no row is left orphaned); a
# role that may not set it (not a superuser) gets TRUNCATE of those tables instead.
_EMPTY_TABLES = """
DO $empty$
DECLARE
  name text;
  has_rows boolean;
  written text[] := '{}';
BEGIN
  FOREACH name IN ARRAY {tables} LOOP
    EXECUTE format('SELECT EXISTS (SELECT FROM %I)', name) INTO has_rows;
    IF has_rows THEN written := written || quote_ident(name); END IF;
  END LOOP;
  IF cardinality(written) > 0 THEN
    BEGIN
      SET LOCAL session_replication_role = replica;
      FOREACH name IN ARRAY written LOOP
        EXECUTE 'DELETE FROM ' || name;
      END LOOP;
      SET LOCAL session_replication_role = origin;
    EXCEPTION WHEN insufficient_privilege THEN
      EXECUTE 'TRUNCATE ' || array_to_string(written, ', ') || ' CASCADE';
    END;
  END IF;
  FOR name IN SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename)
              FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL
  LOOP
    EXECUTE 'ALTER SEQUENCE ' || name || ' RESTART';
  END LOOP;
END
$empty$;
"""


@pytest.fixture
async def app(settings: Settings, redis_url: str) -> AsyncIterator[Any]:
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await redis.aclose()
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        await _prepare_schema(settings)
        yield application


@asynccontextmanager
async def browser_of(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client with its own cookies: another person's browser on the same app."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@asynccontextmanager
async def logged_in(app: Any, user: User) -> AsyncIterator[httpx.AsyncClient]:
    """`user`'s own browser on the app, logged in."""
    async with browser_of(app) as c:
        await log_in(c, user)
        yield c


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_of(app) as c:
        yield c


async def create_user(
    settings: Settings,
    email: str = "resident@example.org",
    role: Role = Role.CITIZEN,
    confirmed: bool = True,
    display_name: str = "Camille Test",
) -> User:
    from tortoise import timezone

    return await User.create(
        email=email,
        display_name=display_name,
        password_hash=await hash_password(settings, TEST_PASSWORD),
        role=role,
        email_confirmed_at=timezone.now() if confirmed else None,
        terms_version=1,  # signed up when the conditions of use were at their first version
        terms_accepted_at=timezone.now(),
    )


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def session_csrf_token(client: httpx.AsyncClient) -> str | None:
    """The token the site put in this browser's session cookie (the one every form of its pages
    carries: `participation.templating.csrf_token`), or None before the site gave it one. The
    cookie's first part is the session as base64 JSON (Starlette's signed cookie)."""
    cookie = client.cookies.get("participation_session")
    if not cookie:
        return None
    try:
        payload = cookie.split(".", 1)[0]
        session = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    token = session.get("csrf") if isinstance(session, dict) else None
    return token if isinstance(token, str) else None


async def csrf_token(client: httpx.AsyncClient, page: str | None = None) -> str:
    """The CSRF token a form of `page` carries. Without a page, the session's token, read from
    the cookie when the site already gave one (a GET of the home page otherwise): the same
    token, without rendering a page for each form a test sends (most of the suite's requests)."""
    if page is None:
        if token := session_csrf_token(client):
            return token
        page = "/"
    response = await client.get(page)
    match = CSRF_FIELD.search(response.text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, url: str, data: dict[str, str], page: str | None = None
) -> httpx.Response:
    """Submit a form the way a browser does: with the CSRF token of a page of the site."""
    token = await csrf_token(client, page)
    return await client.post(url, data={**data, "csrf_token": token})


def field_error(html: str, field_id: str) -> str:
    """The error message shown for `field_id`, checking the field points at it."""
    tag = re.search(rf'<(?:input|textarea|select|fieldset)[^>]*id="{field_id}"[^>]*>', html)
    assert tag, f"no field {field_id}"
    assert re.search(rf'aria-describedby="[^"]*\b{field_id}-error"', tag.group(0)), tag.group(0)
    assert 'aria-invalid="true"' in tag.group(0) or tag.group(0).startswith("<fieldset")
    message = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert message, f"no error message for {field_id}"
    return re.sub(r"<[^>]+>", "", message.group(1)).strip()


async def log_in(client: httpx.AsyncClient, user: User) -> None:
    response = await post_form(
        client, "/account/login", {"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 303, response.text


@pytest.fixture
async def citizen(settings: Settings, app: Any) -> User:
    return await create_user(settings, "citizen@example.org", Role.CITIZEN)


@pytest.fixture
async def moderator(settings: Settings, app: Any) -> User:
    return await create_user(settings, "moderator@example.org", Role.MODERATOR)


@pytest.fixture
async def admin(settings: Settings, app: Any) -> User:
    return await create_user(settings, "admin@example.org", Role.ADMIN)


class QueryCounter(logging.Handler):
    """Collects the SQL statements Tortoise logs (to count queries per page)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.queries: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.queries.append(record.getMessage())


@contextmanager
def logged_queries() -> Iterator[list[str]]:
    """The SQL statements run inside the `with` block, in order."""
    logger = logging.getLogger("tortoise.db_client")
    counter, level = QueryCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter.queries
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


async def count_queries(client: httpx.AsyncClient, url: str) -> tuple[int, httpx.Response]:
    with logged_queries() as queries:
        response = await client.get(url)
    return len(queries), response
