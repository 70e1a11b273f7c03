"""Logs: one line per event, with its time (UTC, ISO 8601), level, logger and the id of the
request or job it belongs to; JSON lines in production (`LOG_FORMAT=json`, for a log collector),
text for people otherwise. An access log line per request (`ACCESS_LOG`). No personal data:
no addresses, no query strings, no cookies; an e-mail's recipient is logged only in
development, where the e-mail itself is printed instead of sent.

The request id comes from the proxy's `X-Request-ID` when it looks like one (so a request can be
followed from the proxy's log), or is made here; it is sent back in `X-Request-ID`, and given to
the jobs the request enqueues (participation/queue.py, participation/worker.py), whose lines
carry it too.
"""

from __future__ import annotations

import json
import logging
import os
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import Scope

from participation.settings import Settings

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
REQUEST_ID_HEADER = "x-request-id"
JOB_REQUEST_ID = "request_id"  # the keyword a job is enqueued with (worker.worker_job pops it)
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")  # fullmatch: no trailing newline
# what access lines carry besides the message (JSON keys)
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")
_HANDLER_NAME = "participation"
access_logger = logging.getLogger("participation.access")


def new_request_id() -> str:
    """32 random hex digits, as `uuid.uuid4().hex` wrote them (128 random bits instead of 122,
    without building a UUID: 1 µs instead of 6, on every request)."""
    return os.urandom(16).hex()


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def _moment(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _moment(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", ""):
            entry["request_id"] = request_id
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request_id", "")
        line = f"{_moment(record)} {record.levelname} {record.name}"
        line += f" [{request}]: " if request else ": "
        line += record.getMessage()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure(settings: Settings) -> None:
    """Install our handler on the root logger (once per process; again after a change of
    settings, e.g. in tests), in the format and level of the settings."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(_WithRequestId())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # asked for, access lines are written whatever LOG_LEVEL says of the others
    access_logger.setLevel(logging.INFO if settings.access_log else logging.NOTSET)


def request_id_of(scope: Scope) -> str:
    """The proxy's `X-Request-ID` when it looks like one, else a new id."""
    header = REQUEST_ID_HEADER.encode()
    given = next((v.decode("latin-1") for k, v in scope["headers"] if k == header), "")
    return given if ACCEPTED_REQUEST_ID.fullmatch(given) else new_request_id()


def log_access(scope: Scope, status: int, seconds: float) -> None:
    """The request's access line (`ACCESS_LOG`), once its answer is sent."""
    took = round(seconds * 1000, 1)
    fields = {
        "method": scope["method"],
        "path": scope["path"],  # never the query string: it may hold a search
        "status": status,
        "duration_ms": took,
    }
    access_logger.info(
        "%s %s %s %.1f ms", scope["method"], scope["path"], status, took, extra=fields
    )
