"""The worker's heartbeat, shared by the worker (writes it) and /healthz (reads it); its count
of job runs, written by the worker and read by /metrics."""

HEARTBEAT_KEY = "participation:worker:heartbeat"
HEARTBEAT_INTERVAL_SECONDS = 15
HEARTBEAT_MAX_AGE_SECONDS = 60

# a Redis hash: "<job>:<outcome>" -> runs, counted by every worker (participation/worker.py's
# `worker_job`), read by any web process at a scrape (participation_job_runs_total); kept in
# Redis, not in the worker's memory, so that any instance's /metrics gives the workers' total
JOB_RUNS_KEY = "participation:worker:job_runs"
JOB_OK, JOB_FAILED, JOB_RETRIED, JOB_CANCELLED = "ok", "failed", "retry", "cancelled"
