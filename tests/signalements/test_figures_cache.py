"""The public figures' percentiles (~0.4 s of the database at 100,000 reports) are computed once
and kept as the pages are (participation/pagecache.py): a second request, signed in or not, runs
no percentile query; a write (a report resolved at the desk) shows at once."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from participation.accounts.models import User
from participation.settings import Settings
from tests.conftest import browser_of, count_queries, log_in, logged_queries, post_form
from tests.signalements.factories import open_report, pothole_category, resolved_report

# stored copies expire only after a day here: two requests of a test on a loaded machine may be
# more than the default 10 s apart
pytestmark = pytest.mark.settings(PAGE_CACHE_SECONDS="86400")
URL = "/signalements/figures"


def percentile_queries(queries: list[str]) -> list[str]:
    """The figures' statement: percentile_disc on PostgreSQL, ROW_NUMBER on SQLite."""
    return [q for q in queries if re.search(r"percentile_disc|ROW_NUMBER", q, re.IGNORECASE)]


def resolved_count(page: httpx.Response) -> str:
    found = re.search(r'data-label="Résolu">([^<]*)</td>', page.text)
    assert found, page.text
    return found.group(1)


async def test_a_second_request_runs_no_percentile_query_signed_in_or_not(
    app: Any, client: httpx.AsyncClient, settings: Settings, citizen: User, admin: User
) -> None:
    category = await pothole_category()
    waiting = await open_report(category)
    await resolved_report(category, 1, token="t-0123456789")

    await log_in(client, citizen)
    with logged_queries() as queries:
        first = await client.get(URL)
    assert first.status_code == 200 and citizen.display_name in first.text
    assert percentile_queries(queries), "the first request computes the figures"
    assert resolved_count(first) == "1"

    with logged_queries() as queries:
        again = await client.get(URL)
    assert again.status_code == 200 and citizen.display_name in again.text
    assert not percentile_queries(queries), "computed again for a signed-in person"
    assert resolved_count(again) == "1"

    async with browser_of(app) as anonymous:  # the whole page kept for visitors
        assert resolved_count(await anonymous.get(URL)) == "1"
        queries_run, page = await count_queries(anonymous, URL)
        assert page.status_code == 200 and queries_run == 0
        assert citizen.display_name not in page.text

        # staff resolve the open report: everyone sees it on their next request
        async with browser_of(app) as staff:
            await log_in(staff, admin)
            desk = f"/admin/signalements/{waiting.id}"
            done = await post_form(
                staff, f"{desk}/state", {"state": "resolved", "message": "Réparé."}, page=desk
            )
            assert done.status_code == 303, done.text
        with logged_queries() as queries:
            assert resolved_count(await anonymous.get(URL)) == "2"
        assert percentile_queries(queries), "computed again after the write"
    # computed once after the write, for the visitor: the signed-in person gets the same
    with logged_queries() as queries:
        after = await client.get(URL)
    assert not percentile_queries(queries) and resolved_count(after) == "2"
