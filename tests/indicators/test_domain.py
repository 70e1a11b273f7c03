"""Indicator rules on plain data: no database, no HTTP."""

from datetime import date

from indicators import charts, domain
from indicators.domain import UNKNOWN, Group


def test_age_bands_use_the_age_reached_in_the_reference_year() -> None:
    assert domain.age_band(2008, 2026) == "18-24"  # 18 this year
    assert domain.age_band(2009, 2026) == "under-18"
    assert domain.age_band(2002, 2026) == "18-24"  # 24
    assert domain.age_band(2001, 2026) == "25-34"
    assert domain.age_band(1961, 2026) == "65+"
    assert domain.age_band(None, 2026) == UNKNOWN
    assert domain.age_band(2030, 2026) == UNKNOWN  # a birth year in the future is an error


def test_cells_under_ten_are_hidden_and_a_lone_hidden_cell_takes_the_next_smallest() -> None:
    assert domain.suppress({"a": 10, "b": 9, "c": 50, "d": 12}) == {
        "a": None,  # the next smallest: else total - (c + d) = a + b would give b back
        "b": None,
        "c": 50,
        "d": 12,
    }
    assert domain.suppress({"a": 0, "b": 3, "c": 40}) == {"a": None, "b": None, "c": 40}
    assert domain.suppress({"a": 10, "b": 11}) == {"a": 10, "b": 11}
    assert domain.suppress({"only": 4}) == {"only": None}
    assert domain.suppress_total(9) is None
    assert domain.suppress_total(10) == 10


def test_shares_leave_out_the_unknown_band_unless_it_is_itself_a_small_cell() -> None:
    assert domain.shares({"a": 30, "b": 10, UNKNOWN: 60}) == {"a": 0.75, "b": 0.25}
    # unknown 5 would be total - a / share(a): shares are then of everyone
    assert domain.shares({"a": 30, "b": 15, UNKNOWN: 5}) == {"a": 0.6, "b": 0.3}


def test_dissimilarity_index_by_hand() -> None:
    participants = {"north": 60, "south": 40}
    population = {"north": 300, "south": 700}
    # 1/2 (|0.6 - 0.3| + |0.4 - 0.7|) = 0.3
    assert abs(domain.dissimilarity(participants, population) - 0.3) < 1e-12  # type: ignore[operator]
    assert domain.dissimilarity({"north": 6, "south": 3}, population) is None  # too few
    assert domain.dissimilarity({"north": 30, "south": 70}, population) == 0.0


def test_readings_say_how_far_a_group_is_from_its_share_of_the_population() -> None:
    def group(key: str, ratio: float, shown: bool = True, missing: bool = False) -> Group:
        share = 0.2 * ratio if shown else None
        return Group(key, 100 if shown else None, 1000, share, 0.2, surely_missing=missing)

    groups = [
        group("18-24", 0.5),
        group("25-34", 1.05),  # in line: not mentioned
        group("35-49", 1.26),
        group("50-64", 2.0),
        group("65+", 0.0, shown=False, missing=True),
        group("under-18", 0.0, shown=False),  # hidden, but maybe not missing: not said
    ]
    found = {r["key"]: r["code"] for r in domain.readings(groups)}
    assert found == {
        "18-24": "under-1/2",
        "35-49": "over-1/4",
        "50-64": "over-times",
        "65+": "absent",
    }
    # the missing first (least present first), then the over-represented (most first)
    assert [r["key"] for r in domain.readings(groups)] == ["65+", "18-24", "50-64", "35-49"]
    assert domain.reading_code(0.3) == "under-2/3"
    assert domain.reading_code(0.22) == "under-3/4"


def test_a_hidden_group_is_called_missing_only_when_it_surely_is() -> None:
    population = {"a": 300, "b": 300, "c": 400}
    rows = {g.key: g for g in domain.representativeness({"a": 5, "b": 60, "c": 35}, population)}
    # a: 5 where 30 were expected; c: hidden by secondary suppression (35 is not small)
    assert rows["a"].participants is None and rows["c"].participants is None
    assert rows["a"].surely_missing and not rows["c"].surely_missing
    assert [r["key"] for r in domain.readings(rows.values())] == ["a", "b"]
    few = {g.key: g for g in domain.representativeness({"a": 5, "b": 12, "c": 13}, population)}
    assert not few["a"].surely_missing  # 5 where 9 were expected: nothing to say


