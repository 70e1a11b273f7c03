"""The public read API, /api/v1 (issue #21): what each feature declares in its manifest
(`Feature.api`, a tuple of `ApiResource`), served by the core, which names no feature.

- Read-only, and what a visitor sees: the collections never read the request's user (a session
  cookie changes nothing), so hidden, pending, refused, unpublished and private content never
  appears whoever asks.
- Keyset pagination: `?limit=` (1 to `MAX_LIMIT`, `DEFAULT_LIMIT` when absent) and `?cursor=`,
  an opaque token the previous page gave (`next_cursor`): the last key of that page and the
  collection's name, signed with the site's secret key (HMAC), so a forged, truncated or
  borrowed cursor is a 400, never a 500 nor another collection's position. A page costs one
  indexed query whatever its depth (no OFFSET).
- ETag (a digest of the body) and If-None-Match → 304; CORS for reads
  (Access-Control-Allow-Origin: *, never credentials); a rate limit per IP (the core's action
  "api" of participation/ratelimit.py); errors are JSON with a 4xx and a message in the
  visitor's language.
- The OpenAPI 3.1 document (/api/v1/openapi.json) is built from the declarations
  (`openapi()`, pure), and so is the readable page (/api/v1/).

Values are written here, once, from the declared types (`jsonable`): a feature returns Python
values (datetimes aware), the API writes datetimes in UTC (RFC 3339, "Z"), dates in ISO 8601,
and only the declared fields, in their order: a field a read adds by mistake is not published.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import features, licence, ratelimit
from participation.features import ApiField, ApiFilter, ApiResource
from participation.i18n import N_, current_language, gettext
from participation.numbers import MAX_ID
from participation.spaces.api import RESOURCES as CORE_RESOURCES
from participation.templating import render
from participation.web import settings_of

T = TypeVar("T")
VERSION = "1"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 200  # a cursor we made is far shorter: anything longer is refused unread
RATE_LIMIT_ACTION = "api"
LICENCE_NAME = licence.NAME
LICENCE_ID = licence.SPDX
LICENCE_URL = licence.URL
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match",
    "Access-Control-Max-Age": "86400",
}
CACHE_CONTROL = "public, no-cache"  # always revalidated: the ETag makes that cheap


def resources() -> list[ApiResource]:
    """The core's collections (spaces), then every installed feature's, in `INSTALLED` order."""
    found = [*CORE_RESOURCES, *(r for f in features.FEATURES for r in f.api)]
    names = [r.name for r in found]
    if len(set(names)) != len(names):
        raise ValueError(f"two API resources share a name: {names}")
    return found


def resource_named(name: str) -> ApiResource | None:
    return next((r for r in resources() if r.name == name), None)


# --- pure: values, cursors, limits, ETags ----------------------------------------------------


class BadRequest(ValueError):
    """A query parameter the API refuses (400): `code` for programs, `message` a msgid,
    formatted with `values`; `parameter` the name of the parameter refused."""

    def __init__(self, code: str, message: str, parameter: str, **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.parameter = parameter
        self.values = values


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def value_of(field: ApiField, value: Any) -> Any:
    """A declared field's value as JSON writes it."""
    if value is None:
        return None
    if field.type == "datetime" and isinstance(value, datetime):
        return utc(value)
    if field.type == "date" and isinstance(value, date):
        return value.isoformat()
    if field.type == "integers":
        return [int(v) for v in value]
    return value


def jsonable(fields: Sequence[ApiField], item: dict[str, Any]) -> dict[str, Any]:
    """Only the declared fields, in their order (a missing one is null)."""
    return {f.name: value_of(f, item.get(f.name)) for f in fields}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> bytes:
    return hmac.new(secret.encode(), b"api-cursor:" + payload.encode(), hashlib.sha256).digest()[
        :16
    ]


