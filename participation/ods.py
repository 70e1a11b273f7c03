"""A small OpenDocument spreadsheet (ODS) writer, stdlib only: a zip holding `mimetype` (first,
stored uncompressed, as ODF 1.2 part 3 §3.3 asks), the manifest and `content.xml`.

Cells are typed, so LibreOffice shows numbers it can sum and dates it can sort: an int or float
is a `float` cell, a `date` a `date` cell, a `datetime` a `date` cell with its time (written in
the local time zone given: a spreadsheet has no time zones), a bool a `boolean` cell, None an
empty cell, anything else text. Text goes through the XML serializer (escaping is its job), and
a spreadsheet runs no formula from a text cell, so no neutralising is needed here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any
from xml.etree import ElementTree as ET

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<manifest:manifest xmlns:manifest="{NS["manifest"]}" manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def _cell(row: ET.Element, value: Any, zone: tzinfo | None) -> None:
    cell = ET.SubElement(row, _q("table", "table-cell"))
    if value is None or value == "":
        return
    shown: str
    if isinstance(value, bool):
        cell.set(_q("office", "value-type"), "boolean")
        cell.set(_q("office", "boolean-value"), "true" if value else "false")
        shown = "VRAI" if value else "FAUX"
    elif isinstance(value, int | float):
        cell.set(_q("office", "value-type"), "float")
        cell.set(_q("office", "value"), repr(value) if isinstance(value, float) else str(value))
        shown = str(value)
    elif isinstance(value, datetime):
        moment = value.astimezone(zone).replace(tzinfo=None) if zone else value
        cell.set(_q("office", "value-type"), "date")
        cell.set(_q("office", "date-value"), moment.isoformat(timespec="seconds"))
        shown = moment.strftime("%d/%m/%Y %H:%M")
    elif isinstance(value, date):
        cell.set(_q("office", "value-type"), "date")
        cell.set(_q("office", "date-value"), value.isoformat())
        shown = value.strftime("%d/%m/%Y")
    else:
        cell.set(_q("office", "value-type"), "string")
        shown = str(value)
    ET.SubElement(cell, _q("text", "p")).text = shown


def content_xml(
    sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]], zone: tzinfo | None = None
) -> bytes:
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    document = ET.Element(_q("office", "document-content"), {_q("office", "version"): "1.2"})
    body = ET.SubElement(ET.SubElement(document, _q("office", "body")), _q("office", "spreadsheet"))
    for name, rows in sheets:
        table = ET.SubElement(body, _q("table", "table"), {_q("table", "name"): name})
        for values in rows:
            row = ET.SubElement(table, _q("table", "table-row"))
            for value in values:
                _cell(row, value, zone)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, encoding="utf-8")


def spreadsheet(
    sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]], zone: tzinfo | None = None
) -> bytes:
    """The .ods file of `sheets` (name, rows), in order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(
            "content.xml", content_xml(sheets, zone), compress_type=zipfile.ZIP_DEFLATED
        )
    return out.getvalue()
