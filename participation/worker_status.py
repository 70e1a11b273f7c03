"""The worker's heartbeat, shared by the worker (writes it) and /healthz (reads it)."""

HEARTBEAT_KEY = "participation:worker:heartbeat"
HEARTBEAT_INTERVAL_SECONDS = 15
HEARTBEAT_MAX_AGE_SECONDS = 60
