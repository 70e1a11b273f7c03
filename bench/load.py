"""Load test: `participation serve` on PostgreSQL, several web processes, driven by wrk.

    .venv/bin/python bench/load.py [--workers 2] [--connections 100] [--duration 10]
        [--server granian|uvicorn] [--voters 5000] [--pool 10] [--scenarios home,list,...]
        [--write-rate 2]
        [--database postgres://postgres@127.0.0.1:5432/bench_load] [--redis redis://127.0.0.1:6379/13]

1. Builds a fresh database: the demo town (`participation demo`: proposals, a published
   budget with its results) and a budget in voting with `--voters` verified residents, each
   with an open session (cookies signed here, as bench/ballots.py does, so that argon2 log-ins
   are not measured).
2. Starts `participation serve --workers N` and runs wrk (Debian's `wrk` package; `make load`
   installs it) for `--duration` seconds per scenario with `--connections` connections:
   anonymous GETs of the home page, the proposal list, a proposal page and a results page, then
   ballot POSTs (bench/ballot.lua; each voter casts, then changes, their ballot); then
   `ballot-rate`: ballot POSTs at a fixed `--ballot-rate` (default 500/s) over the same
   connections with bench/httpload.py, latency counted from when each ballot was due.
3. During the page scenarios, a background writer: residents post comments on the demo's
   newest proposal at `--write-rate` per second (0: none), each POST a write that empties the
   visitors' page caches of every process (participation/pagecache.py), as a busy evening does.
4. Prints req/s, p50, p99 and errors (socket errors + answers other than 2xx/3xx) per scenario,
   the CPU time the web processes spent per request (PostgreSQL's is not counted), the page
   cache's hits and misses during the scenario (read from /metrics before and after:
   `participation_page_cache_requests_total`) and its hit rate, the writes made and refused,
   and the load average before and after, since other jobs may share the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpload
import httpx
from _common import ROOT, server_on_free_port, service_options
from ballots import (
    ballot_form,
    ballot_post,
    cpu_seconds,
    fresh_database,
    load_average,
    random_ballot,
    rejected,
    seed,
    wait_until_up,
)
from prometheus_client.parser import text_string_to_metric_families

from budgets.demo import DISTRICTS
from budgets.models import Budget, Phase
from consultations.models import Consultation
from consultations.models import Phase as ConsultationPhase
from consultations.queries import results_are_public
from participation.comments.models import Comment
from participation.db import close_database, init_database, run_migrations
from participation.proposals.queries import public_proposals
from participation.settings import Settings

SCENARIOS = ("home", "list", "proposal", "results", "ballot", "ballot-rate")
# the same pages for a signed-in resident (a voter of the seeded budget: never served from the
# page cache), and the ballot page (GET); `--scenarios` picks them, not run by default
SIGNED_IN = (
    "home-in",
    "list-in",
    "proposal-in",
    "ballot-page",
    "receipt-in",  # the resident's ballot receipt (they cast one before the scenario)
    "questionnaire-in",  # an open consultation's questionnaire
    "consultation-results-in",  # a consultation's public results
    "notifications-in",
    "account-in",
)
SIGNED_IN_PATHS = {
    "home-in": "home",
    "list-in": "list",
    "proposal-in": "commented",  # the demo's debate, the most commented proposal
    "ballot-page": "ballot",
    "receipt-in": "receipt",
    "questionnaire-in": "questionnaire",
    "consultation-results-in": "consultation-results",
    "notifications-in": "notifications",
    "account-in": "account",
}
# the scenarios that read pages (with writes in the background); the ballot ones are writes
PAGES = ("home", "list", "proposal", "results", *SIGNED_IN)
METRICS_TOKEN = "bench-metrics-token-not-for-production"


async def prepare(settings: Settings, database: str, voters: int, ballots_file: Path) -> dict:
    from participation.demo import load as load_demo

    await fresh_database(database)
    await run_migrations(settings)
    print("loading the demo town...", flush=True)
    await load_demo(settings)
    await init_database(settings)
    try:
        print(f"seeding a budget in voting with {voters} verified voters...", flush=True)
        budget_id, sessions, context = await seed(settings, voters)
        rng = random.Random(1)
        with ballots_file.open("w") as out:
            for index, session in enumerate(sessions):
                form = ballot_form(session, random_ballot(rng, context, DISTRICTS[index % 4]))
                out.write(f"/budgets/{budget_id}/ballot\t{session['cookie']}\t{form}\n")
        proposal = await public_proposals().order_by("-id").first()
        public = await public_proposals().values_list("id", flat=True)
        # the demo proposal with the most comments
        comments = await Comment.filter(proposal_id__in=public).values_list(
            "proposal_id", flat=True
        )
        commented = max(set(comments), key=comments.count)
        published = await Budget.filter(phase=Phase.RESULTS).first()
        assert proposal is not None and published is not None, "the demo town has changed"
        consultations = list(await Consultation.all().order_by("id"))
        answering = next(c for c in consultations if c.phase == ConsultationPhase.OPEN)
        public_results = next(c for c in consultations if results_are_public(c))
        return {
            "home": "/",
            "list": "/proposals",
            "proposal": f"/proposals/{proposal.id}",
            "results": f"/budgets/{published.id}/results",
            "ballot": f"/budgets/{budget_id}/ballot",
            "commented": f"/proposals/{commented}",
            "receipt": f"/budgets/{budget_id}/ballot/receipt",
            "questionnaire": f"/consultations/{answering.id}/answer",
            "consultation-results": f"/consultations/{public_results.id}/results",
            "notifications": "/notifications",
            "account": "/account",
            "cookie": sessions[0]["cookie"],
            # the writers: residents of the seeded budget's register, from its last voters
            "writers": [(session["cookie"], session["csrf"]) for session in sessions[-200:]],
        }
    finally:
        await close_database()


def parse_wrk(output: str) -> dict[str, float]:
    def milliseconds(value: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    socket_errors = (
        sum(
            int(n)
            for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output.split("Socket")[-1])
        )
        if "Socket errors" in output
        else 0
    )
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": requests,
        "per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": milliseconds(percentiles["50"]),
        "p99_ms": milliseconds(percentiles["99"]),
        "errors": socket_errors + (int(bad.group(1)) if bad else 0),
    }


def cast_first_ballot(url: str, ballots_file: Path) -> str:
    """The first voter's ballot (the signed-in scenarios' resident), so that they have a
    receipt (cast again, a change of ballot, if the ballot scenario ran before): their session
    cookie after it, which holds the receipt (budgets/routes.py: `receipt`)."""
    path, cookie, form = ballots_file.read_text().splitlines()[0].split("\t")
    response = httpx.post(
        url + path,
        content=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"participation_session={cookie}",
        },
        timeout=30,
    )
    assert response.status_code == 303, response.text[:500]
    return response.cookies.get("participation_session") or cookie


def run_wrk(
    url: str,
    connections: int,
    duration: int,
    script: Path | None,
    env: dict,
    cookie: str | None = None,
) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if cookie is not None:
        command += ["-H", f"Cookie: participation_session={cookie}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, env=env
    ).stdout
    return parse_wrk(output)


def page_cache_counts(url: str) -> dict[str, float]:
    """The page cache's answers so far, by outcome, every route and process added up."""
    response = httpx.get(
        f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
    )
    response.raise_for_status()
    counts: dict[str, float] = {"hit": 0.0, "miss": 0.0, "bypass": 0.0}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == "participation_page_cache_requests_total":
                outcome = sample.labels["outcome"]
                counts[outcome] = counts.get(outcome, 0.0) + sample.value
    return counts


