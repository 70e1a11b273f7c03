"""Every setting of the platform, read once from the environment.

Each setting is declared once in ``SETTINGS`` with its default and its documentation;
``docs/configuration.md`` must list every one of them (a test checks it).
Defaults run on a laptop with nothing but Python: SQLite and an embedded Redis in ``DATA_DIR``.
"""

from __future__ import annotations

import math
import os
import secrets
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from participation import sealing, tiles

SUPPORTED_LANGUAGES = ("fr", "en")


class ConfigurationError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("ENVIRONMENT", "development", "`development`, `test` or `production`."),
    Setting("DATA_DIR", "./data", "Folder for the SQLite file, the embedded Redis and the key."),
    Setting("DATABASE_URL", "", "Database URL; default: SQLite file `DATA_DIR/participation.db`."),
    Setting("REDIS_URL", "", "Redis URL; default: an embedded Redis with its socket in DATA_DIR."),
    Setting(
        "SECRET_KEY",
        "",
        "Signs cookies and tokens. Required in production: at least 32 random bytes "
        "(`participation secret-key` prints one). Default outside production: generated once "
        "in DATA_DIR.",
    ),
    Setting(
        "ANSWERS_KEY",
        "",
        "Key of the anonymous consultation answers (32 random bytes in base64: "
        "`participation answers-key`), sealed with it at submission. Required in production, "
        "different from SECRET_KEY, kept outside the database and its backups, and backed up "
        "apart: without it those answers cannot be read. Default outside production: generated "
        "once into `DATA_DIR/answers_key`.",
    ),
    Setting("HOST", "127.0.0.1", "Address `participation serve` listens on."),
    Setting("PORT", "8000", "Port `participation serve` listens on."),
    Setting("WEB_CONCURRENCY", "1", "Number of web processes started by `participation serve`."),
    Setting(
        "FORWARDED_ALLOW_IPS",
        "127.0.0.1",
        "Proxies trusted for `X-Forwarded-For`/`-Proto` (comma-separated addresses or networks).",
    ),
    Setting("BASE_URL", "", "Public URL used in e-mails; default `http://HOST:PORT`."),
    Setting(
        "DEFAULT_LANGUAGE",
        "fr",
        "Language when the visitor expresses no preference. Initial value: administrators "
        "change it in /admin/settings.",
    ),
    Setting(
        "TIME_ZONE",
        "Europe/Paris",
        "Time zone of the town: dates and times shown, e-mailed, exported and typed in forms "
        "(stored in UTC).",
    ),
    Setting(
        "SITE_NAME",
        "Participation",
        "Name shown in the header, titles and e-mails. Initial value: administrators change it "
        "in /admin/settings.",
    ),
    Setting(
        "ACCESSIBILITY_COMPLIANCE",
        "none",
        "How far the site conforms to the RGAA, as the footer's link to the accessibility "
        "statement says it: `none` (non conforme), `partial` (partiellement conforme) or `full` "
        "(totalement conforme). Change it with the statement, after an audit.",
    ),
    Setting("SMTP_HOST", "", "SMTP server; empty: e-mails are written to the log."),
    Setting("SMTP_PORT", "587", "SMTP port."),
    Setting("SMTP_USER", "", "SMTP user name, if the server needs one."),
    Setting("SMTP_PASSWORD", "", "SMTP password."),
    Setting("SMTP_STARTTLS", "true", "Use STARTTLS on the SMTP connection (port 587)."),
    Setting(
        "SMTP_SSL",
        "false",
        "Connect to the SMTP server over TLS from the start (SMTPS, port 465) instead of STARTTLS.",
    ),
    Setting(
        "SMTP_CA_FILE",
        "",
        "PEM file of the certificate authorities to trust for the SMTP server's certificate; "
        "empty: the system's.",
    ),
    Setting("EMAIL_FROM", "ne-pas-repondre@localhost", "Sender address of e-mails."),
    Setting("MAX_BODY_SIZE", "10485760", "Largest request body accepted, in bytes (413 above)."),
    Setting("LOG_LEVEL", "INFO", "Logging level."),
    Setting(
        "LOG_FORMAT",
        "",
        "`json` (one JSON object a line, for a log collector) or `text`; default: `json` in "
        "production, `text` otherwise.",
    ),
    Setting(
        "ACCESS_LOG",
        "off",
        "`on`: one log line per request (method, path without its query, status, duration, "
        "request id).",
    ),
    Setting(
        "PROPOSAL_SUPPORT_THRESHOLD",
        "300",
        "Supports after which a proposal reaches *seuil atteint* and staff are notified. "
        "Initial value: administrators change it in /admin/settings.",
    ),
    Setting(
        "MODERATION_REPORT_THRESHOLD",
        "3",
        "Reports after which content is hidden until a moderator reviews it. Initial value: "
        "administrators change it in /admin/settings.",
    ),
    Setting(
        "PREMODERATED_CONTENT",
        "consultation_answer",
        "Content types approved by a moderator before anyone sees them: `proposal`, `comment`, "
        "`budget_project`, `consultation_answer` (free-text consultation answers, listed by "
        "default). Empty: none. Initial value: administrators change it in /admin/settings.",
    ),
    Setting(
        "PAGE_CACHE_SECONDS",
        "10",
        "Public pages kept in memory for visitors who are not signed in (0: off); every write "
        "empties the cache at once.",
    ),
    Setting(
        "SIGNALEMENTS_TOWN_BOX",
        "47.16,-1.66,47.30,-1.46",
        "The town's bounding box for reports in public space (signalements), as "
        "`south,west,north,east` in decimal degrees: a point outside it is refused. The default "
        "frames the demo town; set your town's.",
    ),
    Setting(
        "GEOCODER_URL",
        "https://api-adresse.data.gouv.fr",
        "The address API that turns an address typed in a form into a point on the map: the "
        "national address base's (Base Adresse Nationale), or a server speaking its format "
        "(`GET /search/?q=…`, docs/maps.md). Empty: off (addresses stay text, points are typed).",
    ),
    Setting(
        "GEOCODER_CITYCODE",
        "",
        "Optional: the town's INSEE code (`citycode`), so that the address API only suggests "
        "addresses of the town. Empty: any address inside SIGNALEMENTS_TOWN_BOX.",
    ),
    Setting(
        "MAP_TILE_URL",
        tiles.OSM_TILE_URL,
        "The maps' background: a tile server's URL template, https with `{z}`, `{x}` and `{y}` "
        "(OpenStreetMap's by default, or the town's own; http only for a server on this "
        "machine). Empty: no background, the maps stay drawn by the server (docs/maps.md). "
        "Its host is allowed for images in the Content-Security-Policy. Initial value: "
        "administrators change it in /admin/settings.",
    ),
    Setting(
        "MAP_TILE_ATTRIBUTION",
        tiles.OSM_ATTRIBUTION,
        "The credit the tile server asks to show on the map (plain text, at most 200 "
        "characters). Initial value: administrators change it in /admin/settings.",
    ),
    Setting(
        "RATE_LIMITS",
        "on",
        "`on` or `off`: per-user, per-IP and per-e-mail rate limits. Initial value: "
        "administrators switch them on and off per action in /admin/settings.",
    ),
    Setting(
        "SENTRY_DSN",
        "",
        "Optional error reporting: the DSN of a Sentry-compatible server (Sentry, GlitchTip). "
        "Needs the optional extra `participation[sentry]`; without it the process says so at "
        "start and runs without reporting. No personal data is sent (docs/operations.md, "
        '"Error reporting"). Empty: off.',
    ),
    Setting(
        "METRICS_TOKEN",
        "",
        "Token that Prometheus sends (`Authorization: Bearer <token>`) to read /metrics; empty: "
        "/metrics answers 404. Make one with `participation secret-key` (docs/operations.md, "
        '"Metrics").',
    ),
    Setting(
        "LOG_RETENTION_DAYS",
        "90",
        "Days after which sent e-mails, finished jobs, expired sessions and used reset tokens "
        "are purged by the nightly retention job (docs/privacy.md).",
    ),
)


