"""The feed's writer (meetings/calendar.py) against RFC 5545, read back by `icalendar`, an
independent parser: escaping, folding at 75 octets, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from icalendar import Calendar

from meetings import calendar


def test_text_values_are_escaped() -> None:
    assert calendar.text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_times_are_written_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    assert calendar.utc(datetime(2031, 5, 4, 18, 30, 15, 999, tzinfo=paris)) == "20310504T163015Z"


def test_long_lines_fold_at_75_octets_between_characters() -> None:
    line = "SUMMARY:" + "é" * 100 + "x" * 80  # two-octet characters: a fold never splits one
    folded = calendar.fold(line)
    assert folded.endswith(b"\r\n")
    physical = folded[:-2].split(b"\r\n")
    assert all(len(p) <= calendar.LINE_OCTETS for p in physical)
    assert all(p.startswith(b" ") for p in physical[1:])
    for p in physical:
        p.decode()  # each physical line is whole UTF-8
    assert b"".join(p[1:] if i else p for i, p in enumerate(physical)).decode() == line


def test_short_lines_are_left_alone() -> None:
    assert calendar.fold("VERSION:2.0") == b"VERSION:2.0\r\n"


def test_a_text_that_needs_everything_reads_back_as_written() -> None:
    title = "Atelier ; vélo, «\u00a0rues\u00a0» \\ " + "très long " * 20 + "\nfin"
    ics = b"".join(
        calendar.fold(line)
        for line in (
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:" + calendar.PRODUCT,
            "BEGIN:VEVENT",
            "UID:x@example.org",
            "DTSTAMP:20310504T163000Z",
            "SUMMARY:" + calendar.text(title),
            "END:VEVENT",
            "END:VCALENDAR",
        )
    )
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["summary"]) == title
    assert event.decoded("dtstamp") == datetime(2031, 5, 4, 16, 30, tzinfo=UTC)
