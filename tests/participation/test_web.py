"""The small route helpers of `participation.web`."""

from __future__ import annotations

from moderation.queries import AuditParams, QueueParams
from participation.proposals.queries import ListParams
from participation.web import query_string


def test_list_links_keep_the_filters_and_leave_out_empty_values_and_defaults() -> None:
    assert query_string({"q": "vélo", "state": "", "page": 1}) == "q=v%C3%A9lo"
    assert query_string({"sort": "recent", "page": 2}, sort="recent") == "page=2"
    proposals = ListParams(category="mobilite", sort="supported")
    assert proposals.query_string(page=3) == "category=mobilite&sort=supported&page=3"
    assert ListParams(q="arbres").query_string(page=2) == "q=arbres&page=2"
    assert QueueParams(type="comment", page=2).query_string(page=1) == "type=comment"
    assert AuditParams(action="decision").query_string(page=2) == "action=decision&page=2"
