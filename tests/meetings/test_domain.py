"""Meeting rules, pure: capacity, waiting-list order, when the online link shows, codes, forms."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from meetings import domain
from meetings.domain import Format, MeetingFacts, Seat, Status
from participation.refusals import Refused

START = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


def facts(format: Format = Format.HYBRID, status: Status = Status.SCHEDULED) -> MeetingFacts:
    return MeetingFacts(format, status, START, END, 20)


@pytest.mark.parametrize(
    ("capacity", "confirmed", "seat"),
    [
        (None, 10_000, Seat.CONFIRMED),
        (20, 0, Seat.CONFIRMED),
        (20, 19, Seat.CONFIRMED),
        (20, 20, Seat.WAITING),
        (20, 25, Seat.WAITING),  # never over: even a miscount sends people to the list
    ],
)
def test_placement_fills_seats_then_the_waiting_list(
    capacity: int | None, confirmed: int, seat: Seat
) -> None:
    assert domain.placement(capacity, confirmed) == seat


def test_waiting_list_moves_up_first_come_first_served() -> None:
    at = START - timedelta(days=3)
    waiting = [(at + timedelta(minutes=5), 3), (at, 7), (at, 2), (at + timedelta(minutes=1), 1)]
    assert domain.promotion_order(waiting) == [2, 7, 1, 3]


@pytest.mark.parametrize(
    ("capacity", "confirmed", "waiting", "moving"),
    [(20, 19, 5, 1), (20, 20, 5, 0), (30, 20, 5, 5), (None, 3, 4, 4), (20, 15, 0, 0)],
)
def test_seats_to_fill(capacity: int | None, confirmed: int, waiting: int, moving: int) -> None:
    assert domain.seats_to_fill(capacity, confirmed, waiting) == moving


@pytest.mark.parametrize(
    ("format", "status", "seat", "now", "visible"),
    [
        (Format.ONLINE, Status.SCHEDULED, Seat.CONFIRMED, START - timedelta(hours=2), False),
        (Format.ONLINE, Status.SCHEDULED, Seat.CONFIRMED, START - timedelta(minutes=31), False),
        (Format.ONLINE, Status.SCHEDULED, Seat.CONFIRMED, START - timedelta(minutes=30), True),
        (Format.HYBRID, Status.SCHEDULED, Seat.CONFIRMED, START + timedelta(hours=1), True),
        (Format.HYBRID, Status.SCHEDULED, Seat.CONFIRMED, END + timedelta(seconds=1), False),
        (Format.ONLINE, Status.SCHEDULED, Seat.WAITING, START, False),
        (Format.ONLINE, Status.SCHEDULED, Seat.CANCELLED, START, False),
        (Format.ONLINE, Status.SCHEDULED, None, START, False),
        (Format.ONLINE, Status.CANCELLED, Seat.CONFIRMED, START, False),
        (Format.IN_PERSON, Status.SCHEDULED, Seat.CONFIRMED, START, False),
    ],
)
def test_online_link_only_for_seat_holders_shortly_before(
    format: Format, status: Status, seat: Seat | None, now: datetime, visible: bool
) -> None:
    assert domain.online_link_visible(facts(format, status), seat, now) is visible


def test_registration_and_cancellation_close_at_the_start() -> None:
    before, after = START - timedelta(seconds=1), START
    assert domain.registration_open(facts(), before)
    assert not domain.registration_open(facts(), after)
    assert not domain.registration_open(facts(status=Status.CANCELLED), before)
    assert domain.can_cancel(facts(), Seat.WAITING, before)
    assert not domain.can_cancel(facts(), Seat.CONFIRMED, after)
    assert not domain.can_cancel(facts(), Seat.CANCELLED, before)
    assert not domain.can_cancel(facts(), None, before)


def test_reminder_is_due_the_day_before_only() -> None:
    assert not domain.reminder_due(facts(), START - timedelta(days=1, seconds=1))
    assert domain.reminder_due(facts(), START - timedelta(days=1))
    assert domain.reminder_due(facts(), START - timedelta(minutes=1))
    assert not domain.reminder_due(facts(), START)
    assert not domain.reminder_due(facts(status=Status.CANCELLED), START - timedelta(hours=2))


def test_registration_codes_are_unambiguous_and_read_back_as_typed() -> None:
    rng = random.Random(4)
    codes = {domain.new_code(rng.choice) for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert not set(code.replace("-", "")) & set("0O1IL")
        assert domain.normalised_code(code.lower().replace("-", " ")) == code
    assert domain.normalised_code("ABC") is None
    assert domain.normalised_code("X" * 5000) is None


VALID = {
    "title": "Réunion de quartier",
    "format": "hybrid",
    "starts_at": "2026-03-10T19:00",
    "ends_at": "2026-03-10T21:00",
    "address": "Salle des fêtes, 1 place de la Mairie",
    "online_url": "https://visio.example.org/quartier",
    "capacity": "40",
}


def test_a_valid_form_reads_local_times_as_utc() -> None:
    form = domain.parse_meeting(VALID)
    assert isinstance(form, domain.MeetingForm)
    assert form.starts_at == datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # Paris is UTC+1 in March
    assert form.capacity == 40


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"format": "carrier-pigeon"}, "format"),
        ({"starts_at": "demain"}, "starts_at"),
        ({"ends_at": "2026-03-10T18:00"}, "ends_at"),
        ({"address": ""}, "address"),
        ({"online_url": "http://visio.example.org"}, "online_url"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "²"}, "capacity"),
        ({"capacity": "-3"}, "capacity"),
    ],
)
def test_bad_input_names_its_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises(Refused) as refused:
        domain.parse_meeting({**VALID, **changes})
    assert field in {p.field for p in refused.value.problems}


def test_in_person_needs_no_link_and_online_needs_no_address() -> None:
    in_person = domain.parse_meeting({**VALID, "format": "in-person", "online_url": ""})
    assert isinstance(in_person, domain.MeetingForm) and in_person.online_url == ""
    online = domain.parse_meeting({**VALID, "format": "online", "address": ""})
    assert isinstance(online, domain.MeetingForm)


def test_minutes_form_reads_numbers() -> None:
    form = domain.parse_minutes({"minutes": "Compte rendu", "proposals": "12, #15 12"})
    assert isinstance(form, domain.MinutesForm)
    assert form.proposal_ids == (12, 15) and form.consultation_ids == ()
    with pytest.raises(Refused) as refused:
        domain.parse_minutes({"minutes": "", "consultations": "douze"})
    assert {p.field for p in refused.value.problems} == {"minutes", "consultations"}
