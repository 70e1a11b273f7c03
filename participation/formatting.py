"""One formatter for people: moments in the town's time zone, numbers in the reader's language.

Stored moments are UTC and stay UTC; every date or time a person reads (pages, e-mails, exports
for people) goes through `datetime`/`date`/`deadline` here, and every date a person types in a
form through `from_local`. The time zone is `TIME_ZONE` (Europe/Paris by default).

The traps this module exists for:
- a moment shown in UTC is on the wrong day after 23:00 in Paris (22:00 in summer): "Clôture
  30/12/2026 23:20 UTC" is 00:20 on the 31st for the people of the town;
- twice a year a local time is ambiguous (the last Sunday of October, 02:00-03:00 happens
  twice) or does not exist (the last Sunday of March, 02:00-03:00 is skipped): a typed time that
  does not exist is refused (`NonexistentTime`), an ambiguous one is read as the first of the two
  (summer time, `fold=0`), as the town hall clock showed it first;
- French numbers group thousands with a narrow no-break space (U+202F) and put a no-break space
  before "%" and "€"; Babel knows the rules of each language, f-strings and `round()` do not.

Language: the current request's (`i18n.current_language`), or the recipient's while an e-mail is
worded (`notifications.speaking`).
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from participation import i18n

DEFAULT_TIME_ZONE = "Europe/Paris"
_zone: list[ZoneInfo] = [ZoneInfo(DEFAULT_TIME_ZONE)]


class NonexistentTime(ValueError):
    """A local time skipped when clocks go forward (last Sunday of March, 02:00-03:00)."""


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone `name`; ValueError with a readable message when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (expected e.g. Europe/Paris)") from None


def use_time_zone(name: str) -> None:
    """Set the town's time zone for this process (the app and the worker call it at start)."""
    _zone[0] = zone_named(name)


def zone() -> ZoneInfo:
    return _zone[0]


def _language(language: str | None) -> str:
    return language or i18n.current_language.get()


@functools.cache
def _locale(language: str) -> Locale:
    """The language's babel Locale, parsed once per process: babel parses a language code on
    every call given one (59 times for a proposal page with its dated comments, issue #23)."""
    return Locale.parse(language)


# --- moments -----------------------------------------------------------------------------------


