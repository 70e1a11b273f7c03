"""The small route helpers of `participation.web`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.datastructures import Headers

from moderation.queries import QueueParams
from participation.audit import AuditParams
from participation.middleware import parse_urlencoded
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


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"a=1&b=2&a=3",
        b"csrf_token=abc&action=cast&project=1&project=2",
        b"name=Caf%C3%A9+du+coin&empty=&flag",
        b"&&a=1&&b=&=x&",
        b"plus=1%2B1&space=a+b&pct=%25&bad=%E9%zz",
        "raw=été".encode("latin-1"),
        "raw=été".encode(),
        b"semi=a;b&eq=a=b",
    ],
)
async def test_forms_parsed_once_read_like_starlettes_parser(body: bytes) -> None:
    """The CSRF check parses a URL-encoded body once for the route: same fields as
    Starlette's own parser, in the same order, whatever the encoding quirks."""
    from starlette.formparsers import FormParser

    async def chunks() -> AsyncIterator[bytes]:
        yield body

    expected = await FormParser(Headers(), chunks()).parse()
    parsed = parse_urlencoded(body)
    assert parsed is not None
    assert parsed.multi_items() == expected.multi_items()


def test_bodies_beyond_starlettes_limits_are_left_to_starlette() -> None:
    """More than 1,000 fields: the route's own parser refuses them (400) as before."""
    assert parse_urlencoded(b"&".join([b"a=1"] * 1001)) is None
    assert parse_urlencoded(b"&".join([b"a=1"] * 999)) is not None
