"""The core's subcommands of `participation`, declared in participation/cli.py: each
`configure_*` adds a command's arguments and function to the parser made for it. Imported only
when one of them runs (or shows its help): `participation tally` never loads this module.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import subprocess
import sys

from participation import demo, error_reporting, logs, metrics
from participation.accounts import services as accounts
from participation.db import close_database, init_database, run_migrations
from participation.i18n import gettext
from participation.redis import environ_with_redis, redis_url, stop_embedded_redis
from participation.refusals import Refused  # pure: no web stack, no database
from participation.sealing import new_key
from participation.settings import Settings, new_secret_key
from participation.worker import build_worker


def configure_run(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(func=run_all)


def configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, help="overrides PORT")
    parser.add_argument("--workers", type=int, help="web processes; overrides WEB_CONCURRENCY")
    parser.add_argument(
        "--server",
        choices=("granian", "uvicorn"),
        default="granian",
        help="ASGI server (default granian; uvicorn is kept to compare, see docs/performance.md)",
    )
    parser.set_defaults(func=serve_web)


def configure_worker(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(func=run_worker)


def configure_migrate(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(func=migrate_database)


def configure_makemigrations(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", help="a short name for the migration")
    parser.set_defaults(func=make_migrations)


def configure_answers_key(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(func=print_answers_key)


def configure_secret_key(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(func=print_secret_key)


def configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(func=load_demo)


def configure_createadmin(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", default="", help="public name (default: from the e-mail)")
    parser.add_argument("--password", help="default: asked, or ADMIN_PASSWORD")
    parser.set_defaults(func=create_admin)


def serve_web(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    # Resolve Redis once here, so that every web process shares the same (embedded) server.
    os.environ["REDIS_URL"] = redis_url(settings)
    port = args.port or settings.port
    workers = args.workers or settings.web_concurrency
    if settings.metrics_token:  # the processes add up their request counts there
        metrics.prepare_multiprocess_folder(settings.data_dir, port)
    if args.server == "uvicorn":
        import uvicorn  # only the server chosen is imported (granian is the default)

        uvicorn.run(
            "participation.app:create_app",
            factory=True,
            host=settings.host,
            port=port,
            workers=workers,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            log_level=settings.log_level.lower(),
            access_log=settings.log_level == "DEBUG",
        )
        return 0
    # granian: its Rust HTTP layer and process model served 8x uvicorn's requests per second
    # with 2 processes on 2 cores (docs/performance.md, "Load").
    # only the server chosen is imported (uvicorn when asked, else granian):
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    Server(
        "participation.asgi:web_app",
        factory=True,
        address=settings.host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_level=LogLevels(settings.log_level.lower()),
        log_access=settings.log_level == "DEBUG",
        backlog=2048,
    ).serve()
    return 0


def run_worker(args: argparse.Namespace) -> int:

    settings = Settings.from_env()
    logs.configure(settings)  # e-mails are written to this log when no SMTP server is set
    error_reporting.init(settings, "worker")
    worker = build_worker(settings, redis_url(settings))
    worker.run()
    return 0


def run_all(args: argparse.Namespace) -> int:
    """Embedded Redis first, then web and worker as child processes; Ctrl-C stops all three."""

    settings = Settings.from_env()
    env = environ_with_redis(redis_url(settings))
    command = [sys.executable, "-m", "participation.cli"]  # the `participation` command
    children = [
        subprocess.Popen([*command, "worker"], env=env),
        subprocess.Popen([*command, "serve"], env=env),
    ]
    print(f"{settings.site_name} is running on {settings.base_url}  (Ctrl-C to stop)", flush=True)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    interrupted = False
    try:
        while all(child.poll() is None for child in children):
            try:
                children[0].wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        interrupted = True  # Ctrl-C reached the children too (same process group)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if not interrupted:  # a child stopped (or SIGTERM): stop the other one
            stop()
        _wait_then_stop(children)
        stop_embedded_redis()
    print("Stopped.", flush=True)
    return 0


def _wait_then_stop(children: list[subprocess.Popen[bytes]]) -> None:
    """Give each child 10 s to finish what it is doing, then ask again, then kill it."""
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def migrate_database(args: argparse.Namespace) -> int:

    asyncio.run(run_migrations(Settings.from_env()))
    print("Database is up to date.")
    return 0


def make_migrations(args: argparse.Namespace) -> int:
    from tortoise.cli.cli import run_cli_async  # a developer's tool, not needed to run the site

    argv = ["-c", "participation.db.TORTOISE_ORM_FOR_CLI", "makemigrations"]
    if args.name:
        argv += ["--name", args.name]
    return asyncio.run(run_cli_async(argv))


def print_answers_key(args: argparse.Namespace) -> int:
    print(new_key())
    return 0


def print_secret_key(args: argparse.Namespace) -> int:
    print(new_secret_key())
    return 0


def load_demo(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if settings.is_production:
        # its accounts' passwords are published in the README
        print(
            "The demo town is not loaded in production (ENVIRONMENT=production).",
            file=sys.stderr,
        )
        return 2
    asyncio.run(demo.load(settings))
    return 0


def create_admin(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    password = args.password or os.environ.get("ADMIN_PASSWORD") or getpass.getpass("Password: ")
    name = args.name or args.email.split("@")[0]

    async def create() -> int:
        await init_database(settings)
        try:
            user = await accounts.create_admin(settings, args.email, name, password)
        except Refused as refused:
            for problem in refused.problems:
                print(f"{problem.field}: {gettext(problem.message)}", file=sys.stderr)
            return 2
        finally:
            await close_database()
        print(f"Admin account ready: {user.email}")
        return 0

    return asyncio.run(create())