def local(moment: datetime) -> datetime:
    """A stored moment in the town's time zone; a naive moment is taken as UTC (SQLite)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def from_local(typed: datetime) -> datetime:
    """A wall-clock time typed by a person in the town (naive) as a UTC moment.

    Raises `NonexistentTime` for a time skipped when clocks go forward; an ambiguous time (the
    hour repeated when clocks go back) is the first one, in summer time.
    """
    if typed.tzinfo is not None:
        return typed.astimezone(UTC)
    tz = zone()
    candidate = typed.replace(tzinfo=tz, fold=0)
    back = candidate.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != typed:
        raise NonexistentTime(typed.isoformat(sep=" ", timespec="minutes"))
    return candidate.astimezone(UTC)


def iso_local(moment: datetime | None) -> str | None:
    """A moment for an export read by people and programs: ISO 8601 in the town's time with
    its offset ("2026-12-31T00:20:00+01:00"), the same instant as the stored UTC one."""
    return local(moment).isoformat(timespec="seconds") if moment else None


def input_value(moment: datetime | None) -> str:
    """A stored moment as the value of a `datetime-local` input, in the town's time."""
    return local(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _date_style(language: str) -> str:
    return "short" if language == "fr" else "medium"  # 30/12/2026 ; Dec 30, 2026


def format_datetime(
    moment: datetime | None, language: str | None = None, seconds: bool = False
) -> str:
    """30/12/2026 23:20 UTC -> "31/12/2026 00:20" in French, "Dec 31, 2026, 12:20 AM" in
    English; `seconds` adds them (audit log); None -> ""."""
    if moment is None:
        return ""
    return _format_datetime(moment, _language(language), seconds, zone())


@functools.lru_cache(maxsize=4096)
def _format_datetime(moment: datetime, lang: str, seconds: bool, _zone: ZoneInfo) -> str:
    """`format_datetime`, once per moment, language and time zone: a page shows the same
    moments to every reader (a proposal's 50 comments were 50 Babel formattings, issue #23)."""
    when = local(moment)
    glue = _locale(lang).datetime_formats["short"]
    return str(glue).format(
        babel_dates.format_time(when, "medium" if seconds else "short", locale=_locale(lang)),
        babel_dates.format_date(when, _date_style(lang), locale=_locale(lang)),
    )


def format_date(value: date | datetime | None, language: str | None = None) -> str:
    """A day ("31/12/2026", "Dec 31, 2026"); a moment is first moved to the town's time."""
    if value is None:
        return ""
    lang = _language(language)
    day = local(value).date() if isinstance(value, datetime) else value
    return babel_dates.format_date(day, _date_style(lang), locale=_locale(lang))


def format_time(moment: datetime | None, language: str | None = None) -> str:
    """The town's time of a moment: "18:00", "6:00 PM"."""
    if moment is None:
        return ""
    lang = _language(language)
    return babel_dates.format_time(local(moment), "short", locale=_locale(lang))


def format_deadline(moment: datetime | None, language: str | None = None) -> str:
    """A deadline written out: "15 juin 2027, 18 h" (18 h 30), "June 15, 2027, 6:00 PM"."""
    if moment is None:
        return ""
    lang = _language(language)
    when = local(moment)
    day = babel_dates.format_date(when, "long", locale=_locale(lang))
    if lang == "fr":
        hour = f"{when.hour}\u00a0h" + (f"\u00a0{when.minute:02d}" if when.minute else "")
        return f"{day}, {hour}"
    return f"{day}, {babel_dates.format_time(when, 'short', locale=_locale(lang))}"


# --- numbers -----------------------------------------------------------------------------------


def format_number(value: Any, digits: int | None = None, language: str | None = None) -> str:
    """1234.5 -> "1 234,5" (narrow no-break space) in French, "1,234.5" in English; `digits`
    fixes the decimals (3.756, 2 -> "3,76"); None (suppressed, missing) -> ""."""
    if value is None:
        return ""
    lang = _language(language)
    if digits is None:
        return babel_numbers.format_decimal(value, locale=_locale(lang))
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return babel_numbers.format_decimal(
        Decimal(str(value)), format=pattern, locale=_locale(lang), decimal_quantization=True
    )


def format_percent(share: Any, digits: int = 1, language: str | None = None) -> str:
    """A share (0.8) -> "80,0 %" in French, "80.0%" in English; None (suppressed) -> ""."""
    if share is None:
        return ""
    lang = _language(language)
    base = _locale(lang).percent_formats[None].pattern  # "#,##0 %" / "#,##0%"
    decimals = "." + "0" * digits if digits else ""
    pattern = base.replace("#,##0", "#,##0" + decimals, 1)
    return babel_numbers.format_percent(Decimal(str(share)), format=pattern, locale=_locale(lang))


def format_points(value: Any, digits: int = 1, language: str | None = None) -> str:
    """A percentage already in points (80.0 for 80 %) -> "80,0 %"."""
    if value is None:
        return ""
    return format_percent(Decimal(str(value)) / 100, digits, language)


def format_money(
    amount: Any, currency: str = "EUR", cents: bool = False, language: str | None = None
) -> str:
    """12 500 € in French, €12,500 in English; `cents` keeps two decimals (12,37 €)."""
    if amount is None:
        return ""
    lang = _language(language)
    number = "#,##0.00" if cents else "#,##0"
    pattern = f"{number}\u00a0¤" if lang == "fr" else f"¤{number}"
    return babel_numbers.format_currency(
        amount, currency, format=pattern, locale=_locale(lang), currency_digits=False
    )


# --- punctuation -------------------------------------------------------------------------------


def colon(language: str | None = None) -> str:
    """ ":" with what goes before it: a no-break space in French ("Quartier : Tous"), nothing in
    English ("District: All"). Templates write `{{ colon() }}` between a label and its value."""
    return "\u00a0:" if _language(language) == "fr" else ":"