def encode_cursor(secret: str, resource: str, key: tuple[int, ...]) -> str:
    payload = resource + ":" + ",".join(str(int(part)) for part in key)
    return _b64(payload.encode()) + "." + _b64(_signature(secret, payload))


BAD_CURSOR = N_("This cursor is not valid: use the next_cursor of the previous page, unchanged.")
BAD_LIMIT = N_("The limit must be a whole number from 1 to {max}.")


def decode_cursor(secret: str, resource: str, cursor: str | None, arity: int) -> tuple[int, ...]:
    """The key a cursor of `resource` carries; () without a cursor; BadRequest otherwise."""
    if cursor is None or cursor == "":
        return ()
    refused = BadRequest("bad_cursor", BAD_CURSOR, "cursor")
    if len(cursor) > MAX_CURSOR_LENGTH or cursor.count(".") != 1 or not cursor.isascii():
        raise refused
    encoded, signature = cursor.split(".")
    try:
        payload = _unb64(encoded).decode("ascii")
        given = _unb64(signature)
    except (binascii.Error, ValueError):
        raise refused from None
    if not hmac.compare_digest(given, _signature(secret, payload)):
        raise refused
    name, _, numbers = payload.partition(":")
    parts = numbers.split(",")
    if name != resource or len(parts) != arity or not all(p.isdigit() for p in parts):
        raise refused
    return tuple(int(p) for p in parts)


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 4 or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest("bad_limit", BAD_LIMIT, "limit", max=MAX_LIMIT)
    return int(raw)


PAGE_PARAMETERS = ("cursor", "limit")
UNKNOWN_PARAMETER = N_("Unknown parameter {name}: this address reads {known}.")
NO_PARAMETER = N_("Unknown parameter {name}: this address reads none.")
REPEATED_PARAMETER = N_("The parameter {name} is given more than once.")
BAD_INTEGER = N_("The parameter {name} must be an identifier: a whole number from 1 to {max}.")
BAD_CHOICE = N_("The parameter {name} must be one of: {choices}.")
BAD_TEXT = N_("The parameter {name} must be a text of at most {max} characters.")
BAD_MOMENT = N_(
    "The parameter {name} must be a date (2026-05-01) or a date and time with its time zone "
    "(2026-05-01T08:00:00Z)."
)


def parse_moment(raw: str) -> datetime | None:
    """RFC 3339 with its offset ("Z" or "+02:00"), or a date (midnight UTC); None otherwise."""
    if not raw.isascii() or len(raw) > 40:
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None or "T" not in raw.upper():
            return None
        return moment.astimezone(UTC)  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
    except (ValueError, OverflowError):
        return None


def parse_filter(declared: ApiFilter, raw: str) -> Any:
    """A filter's value as the query reads it; BadRequest naming it otherwise."""
    name = declared.name
    if declared.type == "integer":
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or not 1 <= int(raw) <= MAX_ID:
            raise BadRequest("bad_parameter", BAD_INTEGER, name, max=MAX_ID)
        return int(raw)
    if declared.type == "datetime":
        moment = parse_moment(raw)
        if moment is None:
            raise BadRequest("bad_parameter", BAD_MOMENT, name)
        return moment
    if declared.choices:
        if raw not in declared.choices:
            choices = ", ".join(declared.choices)
            raise BadRequest("bad_parameter", BAD_CHOICE, name, choices=choices)
        return raw
    if len(raw) > declared.max_length or "\x00" in raw:
        raise BadRequest("bad_parameter", BAD_TEXT, name, max=declared.max_length)
    return raw


