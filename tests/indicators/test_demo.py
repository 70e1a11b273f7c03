"""The demo town shows a dashboard with real figures and commitments in every state; loading
the follow-up and indicator demos again changes nothing."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest

from budgets import demo as budgets_demo
from consultations import demo as consultations_demo
from followup import demo as followup_demo
from followup.models import Commitment, Milestone, StatusChange
from indicators import demo as indicators_demo
from indicators.models import IndicatorSet, TargetKind
from moderation import demo as moderation_demo
from participation.accounts.models import User
from participation.demo import create_accounts
from participation.proposals import demo as proposals_demo
from participation.settings import Settings
from tests.conftest import log_in


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the whole demo town runs once, in the SQLite pass (the seeded tests cover both)",
)
async def test_demo_dashboard_and_commitments(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    users = await create_accounts(settings)
    await proposals_demo.load(settings, users)
    await budgets_demo.load(settings, users)
    await consultations_demo.load(settings, users)
    await moderation_demo.load(settings, users)
    for _ in range(2):  # idempotent
        await followup_demo.load(settings, users)
        await indicators_demo.load(settings)

    statuses = set(await Commitment.all().values_list("status", flat=True))
    assert statuses == {"upcoming", "in-progress", "done", "abandoned"}
    assert await Commitment.all().count() == 7  # 4 projects, 2 proposals, 1 consultation
    # done ones went through "in progress": 2 + 1 + 0 + 1 (projects), 1 + 2 (proposals), 1
    assert await StatusChange.all().count() == 8
    assert await Milestone.all().count() == 10
    public = (await client.get("/followup")).text
    abandoned = await Commitment.get(status="abandoned")  # a funded 2025 project
    assert abandoned.title in public and "Abandonné" in public

    closed = await IndicatorSet.get(target_kind=TargetKind.BUDGET, title="Budget participatif 2025")
    figures = json.loads(closed.content)
    assert figures["participants"] == 480
    assert len(figures["over_time"]) >= 4  # spread over the voting weeks
    consultation = await IndicatorSet.get(target_kind=TargetKind.CONSULTATION, target_id=2)
    assert json.loads(consultation.content)["participants"] is not None
    space = json.loads((await IndicatorSet.get(target_kind=TargetKind.PROPOSALS)).content)
    assert space["participants"] is not None and space["readings"]["age"]  # older people

    await log_in(client, admin)
    dashboard = await client.get("/admin/indicators")
    assert dashboard.status_code == 200 and "Budget participatif 2025" in dashboard.text
    page = await client.get(f"/admin/indicators/budget/{closed.target_id}")
    assert page.status_code == 200 and "480" in page.text
