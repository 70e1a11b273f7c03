"""The app's own CPU per request of a signed-in resident, in process (issue #23).

    .venv/bin/python bench/request_cpu.py [--database sqlite|postgres://...] [--requests 200]
        [--rounds 5] [--pages home,list,proposal,...] [--profile out.prof] [--comments 50]
        [--redis redis://127.0.0.1:6379/6] [--viewer demo|plain]

Pages: home, list, proposal, ballot, receipt, notifications, account, consultation (its page),
questionnaire (an open one's), results (a consultation's public results).

No server, no network: `create_app` driven by httpx's ASGITransport, as the tests drive it,
so the figure is what the app itself pays for a request (middleware, session, routing, queries
built and read, templates), plus httpx's client side, which is the same before and after any
change of the app and is printed on its own (`baseline`: a request answered by a bare ASGI
function). The demo town is loaded in a fresh database (SQLite in a temporary folder, or the
PostgreSQL database given, dropped and created), the demo resident's most commented proposal is
brought to `--comments` comments, and she is signed in (a session row and its signed cookie, no
argon2 log-in). Each page is asked `--requests` times per round after a warm-up; the figure is
`time.process_time()` per request, the median of `--rounds` rounds (the machine is shared: CPU
time, not wall time; the database server's CPU is not counted, SQLite's is).
`--profile FILE` writes a cProfile of one more round of every page (read it with
`python -m pstats FILE` or `bench/request_cpu.py --top FILE`) and prints the Python function
calls per request of each page: a figure the machine's load does not move.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from typing import Any

import httpx
from _common import ANSWERS_KEY, SECRET
from ballots import fresh_database, session_cookie

from participation.accounts.models import Role, User
from participation.accounts.services import start_session
from participation.app import create_app
from participation.comments.models import Comment
from participation.db import close_database, init_database, run_migrations
from participation.demo import DEMO_ACCOUNTS
from participation.proposals.models import Proposal
from participation.residents.models import Residency
from participation.richtext import ALLOW_LIST_VERSION
from participation.settings import Settings

PAGES = (
    "home",
    "list",
    "proposal",
    "ballot",
    "receipt",
    "notifications",
    "account",
    "consultation",
    "questionnaire",
    "results",
)


def bench_settings(
    database: str, data_dir: str, redis: str = "redis://127.0.0.1:6379/6"
) -> Settings:
    url = f"sqlite://{data_dir}/bench.db" if database == "sqlite" else database
    return Settings.from_env(
        {
            # the suite's settings on both databases (production refuses SQLite); no request
            # of a signed-in page reads the difference (the page cache is for visitors)
            "ENVIRONMENT": "test",
            "DATA_DIR": data_dir,
            "DATABASE_URL": url,
            # the page cache's generation (participation/pagecache.py): the shared parts of
            # signed-in pages (participation/sharedparts.py) are kept as visitors' pages are
            "REDIS_URL": redis,
            "SECRET_KEY": SECRET,
            "ANSWERS_KEY": ANSWERS_KEY,
            "BASE_URL": "http://testserver",
            "LOG_LEVEL": "WARNING",
            "RATE_LIMITS": "off",
            "GEOCODER_URL": "",
        }
    )


async def prepare(settings: Settings, comments: int, viewer: str = "demo") -> dict[str, str]:
    """The demo town, `comments` comments on its most commented proposal, the resident's
    session: the pages' paths and the cookie. `viewer`: "demo", the demo's resident (the
    author of a comment awaiting moderation on that proposal, of a draft and of a proposal
    awaiting moderation: those pages are rendered for her alone), or "plain", a verified
    resident of the demo who wrote nothing (what most residents see: the shared parts,
    participation/sharedparts.py)."""
    from budgets.models import Budget, Phase
    from consultations.models import Consultation
    from consultations.models import Phase as ConsultationPhase
    from consultations.queries import results_are_public
    from participation.demo import load as load_demo
    from participation.proposals.queries import public_proposals

    if not settings.uses_sqlite:
        await fresh_database(settings.database_url)
    await run_migrations(settings)
    await load_demo(settings)
    await init_database(settings)
    try:
        resident = await User.get(email=DEMO_ACCOUNTS[0][0])
        public = await public_proposals().values_list("id", flat=True)
        ids = await Comment.filter(proposal_id__in=public).values_list("proposal_id", flat=True)
        commented = max(set(ids), key=ids.count)
        authors = await User.all().order_by("id").limit(3)
        parent = None
        for i in range(ids.count(commented), comments):  # every other one a reply
            text = f"Un avis de plus sur cette proposition, le numéro {i}."
            comment = await Comment.create(
                proposal_id=commented,
                author_id=authors[i % 3].id,
                body=f"<p>{text}</p>",
                body_source=text,
                sanitized_with=ALLOW_LIST_VERSION,  # as the comments' service stores them
                parent_id=parent.id if parent else None,
                depth=1 if parent else 0,
            )
            parent = None if parent else comment
        voting = await Budget.filter(phase=Phase.VOTING).first()
        consultation = await Consultation.all().order_by("id").first()
        answering = await Consultation.filter(phase=ConsultationPhase.OPEN).order_by("id").first()
        # a consultation whose results are public (bench/load.py's consultation-results-in)
        public_results = next(
            (c for c in await Consultation.all().order_by("id") if results_are_public(c)), None
        )
        if viewer == "plain":
            wrote = {*await Comment.all().values_list("author_id", flat=True)}
            wrote |= {*await Proposal.all().values_list("author_id", flat=True)}
            verified = await Residency.all().values_list("user_id", flat=True)  # may vote
            resident = (
                await User.filter(
                    role=Role.CITIZEN, email_confirmed_at__isnull=False, id__in=verified
                )
                .exclude(id__in=wrote)
                .order_by("id")
                .first()
            )
            assert resident is not None, "the demo town has changed"
        token = await start_session(resident)
        paths = {
            "home": "/",
            "list": "/proposals",
            "proposal": f"/proposals/{commented}",
            "ballot": f"/budgets/{voting.id}/ballot" if voting else "",
            # the receipt page after a ballot (the code the session holds: issue #15)
            "receipt": f"/budgets/{voting.id}/ballot/receipt" if voting else "",
            "notifications": "/notifications",
            "account": "/account",
            "consultation": f"/consultations/{consultation.id}" if consultation else "",
            # an open consultation's questionnaire (bench/load.py's questionnaire-in)
            "questionnaire": f"/consultations/{answering.id}/answer" if answering else "",
            "results": f"/consultations/{public_results.id}/results" if public_results else "",
        }
        session: dict[str, Any] = {"auth": token, "csrf": "x" * 43}
        if voting:
            session["receipt"] = {"budget": voting.id, "code": "K7QM-2XPA-9VRT"}
        return {**paths, "cookie": session_cookie(session)}
    finally:
        await close_database()


async def bare_app(scope: Any, receive: Any, send: Any) -> None:
    """The client's own share: an ASGI app that answers a small page at once."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"<p>ok</p>" * 500})


