"""One formatter for people (participation/formatting.py): the town's time, Babel's numbers.

Pure tests: no database, no HTTP. The DST table uses the two edges of 2026 and 2027 (last
Sundays of March and October), where a typed local time is skipped or happens twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from participation import formatting, i18n

NNBSP = "\u202f"  # narrow no-break space: French thousands, as Babel writes them
NBSP = "\u00a0"


@pytest.fixture
def french() -> Iterator[None]:
    token = i18n.current_language.set("fr")
    yield
    i18n.current_language.reset(token)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "french", "english"),
    [
        # the issue: 23:20 UTC on 30 December is already the 31st in Paris (winter, UTC+1)
        (utc(2026, 12, 30, 23, 20), "31/12/2026 00:20", f"Dec 31, 2026, 12:20{NNBSP}AM"),
        # summer time, UTC+2: 22:30 UTC is 00:30 the next day
        (utc(2027, 6, 15, 22, 30), "16/06/2027 00:30", f"Jun 16, 2027, 12:30{NNBSP}AM"),
        (utc(2027, 6, 15, 16, 0), "15/06/2027 18:00", f"Jun 15, 2027, 6:00{NNBSP}PM"),
        # SQLite hands back naive values: they are UTC
        (datetime(2026, 12, 30, 23, 20), "31/12/2026 00:20", f"Dec 31, 2026, 12:20{NNBSP}AM"),
    ],
)
def test_moments_are_shown_in_the_towns_time(moment: datetime, french: str, english: str) -> None:
    assert formatting.format_datetime(moment, "fr") == french
    assert formatting.format_datetime(moment, "en") == english


def test_days_and_deadlines() -> None:
    late = utc(2026, 12, 30, 23, 20)
    assert formatting.format_date(late, "fr") == "31/12/2026"  # the Paris day, not UTC's
    assert formatting.format_date(date(2026, 4, 1), "fr") == "01/04/2026"
    assert formatting.format_date(date(2026, 4, 1), "en") == "Apr 1, 2026"
    closes = utc(2027, 6, 15, 16, 0)
    assert formatting.format_deadline(closes, "fr") == f"15 juin 2027, 18{NBSP}h"
    assert formatting.format_deadline(closes + timedelta(minutes=30), "fr") == (
        f"15 juin 2027, 18{NBSP}h{NBSP}30"
    )
    assert formatting.format_deadline(closes, "en") == f"June 15, 2027, 6:00{NNBSP}PM"
    assert formatting.format_datetime(late, "fr", seconds=True) == "31/12/2026 00:20:00"
    assert formatting.iso_local(late) == "2026-12-31T00:20:00+01:00"
    assert formatting.format_datetime(None) == "" and formatting.iso_local(None) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        # a closing typed as 23:20 closes at 23:20 in Paris
        (datetime(2026, 12, 30, 23, 20), utc(2026, 12, 30, 22, 20)),
        (datetime(2027, 4, 10, 18, 0), utc(2027, 4, 10, 16, 0)),
        # last Sunday of March 2026 (29th): 01:59 is winter time, 03:00 summer time
        (datetime(2026, 3, 29, 1, 59), utc(2026, 3, 29, 0, 59)),
        (datetime(2026, 3, 29, 3, 0), utc(2026, 3, 29, 1, 0)),
        (datetime(2027, 3, 28, 3, 30), utc(2027, 3, 28, 1, 30)),
        # last Sunday of October 2026 (25th): 02:30 happens twice, the first (summer) is read
        (datetime(2026, 10, 25, 1, 59), utc(2026, 10, 24, 23, 59)),
        (datetime(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30)),
        (datetime(2026, 10, 25, 3, 0), utc(2026, 10, 25, 2, 0)),
        (datetime(2027, 10, 31, 2, 0), utc(2027, 10, 31, 0, 0)),
    ],
)
def test_typed_times_are_the_towns_and_stored_in_utc(typed: datetime, stored: datetime) -> None:
    assert formatting.from_local(typed) == stored
    assert formatting.from_local(typed).tzinfo == UTC
    assert formatting.input_value(stored) == typed.strftime("%Y-%m-%dT%H:%M")  # shown back


@pytest.mark.parametrize(
    "typed",
    [datetime(2026, 3, 29, 2, 0), datetime(2026, 3, 29, 2, 30), datetime(2027, 3, 28, 2, 59)],
)
def test_a_time_skipped_when_clocks_go_forward_is_refused(typed: datetime) -> None:
    with pytest.raises(formatting.NonexistentTime):
        formatting.from_local(typed)


def test_every_minute_of_the_dst_days_round_trips() -> None:
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)):
        start = datetime(day.year, day.month, day.day)
        for minute in range(0, 24 * 60, 5):
            typed = start + timedelta(minutes=minute)
            try:
                stored = formatting.from_local(typed)
            except formatting.NonexistentTime:
                assert day.month == 3 and typed.hour == 2
                continue
            assert formatting.input_value(stored) == typed.strftime("%Y-%m-%dT%H:%M")


def test_another_time_zone_is_a_setting() -> None:
    # a moment is formatted once per language and time zone (issue #23), never the Paris text
    # in Cayenne
    assert formatting.format_datetime(utc(2026, 12, 30, 23, 20), "fr") == "31/12/2026 00:20"
    formatting.use_time_zone("America/Cayenne")  # UTC-3, no DST
    try:
        assert formatting.format_datetime(utc(2026, 12, 30, 23, 20), "fr") == "30/12/2026 20:20"
        assert formatting.from_local(datetime(2026, 12, 30, 20, 20)) == utc(2026, 12, 30, 23, 20)
    finally:
        formatting.use_time_zone(formatting.DEFAULT_TIME_ZONE)
    with pytest.raises(ValueError, match="unknown time zone"):
        formatting.use_time_zone("Mars/Olympus")


@pytest.mark.parametrize(
    ("call", "french", "english"),
    [
        (lambda lang: formatting.format_percent(0.8, language=lang), f"80,0{NBSP}%", "80.0%"),
        (lambda lang: formatting.format_percent(0.125, 0, lang), f"12{NBSP}%", "12%"),
        (lambda lang: formatting.format_points(37.5, language=lang), f"37,5{NBSP}%", "37.5%"),
        (lambda lang: formatting.format_number(3.756, 2, lang), "3,76", "3.76"),
        (
            lambda lang: formatting.format_number(1234567, language=lang),
            "1\u202f234\u202f567",
            "1,234,567",
        ),
        (lambda lang: formatting.format_number(3.5, language=lang), "3,5", "3.5"),
        (
            lambda lang: formatting.format_money(12500, language=lang),
            f"12{NNBSP}500{NBSP}€",
            "€12,500",
        ),
        (lambda lang: formatting.format_money(12.37, "EUR", True, lang), f"12,37{NBSP}€", "€12.37"),
        (lambda lang: formatting.colon(lang), f"{NBSP}:", ":"),
    ],
)
def test_numbers_in_each_language(call: object, french: str, english: str) -> None:
    assert call("fr") == french  # type: ignore[operator]
    assert call("en") == english  # type: ignore[operator]


def test_the_current_language_is_the_default(french: None) -> None:
    assert formatting.format_percent(0.8) == f"80,0{NBSP}%"
    assert formatting.format_number(None) == "" and formatting.format_percent(None) == ""


def test_counts_in_templates_are_grouped(french: None) -> None:
    from participation.templating import templates

    page = templates.env.from_string(
        '{{ ngettext("%(num)s support", "%(num)s supports", 1234) }} · '
        '{{ ngettext("%(num)d item", "%(num)d items", 1234) }} · '
        "{{ 0.8|percent }} · {{ 12500|money }} · {{ 3.756|number(2) }}{{ colon() }}"
    )
    assert (
        page.render()
        == f"1{NNBSP}234 soutiens · 1234 items · 80,0{NBSP}% · 12{NNBSP}500{NBSP}€ · 3,76{NBSP}:"
    )
