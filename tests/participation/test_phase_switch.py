"""The one concurrency rule for phase switches (participation/phases.py::switch_phase): staff
clicking at once, or the schedule and a staff member, switch a budget or a consultation once —
one phase change, one switch log row, one audit entry — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from budgets import services as budgets
from budgets.models import Budget
from budgets.models import Phase as BudgetPhase
from budgets.models import PhaseSwitch as BudgetSwitch
from consultations import services as consultations
from consultations.models import Consultation
from consultations.models import Phase as ConsultationPhase
from consultations.models import PhaseSwitch as ConsultationSwitch
from participation.audit import AuditLogEntry
from tests.budgets.factories import budget_in_voting
from tests.consultations.factories import consultation_open


async def test_concurrent_switches_of_a_budget_switch_it_once(app: Any) -> None:
    budget, _ = await budget_in_voting()
    done = await asyncio.gather(
        *(budgets.switch_phase(budget.id, BudgetPhase.REVIEW, by_user=None) for _ in range(8))
    )
    assert sorted(done) == [False] * 7 + [True]
    assert (await Budget.get(id=budget.id)).phase == BudgetPhase.REVIEW
    log = await BudgetSwitch.filter(budget_id=budget.id, to_phase=BudgetPhase.REVIEW)
    assert [(s.from_phase, s.to_phase) for s in log] == [(BudgetPhase.VOTING, BudgetPhase.REVIEW)]
    assert await AuditLogEntry.filter(action="budget_phase", after__contains="review").count() == 1


async def test_concurrent_switches_of_a_consultation_switch_it_once(app: Any) -> None:
    consultation, _ = await consultation_open()
    done = await asyncio.gather(
        *(
            consultations.switch_phase(consultation.id, ConsultationPhase.CLOSED, None)
            for _ in range(8)
        )
    )
    assert sorted(done) == [False] * 7 + [True]
    assert (await Consultation.get(id=consultation.id)).phase == ConsultationPhase.CLOSED
    log = await ConsultationSwitch.filter(consultation_id=consultation.id)
    assert [(s.from_phase, s.to_phase) for s in log][-1:] == [
        (ConsultationPhase.OPEN, ConsultationPhase.CLOSED)
    ]
    closed = await ConsultationSwitch.filter(
        consultation_id=consultation.id, to_phase=ConsultationPhase.CLOSED
    ).count()
    assert closed == 1
    assert await AuditLogEntry.filter(action="consultation_phase").count() == len(log)
