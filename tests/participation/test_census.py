"""Reading the census file: every variant a town hall exports, and clear errors per line."""

from datetime import date

import pytest

from participation.residents.census import CensusFileError, census_key, lookup_hash, read_census

KEY = census_key("secret")


def test_semicolon_file_with_bom_and_french_dates() -> None:
    content = (
        "\ufeffidentifiant;date_naissance;code_postal;quartier\r\n"
        "VB-001;21/03/1984;44000;Nord\r\nvb 002;1990-12-01;44 000;\r\n"
    ).encode()
    rows = read_census(content, KEY)
    assert [r.birth_year for r in rows] == [1984, 1990]
    assert [r.district for r in rows] == ["Nord", None]
    # the resident types their details differently: same fingerprint
    assert rows[0].lookup_hash == lookup_hash(KEY, "vb001", date(1984, 3, 21), "44000")
    assert rows[1].lookup_hash == lookup_hash(KEY, "VB-002", date(1990, 12, 1), "44000")


def test_the_file_holds_nothing_in_clear() -> None:
    rows = read_census(
        b"identifier,birth_date,postcode,district\nABC123,1984-03-21,44000,Nord\n", KEY
    )
    assert "ABC123" not in repr(rows) and "44000" not in repr(rows)
    assert rows[0].lookup_hash != lookup_hash(
        census_key("other secret"), "ABC123", date(1984, 3, 21), "44000"
    )


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"nom;prenom\nA;B\n", 1, "Missing columns"),
        (b"identifiant;date_naissance;code_postal\nX;31/02/1990;44000\n", 2, "not a date"),
        (b"identifiant;date_naissance;code_postal\n;1990-01-01;44000\n", 2, "identifier is empty"),
        (b"identifiant;date_naissance;code_postal\nX;1990-01-01\n", 2, "too few columns"),
        (
            b"identifiant;date_naissance;code_postal\nX;1990-01-01;1\nX;1990-01-01;1\n",
            3,
            "already on an earlier line",
        ),
        ("identifiant;date_naissance;code_postal\nÉ;1990-01-01;1\n".encode("latin-1"), 1, "UTF-8"),
    ],
)
def test_bad_files_name_the_line(content: bytes, line: int, message: str) -> None:
    with pytest.raises(CensusFileError) as refused:
        read_census(content, KEY)
    first_line, first_message, _values = refused.value.problems[0]
    assert first_line == line and message in first_message
