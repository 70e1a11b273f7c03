"""The pure rules of signalements: state machine, reopening, distances and the duplicate box,
due dates, figures, form parsing. No HTTP, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from participation.refusals import DomainError, Refused
from signalements import domain
from signalements.domain import Box, Nearby, Resolution, State

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
TOWN = Box(47.16, -1.66, 47.30, -1.46)
S = State


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.RECEIVED, S.TAKEN, True),
        (S.RECEIVED, S.PLANNED, True),
        (S.RECEIVED, S.RESOLVED, True),
        (S.RECEIVED, S.REJECTED, True),
        (S.RECEIVED, S.NOT_OURS, True),
        (S.TAKEN, S.PLANNED, True),
        (S.TAKEN, S.RESOLVED, True),
        (S.PLANNED, S.TAKEN, True),  # the planned date fell through
        (S.PLANNED, S.RESOLVED, True),
        (S.TAKEN, S.RECEIVED, False),
        (S.PLANNED, S.RECEIVED, False),
        (S.RESOLVED, S.RECEIVED, False),  # only by reopening
        (S.RESOLVED, S.TAKEN, False),
        (S.REJECTED, S.TAKEN, False),
        (S.NOT_OURS, S.RESOLVED, False),
        (S.MERGED, S.RECEIVED, False),
        (S.RECEIVED, S.MERGED, False),  # only by merging
        (S.RECEIVED, S.RECEIVED, False),
    ],
)
def test_transitions(current: State, target: State, allowed: bool) -> None:
    if allowed:
        domain.check_transition(current, target)
    else:
        with pytest.raises(DomainError) as refused:
            domain.check_transition(current, target)
        assert refused.value.message == domain.OUT_OF_ORDER


@pytest.mark.parametrize(
    ("current", "resolved_ago", "by_staff", "result"),
    [
        (S.RESOLVED, timedelta(days=1), False, S.RECEIVED),
        (S.RESOLVED, timedelta(days=15), False, S.RECEIVED),  # the 15th day still counts
        (S.RESOLVED, timedelta(days=15, seconds=1), False, domain.REOPEN_TOO_LATE),
        (S.RESOLVED, timedelta(days=90), True, S.RECEIVED),  # staff: any time
        (S.REJECTED, timedelta(days=1), False, domain.NOT_REOPENABLE),
        (S.REJECTED, None, True, S.RECEIVED),
        (S.NOT_OURS, None, True, S.RECEIVED),
        (S.TAKEN, None, False, domain.NOT_REOPENABLE),
        (S.TAKEN, None, True, domain.NOT_REOPENABLE),
        (S.MERGED, None, True, domain.NOT_REOPENABLE),
    ],
)
def test_reopening(
    current: State, resolved_ago: timedelta | None, by_staff: bool, result: str
) -> None:
    resolved_at = NOW - resolved_ago if resolved_ago is not None else None
    if isinstance(result, State):
        assert domain.reopen_target(current, resolved_at, NOW, by_staff) == result
    else:
        with pytest.raises(DomainError) as refused:
            domain.reopen_target(current, resolved_at, NOW, by_staff)
        assert refused.value.message == result


def test_merging_into_itself_or_a_closed_report_is_refused() -> None:
    with pytest.raises(DomainError, match="itself"):
        domain.check_merge(4, 4, S.RECEIVED, S.RECEIVED)
    with pytest.raises(DomainError):
        domain.check_merge(4, 5, S.RECEIVED, S.RESOLVED)
    domain.check_merge(4, 5, S.TAKEN, S.PLANNED)


@pytest.mark.parametrize(
    ("a", "b", "metres"),
    [
        ((47.2184, -1.5536), (47.2184, -1.5536), 0.0),
        ((47.2184, -1.5536), (47.2188, -1.5536), 44.5),  # 0.0004° of latitude
        ((0.0, 0.0), (0.0, 1.0), 111_195.0),  # a degree at the equator
        ((48.8566, 2.3522), (45.7640, 4.8357), 391_500.0),  # Paris - Lyon
    ],
)
def test_distance_in_metres(a: tuple[float, float], b: tuple[float, float], metres: float) -> None:
    assert domain.distance_m(*a, *b) == pytest.approx(metres, rel=0.002, abs=0.5)


def test_the_box_around_a_point_holds_the_circle_and_little_more() -> None:
    lat, lon = 47.2184, -1.5536
    box = domain.box_around(lat, lon, 50)
    # its edges are 50 m away, north-south and east-west
    assert domain.distance_m(lat, lon, box.north, lon) == pytest.approx(50, abs=0.1)
    assert domain.distance_m(lat, lon, lat, box.east) == pytest.approx(50, abs=0.1)
    assert box.contains(lat, lon) and not box.contains(lat + 0.001, lon)


def test_duplicates_are_the_open_ones_within_50_metres_nearest_first() -> None:
    lat, lon = 47.2184, -1.5536
    candidates = [
        Nearby(1, lat + 0.0004, lon, ""),  # 44 m
        Nearby(2, lat + 0.0001, lon, ""),  # 11 m
        Nearby(3, lat + 0.00046, lon + 0.00046, ""),  # in the box's corner: 61 m
        Nearby(4, None, None, "12 rue de la Loire"),
    ]
    assert domain.duplicates(lat, lon, "", candidates) == [2, 1]
    # without coordinates: the same address, whatever the case and punctuation
    assert domain.duplicates(None, None, "12, Rue de la  Loire", candidates) == [4]
    assert domain.duplicates(None, None, "", candidates) == []


def test_due_dates_and_overdue() -> None:
    due = domain.due_at(NOW, 7)
    assert due == NOW + timedelta(days=7)
    assert not domain.is_overdue(S.TAKEN, due, due)
    assert domain.is_overdue(S.TAKEN, due, due + timedelta(seconds=1))
    assert not domain.is_overdue(S.RESOLVED, due, due + timedelta(days=1))  # closed in time or not


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([], None, None),
        ([5.0], 5.0, 5.0),
        ([1.0, 3.0], 2.0, 3.0),
        ([4.0, 1.0, 3.0, 2.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 5.5, 9.0),
        ([float(i) for i in range(1, 12)], 6.0, 10.0),  # rank ceil(0.9 * 11) = 10
    ],
)
def test_median_and_nearest_rank_percentile(
    values: list[float], median: float | None, p90: float | None
) -> None:
    assert domain.median(values) == median
    assert domain.percentile(values, 0.9) == p90


def test_figures_of_a_category() -> None:
    day = timedelta(days=1)
    reports = [
        Resolution(NOW, NOW + 2 * day, NOW + 7 * day),  # in time
        Resolution(NOW, NOW + 10 * day, NOW + 7 * day),  # late
        Resolution(NOW, NOW + 4 * day, NOW + 7 * day),  # in time
        Resolution(NOW, None, NOW + 7 * day),  # open
    ]
    f = domain.figures(reports)
    assert (f.received, f.resolved) == (4, 3)
    assert f.median_days == 4.0 and f.p90_days == 10.0
    assert f.within_sla == pytest.approx(2 / 3)
    empty = domain.figures([])
    assert (empty.received, empty.median_days, empty.within_sla) == (0, None, None)


def test_tokens_are_stored_hashed() -> None:
    token = domain.new_token()
    assert len(token) >= 32 and domain.token_hash(token) != token
    assert domain.token_hash(token) == domain.token_hash(token)
    assert len(domain.token_hash(token)) == 64


VALID = {
    "category": "3",
    "address": "12 rue de la Loire",
    "latitude": "47.2184",
    "longitude": "-1.5536",
    "description": "Nid-de-poule profond devant le numéro 12.",
}


def _problems(data: dict[str, str], staff: bool = False) -> dict[str, str]:
    try:
        domain.parse_report(data, [3], TOWN, staff)
    except Refused as refused:
        return {p.field: p.message for p in refused.problems}
    return {}


def test_a_valid_report_form() -> None:
    form = domain.parse_report({**VALID, "email": " Camille@Example.org "}, [3], TOWN, False)
    assert form.place.latitude == 47.2184 and form.email == "camille@example.org"
    assert form.channel == domain.Channel.ONLINE and not form.private
    # decimal commas are read; no coordinates at all is fine
    assert domain.parse_report({**VALID, "latitude": "47,2184"}, [3], TOWN, False)
    assert not _problems({**VALID, "latitude": "", "longitude": ""})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"latitude": "48.8566", "longitude": "2.3522"}, "latitude"),  # Paris: outside the town
        ({"latitude": "47.2184", "longitude": ""}, "longitude"),
        ({"latitude": "nan", "longitude": "-1.55"}, "latitude"),
        ({"latitude": "inf", "longitude": "-1.55"}, "latitude"),
        ({"latitude": "abc", "longitude": "-1.55"}, "latitude"),
        ({"category": "4"}, "category"),  # not a category of the town
        ({"category": "x"}, "category"),
        ({"address": "  "}, "address"),
        ({"address": "a" * 301}, "address"),
        ({"description": "trou"}, "description"),
        ({"description": "a" * 2001}, "description"),
        ({"email": "pas-une-adresse"}, "email"),
    ],
)
def test_bad_report_forms(changes: dict[str, str], field: str) -> None:
    assert field in _problems({**VALID, **changes})


def test_only_staff_record_the_channel() -> None:
    assert domain.parse_report({**VALID, "channel": "phone"}, [3], TOWN, False).channel == "online"
    assert domain.parse_report({**VALID, "channel": "phone"}, [3], TOWN, True).channel == "phone"
    assert "channel" in _problems({**VALID, "channel": "pigeon"}, staff=True)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"state": "taken", "message": "Transmis au service voirie."}, set()),
        ({"state": "not_ours", "message": "Voie départementale."}, {"body"}),
        ({"state": "merged", "message": "x"}, {"state"}),
        ({"state": "nowhere", "message": "x"}, {"state"}),
        ({"state": "resolved", "message": " "}, {"message"}),
    ],
)
def test_changes_of_state(data: dict[str, str], fields: set[str]) -> None:
    try:
        change = domain.parse_change(data)
    except Refused as refused:
        assert {p.field for p in refused.problems} == fields
    else:
        assert not fields and change.target == State(data["state"])


def test_categories() -> None:
    ok = domain.parse_category(
        {"name": "Voirie", "icon": "road", "service": "Voirie", "sla_days": "15"}
    )
    assert ok.sla_days == 15 and not ok.premoderated
    for bad in ({"sla_days": "0"}, {"sla_days": "366"}, {"sla_days": "²"}, {"icon": "bomb"}):
        with pytest.raises(Refused):
            domain.parse_category(
                {"name": "Voirie", "icon": "road", "service": "Voirie", "sla_days": "15", **bad}
            )