@dataclass(frozen=True)
class Settings:
    environment: str
    data_dir: Path
    database_url: str
    redis_url: str  # empty: use the embedded Redis
    secret_key: str
    host: str
    port: int
    web_concurrency: int
    base_url: str
    default_language: str
    site_name: str
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    email_from: str
    max_body_size: int
    log_level: str
    proposal_support_threshold: int = 300
    moderation_report_threshold: int = 3
    premoderated_content: frozenset[str] = frozenset({"consultation_answer"})
    log_format: str = "text"
    access_log: bool = False
    smtp_ssl: bool = False
    smtp_ca_file: str = ""
    rate_limits: bool = True
    forwarded_allow_ips: str = "127.0.0.1"
    page_cache_seconds: int = 10
    log_retention_days: int = 90
    time_zone: str = "Europe/Paris"
    answers_key: bytes = b""  # participation.sealing: never in the database
    accessibility_compliance: str = "none"
    signalements_town_box: tuple[float, float, float, float] = (47.16, -1.66, 47.30, -1.46)
    # set from the settings saved in the browser (participation/sitesettings), never from the
    # environment: None means every action is limited when `rate_limits`
    rate_limited_actions: frozenset[str] | None = None
    contact_email: str = ""
    metrics_token: str = ""  # empty: no /metrics
    sentry_dsn: str = ""  # empty: no error reporting (participation/error_reporting.py)
    geocoder_url: str = ""  # empty: addresses are not looked up (participation/geocoding.py)
    geocoder_citycode: str = ""
    # the maps' tiles (participation/tiles.py); also saved in the browser (sitesettings)
    map_tile_url: str = ""  # empty: no tiles, the server-drawn SVG maps
    map_tile_attribution: str = ""

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        raw = {s.name: env.get(s.name, s.default) for s in SETTINGS}
        environment = raw["ENVIRONMENT"]
        if environment not in ("development", "test", "production"):
            raise ConfigurationError(
                f"ENVIRONMENT must be development, test or production, not {environment!r}"
            )
        data_dir = Path(raw["DATA_DIR"]).expanduser().resolve()
        database_url = raw["DATABASE_URL"] or f"sqlite://{data_dir / 'participation.db'}"
        if database_url.startswith("postgresql://"):
            database_url = "postgres://" + database_url.removeprefix("postgresql://")
        scheme = urlsplit(database_url).scheme
        if scheme not in ("sqlite", "postgres"):
            raise ConfigurationError(
                f"DATABASE_URL must start with sqlite:// or postgres://, not {scheme}://"
            )
        language = raw["DEFAULT_LANGUAGE"]
        if language not in SUPPORTED_LANGUAGES:
            raise ConfigurationError(
                f"DEFAULT_LANGUAGE must be one of {', '.join(SUPPORTED_LANGUAGES)}"
            )
        if environment == "production" and (problems := production_problems(raw)):
            raise ConfigurationError(
                "ENVIRONMENT=production refuses to start:\n" + "\n".join(problems)
            )
        secret_key = raw["SECRET_KEY"] or _development_secret_key(data_dir)
        answers_key = _answers_key(raw, environment, data_dir)
        host, port = raw["HOST"], _integer(raw, "PORT")
        return cls(
            environment=environment,
            data_dir=data_dir,
            database_url=database_url,
            redis_url=raw["REDIS_URL"],
            secret_key=secret_key,
            host=host,
            port=port,
            web_concurrency=_integer(raw, "WEB_CONCURRENCY"),
            base_url=(raw["BASE_URL"] or f"http://{host}:{port}").rstrip("/"),
            default_language=language,
            site_name=raw["SITE_NAME"],
            smtp_host=raw["SMTP_HOST"],
            smtp_port=_integer(raw, "SMTP_PORT"),
            smtp_user=raw["SMTP_USER"],
            smtp_password=raw["SMTP_PASSWORD"],
            smtp_starttls=_flag(raw, "SMTP_STARTTLS") and not _flag(raw, "SMTP_SSL"),
            smtp_ssl=_flag(raw, "SMTP_SSL"),
            smtp_ca_file=_readable_file(raw, "SMTP_CA_FILE"),
            email_from=raw["EMAIL_FROM"],
            max_body_size=_integer(raw, "MAX_BODY_SIZE"),
            log_level=raw["LOG_LEVEL"].upper(),
            log_format=_log_format(raw, environment),
            access_log=_flag(raw, "ACCESS_LOG"),
            proposal_support_threshold=_at_least(raw, "PROPOSAL_SUPPORT_THRESHOLD", 1),
            moderation_report_threshold=_at_least(raw, "MODERATION_REPORT_THRESHOLD", 1),
            premoderated_content=_content_kinds(raw, "PREMODERATED_CONTENT"),
            rate_limits=_flag(raw, "RATE_LIMITS"),
            forwarded_allow_ips=raw["FORWARDED_ALLOW_IPS"],
            page_cache_seconds=_at_least(raw, "PAGE_CACHE_SECONDS", 0),
            log_retention_days=_at_least(raw, "LOG_RETENTION_DAYS", 1),
            time_zone=_time_zone(raw, "TIME_ZONE"),
            answers_key=answers_key,
            accessibility_compliance=_one_of(
                raw, "ACCESSIBILITY_COMPLIANCE", ("none", "partial", "full")
            ),
            signalements_town_box=_box(raw, "SIGNALEMENTS_TOWN_BOX"),
            metrics_token=raw["METRICS_TOKEN"],
            sentry_dsn=raw["SENTRY_DSN"].strip(),
            geocoder_url=raw["GEOCODER_URL"].strip().rstrip("/"),
            geocoder_citycode=raw["GEOCODER_CITYCODE"].strip(),
            map_tile_url=_tile_url(raw, "MAP_TILE_URL"),
            map_tile_attribution=_attribution(raw, "MAP_TILE_ATTRIBUTION", "MAP_TILE_URL"),
        )

    def premoderates(self, kind: str) -> bool:
        return kind in self.premoderated_content

    def limits(self, action: str) -> bool:
        """Whether the rate limits of `action` (participation/ratelimit.py) are counted."""
        if self.rate_limited_actions is None:
            return self.rate_limits
        return action in self.rate_limited_actions


