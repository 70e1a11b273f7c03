"""`make package-check`: the wheel, installed outside the repository, serves the site.

Builds the wheel of the repository, installs it in a fresh virtual environment in a temporary
folder (the locked runtime set first, hash-checked, binary wheels only, from a wheelhouse kept
between runs; then the wheel alone), and from that folder, with nothing of the repository on the
path: `participation migrate` on a new SQLite file, `participation createadmin`, `participation
serve` on a free port (its embedded Redis), then a few pages (home, the proposals list, a
stylesheet, htmx, the liveness check, the home page in French and in English) and a journey
through forms as a browser makes it (cookies, CSRF token, POST-redirect-GET): a wrong password
refused with its French message, the log-in, the account page, a form sent (the public name
changed) and its result seen on the next page, the log-out. Prints what it did and how long
each step took; exits 1 on the first failure, with the step and what was seen.

    python deploy/package_check.py [--keep]    (--keep leaves the temporary folder)
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
LOCK_FILE = REPOSITORY / "requirements.lock"
START_TIMEOUT = 60.0  # seconds for the server to answer /healthz/live (a slow CI machine)
# The locked wheels (and setuptools, to build), downloaded once and kept: pip's own HTTP cache is
# not always there (a package mirror that says no-store), and a check that downloads 60 MB at
# each `make test` costs more than it checks. PACKAGE_CHECK_WHEELS moves it; delete it to start
# again (the lock's hashes are checked at each install either way).
WHEELHOUSE = Path(
    os.environ.get("PACKAGE_CHECK_WHEELS")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "participation-wheels"
)
BUILD_REQUIREMENTS = ["setuptools>=77"]  # pyproject.toml's [build-system] requires
# the account the journey logs in with, made by `participation createadmin` (a throwaway site)
ADMIN_EMAIL, ADMIN_PASSWORD = "agent@villebelle.example", "un-mot-de-passe-de-verification"


class CheckFailed(Exception):
    pass


def step(name: str, started: list[float]) -> None:
    now = time.monotonic()
    print(f"  {now - started[0]:5.1f} s  {name}", flush=True)
    started[0] = now


def run(command: list[str], **kwargs: object) -> None:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        output = f"{done.stdout}{done.stderr}"
        raise CheckFailed(f"{' '.join(command)} exited {done.returncode}:\n{output}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, language: str = "fr") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode("utf-8", "replace")
            return response.status, dict(response.headers), body
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def offline_then_online(command: list[str], fetch: list[str]) -> None:
    """`command` from the wheelhouse alone (no network); when something is missing there,
    `fetch` it into the wheelhouse from the package index, then `command` again."""
    try:
        run([*command, "--no-index", "--find-links", str(WHEELHOUSE)])
    except CheckFailed:
        run(fetch)
        run([*command, "--no-index", "--find-links", str(WHEELHOUSE)])


def build_wheel(dist: Path) -> Path:
    # setuptools builds in the repository's build/ folder (ignored by git): start it empty, so
    # that no module deleted since the last build ships
    shutil.rmtree(REPOSITORY / "build", ignore_errors=True)
    pip = [sys.executable, "-m", "pip"]
    offline_then_online(
        [*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(REPOSITORY)],
        [*pip, "download", "--quiet", "--only-binary", ":all:", "--dest", str(WHEELHOUSE)]
        + BUILD_REQUIREMENTS,
    )
    shutil.rmtree(REPOSITORY / "build", ignore_errors=True)
    wheels = list(dist.glob("participation-*.whl"))
    if len(wheels) != 1:
        raise CheckFailed(f"expected one wheel in {dist}, found {wheels}")
    return wheels[0]


def install(venv: Path, wheel: Path) -> Path:
    # a venv without its own pip: the running pip installs into it (--python), which saves
    # ensurepip's copy; --only-binary: nothing is built from source; --no-compile: no .pyc
    # written for every module installed (Python writes those of the modules it imports)
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    locked = ["--require-hashes", "--only-binary", ":all:", "-r", str(LOCK_FILE)]
    pip = [sys.executable, "-m", "pip"]
    offline_then_online(
        [*pip, "--python", str(python), "install", "--quiet", "--no-compile", *locked],
        [*pip, "download", "--quiet", "--dest", str(WHEELHOUSE), *locked],
    )
    run([*pip, "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)])
    return python


def environment(data_dir: Path, port: int) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR", "SSL_CERT_FILE")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        ENVIRONMENT="development",
        DATA_DIR=str(data_dir),
        PORT=str(port),
        WEB_CONCURRENCY="1",
        LOG_LEVEL="WARNING",
    )
    return env  # no DATABASE_URL nor REDIS_URL: SQLite and the embedded Redis of DATA_DIR


def check_pages(base: str) -> None:
    checks: list[tuple[str, str, int, str]] = [
        # path, Accept-Language, status, a text the answer holds
        ("/healthz/live", "fr", 200, ""),
        ("/", "fr", 200, 'lang="fr"'),
        ("/", "en", 200, 'lang="en"'),
        ("/proposals", "fr", 200, "Propositions"),
        ("/proposals", "en", 200, "Proposals"),
        ("/static/css/app.css", "fr", 200, "{"),
        ("/static/favicon.svg", "fr", 200, "<svg"),
        ("/no-such-page", "fr", 404, 'lang="fr"'),
    ]
    if (REPOSITORY / "static" / "vendor" / "htmx.min.js").is_file():  # npm was there
        checks.append(("/static/vendor/htmx.min.js", "fr", 200, "htmx"))
    for path, language, status, text in checks:
        got, _, body = fetch(base + path, language)
        if got != status or text not in body:
            raise CheckFailed(
                f"GET {path} (Accept-Language: {language}): {got}, expected {status}"
                f" with {text!r}:\n{body[:2000]}"
            )
        print(f"           GET {path} [{language}] -> {got}", flush=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the journey checks each 303 itself (POST-redirect-GET)


class Browser:
    """Cookies kept between requests, redirects not followed: what the journey needs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def open(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of a GET, or of a POST of `form`."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, headers={"Accept-Language": "fr"}
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                body = response.read().decode("utf-8", "replace")
                return response.status, response.headers.get("location", ""), body
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            return error.code, error.headers.get("location", ""), body

    def token(self, path: str) -> str:
        """The CSRF token of the form on the page `path` (it sets the session cookie)."""
        status, _, body = self.open(path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', body)
        if status != 200 or found is None:
            raise CheckFailed(f"GET {path}: {status}, no form with a CSRF token:\n{body[:2000]}")
        return found.group(1)


def expect(what: str, got: tuple[int, str, str], status: int, text: str = "") -> None:
    if got[0] != status or text not in got[2] and text not in got[1]:
        raise CheckFailed(
            f"{what}: {got[0]} (Location: {got[1] or '-'}), expected {status} with {text!r}:"
            f"\n{got[2][:2000]}"
        )
    print(f"           {what} -> {got[0]}", flush=True)


def check_journey(base: str) -> None:
    """Log in, send a form, see its result, log out: sessions, CSRF, the password hash, the
    forms' errors in French and the database's writes, from the installed package."""
    began, browser = time.monotonic(), Browser(base)
    token = browser.token("/account/login")
    refused = browser.open(
        "/account/login", {"csrf_token": token, "email": ADMIN_EMAIL, "password": "pas celui-là"}
    )
    if not 400 <= refused[0] < 500 or 'lang="fr"' not in refused[2]:
        raise CheckFailed(f"a wrong password: {refused[0]}, expected a 4xx page in French")
    print(f"           POST /account/login (wrong password) -> {refused[0]}", flush=True)
    logged = {"csrf_token": token, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    expect("POST /account/login", browser.open("/account/login", logged), 303)
    expect("GET /account", browser.open("/account"), 200, html.escape(ADMIN_EMAIL))
    token = browser.token("/account")  # a new session after the log-in: a new token
    name = "Agente de l’accueil"
    sent = browser.open("/account/name", {"csrf_token": token, "display_name": name})
    expect("POST /account/name", sent, 303)
    expect("GET /account (the name changed)", browser.open("/account"), 200, html.escape(name))
    expect("POST /account/logout", browser.open("/account/logout", {"csrf_token": token}), 303)
    status, location, _ = browser.open("/account")
    if status not in (302, 303, 307) or "/account/login" not in location:
        raise CheckFailed(f"GET /account after the log-out: {status} to {location!r}")
    print(f"           GET /account (logged out) -> {status} {location}", flush=True)
    print(f"           (the journey took {time.monotonic() - began:.1f} s)", flush=True)


def serve_and_check(python: Path, home: Path) -> None:
    port = free_port()
    data_dir = home / "data"
    env = environment(data_dir, port)
    participation = str(python.parent / "participation")
    # the installed package, not the repository's: run from the temporary folder
    where = subprocess.run(
        [str(python), "-c", "import participation, sys; print(participation.__file__)"],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not where.startswith(str(python.parent.parent)):
        raise CheckFailed(f"participation was imported from {where}, not from the new venv")
    run([participation, "migrate"], cwd=home, env=env)
    admin = ["createadmin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]
    run([participation, *admin], cwd=home, env=env)
    log = (home / "serve.log").open("w")
    server = subprocess.Popen(
        [participation, "serve", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if fetch(f"http://127.0.0.1:{port}/healthz/live")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise CheckFailed(
                    "participation serve did not answer:\n" + (home / "serve.log").read_text()
                )
            time.sleep(0.2)
        check_pages(f"http://127.0.0.1:{port}")
        check_journey(f"http://127.0.0.1:{port}")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()
        stop_embedded_redis(data_dir / "redis.sock")


def stop_embedded_redis(socket_path: Path) -> None:
    """The server started it in its own session (participation/redis.py): ask it to stop."""
    if not socket_path.exists():
        return
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(socket_path))
            sock.sendall(b"SHUTDOWN NOSAVE\r\n")
            sock.recv(16)
    except OSError:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="participation-package-check-"))
    started = [time.monotonic()]
    began = started[0]
    print(f"== Package check in {home} (outside the repository)", flush=True)
    try:
        wheel = build_wheel(home / "dist")
        step(f"wheel built: {wheel.name}", started)
        python = install(home / "venv", wheel)
        step("installed from requirements.lock (hashes checked) and the wheel", started)
        serve_and_check(python, home)
        step("migrated, served and answered from the installed package", started)
    except CheckFailed as failure:
        print(f"PACKAGE CHECK FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    print(f"== Package check passed in {time.monotonic() - began:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
