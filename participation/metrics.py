"""Prometheus metrics at `/metrics`, for the operator's monitoring (docs/operations.md, "Metrics").

Off unless `METRICS_TOKEN` is set (without it /metrics answers 404); a scrape sends it as
`Authorization: Bearer <token>`, compared in constant time. Two kinds of figures:

- counted by the web processes as they answer (`count_request`, called by
  participation/edge.py): requests by method, route
  template (`/budgets/{budget_id}`, never the path a person typed: no ids of people, bounded)
  and status, and their latency histogram; the visitors' page cache's answers by route template
  and outcome (hit, miss, bypass: participation/pagecache.py). `participation serve` runs
  several processes: they write their counts to files in a folder that `serve` empties at start
  (`PROMETHEUS_MULTIPROC_DIR`, prometheus_client's multiprocess mode) and a scrape adds up
  every process's, so one scrape of one instance gives that instance's totals. Counters and
  histograms only: they add up across processes without a mode to choose.
- read from the database and Redis at each scrape (any instance gives the same): background
  jobs by name and state, the age of the oldest job and e-mail waiting, the arq queue's depth,
  and each feature's figures (`Feature.metrics`; budgets: ballots cast per channel); and the
  runs of every job by name and outcome, counted by the workers in Redis (`job_runs`:
  participation/worker.py's `count_run`).

prometheus_client chooses its multiprocess mode when it is imported, from the environment: the
request metrics are made at first use, and `serve` sets the folder (and chooses the mode again)
before its processes start.
"""

from __future__ import annotations

import hmac
import logging
import os
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Scope
from tortoise.functions import Count

from participation import features, pagecache, queue
from participation.features import MetricSample
from participation.mail import MAX_ATTEMPTS as MAIL_ATTEMPTS
from participation.mail import OutboxEmail
from participation.outbox import JobState, OutboxJob
from participation.worker_status import JOB_RUNS_KEY

logger = logging.getLogger("participation.metrics")

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
ARQ_QUEUE = "arq:queue"  # arq's default queue, the one participation/worker.py reads
# seconds: a cached page (~1 ms) to a slow PDF or export (several seconds)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "(unmatched)"  # no route: 404s, slash redirects; one label value for all of them


def prepare_multiprocess_folder(data_dir: Path, port: int) -> Path:
    """Called by `participation serve` before its processes start: the folder where they write
    their counts (`PROMETHEUS_MULTIPROC_DIR`, or `DATA_DIR/metrics/<port>`: two instances on one
    host keep theirs apart), emptied, as prometheus_client asks, so that a restart starts from 0
    (Prometheus reads counter resets as such)."""
    folder = Path(os.environ.get(MULTIPROCESS_VARIABLE) or data_dir / "metrics" / str(port))
    folder.mkdir(parents=True, exist_ok=True)
    # its content only: the folder may be systemd's RuntimeDirectory, in a parent we may not
    # write to
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    os.environ[MULTIPROCESS_VARIABLE] = str(folder)
    # this process imported prometheus_client before: choose again, for the metrics made from
    # now on here and in the processes it forks
    values.ValueClass = values.get_value_class()
    return folder


@dataclass(frozen=True)
class _RequestMetrics:
    requests: Any  # prometheus_client.Counter
    latency: Any  # prometheus_client.Histogram
    page_cache: Any  # prometheus_client.Counter
    registry: Any  # this process's own registry (one process: what a scrape reads)


@cache
def _request_metrics() -> _RequestMetrics:
    registry = CollectorRegistry(auto_describe=True)
    return _RequestMetrics(
        requests=Counter(
            "participation_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=registry,
        ),
        latency=Histogram(
            "participation_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        page_cache=Counter(
            "participation_page_cache_requests",
            "Answers of the pages kept for visitors, by route template and outcome: hit (the "
            "stored copy), miss (rendered, then stored), bypass (signed in, a flash message, "
            "Redis down: rendered, not stored).",
            ("route", "outcome"),
            registry=registry,
        ),
        registry=registry,
    )


# The labelled series of each (method, route template, status), looked up once per process:
# prometheus_client's `labels()` checks and locks on every call (~2 µs of each request). The
# keys are bounded: route templates, the methods above and the statuses the app answers.
@cache
def _children(method: str, route: str, status: int) -> tuple[Any, Any]:
    metrics = _request_metrics()
    return (
        metrics.requests.labels(method, route, str(status)),
        metrics.latency.labels(method, route),
    )


@cache
def _page_cache_child(route: str, outcome: str) -> Any:
    """The page cache's series of (route template, hit/miss/bypass), looked up once."""
    return _request_metrics().page_cache.labels(route, outcome)


def route_template(scope: Scope, root_path: str) -> str:
    """The template of the route that answered (`/budgets/{budget_id}`), from what the routers
    left in the scope: the innermost route, under the mounts' prefix (`root_path` grew by it)."""
    route = scope.get("route")
    prefix = scope.get("root_path", "")[len(root_path) :]
    if isinstance(route, Mount):  # a mounted app (static files) answered
        return f"{prefix}/{{path}}"
    if isinstance(route, Route):
        return f"{prefix}{route.path_format}"  # without the convertors: {budget_id}
    return UNMATCHED