async def cpu_per_request(client: httpx.AsyncClient, path: str, requests: int) -> float:
    start = time.process_time()
    for _ in range(requests):
        response = await client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    return (time.process_time() - start) / requests * 1000


async def measure(settings: Settings, args: argparse.Namespace, paths: dict[str, str]) -> None:
    app = create_app(settings)
    pages = [p for p in args.pages.split(",") if paths.get(p)]
    results: dict[str, list[float]] = {p: [] for p in pages}
    baseline: list[float] = []
    calls: dict[str, float] = {}  # Python function calls per request, with --profile
    async with app.router.lifespan_context(app):
        cookies = {"participation_session": paths["cookie"]}
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=bare_app), base_url="http://testserver"
            ) as bare,
        ):
            client.cookies.update(cookies)
            for page in pages:  # warm up: templates compiled, caches filled
                await cpu_per_request(client, paths[page], 20)
            await cpu_per_request(bare, "/", 50)
            for _ in range(args.rounds):
                baseline.append(await cpu_per_request(bare, "/", args.requests))
                for page in pages:
                    results[page].append(await cpu_per_request(client, paths[page], args.requests))
            if args.profile:  # one more round, each page profiled on its own
                combined: pstats.Stats | None = None
                for page in pages:
                    profiler = cProfile.Profile(time.process_time)  # CPU, not waits
                    profiler.enable()
                    await cpu_per_request(client, paths[page], args.requests)
                    profiler.disable()
                    stats = pstats.Stats(profiler)
                    calls[page] = stats.total_calls / args.requests  # type: ignore[attr-defined]
                    combined = stats if combined is None else combined.add(stats)
                assert combined is not None
                combined.dump_stats(args.profile)
    database = "SQLite" if settings.uses_sqlite else "PostgreSQL"
    print(f"{database}, {args.requests} requests x {args.rounds} rounds, CPU ms per request")
    calls_title = "calls" if calls else ""
    print(f"{'page':<14} {'path':<22} {'median':>7} {'min':>7} {'max':>7}  {calls_title}")
    for page in pages:
        values = results[page]
        print(
            f"{page:<14} {paths[page]:<22} {statistics.median(values):7.2f} "
            f"{min(values):7.2f} {max(values):7.2f}  "
            + (f"{calls[page]:,.0f}" if page in calls else "")
        )
    print(f"{'baseline':<14} {'(httpx, bare app)':<22} {statistics.median(baseline):7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--comments", type=int, default=50)
    parser.add_argument("--profile", default="")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--viewer", choices=("demo", "plain"), default="demo")
    parser.add_argument("--top", default="", help="print the top of a profile written before")
    args = parser.parse_args()
    if args.top:
        stats = pstats.Stats(args.top)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        return
    with tempfile.TemporaryDirectory() as data_dir:
        settings = bench_settings(args.database, data_dir, args.redis)
        print("loading the demo town...", file=sys.stderr, flush=True)
        paths = asyncio.run(prepare(settings, args.comments, args.viewer))
        asyncio.run(measure(settings, args, paths))


if __name__ == "__main__":
    main()
