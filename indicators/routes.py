"""Indicator pages: thin handlers reading stored figures (never the raw data).

- /indicators: public summary of the public processes (participants, turnout,
  representativeness); /indicators/export.csv and .json: the same as open data.
- /admin/indicators: the full dashboard (admins), one page per process, and a button to
  recompute now.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from indicators import jobs, present
from indicators.models import IndicatorSet, SectionFigures, TargetKind
from participation import features, web
from participation.i18n import gettext
from participation.pagecache import cached_for_visitors
from participation.permissions import can_administer
from participation.refusals import NotFound
from participation.templating import flash, render
from participation.urls import url


async def _sets(public_only: bool) -> list[IndicatorSet]:
    query = IndicatorSet.all()
    if public_only:
        query = query.filter(public=True)
    return await query.order_by("target_kind", "-target_id")


async def summary(request: Request) -> Response:
    processes = [present.process(row) for row in await _sets(public_only=True)]
    return render(request, "indicators/summary.html", {"processes": processes})


async def export_csv(request: Request) -> Response:
    rows = await _sets(public_only=True)
    content = present.export_csv(rows)
    return web.attachment(content, "text/csv; charset=utf-8", "indicateurs.csv", open_data=True)


async def export_json(request: Request) -> Response:
    rows = await _sets(public_only=True)
    return web.attachment(
        present.export_json(rows),
        "application/json; charset=utf-8",
        "indicateurs.json",
        open_data=True,
    )


async def dashboard(request: Request) -> Response:
    web.require(request, can_administer)
    processes = [present.process(row) for row in await _sets(public_only=False)]
    # the installed features' sections, in the order of INSTALLED (Feature.indicator_sections)
    declared = [s.name for f in features.installed() for s in f.indicator_sections]
    stored = {row.name: row for row in await SectionFigures.filter(name__in=declared or [""])}
    sections = [present.section(stored[name]) for name in declared if name in stored]
    return render(
        request, "indicators/dashboard.html", {"processes": processes, "sections": sections}
    )


async def process_page(request: Request) -> Response:
    web.require(request, can_administer)
    try:
        kind = TargetKind(request.path_params["kind"])
    except ValueError:
        raise NotFound() from None
    row = await IndicatorSet.get_or_none(
        target_kind=kind, target_id=request.path_params["target_id"]
    )
    if row is None:
        raise NotFound()
    return render(request, "indicators/process.html", {"p": present.process(row)})


async def refresh(request: Request) -> Response:
    web.require(request, can_administer)
    if await jobs.request_indicators():
        flash(request, gettext("The indicators are being recomputed; reload in a minute."))
    else:
        flash(
            request,
            gettext(
                "The job queue does not answer; the indicators are recomputed every 10 minutes."
            ),
            "error",
        )
    return web.redirect(url("indicators:dashboard"))


routes = [
    # the same page for every visitor until the next write or indicators run (pagecache.py)
    Route("/indicators", cached_for_visitors(summary), name="indicators:summary"),
    Route("/indicators/export.csv", export_csv, name="indicators:csv"),
    Route("/indicators/export.json", export_json, name="indicators:json"),
    Route("/admin/indicators", dashboard, name="indicators:dashboard"),
    web.action_route("/admin/indicators/refresh", refresh, "indicators:refresh"),
    Route("/admin/indicators/{kind}/{target_id:id}", process_page, name="indicators:process"),
]
