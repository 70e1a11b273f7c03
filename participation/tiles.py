"""The maps' tile background (issue #20, docs/maps.md): the tile server's URL template, its
check, and the one place its host enters the Content-Security-Policy. Pure, stdlib only
(participation.settings checks the environment's with it).

The trap: the template ends up in a response header (the policy's `img-src`) and in the
browser's image requests, so what is accepted is narrow on purpose: https (plain http only for
a server on this machine: tests, development), a literal host (no `{s}` sub-domains: the
policy names one origin), and no placeholder but {z}, {x} and {y}. An empty template means no
tiles: the maps stay the server-drawn SVG.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© les contributeurs d’OpenStreetMap (openstreetmap.org/copyright)"
TILE_URL_MAX = 500
ATTRIBUTION_MAX = 200
PLACEHOLDERS = ("{z}", "{x}", "{y}")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
_HOST = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
# what a path and query may hold: URL characters, no quote, space, backslash, <, > nor braces
# (the placeholders are taken out first)
_PATH = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*")

# what `tile_url_problem` and `attribution_problem` answer (sitesettings.domain words them)
NOT_HTTPS = "not_https"
NO_PLACEHOLDERS = "no_placeholders"
NOT_A_TEMPLATE = "not_a_template"
TOO_LONG = "too_long"
NO_ATTRIBUTION = "no_attribution"
ATTRIBUTION_TOO_LONG = "attribution_too_long"


def normalize(template: str) -> str:
    return template.strip()


def _origin_parts(template: str) -> tuple[str, str, str] | None:
    """(scheme, host, port) of a template, or None when it is not a URL with a plain host."""
    try:
        parts = urlsplit(template)
        port = parts.port
    except ValueError:
        return None
    netloc = parts.netloc.lower()
    if not netloc or "@" in netloc or parts.fragment:
        return None
    host = netloc.rsplit(":", 1)[0] if port is not None else netloc
    if host.endswith("]") and host.startswith("["):
        if host != "[::1]":
            return None
    elif not _HOST.fullmatch(host):
        return None
    return parts.scheme.lower(), host, str(port) if port is not None else ""


def tile_url_problem(template: str) -> str | None:
    """None when `template` (normalized) may be the tile server's: empty (no tiles), or an
    https URL with {z}, {x} and {y} in its path or query; else the message key of what is
    wrong (one of the codes above)."""
    if not template:
        return None
    if len(template) > TILE_URL_MAX:
        return TOO_LONG
    origin = _origin_parts(template)
    if origin is None:
        return NOT_HTTPS if not template.lower().startswith("https://") else NOT_A_TEMPLATE
    scheme, host, _port = origin
    if not (scheme == "https" or (scheme == "http" and host in LOOPBACK)):
        return NOT_HTTPS
    rest = template.split("://", 1)[1]
    rest = rest[rest.find("/") :] if "/" in rest else ""
    if any(p not in rest for p in PLACEHOLDERS):
        return NO_PLACEHOLDERS
    bare = rest
    for p in PLACEHOLDERS:
        bare = bare.replace(p, "")
    if not _PATH.fullmatch(bare):
        return NOT_A_TEMPLATE
    return None


def attribution_problem(attribution: str, template: str) -> str | None:
    """The credit shown on the map: needed when there are tiles, plain text, 200 characters."""
    if len(attribution) > ATTRIBUTION_MAX:
        return ATTRIBUTION_TOO_LONG
    if template and not attribution:
        return NO_ATTRIBUTION
    return None


MASK = "***"


def for_the_record(template: str) -> str:
    """The template as the audit log keeps it: scheme, host, port and path as typed, every
    query value masked but the placeholders (a tile server's API key travels as `?apikey=…`,
    `?key=…` or `?access_token=…`; the log is read by every moderator and kept for years)."""
    if "?" not in template:
        return template
    head, query = template.split("?", 1)
    kept = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        if value and value not in PLACEHOLDERS:
            value = MASK
        kept.append(name + equals + value)
    return head + "?" + "&".join(kept)


def normalize_attribution(text: str) -> str:
    return " ".join(text.split())


def tile_origin(template: str) -> str:
    """The origin the browser fetches tiles from ("https://tile.example.org[:port]"), or ""
    for no tiles (or a template `tile_url_problem` refuses: never a widened policy)."""
    if not template or tile_url_problem(template) is not None:
        return ""
    origin = _origin_parts(template)
    assert origin is not None  # checked above
    scheme, host, port = origin
    return f"{scheme}://{host}" + (f":{port}" if port else "")


BASE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def content_security_policy(template: str) -> str:
    """The site's policy, its images also allowed from the tile server's origin (only
    images: scripts, styles and connections stay the site's own)."""
    origin = tile_origin(template)
    if not origin:
        return BASE_POLICY
    return BASE_POLICY.replace("img-src 'self' data:;", f"img-src 'self' data: {origin};", 1)
