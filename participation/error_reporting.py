"""Optional error reporting through the Sentry SDK (issue #21), for the web and the worker.

Off unless `SENTRY_DSN` is set; sentry-sdk is an optional extra (`pip install
'participation[sentry]'`), never required: a DSN without the package writes one clear line at
start and the process runs without reporting. Any server that speaks Sentry's protocol works
(Sentry itself, self-hosted, GlitchTip).

No personal data leaves: `send_default_pii` off, its default (no user, no IP address), no
request body (`max_request_body_size="never"`), no local variables of the stack frames, and
`scrubbed` removes what an event could still carry: cookies, the body, the query string (it
may hold a search or a token, as the logs leave it out) and the identifying headers, then
replaces every e-mail address left anywhere in the event (an exception's message, a log line,
a breadcrumb) with `[e-mail]`. Performance tracing is off: only errors are sent.
"""

from __future__ import annotations

import logging
import re
from importlib import metadata
from typing import Any

from participation.settings import Settings

logger = logging.getLogger("participation.errors")

# a domain that ends in letters: not the release, `participation@0.1.0`
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@(?:[\w-]+\.)+[^\W\d_]{2,}\b")
EMAIL_MARK = "[e-mail]"
# request headers kept in an event; the others (Cookie, Authorization, X-Forwarded-For,
# X-Real-IP, Referer with its query string ...) are dropped
KEPT_HEADERS = {"accept", "accept-language", "content-type", "content-length", "host"}
KEPT_HEADERS |= {"hx-request", "user-agent", "x-request-id"}
MISSING_PACKAGE = (
    "SENTRY_DSN is set but sentry-sdk is not installed: errors are NOT reported. "
    "Install it with: pip install 'participation[sentry]'"
)


def _without_emails(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_MARK, value)
    if isinstance(value, dict):
        return {_without_emails(k): _without_emails(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_emails(v) for v in value]
    return value


def scrubbed(event: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    """The event without cookies, body, query string, identifying headers, user nor e-mail
    addresses (Sentry's `before_send`; pure: tested in tests/participation/test_sentry.py)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("cookies", "data", "query_string", "env"):
            request.pop(key, None)
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?")[0]
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    event.pop("user", None)
    scrubbed_event: dict[str, Any] = _without_emails(event)
    return scrubbed_event


def init(settings: Settings, component: str) -> bool:
    """Start reporting in this process (`component`: web or worker) when `SENTRY_DSN` is set
    and sentry-sdk installed; call before the Starlette app or the worker is built. True when
    reporting is on."""
    if not settings.sentry_dsn:
        return False
    try:
        import sentry_sdk
    except ImportError:
        logger.error(MISSING_PACKAGE)
        return False
    options: dict[str, Any] = dict(  # Sentry types events as its own TypedDict
        dsn=settings.sentry_dsn,
        environment=settings.environment,
        release=f"participation@{metadata.version('participation')}",
        # send_default_pii is left at its default, off (no user, no IP address, no cookies):
        # sentry-sdk 2.7x warns when it is given, in favour of `data_collection`, which older
        # 2.x releases refuse; and giving the latter would switch the SDK's own scrubber off
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=None,  # errors only, no performance tracing
        before_send=scrubbed,
        before_send_transaction=scrubbed,
        before_breadcrumb=lambda crumb, hint: _without_emails(crumb),
    )
    sentry_sdk.init(**options)
    sentry_sdk.get_global_scope().set_tag("component", component)
    return True
