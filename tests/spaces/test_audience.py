"""The space's audience rule, enforced where people take part (issue #19): the pure decision
and its refusals, the web ballot (decided on the row the session lookup already reads: no
query more) and consultation answers. Proposals: tests/proposals/test_collections.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from budgets import ballot_services
from budgets.models import Budget
from consultations.models import Consultation
from participation.accounts.models import User
from participation.residents import services as residents
from participation.settings import Settings
from participation.spaces.domain import (
    Audience,
    AudienceRule,
    Person,
    audience_refusal,
    may_take_part,
    parse_space_form,
)
from participation.spaces.models import Space
from tests.budgets.factories import CENSUS, budget_in_voting, verified
from tests.budgets.test_voting import ballot_post_queries, vote
from tests.conftest import browser_of, create_user, log_in
from tests.consultations.factories import consultation_open, valid_answers
from tests.consultations.test_answering import answer
from tests.spaces.factories import space_open_with_a_vote

TODAY = date(2026, 12, 6)
ADULT = Person(True, True, "Nord", date(1984, 3, 21), "census")
YOUNG = Person(True, True, "Nord", date(2012, 6, 15), "census")
BY_LETTER = Person(True, True, "Nord", None, "letter")
UNVERIFIED = Person(True)
AGE_16 = AudienceRule(Audience.AGE, 16)


@pytest.mark.parametrize(
    ("rule", "person", "refusal"),
    [
        (AudienceRule(), UNVERIFIED, None),  # "anyone signed in": the component decides
        (AudienceRule(Audience.RESIDENTS), UNVERIFIED, "verified residents only"),
        (AudienceRule(Audience.RESIDENTS), ADULT, None),
        (AudienceRule(Audience.RESIDENTS, districts=("Sud",)), ADULT, "of {districts} only"),
        (AGE_16, ADULT, None),
        (AGE_16, YOUNG, "aged {age} or more."),
        (AGE_16, UNVERIFIED, "aged {age} or more."),
        (AGE_16, BY_LETTER, "does not give your birth date"),
        (AudienceRule(Audience.AGE, 16, ("Sud",)), YOUNG, "of {districts} aged {age}"),
        (AudienceRule(Audience.RESIDENTS, methods=("desk", "census")), ADULT, None),
        (AudienceRule(Audience.RESIDENTS, methods=("desk",)), ADULT, "verifications only"),
    ],
)
def test_who_is_refused_and_why(rule: AudienceRule, person: Person, refusal: str | None) -> None:
    problem = audience_refusal(rule, person, TODAY)
    assert (problem is None) if refusal is None else (refusal in problem.message)  # type: ignore[union-attr]
    if rule.audience != Audience.SIGNED_IN:
        assert (problem is None) == may_take_part(rule, person, TODAY)


async def restricted_budget(**rule: Any) -> tuple[Budget, Any]:
    space = await space_open_with_a_vote(**rule)
    budget, projects = await budget_in_voting()
    await Budget.filter(id=budget.id).update(space_id=space.id)
    await budget.refresh_from_db()
    return budget, projects


async def test_a_budget_for_residents_aged_16_refuses_the_younger_with_403(
    app: Any, settings: Settings, citizen: User
) -> None:
    budget, projects = await restricted_budget(audience=Audience.AGE, minimum_age=16)
    young = await create_user(settings, "jeune@example.org")
    await verified(
        settings, young, {"identifier": "VB-003", "birth_date": "2012-06-15", "postcode": "44000"}
    )
    async with browser_of(app) as client:
        await log_in(client, young)
        page = await client.get(f"/budgets/{budget.id}/ballot")
        assert page.status_code == 403
        assert (
            "Cette démarche est réservée aux habitants vérifiés de 16\u00a0ans et plus" in page.text
        )
        assert 'href="/account/verification"' in page.text
        refused = await vote(client, budget, {"project": [str(projects[0].id)]})
        assert refused.status_code == 403
    async with browser_of(app) as client:
        await verified(settings, citizen)  # born in 1984
        await log_in(client, citizen)
        assert (await vote(client, budget, {"project": [str(projects[0].id)]})).status_code == 303


async def test_a_space_accepting_some_methods_refuses_the_others(
    app: Any, settings: Settings, citizen: User, admin: User
) -> None:
    budget, projects = await restricted_budget(audience=Audience.RESIDENTS, methods=["census"])
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_at_desk(
        settings, admin, citizen.id, "rent_receipt", "Nord", "1990-04-01", not_on_file=True
    )
    async with browser_of(app) as client:
        await log_in(client, citizen)
        page = await client.get(f"/budgets/{budget.id}/ballot")
        assert page.status_code == 403
        assert "Registre de la commune" in page.text
    await Space.filter(id=budget.space_id).update(methods=["census", "desk"])  # type: ignore[attr-defined]
    async with browser_of(app) as client:
        await log_in(client, citizen)
        done = await vote(client, budget, {"project": [str(projects[0].id)]})
        assert done.status_code == 303, done.text


async def test_the_audience_costs_the_ballot_no_query(
    app: Any, settings: Settings, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The space's rule comes with the session lookup's row: a ballot in a restricted space
    sends as many statements as one in a budget without a space."""
    # the process's caches of voted budgets one short of full, as after many tests (or a town
    # with many budgets): caching the second budget must not forget the first
    for name in ("_FROZEN_PROJECTS", "_CONTEXTS"):
        almost_full = {(-n, None): [] for n in range(1, ballot_services._CACHED_BUDGETS)}
        monkeypatch.setattr(ballot_services, name, almost_full)
    plain, plain_projects = await budget_in_voting()
    restricted, projects = await restricted_budget(audience=Audience.AGE, minimum_age=16)
    await verified(settings, citizen)
    async with browser_of(app) as client:
        await log_in(client, citizen)
        for budget, project in ((plain, plain_projects[0]), (restricted, projects[0])):
            await client.get(f"/budgets/{budget.id}/ballot")  # the projects kept in memory
            assert (await ballot_post_queries(client, budget, project.id))[1].status_code == 303
        counted = []
        for budget, project in ((plain, plain_projects[1]), (restricted, projects[1])):
            queries, response = await ballot_post_queries(client, budget, project.id)
            assert response.status_code == 303
            assert not any(
                '"spaces_space"' in sql and "accounts_session" not in sql for sql in queries
            )
            counted.append(len(queries))
    assert counted[0] == counted[1]


