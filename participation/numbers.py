"""Whole numbers read from requests (ids, pages, counts), refused rather than crashing.

Two traps made pages answer 500 (tests/security/test_parameters.py):
- `"²".isdigit()` and `"①".isdigit()` are True, yet `int()` refuses them;
- a 20-digit id overflows the database's integer columns (SQLite and PostgreSQL both raise).
So ids and counts from a URL or a form are ASCII digits no larger than `MAX_ID`.
"""

from __future__ import annotations

from typing import Any

# PostgreSQL `integer`: the type of every primary key and count column here
MAX_ID = 2**31 - 1


def is_whole_number(raw: str) -> bool:
    """ASCII digits only, and small enough for an integer column."""
    return raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID


def parse_id(raw: Any) -> int | None:
    """A positive id from a form or query string; None for anything else."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or not is_whole_number(text):
        return None
    value = int(text)
    return value if value > 0 else None


def parse_page(raw: Any, last: int) -> int:
    """A page number between 1 and `last`; 1 for anything else."""
    value = parse_id(raw)
    return min(value, last) if value is not None else 1
