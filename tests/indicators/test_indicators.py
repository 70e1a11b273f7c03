"""Indicators computed by the job on the seeded town (tests/indicators/dataset.py) match the
figures worked out by hand below; small cells stay hidden in every view and export."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from fractions import Fraction
from typing import Any

import httpx
from tortoise import timezone

from indicators import jobs
from indicators.models import IndicatorSet, TargetKind
from participation import licence
from participation.accounts.models import User
from participation.comments.models import Comment
from participation.proposals.models import Support
from tests.conftest import log_in, post_form
from tests.indicators.dataset import by_key, seed


async def _figures(kind: TargetKind, target_id: int) -> dict[str, Any]:
    row = await IndicatorSet.get(target_kind=kind, target_id=target_id)
    return dict(json.loads(row.content))


def _close(value: float | None, exact: Fraction, digits: int = 3) -> bool:
    return value is not None and abs(value - float(exact)) < 10**-digits


async def test_budget_figures_match_the_hand_count(app: Any) -> None:
    town = await seed()
    assert await jobs.compute_indicators({}) == 3  # one budget, one consultation, proposals

    f = await _figures(TargetKind.BUDGET, town.budget.id)
    assert f["participants"] == 163
    assert f["eligible"] == 405
    assert f["turnout_percent"] == 40.2  # 163 / 405 = 40.25 %
    assert by_key(f["by_channel"]) == {
        "paper": {"key": "paper", "count": 13},
        "web": {"key": "web", "count": 150},
    }
    # two weeks ago 12, last week nobody (0 is a small cell), this week 151: the lone hidden
    # week would be given back by 163 - 12 - 151, so the next smallest (12) is hidden too
    assert [w["count"] for w in f["over_time"]] == [None, None, 151]

    districts = by_key(f["by_district"])
    assert districts["Sud"]["participants"] == 90
    assert districts["Sud"]["population"] == 200
    assert districts["Est"]["participants"] is None  # 3 people
    assert districts["Est"]["population"] is None  # 5 people
    assert districts["Nord"]["participants"] is None  # 70, hidden so that Est's 3 stays hidden
    assert districts["Nord"]["participant_share"] is None
    assert _close(districts["Sud"]["participant_share"], Fraction(90, 163), 6)

    ages = by_key(f["by_age"])
    assert {k: g["participants"] for k, g in ages.items()} == {
        "under-18": None,
        "18-24": 20,
        "25-34": None,
        "35-49": 43,
        "50-64": None,
        "65+": 100,
    }
    assert {k: g["population"] for k, g in ages.items() if g["population"]} == {
        "18-24": 100,
        "35-49": 105,
        "65+": 200,
    }
    # Duncan's index = sum of the positive gaps: 35-49 and 65+ are above their share
    age_index = Fraction(43 + 100, 163) - Fraction(105 + 200, 405)
    assert _close(f["dissimilarity"]["age"], age_index)
    district_index = (Fraction(90, 163) - Fraction(200, 405)) + (
        Fraction(3, 163) - Fraction(5, 405)
    )
    assert _close(f["dissimilarity"]["district"], district_index)
    # 18-24: (20/163) / (100/405) = 0.497; 65+: (100/163) / (200/405) = 1.24
    assert f["readings"]["age"] == [
        {"key": "18-24", "code": "under-1/2", "times": None},
        {"key": "65+", "code": "over-1/4", "times": None},
    ]


async def test_consultation_and_proposals_count_the_unverified_as_unknown(app: Any) -> None:
    town = await seed()
    await jobs.compute_indicators({})

    f = await _figures(TargetKind.CONSULTATION, town.consultation.id)
    assert f["participants"] == 31  # 27 accounts + 4 visitors
    assert f["turnout_percent"] == 7.7  # 31 / 405
    districts = by_key(f["by_district"])
    assert districts["Nord"]["participants"] == 12
    assert districts["unknown"]["participants"] == 19  # 15 unverified + 4 visitors
    assert districts["Nord"]["participant_share"] == 1.0  # of the known participants
    assert districts["Sud"]["participants"] is None  # 0
    assert _close(f["dissimilarity"]["district"], 1 - Fraction(200, 405))
    assert _close(f["dissimilarity"]["age"], 1 - Fraction(100, 405))

    p = await _figures(TargetKind.PROPOSALS, 0)
    assert p["participants"] == 11  # the author supported too: counted once
    space = by_key(p["by_district"])
    assert space["unknown"]["participants"] is None  # 6 unverified supporters
    assert space["Nord"]["participants"] is None  # 5 people
    assert space["Nord"]["participant_share"] is None
    assert p["dissimilarity"]["district"] is None  # 5 known participants: too few
    assert p["readings"] == {"district": [], "age": []}  # nor any reading about them
    assert by_key(p["activity"]) == {
        "proposals": {"key": "proposals", "count": None},
        "supports": {"key": "supports", "count": 11},
        "comments": {"key": "comments", "count": None},
    }
    m = p["moderation"]
    assert by_key(m["cases"]) == {
        "comment": {"key": "comment", "count": 12},
        "proposal": {"key": "proposal", "count": 10},
    }
    # 12 cases decided after 1..12 hours: nearest rank 6 and 11
    assert (m["decided"], m["median_hours"], m["p90_hours"]) == (12, 6.0, 11.0)


async def test_proposals_count_participants_and_contributions_by_channel(app: Any) -> None:
    """Supports and comments taken by an agent (participation/counter) count under their
    channel; small
    cells are suppressed (and with one hidden cell, the next smallest too)."""
    await seed()
    supports = await Support.all().order_by("id")
    await Support.filter(id__in=[s.id for s in supports[:10]]).update(channel="counter")
    # the same ten people's comments, also taken at the counter; a deleted one is not counted
    for n, s in enumerate(supports[:11]):
        await Comment.create(
            proposal_id=s.proposal_id, target_kind="proposal", target_id=s.proposal_id,
            author_id=s.user_id, body="<p>Dit au guichet</p>", channel="counter",
            deleted_at=timezone.now() if n == 10 else None,
        )  # fmt: skip
    await jobs.compute_indicators({})
    p = await _figures(TargetKind.PROPOSALS, 0)
    # online: the author's proposal and one support (2 contributions, 2 people): hidden
    assert by_key(p["contributions_by_channel"]) == {
        "counter": {"key": "counter", "count": 20},
        "online": {"key": "online", "count": None},
    }
    channels = {c["key"]: c["count"] for c in p["by_channel"]}
    assert channels == {"online": None, "counter": None}  # 10 people, but the other is hidden


async def test_rerunning_the_job_stores_the_same_figures(app: Any) -> None:
    town = await seed()
    await jobs.compute_indicators({})
    first = await IndicatorSet.get(target_kind=TargetKind.BUDGET, target_id=town.budget.id)
    await jobs.compute_indicators({})
    again = await IndicatorSet.get(target_kind=TargetKind.BUDGET, target_id=town.budget.id)
    assert (again.id, again.content) == (first.id, first.content)
    assert await IndicatorSet.all().count() == 3


async def test_only_admins_see_the_dashboard(
    app: Any, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    town = await seed()
    await jobs.compute_indicators({})
    url = f"/admin/indicators/budget/{town.budget.id}"
    for page in ("/admin/indicators", url):
        response = await client.get(page)
        assert response.status_code == 303 and "/account/login" in response.headers["location"]
    await log_in(client, citizen)
    for page in ("/admin/indicators", url):
        assert (await client.get(page)).status_code == 403
    response = await post_form(client, "/admin/indicators/refresh", {})
    assert response.status_code == 403

    client.cookies.clear()
    await log_in(client, admin)
    response = await client.get(url)
    assert response.status_code == 200
    html = response.text
    # each chart one image named by its visible caption (its title, then what its bars are)
    caption = r'<figcaption id="([^"]+)"[^>]*>[^<]+</figcaption>\s*'
    assert re.search(caption + r'<div class="bar-rows" role="img" aria-labelledby="\1"', html)
    assert "Délai dans lequel 9 cas sur 10" not in html  # moderation is for the space only
    # the Est and Nord rows show "< 10", Sud its 90 voters
    assert re.search(r'<th scope="row">Est</th><td[^>]*><abbr[^>]*>&lt; 10</abbr>', html)
    assert re.search(r'<th scope="row">Nord</th><td[^>]*><abbr[^>]*>&lt; 10</abbr>', html)
    assert re.search(r'<th scope="row">Sud</th><td[^>]*>90</td>', html)
    assert "Les 18–24 ans sont sous-représentés de moitié." in html
    # voters by channel with each one's share: 150 web and 13 paper of 163
    assert '<th scope="row">Papier</th><td>13</td><td>8,0\u00a0%</td>' in html


async def test_public_summary_and_exports_hide_small_cells_and_persons(
    app: Any, client: httpx.AsyncClient
) -> None:
    town = await seed()
    await jobs.compute_indicators({})
    html = (await client.get("/indicators")).text
    assert "Budget 2026" in html and "Avenir du parc" in html
    assert "File de modération" not in html and "Votants par canal" not in html  # admins only
    assert re.search(r'<th scope="row">Nord</th><td[^>]*><abbr[^>]*>&lt; 10</abbr>', html)

    exported = json.loads((await client.get("/indicators/export.json")).text)
    budget = next(p for p in exported["processes"] if p["process"] == "budget")
    assert by_key(budget["by_district"])["Est"]["participants"] is None
    download = await client.get("/indicators/export.csv")
    assert download.headers["content-disposition"] == 'attachment; filename="indicateurs.csv"'
    rows = list(csv.DictReader(io.StringIO(download.text)))
    est = next(r for r in rows if r["process"] == "budget" and r["group"] == "Est")
    assert (est["participants"], est["population"]) == ("", "")
    # every count in every export is either empty (hidden) or at least 10
    counts = [r[c] for r in rows for c in ("participants", "population") if r[c]]
    assert counts and all(int(n) >= 10 for n in counts)
    assert {r["licence"] for r in rows} == {licence.VALUE}  # the licence, in the saved file

    everything = (await client.get("/indicators/export.csv")).text + json.dumps(exported)
    for person in town.verified + town.unverified:
        assert person.email not in everything and person.display_name not in everything
    assert "user" not in json.dumps(exported)
    # aggregates only: every key of the export is one of these, none names a person
    allowed = {
        "suppression_threshold",
        "processes",
        "process",
        "process_id",
        "title",
        "computed_at",
        "participants",
        "eligible",
        "turnout_percent",
        "reference_year",
        "over_time",
        "by_district",
        "by_age",
        "by_channel",
        "dissimilarity",
        "district",
        "age",
        "readings",
        "key",
        "count",
        "population",
        "participant_share",
        "population_share",
        "code",
        "times",
        "activity",
        "contributions_by_channel",  # counts per channel, suppressed like the activity
        "moderation",
        "cases",
        "decided",
        "median_hours",
        "p90_hours",
    }

    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    assert keys(exported) <= allowed, keys(exported) - allowed


async def test_a_process_in_preparation_stays_off_the_public_pages(
    app: Any, client: httpx.AsyncClient
) -> None:
    town = await seed()
    town.consultation.phase = "preparation"  # type: ignore[assignment]
    await town.consultation.save()
    await jobs.compute_indicators({})
    assert "Avenir du parc" not in (await client.get("/indicators")).text
    assert "Avenir du parc" not in (await client.get("/indicators/export.json")).text
    row = await IndicatorSet.get(target_kind=TargetKind.CONSULTATION)
    assert row.public is False
    assert row.computed_at > timezone.now() - timedelta(minutes=1)


async def test_a_restricted_budget_counts_only_its_eligible_population(app: Any) -> None:
    from budgets.models import Budget, Phase

    await seed()
    restricted = await Budget.create(
        title="Budget des aînés du Nord",
        total_amount=1000,
        phase=Phase.VOTING,
        restricted_to_district="Nord",
        minimum_age=30,
    )
    await jobs.compute_indicators({})
    f = await _figures(TargetKind.BUDGET, restricted.id)
    assert f["eligible"] == 100  # Nord's 100 people aged 70; its 20-year-olds are too young
    assert f["participants"] is None and f["turnout_percent"] is None  # nobody voted yet
    assert [g["key"] for g in f["by_district"]] == ["Nord"]


async def test_the_worker_runs_the_job_every_10_minutes_and_on_demand(
    app: Any, client: httpx.AsyncClient, admin: User, redis_url: str
) -> None:
    from participation import queue
    from participation.worker import cron_jobs, job_functions
    from tests.participation.test_worker import run_jobs

    assert "compute_indicators" in {getattr(f, "name", "") for f in job_functions()}
    cron = next(c for c in cron_jobs() if c.name == "cron:schedule_indicators")
    assert cron.minute == set(range(1, 60, 10))

    await log_in(client, admin)
    response = await post_form(client, "/admin/indicators/refresh", {}, "/admin/indicators")
    assert response.status_code == 303
    pool = queue.get_pool()
    assert pool is not None
    queued = [job.function for job in await pool.queued_jobs()]
    assert queued == ["compute_indicators"]
    page = await client.get("/admin/indicators")
    assert "Les indicateurs sont en cours de calcul" in page.text

    # a second click while the first run waits does not queue a second run
    await post_form(client, "/admin/indicators/refresh", {}, "/admin/indicators")
    assert len(await pool.queued_jobs()) == 1

    # the worker runs it, and a later click can run it again (no kept result blocks the id)
    assert await IndicatorSet.all().count() == 0
    worker = await run_jobs(app.state.settings, redis_url)
    assert worker.jobs_failed == 0
    assert await IndicatorSet.all().count() == 1  # the proposals space, even when empty
    await post_form(client, "/admin/indicators/refresh", {}, "/admin/indicators")
    assert [job.function for job in await pool.queued_jobs()] == ["compute_indicators"]


async def test_readings_are_written_in_the_visitors_language(
    app: Any, client: httpx.AsyncClient
) -> None:
    await seed()
    await jobs.compute_indicators({})
    english = await client.get("/indicators", headers={"Accept-Language": "en"})
    assert "The 18–24 year-olds are under-represented by half." in english.text
    assert "The 65 and over are over-represented by a quarter." in english.text
    french = await client.get("/indicators", headers={"Accept-Language": "fr"})
    assert "Les 65 ans et plus sont surreprésentés d’un quart." in french.text


async def test_the_public_summary_follows_each_new_run_of_the_job(
    app: Any, client: httpx.AsyncClient, redis_url: str
) -> None:
    from budgets.models import Budget, Phase
    from participation import queue
    from tests.participation.test_worker import run_jobs

    await seed()
    await jobs.compute_indicators({})
    assert "Budget des Rives" not in (await client.get("/indicators")).text
    await Budget.create(title="Budget des Rives", total_amount=1000, phase=Phase.VOTING)
    await jobs.request_indicators()
    assert queue.get_pool() is not None
    await run_jobs(app.state.settings, redis_url)  # the worker's run empties cached pages
    assert "Budget des Rives" in (await client.get("/indicators")).text
