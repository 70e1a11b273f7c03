"""The demo town's signalements, and a person's signalements in the RGPD export and erasure."""

from __future__ import annotations

from typing import Any

from participation import demo
from participation.accounts.models import User
from participation.accounts.privacy import delete_account, export_personal_data
from participation.i18n import gettext
from participation.settings import Settings
from signalements.domain import State
from signalements.models import Category, Follower, Report, ReportEvent
from tests.signalements.factories import open_report, pothole_category


async def test_the_demo_has_reports_in_every_state_with_answers(
    app: Any, settings: Settings
) -> None:
    await demo.seed(settings)
    assert await Category.all().count() == 6
    assert await Report.all().count() == 36
    states = set(await Report.all().values_list("state", flat=True))
    assert states >= {State.RECEIVED, State.TAKEN, State.PLANNED, State.RESOLVED, State.REJECTED}
    assert State.NOT_OURS in states
    answer = await ReportEvent.filter(state=State.NOT_OURS).first()
    assert answer is not None and "Département" in answer.message and answer.body
    assert "\u00a0:" in answer.message  # French typography
    await demo.seed(settings)  # idempotent
    assert await Report.all().count() == 36


async def test_export_and_erasure(app: Any, settings: Settings, citizen: User) -> None:
    category = await pothole_category()
    mine = await open_report(category, author_id=citizen.id, email="camille@example.org")
    other = await open_report(category)
    await Follower.create(report=other, key=f"u:{citizen.id}", user_id=citizen.id)
    data = await export_personal_data(citizen, gettext)
    assert data["signalements"][0]["id"] == mine.id
    assert data["signalements"][0]["contact_email"] == "camille@example.org"
    assert data["signalements_followed"] == [other.id]
    await delete_account(citizen)
    kept = await Report.get(id=mine.id)
    assert kept.author_id is None and kept.email == ""
    assert not await Follower.filter(user_id=citizen.id).exists()