# "at least 32 random bytes": the length is checked, and the variety of the characters as a
# rough floor (a key's randomness cannot be proven from the key; `participation secret-key`
# prints a good one)
SECRET_KEY_MIN_BYTES = 32
SECRET_KEY_MIN_BITS = 128
ZLIB_OVERHEAD_BYTES = 8  # zlib's header and checksum


def production_problems(raw: Mapping[str, str]) -> list[str]:
    """What keeps a production start from being safe, one line each (empty: nothing).

    A production site runs several web processes and a worker, maybe on several machines: they
    must share one PostgreSQL and one Redis (an embedded Redis per machine would split rate
    limits, the page cache and the job queue); it is reached over https (secure cookies, links
    in e-mails); its SECRET_KEY signs sessions and tokens."""
    problems = []
    database = raw.get("DATABASE_URL", "").strip()
    if not database:
        problems.append(
            "DATABASE_URL is required: the PostgreSQL database shared by every web process and "
            "the worker (postgres://user:password@host:5432/name)."
        )
    elif not database.startswith(("postgres://", "postgresql://")):
        problems.append(
            "DATABASE_URL must be a PostgreSQL URL (postgres://...): SQLite serves one process "
            "on one machine, for a laptop or a test."
        )
    if not raw.get("REDIS_URL", "").strip():
        problems.append(
            "REDIS_URL is required: the Redis shared by every web process and the worker "
            "(an embedded Redis per machine would split rate limits, cache and jobs)."
        )
    base_url = raw.get("BASE_URL", "").strip()
    if not base_url.startswith("https://") or not urlsplit(base_url).hostname:
        problems.append(
            f"BASE_URL must be the site's public https:// address (secure cookies, links in "
            f"e-mails), not {base_url!r}."
        )
    key = raw.get("SECRET_KEY", "").strip()
    if not key:
        problems.append(
            "SECRET_KEY is required: at least 32 random bytes (print one with "
            "`participation secret-key`)."
        )
    elif len(key.encode()) < SECRET_KEY_MIN_BYTES or _estimated_bits(key) < SECRET_KEY_MIN_BITS:
        problems.append(
            "SECRET_KEY is too short or too regular to be 32 random bytes (print one with "
            "`participation secret-key`)."
        )
    if not raw.get("ANSWERS_KEY", "").strip():
        problems.append(
            "ANSWERS_KEY is required (generate one with `participation answers-key`, see "
            "docs/configuration.md): it must never be generated on a server, next to the "
            "database and in its backups."
        )
    return problems