def parse_filters(
    declared: Sequence[ApiFilter], given: Sequence[tuple[str, str]], reads: Sequence[str]
) -> dict[str, Any]:
    """The declared filters `given` (the query's pairs, in order) parsed by name; an empty one
    is absent. Refuses (400, naming it) a parameter this address does not read (`reads` and
    the filters), a repeated one and a wrong value."""
    by_name = {f.name: f for f in declared}
    known = [*reads, *by_name]
    seen: set[str] = set()
    chosen: dict[str, Any] = {}
    for name, raw in given:
        if name not in known:
            shown = name[:40]
            if not known:
                raise BadRequest("unknown_parameter", NO_PARAMETER, shown)
            listed = ", ".join(known)
            raise BadRequest("unknown_parameter", UNKNOWN_PARAMETER, shown, known=listed)
        if name in seen:
            raise BadRequest("repeated_parameter", REPEATED_PARAMETER, name)
        seen.add(name)
        if name in by_name and raw != "":
            chosen[name] = parse_filter(by_name[name], raw)
    return chosen


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str, star: bool = True) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 13.1.2); with
    `star` False, "*" does not match (the tag must be one the route gave)."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return (star and "*" in tags) or etag in (t.removeprefix("W/") for t in tags)


# --- pure: the OpenAPI document --------------------------------------------------------------

_TYPES: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "integers": {"type": "array", "items": {"type": "integer"}},
}


def field_schema(field: ApiField) -> dict[str, Any]:
    schema = dict(_TYPES[field.type])
    if field.nullable:
        schema["type"] = [schema["type"], "null"]
    schema["description"] = field.description
    return schema


def item_schema(resource: ApiResource) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: field_schema(f) for f in resource.fields},
        "required": [f.name for f in resource.fields],
        "additionalProperties": False,
    }


def _page_name(resource: ApiResource) -> str:
    return "".join(part.title() for part in resource.name.split("_")) + "Page"


def _item_name(resource: ApiResource) -> str:
    return "".join(part.title() for part in resource.name.split("_"))


def filter_parameter(declared: ApiFilter) -> dict[str, Any]:
    """A declared filter as an OpenAPI query parameter."""
    schema: dict[str, Any]
    if declared.type == "integer":
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    elif declared.type == "datetime":
        schema = {"type": "string", "anyOf": [{"format": "date-time"}, {"format": "date"}]}
    elif declared.choices:
        schema = {"type": "string", "enum": list(declared.choices)}
    else:
        schema = {"type": "string", "maxLength": declared.max_length}
    return {
        "name": declared.name,
        "in": "query",
        "required": False,
        "description": declared.description,
        "schema": schema,
    }


