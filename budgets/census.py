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
    header = [HEADER_ALIASES.get(h.strip().lower()) for h in next(reader, [])]
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
    for line_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            problems.append((line_number, N_("This line has too few columns."), {}))
            continue
        identifier = cells[position["identifier"]].strip()
        birth = parse_birth_date(cells[position["birth_date"]])
        postcode = cells[position["postcode"]].strip()
        district = cells[position["district"]].strip() if "district" in position else ""
        if not identifier:
            problems.append((line_number, N_("The identifier is empty."), {}))
        elif birth is None:
            problems.append(
                (line_number, N_("The birth date is not a date (AAAA-MM-JJ or JJ/MM/AAAA)."), {})
            )
        elif not postcode:
            problems.append((line_number, N_("The postcode is empty."), {}))
        else:
            row = CensusRow(
                lookup_hash(key, identifier, birth, postcode), birth.year, district or None
            )
            if row.lookup_hash in seen:
                problems.append((line_number, N_("This person is already on an earlier line."), {}))
            seen.add(row.lookup_hash)
            rows.append(row)
    if problems:
        raise CensusFileError(problems)
    return rows