async def test_consultation_answers_follow_their_spaces_audience(
    app: Any, settings: Settings, citizen: User
) -> None:
    space = await space_open_with_a_vote(audience=Audience.RESIDENTS)
    consultation, questions = await consultation_open()
    await Consultation.filter(id=consultation.id).update(space_id=space.id)
    fields = await valid_answers(questions)
    async with browser_of(app) as client:
        await log_in(client, citizen)
        page = await client.get(f"/consultations/{consultation.id}/answer")
        assert page.status_code == 403
        assert "réservée aux habitants vérifiés" in page.text
        assert (await answer(client, consultation, fields)).status_code == 403
        await verified(settings, citizen)
        assert (await answer(client, consultation, fields)).status_code == 303


@pytest.mark.parametrize(
    ("audience", "ticked", "kept", "refused"),
    [
        ("residents", "census,desk", ("census", "desk"), False),
        ("residents", "desk,census", ("census", "desk"), False),  # the registry's order
        ("residents", "", (), False),  # none ticked: any method
        ("signed_in", "letter", (), False),  # no verification asked: nothing to accept
        ("age", "passport", (), True),
    ],
)
def test_the_space_form_reads_the_methods_accepted(
    audience: str, ticked: str, kept: tuple[str, ...], refused: bool
) -> None:
    data = {
        "title": "Budget des jeunes",
        "slug": "budget-jeunes",
        "starts_at": "2031-01-05T09:00",
        "audience": audience,
        "minimum_age": "16",
        "methods": ticked,
    }
    form, problems = parse_space_form(data, ["Nord"], [])
    assert [p.field for p in problems] == (["methods"] if refused else [])
    if not refused:
        assert form.methods == kept