class Writes:
    """What the background writer did: comments saved (303) and anything else (the first
    refusal's status and the start of its answer, to see why)."""

    def __init__(self) -> None:
        self.saved = 0
        self.refused = 0
        self.first_refusal = ""


WRITTEN = itertools.count()  # comments posted by this run, across the scenarios


@contextmanager
def writes_in_the_background(
    url: str, proposal: str, writers: list[tuple[str, str]], rate: float
) -> Iterator[Writes]:
    """Residents post a comment on `proposal` every 1/`rate` seconds until the block ends
    (each one a write that empties the page caches), from a thread of this process."""
    done, writes = threading.Event(), Writes()

    def write() -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            started, n = time.perf_counter(), 0
            while not done.is_set():
                written = next(WRITTEN)
                cookie, csrf = writers[written % len(writers)]
                try:
                    response = client.post(
                        f"{proposal}/comments",
                        data={"body": f"Commentaire n° {written} du banc", "csrf_token": csrf},
                        headers={"Cookie": f"participation_session={cookie}"},
                    )
                    if response.status_code == 303:
                        writes.saved += 1
                    else:
                        writes.refused += 1
                        writes.first_refusal = writes.first_refusal or (
                            f"{response.status_code} {response.text[:2000]}"
                        )
                except httpx.HTTPError as error:
                    writes.refused += 1
                    writes.first_refusal = writes.first_refusal or repr(error)
                n += 1
                done.wait(max(0.0, started + n / rate - time.perf_counter()))

    thread = threading.Thread(target=write, daemon=True)
    if rate > 0:
        thread.start()
    try:
        yield writes
    finally:
        done.set()
        if rate > 0:
            thread.join(timeout=15)


