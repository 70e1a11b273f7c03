"""Follow-up rules on plain data."""

from collections.abc import Callable, Mapping
from datetime import date

import pytest

from followup import domain
from followup.domain import Filters, MilestoneForm, SourceKind, Status, StatusUpdate
from participation.refusals import Refused


def fields_of(parse: Callable[[Mapping[str, str]], object], data: Mapping[str, str]) -> set[str]:
    """The fields a parser refuses (it raises `Refused`, never returns problems)."""
    with pytest.raises(Refused) as refused:
        parse(data)
    return {problem.field for problem in refused.value.problems}


def test_an_abandoned_commitment_needs_a_reason() -> None:
    assert fields_of(domain.parse_status_update, {"status": "abandoned", "progress": "40"}) == {
        "reason"
    }
    update = domain.parse_status_update(
        {"status": "abandoned", "progress": "40", "reason": " Coût triplé "}
    )
    assert update == StatusUpdate(Status.ABANDONED, 40, "Coût triplé")


def test_progress_is_a_whole_number_from_0_to_100_and_done_means_100() -> None:
    # ASCII digits only, as every number read from a form (participation/numbers.py)
    for bad in ("", "abc", "-1", "101", "12.5", "1e3", "+5", "1_0", "٥٠", "²"):
        assert fields_of(
            domain.parse_status_update, {"status": "in-progress", "progress": bad}
        ) == {"progress"}
    assert domain.parse_status_update({"status": "done", "progress": "60"}) == StatusUpdate(
        Status.DONE, 100, ""
    )
    assert fields_of(domain.parse_status_update, {"status": "finished", "progress": "5"}) == {
        "status"
    }


def test_a_milestone_has_a_real_date_and_a_short_text() -> None:
    assert domain.parse_milestone({"on": "2026-03-02", "text": " Travaux lancés "}) == (
        MilestoneForm(date(2026, 3, 2), "Travaux lancés")
    )
    assert fields_of(domain.parse_milestone, {"on": "2026-02-30", "text": "x"}) == {"on"}
    assert fields_of(domain.parse_milestone, {"on": "", "text": ""}) == {"on", "text"}
    assert fields_of(domain.parse_milestone, {"on": "2026-03-02", "text": "x" * 501}) == {"text"}


def test_filters_ignore_values_that_are_not_ours() -> None:
    assert Filters.from_query({"status": "done", "kind": "proposal", "district": " Sud "}) == (
        Filters(Status.DONE, SourceKind.PROPOSAL, "Sud")
    )
    assert Filters.from_query({"status": "<script>", "kind": "DROP TABLE"}) == Filters()


def test_only_a_new_status_is_a_change() -> None:
    assert domain.status_changed(Status.UPCOMING, Status.IN_PROGRESS)
    assert not domain.status_changed(Status.IN_PROGRESS, Status.IN_PROGRESS)