def openapi(chosen: Sequence[ApiResource], *, site_name: str, base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the collections `chosen` (English)."""
    error_ref = {"$ref": "#/components/schemas/Error"}
    json_error = {"application/json": {"schema": error_ref}}
    cors = {"schema": {"type": "string", "const": "*"}}
    too_many = {
        "description": "Too many requests: wait Retry-After seconds.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": json_error,
    }
    not_modified = {"description": "Not modified (If-None-Match named the ETag)."}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "code", "message"],
                    "additionalProperties": False,
                    "properties": {
                        "status": {"type": "integer"},
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "parameter": {
                            "type": "string",
                            "description": "The query parameter refused (400 only).",
                        },
                    },
                }
            },
        }
    }
    paths: dict[str, Any] = {}
    for resource in chosen:
        schemas[_item_name(resource)] = item_schema(resource)
        schemas[_page_name(resource)] = {
            "type": "object",
            "required": ["data", "next_cursor"],
            "additionalProperties": False,
            "properties": {
                "data": {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/{_item_name(resource)}"},
                },
                "next_cursor": {
                    "type": ["string", "null"],
                    "description": "Give it as ?cursor= for the next page; null on the last.",
                },
            },
        }
        paths[f"/{resource.name}"] = {
            "get": {
                "operationId": f"list_{resource.name}",
                "summary": resource.title,
                "description": resource.description,
                "parameters": [
                    {"$ref": "#/components/parameters/cursor"},
                    {"$ref": "#/components/parameters/limit"},
                    *(filter_parameter(f) for f in resource.filters),
                ],
                "responses": {
                    "200": {
                        "description": "A page of the collection.",
                        "headers": {
                            "ETag": {"schema": {"type": "string"}},
                            "Access-Control-Allow-Origin": cors,
                        },
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{_page_name(resource)}"},
                                "example": {
                                    "data": [jsonable(resource.fields, resource.example)],
                                    "next_cursor": None,
                                },
                            }
                        },
                    },
                    "304": not_modified,
                    "400": {
                        "description": (
                            "A bad cursor, limit or filter, a repeated or an unknown parameter "
                            "(error.parameter names it)."
                        ),
                        "content": json_error,
                    },
                    "429": too_many,
                },
            }
        }
        if resource.item is None:
            continue
        paths[f"/{resource.name}/{{id}}"] = {
            "get": {
                "operationId": f"get_{resource.name}",
                "summary": resource.title,
                "description": "One item, as the pages of the collection show it.",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": "The item's id.",
                        "schema": {"type": "integer", "minimum": 1},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The item.",
                        "headers": {
                            "ETag": {"schema": {"type": "string"}},
                            "Access-Control-Allow-Origin": cors,
                        },
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["data"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "data": {
                                            "$ref": f"#/components/schemas/{_item_name(resource)}"
                                        }
                                    },
                                },
                                "example": {"data": jsonable(resource.fields, resource.example)},
                            }
                        },
                    },
                    "304": not_modified,
                    "400": {
                        "description": "A query parameter (this address reads none).",
                        "content": json_error,
                    },
                    "404": {
                        "description": "No item has this id, or the collection does not show it.",
                        "content": json_error,
                    },
                    "429": too_many,
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{site_name} · public API",
            "version": VERSION,
            "description": (
                "Read-only: what a visitor of the site sees. Keyset pagination (cursor, limit), "
                "ETags, CORS for reads, a rate limit per IP address."
            ),
            "license": {"name": LICENCE_NAME, "identifier": LICENCE_ID},
        },
        "servers": [{"url": base_url.rstrip("/") + "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "cursor": {
                    "name": "cursor",
                    "in": "query",
                    "required": False,
                    "description": "The next_cursor of the previous page (opaque).",
                    "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
                },
                "limit": {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": f"Items per page (default {DEFAULT_LIMIT}).",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_LIMIT,
                        "default": DEFAULT_LIMIT,
                    },
                },
            },
        },
    }


# --- HTTP ------------------------------------------------------------------------------------


def error(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    parameter: str | None = None,
) -> Response:
    details: dict[str, Any] = {"status": status, "code": code, "message": message}
    if parameter is not None:
        details["parameter"] = parameter
    body = {"error": details}
    return Response(
        json.dumps(body, ensure_ascii=False),
        status,
        {**CORS_HEADERS, **(headers or {})},
        media_type="application/json",
    )


def json_response(request: Request, data: Any) -> Response:
    """JSON with its ETag: 304 when If-None-Match names it."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    etag = etag_of(body)
    headers = {**CORS_HEADERS, **licence.HEADER, "ETag": etag, "Cache-Control": CACHE_CONTROL}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, headers=headers, media_type="application/json")


async def limited(request: Request) -> Response | None:
    """429 (JSON) when this IP read too much; None otherwise (counted)."""
    try:
        await ratelimit.check(request, RATE_LIMIT_ACTION)
    except ratelimit.RateLimited as refused:
        message = gettext(N_("Too many requests: wait {seconds} seconds.")).format(
            seconds=refused.retry_after
        )
        return error(429, "rate_limited", message, {"Retry-After": str(refused.retry_after)})
    return None


async def in_language(language: str, read: Callable[[], Awaitable[T]]) -> T:
    """`read()` with `language` current: the data is the same for every visitor (one answer
    per address, one ETag), in the site's language ("Former participant" for a deleted
    account's name), whatever the visitor's; only the error messages follow the visitor."""
    token = current_language.set(language)
    try:
        return await read()
    finally:
        current_language.reset(token)