def count_request(scope: Scope, root_path: str, status: int, seconds: float) -> None:
    """Counts an HTTP request once answered (participation/edge.py): method, route template
    (read from the scope the routers filled; `root_path` as the request came in), status, and
    its latency; the page cache's outcome when it had one."""
    route, method = route_template(scope, root_path), scope["method"]
    if method not in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        method = "other"  # a label value per made-up method would grow without end
    counter, histogram = _children(method, route, status)
    counter.inc()
    histogram.observe(seconds)
    if outcome := scope.get(pagecache.OUTCOME_KEY):
        _page_cache_child(route, outcome).inc()


async def state_samples() -> list[MetricSample]:
    """The figures read at each scrape: jobs, e-mails waiting, the queue, each feature's."""
    samples: list[MetricSample] = []
    rows = await (
        OutboxJob.annotate(count=Count("id"))
        .group_by("name", "state")
        .values("name", "state", "count")
    )
    for row in rows:
        samples.append(
            MetricSample(
                "jobs",
                "Background jobs (job_outbox) by job and state: pending, done (purged after "
                "LOG_RETENTION_DAYS), failed (given up, see `participation jobs list`).",
                row["count"],
                {"job": row["name"], "state": str(row["state"])},
            )
        )
    now = time.time()
    oldest_job = (
        await OutboxJob.filter(state=JobState.PENDING)
        .order_by("created_at")
        .first()
        .values_list("created_at", flat=True)
    )
    samples.append(
        MetricSample(
            "outbox_oldest_job_age_seconds",
            "Age of the oldest background job still pending (0: none).",
            _age(oldest_job, now),
        )
    )
    oldest_email = (
        await OutboxEmail.filter(sent_at=None, attempts__lt=MAIL_ATTEMPTS)
        .order_by("created_at")
        .first()
        .values_list("created_at", flat=True)
    )
    samples.append(
        MetricSample(
            "outbox_oldest_email_age_seconds",
            "Age of the oldest e-mail not sent yet and still tried (0: none).",
            _age(oldest_email, now),
        )
    )
    pool = queue.get_pool()
    if pool is not None:
        try:
            depth = await pool.zcard(ARQ_QUEUE)
        except (OSError, RedisError) as error:  # Redis down: the scrape still answers
            logger.warning("metrics: the queue's depth could not be read (%s)", error)
        else:
            samples.append(
                MetricSample("queue_depth", "Jobs waiting in the arq queue (Redis).", depth)
            )
    for feature in features.FEATURES:
        if feature.metrics is not None:
            samples.extend(await feature.metrics())
    return samples


async def job_runs(redis: Any) -> dict[tuple[str, str], float]:
    """The runs of every job that any worker counted, by (job, outcome); {} when Redis does not
    answer (the scrape still answers: the other figures)."""
    try:
        counted = await redis.hgetall(JOB_RUNS_KEY)
    except (OSError, RedisError) as error:
        logger.warning("metrics: the job runs could not be read (%s)", error)
        return {}
    runs: dict[tuple[str, str], float] = {}
    for field, count in counted.items():
        job, _, outcome = field.decode().rpartition(":")
        runs[job, outcome] = float(count)
    return runs


def _age(created_at: Any, now: float) -> float:
    return max(0.0, now - created_at.timestamp()) if isinstance(created_at, datetime) else 0.0


def exposition(
    samples: list[MetricSample], runs: dict[tuple[str, str], float] | None = None
) -> bytes:
    """The Prometheus text format: the request counts (every process's when `serve` runs several)
    followed by `samples` as gauges and the job `runs` as a counter."""
    if os.environ.get(MULTIPROCESS_VARIABLE):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)
    else:
        counted = _request_metrics().registry

    grouped: dict[str, list[MetricSample]] = defaultdict(list)
    for sample in samples:
        grouped[sample.name].append(sample)

    class Snapshot:
        def collect(self) -> Any:
            for name, group in grouped.items():
                labels = sorted({key for sample in group for key in sample.labels})
                family = GaugeMetricFamily(f"participation_{name}", group[0].help, labels=labels)
                for sample in group:
                    family.add_metric([sample.labels.get(key, "") for key in labels], sample.value)
                yield family
            runs_family = CounterMetricFamily(
                "participation_job_runs",
                "Runs of background jobs by the workers, by job and outcome: ok, failed, retry "
                "(asked to run again later), cancelled (timed out or the worker stopped); "
                "heartbeats and cron jobs included.",
                labels=["job", "outcome"],
            )
            for (job, outcome), count in sorted((runs or {}).items()):
                runs_family.add_metric([job, outcome], count)
            yield runs_family

    read = CollectorRegistry(auto_describe=False)
    read.register(Snapshot())  # type: ignore[arg-type]
    return bytes(generate_latest(counted)) + bytes(generate_latest(read))


async def metrics(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if not token:
        raise HTTPException(404)
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return PlainTextResponse(
            "Unauthorized: send the METRICS_TOKEN as 'Authorization: Bearer <token>'.\n",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
        )
    body = exposition(await state_samples(), await job_runs(request.app.state.redis))
    return Response(
        body,
        media_type="text/plain; version=0.0.4; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )


routes = [Route("/metrics", metrics, name="pages:metrics")]
