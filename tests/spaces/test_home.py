"""The home page's latest outcomes, from every feature's `Feature.outcomes`: budget results,
consultation outcomes, official answers and commitments done, newest first; nothing
unpublished or hidden."""

from __future__ import annotations

from datetime import timedelta

import httpx
from tortoise import timezone

from budgets.models import Budget
from consultations.models import Consultation
from followup.domain import Status
from followup.models import Commitment, StatusChange
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


async def test_commitments_done_are_outcomes_and_those_reopened_are_not(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    now = timezone.now()
    done = await Commitment.create(
        target_kind="proposal", target_id=1, title="Le banc est posé", status=Status.DONE
    )
    reopened = await Commitment.create(
        target_kind="proposal", target_id=2, title="Piste cyclable", status=Status.IN_PROGRESS
    )
    for commitment, days in ((done, 1), (reopened, 2)):
        change = await StatusChange.create(
            commitment=commitment, from_status=Status.IN_PROGRESS, to_status=Status.DONE
        )
        await StatusChange.filter(id=change.id).update(at=now - timedelta(days=days))
    await Budget.create(
        title="Budget 2025", total_amount=1000, results_published_at=now - timedelta(days=3)
    )
    home = (await client.get("/")).text
    section = home[home.index('id="outcomes"') :]
    assert (
        f'Engagement réalisé\u00a0: <a href="/followup/{done.id}">Le banc est posé</a>' in section
    )
    assert section.index("Le banc est posé") < section.index("Budget 2025")
    assert "Piste cyclable" not in home