def refusal(bad: BadRequest) -> Response:
    message = gettext(bad.message).format(name=bad.parameter, **bad.values)
    return error(400, bad.code, message, parameter=bad.parameter)


async def read_page(
    resource: ApiResource,
    after: tuple[int, ...],
    limit: int,
    chosen: dict[str, Any],
    secret: str,
    language: str,
) -> dict[str, Any]:
    rows = await in_language(language, lambda: resource.page(after or None, limit + 1, chosen))
    shown = rows[:limit]
    more = len(rows) > limit and shown
    return {
        "data": [jsonable(resource.fields, row.item) for row in shown],
        "next_cursor": encode_cursor(secret, resource.name, shown[-1].key) if more else None,
    }


async def collection(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=PREFLIGHT_HEADERS)
    resource = resource_named(request.path_params["name"])
    if resource is None:
        return error(404, "not_found", gettext(N_("This collection does not exist.")))
    refused = await limited(request)
    if refused is not None:
        return refused
    secret = settings_of(request).secret_key
    try:
        chosen = parse_filters(
            resource.filters, request.query_params.multi_items(), PAGE_PARAMETERS
        )
        limit = parse_limit(request.query_params.get("limit"))
        after = decode_cursor(
            secret, resource.name, request.query_params.get("cursor"), len(resource.key)
        )
    except BadRequest as bad:
        return refusal(bad)
    language = settings_of(request).default_language
    page = await read_page(resource, after, limit, chosen, secret, language)
    return json_response(request, page)


NO_ITEM = N_("No item of this collection has this identifier, or it is not public.")


async def item(request: Request) -> Response:
    """One item, as the collection's pages show it: 404 for an id that no page shows (unknown,
    or hidden, pending, unpublished, private: the item reads the collection's own query)."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=PREFLIGHT_HEADERS)
    resource = resource_named(request.path_params["name"])
    if resource is None:
        return error(404, "not_found", gettext(N_("This collection does not exist.")))
    if resource.item is None:
        message = N_("This collection has no address per item: read its pages.")
        return error(404, "not_found", gettext(message))
    refused = await limited(request)
    if refused is not None:
        return refused
    try:
        parse_filters((), request.query_params.multi_items(), ())
    except BadRequest as bad:
        return refusal(bad)
    read = resource.item
    item_id = request.path_params["id"]
    language = settings_of(request).default_language
    found = await in_language(language, lambda: read(item_id)) if item_id else None
    if found is None:
        return error(404, "not_found", gettext(NO_ITEM))
    return json_response(request, {"data": jsonable(resource.fields, found)})


async def document(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=PREFLIGHT_HEADERS)
    settings = settings_of(request)
    return json_response(
        request,
        openapi(resources(), site_name=settings.site_name, base_url=settings.base_url),
    )


def example_json(resource: ApiResource) -> str:
    item = jsonable(resource.fields, resource.example)
    return json.dumps({"data": [item], "next_cursor": None}, ensure_ascii=False, indent=2)


async def index(request: Request) -> Response:
    """The readable page: every collection, its fields and an example (no JavaScript)."""
    context = {
        "resources": resources(),
        "example_json": example_json,
        "default_limit": DEFAULT_LIMIT,
        "max_limit": MAX_LIMIT,
        "rate_limits": ratelimit.actions()[RATE_LIMIT_ACTION].limits,
        "base_url": settings_of(request).base_url.rstrip("/"),
        "licence_url": LICENCE_URL,
    }
    return render(request, "api/index.html", context)


routes = [
    Route("/api/v1/", index, name="api:index"),
    Route("/api/v1/openapi.json", document, methods=["GET", "OPTIONS"], name="api:openapi"),
    Route("/api/v1/{name}", collection, methods=["GET", "OPTIONS"], name="api:collection"),
    Route("/api/v1/{name}/{id:id}", item, methods=["GET", "OPTIONS"], name="api:item"),
]
