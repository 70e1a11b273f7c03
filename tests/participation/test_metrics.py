"""/metrics: Prometheus text format behind METRICS_TOKEN (participation/metrics.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tortoise import timezone

from participation import outbox
from participation.accounts.models import User
from participation.settings import Settings
from tests.budgets.factories import resident_at_ballot
from tests.conftest import csrf_token, log_in

TOKEN = "a-long-random-token-for-the-tests-0123456789"
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels (the parser refuses a malformed text)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: dict[Any, float], name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(client: httpx.AsyncClient) -> dict[Any, float]:
    response = await client.get("/metrics", headers=AUTHORIZED)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


async def test_metrics_are_off_without_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics", headers=AUTHORIZED)).status_code == 404


@pytest.mark.settings(METRICS_TOKEN=TOKEN)
async def test_a_scrape_counts_requests_by_route_jobs_and_ballots_without_personal_data(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        refused = await client.get("/metrics", headers=headers)
        assert refused.status_code == 401
        assert "participation_" not in refused.text
    before = await scrape(client)  # the counters belong to the process: compare two scrapes

    budget, projects = await resident_at_ballot(client, settings, citizen)
    token = await csrf_token(client, f"/budgets/{budget.id}/ballot")
    cast = await client.post(
        f"/budgets/{budget.id}/ballot",
        data={"project": [str(projects[0].id)], "action": "cast", "csrf_token": token},
    )
    assert cast.status_code == 303
    assert (await client.get("/proposals")).status_code == 200
    assert (await client.get("/no/such/page")).status_code == 404
    assert (await client.get("/static/css/app.css")).status_code == 200
    job = await outbox.record("a_job_for_the_metrics", 1)
    await outbox.OutboxJob.filter(id=job.id).update(created_at=timezone.now() - timedelta(hours=2))

    response = await client.get("/metrics", headers=AUTHORIZED)
    after = samples(response.text)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    counted = "participation_http_requests_total"
    assert grew(counted, method="GET", route="/proposals", status="200") == 1
    assert grew(counted, method="POST", route="/budgets/{budget_id}/ballot", status="303") == 1
    assert grew(counted, method="GET", route="(unmatched)", status="404") == 1
    assert grew(counted, method="GET", route="/static/{path}", status="200") == 1
    latency = "participation_http_request_duration_seconds_count"
    assert grew(latency, method="GET", route="/proposals") == 1
    assert value(after, "participation_ballots_cast", channel="web") == 1
    assert value(after, "participation_ballots_cast", channel="paper") == 0
    assert value(after, "participation_jobs", job="a_job_for_the_metrics", state="pending") == 1
    assert value(after, "participation_outbox_oldest_job_age_seconds") >= 2 * 3600 - 60
    assert ("participation_queue_depth", ()) in after
    # no person in a label: neither the voter's address, name nor id, nor a path with an id
    labels = {v for (_, pairs) in after for (_, v) in pairs}
    assert not any(citizen.email in v or str(budget.id) in v.split("/") for v in labels)
    assert not any(citizen.display_name and citizen.display_name in v for v in labels)


@pytest.mark.settings(METRICS_TOKEN=TOKEN, PAGE_CACHE_SECONDS="86400")
async def test_the_page_cache_counts_a_miss_then_a_hit_by_route(
    app: Any, client: httpx.AsyncClient, citizen: User
) -> None:
    """The hit rate of a page, as bench/load.py reads it: a visitor's first request renders
    the page (a miss), the next one is served the stored copy (a hit); a signed-in person's
    request bypasses the cache."""
    from participation.pagecache import GENERATION_KEY

    await app.state.redis.incr(GENERATION_KEY)  # whatever an earlier test stored is not fresh
    before = await scrape(client)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as visitor:
        assert (await visitor.get("/proposals")).status_code == 200
        middle = await scrape(client)
        assert (await visitor.get("/proposals")).status_code == 200
    after = await scrape(client)
    counted = "participation_page_cache_requests_total"

    def grew(since: dict[Any, float], until: dict[Any, float], outcome: str) -> float:
        return value(until, counted, route="/proposals", outcome=outcome) - value(
            since, counted, route="/proposals", outcome=outcome
        )

    assert (grew(before, middle, "miss"), grew(before, middle, "hit")) == (1, 0)
    assert (grew(middle, after, "miss"), grew(middle, after, "hit")) == (0, 1)

    await log_in(client, citizen)
    assert (await client.get("/proposals")).status_code == 200
    assert grew(after, await scrape(client), "bypass") == 1
