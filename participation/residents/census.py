"""The resident register, pure part: reading the council's census CSV and hashing its rows.

The census is never stored in clear: each row becomes a keyed hash (HMAC-SHA256 with a key
derived from SECRET_KEY) of the normalized identifier, birth date and postcode, plus the
district and the birth year (needed for eligibility and age statistics, not identifying alone).
A resident verifies by typing the same three facts; the same hash finds their row.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from participation.i18n import N_

COLUMNS = ("identifier", "birth_date", "postcode", "district")
HEADER_ALIASES = {
    "identifiant": "identifier",
    "identifier": "identifier",
    "id": "identifier",
    "date_naissance": "birth_date",
    "date_de_naissance": "birth_date",
    "birth_date": "birth_date",
    "code_postal": "postcode",
    "postcode": "postcode",
    "cp": "postcode",
    "quartier": "district",
    "district": "district",
}


class CensusFileError(ValueError):
    """The file cannot be imported; `problems` lists (line number, message msgid, values)."""

    def __init__(self, problems: list[tuple[int, str, dict[str, str]]]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class CensusRow:
    lookup_hash: str
    birth_year: int
    district: str | None


def normalize_identifier(identifier: str) -> str:
    return re.sub(r"[\s.\-]", "", identifier).upper()


def normalize_postcode(postcode: str) -> str:
    return re.sub(r"\s", "", postcode)


def parse_birth_date(text: str) -> date | None:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def census_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"participation census v1", hashlib.sha256).digest()


def lookup_hash(key: bytes, identifier: str, birth_date: date, postcode: str) -> str:
    identifier, postcode = normalize_identifier(identifier), normalize_postcode(postcode)
    fact = f"{identifier}|{birth_date.isoformat()}|{postcode}"
    return hmac.new(key, fact.encode(), hashlib.sha256).hexdigest()


# longest cells accepted: the district is stored (CensusEntry.district, 100 characters); the
# identifier and postcode are only hashed, but no real one is longer than this
MAX_IDENTIFIER_LENGTH = 64
MAX_POSTCODE_LENGTH = 10
MAX_DISTRICT_LENGTH = 100
_UNREADABLE = N_(
    "This line cannot be read: a cell is too long or a quote is not closed. Nothing was imported."
)


def _records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str] | None]]:
    """(line number, cells) for each record; (line number, None) once, and stop, when the CSV
    module cannot read on (a cell over its 128 KiB limit, an unclosed quote)."""
    line_number = 1
    while True:
        line_number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield line_number, None
            return
        yield line_number, cells


def _line_problem(
    identifier: str, birth: date | None, postcode: str, district: str
) -> tuple[str, dict[str, str]] | None:
    if not identifier:
        return N_("The identifier is empty."), {}
    if len(identifier) > MAX_IDENTIFIER_LENGTH:
        return N_("The identifier is longer than {max} characters."), {
            "max": str(MAX_IDENTIFIER_LENGTH)
        }
    if birth is None:
        return N_("The birth date is not a date (AAAA-MM-JJ or JJ/MM/AAAA)."), {}
    if not postcode:
        return N_("The postcode is empty."), {}
    if len(postcode) > MAX_POSTCODE_LENGTH:
        return N_("The postcode is longer than {max} characters."), {
            "max": str(MAX_POSTCODE_LENGTH)
        }
    if len(district) > MAX_DISTRICT_LENGTH:
        return N_("The district name is longer than {max} characters."), {
            "max": str(MAX_DISTRICT_LENGTH)
        }
    return None


def read_census(content: bytes, key: bytes) -> list[CensusRow]:
    """Every row of a census CSV (`;` or `,`, UTF-8 with or without BOM), or CensusFileError
    naming each bad line: a file is imported whole or not at all."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CensusFileError(
            [(1, N_("The file must be a CSV file encoded in UTF-8."), {})]
        ) from None
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        raw_header = next(reader, [])
    except csv.Error:
        raise CensusFileError([(1, _UNREADABLE, {})]) from None
    header = [HEADER_ALIASES.get(h.strip().lower()) for h in raw_header]
    missing = [c for c in COLUMNS[:3] if c not in header]
    if missing:
        raise CensusFileError(
            [
                (
                    1,
                    N_(
                        "Missing columns: {columns}. Expected: identifiant;"
                        "date_naissance;code_postal;quartier."
                    ),
                    {"columns": ", ".join(missing)},
                )
            ]
        )
    position = {name: header.index(name) for name in COLUMNS if name in header}
    rows: list[CensusRow] = []
    problems: list[tuple[int, str, dict[str, str]]] = []
    seen: set[str] = set()
    for line_number, cells in _records(reader):
        if cells is None:
            problems.append((line_number, _UNREADABLE, {}))
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            problems.append((line_number, N_("This line has too few columns."), {}))
            continue
        if any("\x00" in cell for cell in cells):  # PostgreSQL cannot store it; never real text
            problems.append(
                (line_number, N_("This line contains a NUL character: is it a text file?"), {})
            )
            continue
        identifier = cells[position["identifier"]].strip()
        birth = parse_birth_date(cells[position["birth_date"]])
        postcode = cells[position["postcode"]].strip()
        district = cells[position["district"]].strip() if "district" in position else ""
        if refused := _line_problem(identifier, birth, postcode, district):
            problems.append((line_number, *refused))
            continue
        assert birth is not None
        row = CensusRow(lookup_hash(key, identifier, birth, postcode), birth.year, district or None)
        if row.lookup_hash in seen:
            problems.append((line_number, N_("This person is already on an earlier line."), {}))
        seen.add(row.lookup_hash)
        rows.append(row)
    if problems:
        raise CensusFileError(problems)
    return rows