def test_weeks_start_on_monday_and_quiet_weeks_are_kept() -> None:
    days = {date(2026, 3, 4): 5, date(2026, 3, 8): 7, date(2026, 3, 18): 12}  # Wed, Sun, Wed
    assert domain.weekly(days) == {"2026-03-02": 12, "2026-03-09": 0, "2026-03-16": 12}


def test_moderation_delays_use_nearest_rank_and_hide_fewer_than_ten_decisions() -> None:
    hours = [float(h) for h in range(1, 13)]
    assert domain.delay_summary(hours) == {"decided": 12, "median_hours": 6.0, "p90_hours": 11.0}
    assert domain.delay_summary(hours[:9]) == {
        "decided": None,
        "median_hours": None,
        "p90_hours": None,
    }


def test_a_chart_draws_no_bar_for_a_suppressed_value() -> None:
    chart = charts.bars([("a", 40), ("b", None), ("c", 20)])
    widths = {row.label: [bar.percent for bar in row.bars] for row in chart.rows}
    assert widths == {"a": [100.0], "b": [0.0], "c": [50.0]}
    assert [bar.value for row in chart.rows for bar in row.bars] == [40, None, 20]


def test_a_feature_section_hides_small_groups_like_the_processes() -> None:
    columns = [
        {"key": "received", "label": "Received", "kind": "count", "base": ""},
        {"key": "resolved", "label": "Resolved", "kind": "count", "base": ""},
        {"key": "median_days", "label": "Median", "kind": "days", "base": "resolved"},
        {"key": "within_sla", "label": "In time", "kind": "share", "base": "resolved"},
    ]
    rows = [
        ("Voirie", {"received": 40, "resolved": 30, "median_days": 4.26, "within_sla": 0.81234}),
        ("Éclairage", {"received": 25, "resolved": 12, "median_days": 2.0, "within_sla": 0.5}),
        ("Tags", {"received": 12, "resolved": 3, "median_days": 9.0, "within_sla": 1.0}),
        ("Arbres", {"received": 4, "resolved": 2, "median_days": 1.0, "within_sla": 1.0}),
    ]
    total = {"received": 81, "resolved": 47, "median_days": 3.5, "within_sla": 0.7}
    table = domain.section_table(columns, rows, total)
    shown = {r["group"]: r["values"] for r in table["rows"]}
    # a group under 10 is hidden, and, being the only one, the next smallest with it
    assert shown["Arbres"]["received"] is None and shown["Tags"]["received"] is None
    assert shown["Voirie"]["received"] == 40 and shown["Éclairage"]["received"] == 25
    # figures over fewer than 10 resolved reports are hidden with their count
    assert shown["Tags"]["resolved"] is None and shown["Tags"]["median_days"] is None
    assert shown["Arbres"]["within_sla"] is None
    assert shown["Voirie"]["median_days"] == 4.3 and shown["Voirie"]["within_sla"] == 0.812
    assert table["total"] == {
        "received": 81,
        "resolved": 47,
        "median_days": 3.5,
        "within_sla": 0.7,
    }
    small = domain.section_table(columns, rows[3:], {"received": 4, "resolved": 2})
    assert small["total"]["received"] is None and small["total"]["median_days"] is None
    assert domain.section_table(columns, [], {})["total"] is None


def test_shares_of_published_rows_unless_a_count_is_hidden() -> None:
    rows = [{"key": "web", "count": 150}, {"key": "paper", "count": 50}]
    assert [r["share"] for r in domain.with_shares(rows)] == [0.75, 0.25]
    # one hidden: no share at all (150 / 0.9 would give the total, and the hidden count back)
    hidden = [{"key": "web", "count": 150}, {"key": "paper", "count": None}]
    assert [r["share"] for r in domain.with_shares(hidden)] == [None, None]
    assert domain.with_shares([]) == []
    assert [r["share"] for r in domain.with_shares([{"key": "web", "count": 0}])] == [None]
