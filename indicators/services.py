"""Compute and store the indicators of every process (called by the arq job).

Each process is read with a handful of GROUP BY queries (indicators.queries), turned into
suppressed figures by pure code (indicators.domain), and written as one row. Rerunning with
the same data writes the same content.
"""

from __future__ import annotations

import json
from typing import Any

from tortoise import timezone
from tortoise.transactions import in_transaction

from budgets.models import Budget
from budgets.models import Phase as BudgetPhase
from consultations.models import Audience, Consultation
from consultations.models import Phase as ConsultationPhase
from indicators import domain, queries
from indicators.models import IndicatorSet, SectionFigures, TargetKind
from participation import features

PUBLIC_BUDGET_PHASES = {BudgetPhase.VOTING, BudgetPhase.TALLY, BudgetPhase.RESULTS}
PUBLIC_CONSULTATION_PHASES = {ConsultationPhase.OPEN, ConsultationPhase.CLOSED}


def _eligible(
    population: list[dict[str, Any]], district: str | None, minimum_age: int, year: int
) -> list[dict[str, Any]]:
    """The census rows of the people who could take part."""
    return [
        row
        for row in population
        if (district is None or row["district"] == district)
        and (row["birth_year"] is None or year - int(row["birth_year"]) >= minimum_age)
    ]


async def _budget_figures(
    budget: Budget, population: list[dict[str, Any]], year: int
) -> dict[str, Any]:
    counts = await queries.budget_counts(budget.id)
    registered = sum(counts["districts"].values())
    return domain.figures(
        districts=counts["districts"],
        birth_years=counts["birth_years"],
        population=_eligible(population, budget.restricted_to_district, budget.minimum_age, year),
        days=counts["days"],
        channels={"web": 0, "paper": 0, **counts["channels"]},
        reference_year=year,
        extra_unknown=max(0, counts["ballots"] - registered),
    )


async def _consultation_figures(
    consultation: Consultation, population: list[dict[str, Any]], year: int
) -> dict[str, Any]:
    counts = await queries.consultation_counts(consultation.id)
    accounts = sum(counts["districts"].values())
    district = consultation.district if consultation.audience == Audience.DISTRICT else None
    return domain.figures(
        districts=counts["districts"],
        birth_years=counts["birth_years"],
        population=_eligible(population, district, 0, year),
        days=counts["days"],
        reference_year=year,
        extra_unknown=max(0, counts["responses"] - accounts),
    )


async def _proposals_figures(population: list[dict[str, Any]], year: int) -> dict[str, Any]:
    counts = await queries.proposals_counts()
    moderation = await queries.moderation_counts()
    figures = domain.figures(
        districts=counts["districts"],
        birth_years=counts["birth_years"],
        population=population,
        days=counts["days"],
        reference_year=year,
        channels={"online": 0, **counts["channel_people"]},
    )
    figures["contributions_by_channel"] = [
        {"key": key, "count": domain.suppress_total(n)}
        for key, n in sorted({"online": 0, **counts["channel_contributions"]}.items())
    ]
    figures["activity"] = [
        {"key": key, "count": domain.suppress_total(counts[key])}
        for key in ("proposals", "supports", "comments")
    ]
    figures["moderation"] = domain.moderation_figures(moderation["cases"], moderation["delays"])
    return figures


async def section_content(section: features.IndicatorSection) -> dict[str, Any]:
    """A feature's section (Feature.indicator_sections), suppressed as the processes are."""
    tables = []
    for table in await section.compute():
        columns = [
            {"key": c.key, "label": c.label, "kind": c.kind, "base": c.base} for c in table.columns
        ]
        tables.append(
            {
                "key": table.key,
                "title": table.title,
                "group_label": table.group_label,
                **domain.section_table(columns, list(table.rows), table.total),
            }
        )
    return {"title": section.title, "tables": tables}


async def compute_sections() -> int:
    """Recompute the installed features' sections; a section no longer declared is removed."""
    now = timezone.now()
    computed = [
        (section.name, await section_content(section))
        for feature in features.installed()
        for section in feature.indicator_sections
    ]
    async with in_transaction():
        for name, content in computed:
            values = {"content": json.dumps(content, sort_keys=True), "computed_at": now}
            row, created = await SectionFigures.get_or_create(name=name, defaults=values)
            if not created:
                await SectionFigures.filter(id=row.id).update(**values)
        await SectionFigures.exclude(name__in=[n for n, _ in computed] or [""]).delete()
    return len(computed)


async def compute_all() -> int:
    """Recompute every process (returns how many sets were stored) and the features'
    sections."""
    now = timezone.now()
    year = now.year
    population = await queries.population()
    computed: list[tuple[TargetKind, int, str, bool, dict[str, Any]]] = []
    for budget in await Budget.all().order_by("id"):
        figures = await _budget_figures(budget, population, year)
        public = budget.phase in PUBLIC_BUDGET_PHASES
        computed.append((TargetKind.BUDGET, budget.id, budget.title, public, figures))
    for consultation in await Consultation.all().order_by("id"):
        figures = await _consultation_figures(consultation, population, year)
        public = consultation.phase in PUBLIC_CONSULTATION_PHASES
        computed.append(
            (TargetKind.CONSULTATION, consultation.id, consultation.title, public, figures)
        )
    figures = await _proposals_figures(population, year)
    computed.append((TargetKind.PROPOSALS, 0, "", True, figures))

    async with in_transaction():
        kept = []
        for kind, target_id, title, public, content in computed:
            values = {
                "title": title,
                "public": public,
                "content": json.dumps(content, sort_keys=True),
                "computed_at": now,
            }
            row, created = await IndicatorSet.get_or_create(
                target_kind=kind, target_id=target_id, defaults=values
            )
            if not created:
                await IndicatorSet.filter(id=row.id).update(**values)
            kept.append(row.id)
        await IndicatorSet.exclude(id__in=kept).delete()  # processes deleted since
    await compute_sections()
    return len(computed)