def _estimated_bits(text: str) -> float:
    """A generous upper bound of the randomness in `text`: the Shannon entropy of its
    characters times its length (a run of one character scores low), and no more than what
    zlib leaves of it (a repeated word scores low)."""
    counts = {c: text.count(c) for c in set(text)}
    shannon = -sum(n * math.log2(n / len(text)) for n in counts.values())
    compressed = len(zlib.compress(text.encode(), 9)) - ZLIB_OVERHEAD_BYTES
    return min(shannon, 8 * max(compressed, 0))


def new_secret_key() -> str:
    return secrets.token_urlsafe(48)  # 48 random bytes


def _log_format(raw: Mapping[str, str], environment: str) -> str:
    value = raw["LOG_FORMAT"].strip().lower() or ("json" if environment == "production" else "text")
    if value not in ("json", "text"):
        raise ConfigurationError(f"LOG_FORMAT must be json or text, not {value!r}")
    return value


def _flag(raw: Mapping[str, str], name: str) -> bool:
    return raw[name].strip().lower() in ("1", "true", "yes", "on")


def _readable_file(raw: Mapping[str, str], name: str) -> str:
    path = raw[name].strip()
    if path and not Path(path).is_file():
        raise ConfigurationError(f"{name} must name a readable file, not {path!r}")
    return path


