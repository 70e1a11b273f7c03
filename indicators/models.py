"""Stored indicators: one row per process (a budget, a consultation, the proposals space),
rewritten by the indicators job. The content is already aggregated and suppressed
(indicators.domain), so no page or export can show a small cell by mistake.
No docstrings on models: Tortoise turns them into SQL comments.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class TargetKind(StrEnum):
    BUDGET = "budget"
    CONSULTATION = "consultation"
    PROPOSALS = "proposals"  # the whole proposals space: target_id 0


# The figures of one process; `public` says whether the public summary and exports show it.
class IndicatorSet(Model):
    id = fields.IntField(primary_key=True)
    # the columns keep their first names (docs/architecture.md, "One name for (kind, id)")
    target_kind = fields.CharEnumField(TargetKind, max_length=16, source_field="process_kind")
    target_id = fields.IntField(source_field="process_id")
    title = fields.CharField(max_length=200)
    public = fields.BooleanField(default=False)
    content = fields.TextField()  # JSON, see indicators.compute
    computed_at = fields.DatetimeField()

    class Meta:
        table = "indicators_set"
        unique_together = (("target_kind", "target_id"),)


# The stored figures of another feature's section of the dashboard (Feature.indicator_sections),
# already suppressed; `name` is the section's.
class SectionFigures(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=50, unique=True)
    content = fields.TextField()  # JSON, see indicators.domain.section_figures
    computed_at = fields.DatetimeField()

    class Meta:
        table = "indicators_section"
