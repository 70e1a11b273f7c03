"""Open data, the French way (issue #21): the API collections that are tables
(`ApiResource.dataset`) as files, listed on /donnees-ouvertes, under the Licence Ouverte 2.0.

Each dataset comes as:
- `<name>.csv`, for people: UTF-8 with a BOM (so that a spreadsheet reads the accents), `;`
  between cells, decimal commas, dates dd/mm/yyyy (and hh:mm, in the town's time zone),
  oui/non;
- `<name>-brut.csv`, for programs: `,`, decimal points, ISO 8601 dates in UTC, true/false;
- `<name>.ods`, an OpenDocument spreadsheet (participation/ods.py) with typed cells and a
  second sheet « Licence » that states the licence and the source;
- `schema.json`, its frictionless Table Schema (the raw CSV's columns, types and meaning);
- `datapackage.json`, its Data Package: the files, the schema and the licence.
Every file is served with `Link: <licence>; rel="license"`, and the tables say it inside the
saved file too, where a header is lost: a last column `licence` (`LICENCE_COLUMN`), the same
value on every row (the licence's name and address), declared in the Table Schema with that
one value allowed. Why a column and not a first comment line or a README in a zip: a comment
line is not CSV (spreadsheets, `csv` modules, frictionless and pandas read it as a row of
data), and a zip is one more step for people and programs alike; a column is read by every
reader and survives any copy, filter or merge of the rows. The ODS keeps its « Licence » sheet
as well. The rows are what the API serves
(the same reads, the same rules of visibility: what a visitor sees), walked to the end; they
are kept per process until a write (`pagecache.cached_data`). Both CSVs go through the one CSV
writer (`participation.spreadsheet`: formulas neutralised).

The core names no feature: the datasets are the features' declarations.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import api, formatting, licence, ods, spreadsheet
from participation.features import ApiField, ApiResource
from participation.i18n import gettext
from participation.pagecache import cached_data
from participation.refusals import NotFound
from participation.templating import render
from participation.urls import url
from participation.web import settings_of

BOM = "\ufeff"
LICENCE_TITLE = licence.TITLE
LICENCE_COLUMN = licence.COLUMN  # the last column of every table of open data
LICENCE_VALUE = licence.VALUE
PAGE_SIZE = 1000  # rows read per query while walking a collection
TABLE_TYPES = {
    "integer": "integer",
    "number": "number",
    "string": "string",
    "boolean": "boolean",
    "datetime": "datetime",
    "date": "date",
}


def datasets() -> list[ApiResource]:
    return [r for r in api.resources() if r.dataset]


def dataset_named(name: str) -> ApiResource | None:
    return next((r for r in datasets() if r.name == name), None)


# --- pure: cells, files, schemas ---------------------------------------------------------------


def plain_number(value: float | int) -> str:
    """A number without exponent nor thousands separator: 0.00001, not 1e-05."""
    if isinstance(value, int) or value.is_integer() and abs(value) < 1e15:
        return str(int(value)) if not isinstance(value, int) else str(value)
    text = repr(value)
    if "e" in text or "E" in text:
        text = f"{value:.15f}".rstrip("0").rstrip(".")
    return text


def people_cell(field: ApiField, value: Any) -> str:
    """A cell as a French spreadsheet reads it."""
    if value is None:
        return ""
    if field.type == "boolean":
        return "oui" if value else "non"
    if field.type in ("integer", "number"):
        return plain_number(value).replace(".", ",")
    if field.type == "datetime" and isinstance(value, datetime):
        return formatting.local(value).strftime("%d/%m/%Y %H:%M")
    if field.type == "date" and isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def raw_cell(field: ApiField, value: Any) -> str:
    """A cell as a program reads it (the Table Schema's defaults)."""
    if value is None:
        return ""
    if field.type == "boolean":
        return "true" if value else "false"
    if field.type in ("integer", "number"):
        return plain_number(value)
    return str(api.value_of(field, value))


def people_csv(fields: Sequence[ApiField], items: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = spreadsheet.writer(out, delimiter=";", lineterminator="\r\n", licensed=True)
    writer.writerow([f.name for f in fields])
    writer.writerows([people_cell(f, item.get(f.name)) for f in fields] for item in items)
    return out.getvalue().encode()


def raw_csv(fields: Sequence[ApiField], items: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\r\n", licensed=True)
    writer.writerow([f.name for f in fields])
    writer.writerows([raw_cell(f, item.get(f.name)) for f in fields] for item in items)
    return out.getvalue().encode()


def licence_lines(title: str, site_name: str, page: str) -> list[list[str]]:
    return [
        ["Jeu de données", title],
        ["Producteur", site_name],
        ["Licence", LICENCE_TITLE],
        ["Texte de la licence", api.LICENCE_URL],
        ["Source", page],
    ]


def ods_file(
    title: str,
    fields: Sequence[ApiField],
    items: Sequence[dict[str, Any]],
    licence: list[list[str]],
) -> bytes:
    rows: list[list[Any]] = [[*(f.name for f in fields), LICENCE_COLUMN]]
    for item in items:
        rows.append([*(item.get(f.name) for f in fields), LICENCE_VALUE])
    return ods.spreadsheet([(title[:31], rows), ("Licence", licence)], formatting.zone())


def table_schema(resource: ApiResource) -> dict[str, Any]:
    """The frictionless Table Schema of the raw CSV."""
    fields = []
    for field in resource.fields:
        if field.type not in TABLE_TYPES:
            raise ValueError(f"{resource.name}.{field.name}: a dataset's fields are scalars")
        described: dict[str, Any] = {
            "name": field.name,
            "type": TABLE_TYPES[field.type],
            "description": field.description,
        }
        if not field.nullable and field.type != "string":
            described["constraints"] = {"required": True}
        fields.append(described)
    fields.append(
        {
            "name": LICENCE_COLUMN,
            "type": "string",
            "description": "The licence of the data, on every row so that the saved file says it: "
            "the Licence Ouverte 2.0 of Etalab, its name and address.",
            "constraints": {"required": True, "enum": [LICENCE_VALUE]},
        }
    )
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    names = {f.name for f in resource.fields}
    if all(part in names for part in resource.key):
        schema["primaryKey"] = list(resource.key)
    return schema


def file_names(name: str) -> dict[str, str]:
    """format -> file name of a dataset."""
    return {
        "csv": f"{name}.csv",
        "raw": f"{name}-brut.csv",
        "ods": f"{name}.ods",
        "schema": "schema.json",
        "package": "datapackage.json",
    }


def data_package(resource: ApiResource, title: str, site_name: str) -> dict[str, Any]:
    files = file_names(resource.name)

    def path(kind: str) -> str:
        return url("opendata:file", name=resource.name, file=files[kind])

    return {
        "profile": "tabular-data-package",
        "name": resource.name.replace("_", "-"),
        "title": title,
        "description": gettext(resource.description),
        "publisher": site_name,
        "licenses": [{"name": api.LICENCE_ID, "title": LICENCE_TITLE, "path": api.LICENCE_URL}],
        "resources": [
            {
                "name": f"{resource.name.replace('_', '-')}-raw",
                "path": path("raw"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": path("schema"),
            },
            {
                "name": resource.name.replace("_", "-"),
                "path": path("csv"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ";"},
                "description": "Pour les tableurs : virgule décimale, dates jj/mm/aaaa.",
            },
        ],
    }


# --- HTTP ------------------------------------------------------------------------------------


async def all_items(resource: ApiResource) -> list[dict[str, Any]]:
    """Every item of a collection, walking its keyset pages."""
    items: list[dict[str, Any]] = []
    after: tuple[int, ...] | None = None
    while True:
        rows = await resource.page(after, PAGE_SIZE, {})
        items.extend(row.item for row in rows)
        if len(rows) < PAGE_SIZE:
            return items
        after = rows[-1].key


def _download(content: bytes, media_type: str, filename: str) -> Response:
    headers = {
        **licence.HEADER,
        **api.CORS_HEADERS,
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Response(content, media_type=media_type, headers=headers)


async def index(request: Request) -> Response:
    listed = [(r, file_names(r.name)) for r in datasets()]
    context = {"datasets": listed, "licence_url": api.LICENCE_URL, "licence_title": LICENCE_TITLE}
    return render(request, "opendata/index.html", context)


async def download(request: Request) -> Response:
    resource = dataset_named(request.path_params["name"])
    if resource is None:
        raise NotFound()
    files = file_names(resource.name)
    kind = next((k for k, f in files.items() if f == request.path_params["file"]), None)
    if kind is None:
        raise NotFound()
    refused = await api.limited(request)
    if refused is not None:
        return refused
    settings = settings_of(request)
    title = gettext(resource.title)
    if kind == "schema":
        body = json.dumps(table_schema(resource), ensure_ascii=False, indent=1)
        return _download(body.encode(), "application/schema+json", files[kind])
    if kind == "package":
        body = json.dumps(data_package(resource, title, settings.site_name), ensure_ascii=False)
        return _download(body.encode(), "application/json", files[kind])

    async def read() -> list[dict[str, Any]]:  # in the site's language, as the API
        return await api.in_language(settings.default_language, lambda: all_items(resource))

    items = await cached_data(request, f"opendata:{resource.name}", read)
    if kind == "csv":
        return _download(people_csv(resource.fields, items), "text/csv; charset=utf-8", files[kind])
    if kind == "raw":
        return _download(raw_csv(resource.fields, items), "text/csv; charset=utf-8", files[kind])
    page = settings.base_url.rstrip("/") + url("opendata:index")
    licence = licence_lines(title, settings.site_name, page)
    content = ods_file(title, resource.fields, items, licence)
    return _download(content, ods.MIMETYPE, files[kind])


routes = [
    Route("/donnees-ouvertes", index, name="opendata:index"),
    Route("/donnees-ouvertes/{name}/{file}", download, name="opendata:file"),
]
