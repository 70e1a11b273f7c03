"""Components attach to a space in their own staff forms (budgets, consultations, meetings):
the space is offered, saved, kept when archived, a forged id refused; the space's page lists
what is public, with its state and deadline, and never a draft."""

from __future__ import annotations

import httpx

from budgets.models import Budget, Phase
from consultations.models import Consultation
from consultations.models import Phase as ConsultationPhase
from meetings.models import Meeting
from participation.accounts.models import User
from participation.settings import Settings
from participation.spaces.models import Space
from tests.budgets.test_admin import BUDGET_FORM as BASE
from tests.conftest import field_error, log_in, post_form
from tests.meetings.walks import MEETING
from tests.spaces.factories import space_open_with_a_vote

BUDGET_FORM = {**BASE, "title": "Budget des quartiers"}


async def test_staff_attach_a_budget_a_consultation_and_a_meeting(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    space = await space_open_with_a_vote()
    await log_in(client, admin)
    form = (await client.get("/admin/budgets/new")).text
    assert f'<option value="{space.id}" >Budget participatif 2027</option>' in form
    response = await post_form(
        client, "/admin/budgets/new", {**BUDGET_FORM, "space": str(space.id)}
    )
    assert response.status_code == 303
    budget = await Budget.get(title=BUDGET_FORM["title"])
    assert budget.space_id == space.id
    response = await post_form(
        client, "/admin/consultations/new", {"title": "Le parc", "space": str(space.id)}
    )
    assert response.status_code == 303
    consultation = await Consultation.get(title="Le parc")
    assert consultation.space_id == space.id
    response = await post_form(client, "/admin/meetings/new", {**MEETING, "space": str(space.id)})
    assert response.status_code == 303
    meeting = await Meeting.get(title=MEETING["title"])
    assert meeting.space_id == space.id

    page = (await client.get("/demarches/budget-2027")).text
    assert meeting.title in page  # a public meeting
    assert BUDGET_FORM["title"] not in page and "Le parc" not in page  # still in preparation
    await Budget.filter(id=budget.id).update(phase=Phase.VOTING)
    await Consultation.filter(id=consultation.id).update(phase=ConsultationPhase.OPEN)
    page = (await client.get("/demarches/budget-2027")).text
    assert BUDGET_FORM["title"] in page and "Vote ouvert" in page
    assert "Le parc" in page and "Réponses ouvertes" in page
    assert f'href="/budgets/{budget.id}"' in page  # the component's own URL, unchanged

    # an archived space is no longer offered, but stays chosen where it is
    await post_form(client, f"/admin/spaces/{space.id}/archive", {})
    assert f'value="{space.id}"' not in (await client.get("/admin/meetings/new")).text
    edit = (await client.get(f"/admin/meetings/{meeting.id}")).text
    assert f'<option value="{space.id}" selected>' in edit


async def test_a_forged_space_is_refused_and_nothing_written(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    await log_in(client, admin)
    for forged in ("999999", "abc", "99999999999"):
        response = await post_form(client, "/admin/budgets/new", {**BUDGET_FORM, "space": forged})
        assert response.status_code == 422, forged
        assert "Choisissez une démarche" in field_error(response.text, "space")
        response = await post_form(client, "/admin/meetings/new", {**MEETING, "space": forged})
        assert response.status_code == 422, forged
    assert await Budget.all().count() == 0 and await Meeting.all().count() == 0
    assert await Space.all().count() == 0
