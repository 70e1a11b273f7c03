"""The home page's latest outcomes, from every feature's `Feature.outcomes`: budget results,
consultation outcomes and official answers, newest first; nothing unpublished or hidden."""

from __future__ import annotations

from datetime import timedelta

import httpx
from tortoise import timezone

from budgets.models import Budget
from consultations.models import Consultation
from participation.accounts.models import User
from participation.contributions import ModerationState
from participation.proposals.domain import ProposalState
from participation.settings import Settings
from tests.participation.proposal_factories import make_proposal


async def test_the_latest_outcomes_newest_first(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    now = timezone.now()
    await Budget.create(
        title="Budget 2025", total_amount=1000, results_published_at=now - timedelta(days=3)
    )
    await Budget.create(title="Budget sans résultats", total_amount=1000)
    await Consultation.create(
        title="La médiathèque le dimanche", outcome_published_at=now - timedelta(days=1)
    )
    answered = await make_proposal(citizen, ProposalState.ACCEPTED, title="Un banc au parc")
    await answered.update_from_dict({"answered_at": now - timedelta(days=2)}).save()
    hidden = await make_proposal(citizen, title="Une idée masquée")
    hidden.answered_at, hidden.moderation_state = now, ModerationState.HIDDEN
    await hidden.save()

    home = (await client.get("/")).text
    section = home[home.index('id="outcomes"') :]
    order = [section.index(t) for t in ("La médiathèque", "Un banc au parc", "Budget 2025")]
    assert order == sorted(order)
    assert "Suites de la consultation" in section and "Résultats du budget" in section
    # a space between the label's colon and its link, as French writes it
    assert "Suites de la consultation\u00a0: <a href=" in section
    assert "Réponse officielle" in section
    assert "Budget sans résultats" not in home and "Une idée masquée" not in home
    assert f'href="/proposals/{answered.id}#answer"' in section