def _integer(raw: Mapping[str, str], name: str) -> int:
    try:
        return int(raw[name])
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw[name]!r}") from None


def _one_of(raw: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = raw[name].strip()
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _box(raw: Mapping[str, str], name: str) -> tuple[float, float, float, float]:
    """South, west, north, east in degrees: four finite numbers, south < north, west < east."""
    try:
        south, west, north, east = (float(part) for part in raw[name].split(","))
    except ValueError:
        raise ConfigurationError(
            f"{name} must be four numbers south,west,north,east in degrees, not {raw[name]!r}"
        ) from None
    if not all(math.isfinite(v) for v in (south, west, north, east)) or not (
        -90 <= south < north <= 90 and -180 <= west < east <= 180
    ):
        raise ConfigurationError(
            f"{name} must have -90 <= south < north <= 90 and -180 <= west < east <= 180"
        )
    return south, west, north, east


def _tile_url(raw: Mapping[str, str], name: str) -> str:
    """A tile server's URL template (participation/tiles.py), or "" for none."""
    template = tiles.normalize(raw[name])
    problem = tiles.tile_url_problem(template)
    if problem is not None:
        raise ConfigurationError(
            f"{name} must be empty or an https URL with {{z}}, {{x}} and {{y}}, such as "
            f"{tiles.OSM_TILE_URL} ({problem}), not {raw[name]!r}"
        )
    return template


def _attribution(raw: Mapping[str, str], name: str, url_name: str) -> str:
    text = tiles.normalize_attribution(raw[name])
    problem = tiles.attribution_problem(text, tiles.normalize(raw[url_name]))
    if problem is not None:
        raise ConfigurationError(
            f"{name} must say, in at most {tiles.ATTRIBUTION_MAX} characters, the credit the "
            f"tile server of {url_name} asks for ({problem})"
        )
    return text


def _at_least(raw: Mapping[str, str], name: str, minimum: int) -> int:
    value = _integer(raw, name)
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {value}")
    return value


def _time_zone(raw: Mapping[str, str], name: str) -> str:
    value = raw[name].strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"{name} must be an IANA time zone such as Europe/Paris, not {value!r}"
        ) from None
    return value


PREMODERATABLE = ("proposal", "comment", "budget_project", "consultation_answer")


def _content_kinds(raw: Mapping[str, str], name: str) -> frozenset[str]:
    names = frozenset(n.strip() for n in raw[name].replace(";", ",").split(",") if n.strip())
    if unknown := names - set(PREMODERATABLE):
        raise ConfigurationError(
            f"{name} lists unknown content types {', '.join(sorted(unknown))}; "
            f"known: {', '.join(PREMODERATABLE)}"
        )
    return names


def _development_secret_key(data_dir: Path) -> str:
    """Generate the key once and keep it in DATA_DIR, so sessions survive a restart."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(new_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _answers_key(raw: Mapping[str, str], environment: str, data_dir: Path) -> bytes:
    """Production refuses to start without ANSWERS_KEY rather than generate one on a server,
    where it would end up next to the database, in the same backups."""
    if not raw["ANSWERS_KEY"].strip():
        if environment == "production":
            raise ConfigurationError(
                "ANSWERS_KEY is required when ENVIRONMENT=production "
                "(generate one with `participation answers-key`, see docs/configuration.md)"
            )
        return sealing.development_key(data_dir)
    if raw["ANSWERS_KEY"].strip() == raw["SECRET_KEY"].strip():
        raise ConfigurationError("ANSWERS_KEY must differ from SECRET_KEY")
    try:
        return sealing.parse_key(raw["ANSWERS_KEY"])
    except ValueError as error:
        raise ConfigurationError(str(error)) from None