def ballots_at_a_rate(port: int, ballots_file: Path, args: argparse.Namespace, pid: int) -> None:
    """Ballot POSTs sent at `--ballot-rate` per second over `--connections` connections for
    `--duration` seconds (bench/httpload.py: latency from when each ballot was due, so a
    server falling behind shows in it), each voter once: the latency at a given throughput,
    where wrk's closed loop gives the throughput at saturation."""
    count = int(args.ballot_rate * args.duration)
    lines = [line.split("\t") for line in ballots_file.read_text().splitlines()[-count:]]
    # voters wrk cast for already: these are changed ballots
    requests = [ballot_post(port, path, cookie, form) for path, cookie, form in lines]
    cpu_before = cpu_seconds(pid)
    figures = httpload.run(
        httpload.open_loop("127.0.0.1", port, requests, args.connections, args.ballot_rate)
    )
    cpu_per_request = 1000 * (cpu_seconds(pid) - cpu_before) / len(requests)
    print(
        f"{'ballot':>9} {f'at {args.ballot_rate:.0f}/s offered':<22} "
        f"{figures.per_second:8.0f} req/s  p50 {figures.p50_ms:7.1f} ms  "
        f"p99 {figures.percentile_ms(0.99):7.1f} ms  "
        f"errors {rejected(figures, lines[0][0])}/{len(requests)}  "
        f"web CPU {cpu_per_request:.2f} ms/req  (load average {load_average()})",
        flush=True,
    )


def cache_line(cache: dict[str, float], saved: int, refused: int) -> str:
    """The page cache during a scenario: its hit rate, and the writes that emptied it."""
    served = cache["hit"] + cache["miss"]
    rate = f"{100 * cache['hit'] / served:5.1f} %" if served else "  n/a"
    return (
        f"page cache: hit rate {rate} ({cache['hit']:.0f} hits, {cache['miss']:.0f} misses, "
        f"{cache['bypass']:.0f} bypassed)  writes in the background: {saved} comments saved"
        + (f", {refused} refused" if refused else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--server", choices=("granian", "uvicorn"), default="granian")
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument(
        "--pool", type=int, default=10, help="PostgreSQL connections per web process (maxsize)"
    )
    parser.add_argument(
        "--ballot-rate", type=float, default=500, help="ballots/s offered in ballot-rate"
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--verbose", action="store_true", help="why writes were refused")
    parser.add_argument(
        "--write-rate",
        type=float,
        default=2,
        help="comments/s posted in the background of the page scenarios (0: none)",
    )
    service_options(parser, "bench_load", redis_db=13)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make load` installs it (Debian package wrk).")
    scenarios = [name for name in args.scenarios.split(",") if name]
    known = SCENARIOS + SIGNED_IN
    if unknown := set(scenarios) - set(known):
        sys.exit(f"unknown scenarios {', '.join(sorted(unknown))}; known: {', '.join(known)}")

    data_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    ballots_file = data_dir / "ballots.tsv"
    port, env = server_on_free_port(
        args,
        str(data_dir),
        BALLOTS_FILE=str(ballots_file),
        WRK_THREADS="2",
        METRICS_TOKEN=METRICS_TOKEN,
    )
    settings = Settings.from_env(env)
    paths = asyncio.run(prepare(settings, args.database, args.voters, ballots_file))
    joiner = "&" if "?" in args.database else "?"  # the Unix socket's URL has a query already
    env["DATABASE_URL"] = f"{args.database}{joiner}maxsize={args.pool}"

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "participation.cli",
            "serve",
            "--workers",
            str(args.workers),
            "--server",
            args.server,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server)
        print(
            f"{args.server}, {args.workers} web processes of {args.pool} PostgreSQL connections, "
            f"wrk -t2 -c{args.connections} "
            f"-d{args.duration}s, {args.write_rate:g} comments/s in the background of the "
            f"pages; load average before: {load_average()}",
            flush=True,
        )
        for name in scenarios:
            if name == "ballot-rate":
                ballots_at_a_rate(port, ballots_file, args, server.pid)
                continue
            script = ROOT / "bench" / "ballot.lua" if name == "ballot" else None
            cookie = paths["cookie"] if name in SIGNED_IN else None
            path = paths[SIGNED_IN_PATHS.get(name, name)]
            if name == "receipt-in":  # the resident casts a ballot first (the file's first)
                cookie = cast_first_ballot(url, ballots_file)
            rate = args.write_rate if name in PAGES else 0
            with writes_in_the_background(url, paths["proposal"], paths["writers"], rate) as wrote:
                run_wrk(url + path, args.connections, 2, script, env, cookie)  # warm up
                cache_before = page_cache_counts(url)
                cpu_before = cpu_seconds(server.pid)
                saved_before, refused_before = wrote.saved, wrote.refused
                figures = run_wrk(url + path, args.connections, args.duration, script, env, cookie)
                cpu = cpu_seconds(server.pid) - cpu_before
                saved, refused = wrote.saved - saved_before, wrote.refused - refused_before
                cache = {k: v - cache_before[k] for k, v in page_cache_counts(url).items()}
            cpu_per_request = 1000 * cpu / figures["requests"]
            print(
                f"{name:>11} {path:<22} {figures['per_second']:8.0f} req/s  "
                f"p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms  "
                f"errors {figures['errors']:.0f}/{figures['requests']:.0f}  "
                f"web CPU {cpu_per_request:.2f} ms/req  "
                f"(load average {load_average()})",
                flush=True,
            )
            if name in PAGES:
                print(f"{'':>11} {cache_line(cache, saved, refused)}", flush=True)
                if refused and args.verbose:
                    print(wrote.first_refusal, flush=True)
    finally:
        time.sleep(3)  # let the server finish the requests wrk left in flight
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
