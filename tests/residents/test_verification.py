"""Verification methods (issue #19): one record per person whatever the method, revocation
with a reason the resident reads, and what a revoked or expired record no longer opens."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

from budgets import ballot_services
from participation.accounts.models import User
from participation.audit import AuditLogEntry as AuditEntry
from participation.refusals import Refused
from participation.residents import services as residents
from participation.residents.domain import may_record_over, record_is_valid, verification_state
from participation.residents.methods import METHODS, census, desk
from participation.residents.models import CensusEntry, Residency
from participation.settings import Settings
from tests.budgets.factories import CENSUS, PERSON, budget_in_voting, verified
from tests.conftest import create_user, log_in, post_form

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
LATER = NOW + timedelta(days=1)


@pytest.mark.parametrize(
    ("exists", "revoked_at", "expires_at", "state", "valid", "may_replace"),
    [
        (False, None, None, "none", False, True),
        (True, None, None, "verified", True, False),
        (True, None, LATER, "verified", True, False),
        (True, None, NOW, "expired", False, True),  # expires at that instant
        (True, NOW, LATER, "revoked", False, True),
    ],
)
def test_a_record_counts_until_revoked_or_expired(
    exists: bool,
    revoked_at: datetime | None,
    expires_at: datetime | None,
    state: str,
    valid: bool,
    may_replace: bool,
) -> None:
    assert verification_state(exists, revoked_at, expires_at, NOW) == state
    if exists:
        assert record_is_valid(revoked_at, expires_at, NOW) is valid
    assert may_record_over(exists, revoked_at, expires_at, NOW) is may_replace


def test_every_method_is_registered_under_its_stored_name() -> None:
    assert METHODS["census"] is census.METHOD
    for name, method in METHODS.items():
        assert method.name == name and len(name) <= 20
        assert method.label and method.how


async def test_the_census_method_makes_a_record_without_expiry(
    settings: Settings, citizen: User
) -> None:
    await verified(settings, citizen)
    record = await Residency.get(user=citizen).select_related("census_entry")
    assert (record.method, record.expires_at, record.verified_by_id) == ("census", None, None)
    assert (record.birth_date, record.census_entry.district) == (date(1984, 3, 21), "Nord")
    resident, _ = await residents.resident_of(citizen)
    assert (resident.verified, resident.method, resident.district) == (True, "census", "Nord")


async def test_two_verifications_at_once_leave_one_record(
    settings: Settings, citizen: User
) -> None:
    """One person, one record: the UNIQUE account decides, on SQLite and PostgreSQL."""
    await residents.import_census(settings, CENSUS.encode())
    entry, born = await residents.find_census_entry(settings, **PERSON)
    other, _ = await residents.find_census_entry(settings, "VB-004", "1975-01-30", "44000")

    async def attempt(row: CensusEntry) -> Any:
        try:
            return await residents.record_verification(
                settings, citizen.id, census.METHOD, census_entry=row, birth_date=born
            )
        except Refused as refused:
            return refused

    outcomes = await asyncio.gather(attempt(entry), attempt(other))
    refused = [o for o in outcomes if isinstance(o, Refused)]
    assert len(refused) == 1
    assert refused[0].problems[0].message == "Your account is already verified."
    assert await Residency.filter(user=citizen).count() == 1
    assert await AuditEntry.filter(action="resident_verified").count() == 1


async def test_a_census_row_verifies_one_account_only(settings: Settings, citizen: User) -> None:
    await verified(settings, citizen)
    other = await create_user(settings, "autre@example.org")
    with pytest.raises(Refused) as refused:
        await verified(settings, other)
    assert "another account" in refused.value.problems[0].message
    assert not await Residency.filter(user=other).exists()


async def test_anchors_of_other_methods_are_not_counted_as_the_census(
    settings: Settings, citizen: User
) -> None:
    await residents.import_census(settings, CENSUS.encode())
    await CensusEntry.create(
        lookup_hash=residents.anchor_hash(settings, citizen.id), district="Nord", source="desk"
    )
    assert await residents.census_count() == 4
    assert await residents.census_count("Nord") == 3


async def revoke_through_the_page(
    client: httpx.AsyncClient, person: User, reason: str
) -> httpx.Response:
    page = f"/admin/residents/{person.id}"
    return await post_form(client, f"{page}/revoke", {"reason": reason}, page)


async def test_staff_revoke_with_a_reason_the_resident_reads(
    settings: Settings, client: httpx.AsyncClient, app: Any, citizen: User, admin: User
) -> None:
    await verified(settings, citizen)
    await log_in(client, admin)
    found = await client.get("/admin/residents", params={"q": "citizen@"})
    assert f"/admin/residents/{citizen.id}" in found.text and "Habitant vérifié" in found.text

    empty = await revoke_through_the_page(client, citizen, "  ")
    assert empty.status_code == 422
    assert 'aria-invalid="true"' in empty.text and await residents.record_of(citizen.id)

    done = await revoke_through_the_page(client, citizen, "Justificatif de domicile falsifié")
    assert done.status_code == 303
    record = await residents.record_of(citizen.id)
    assert record is not None and record.revoked_by_id == admin.id
    entry = await AuditEntry.get(action="resident_revoked")
    assert entry.target_id == citizen.id

    resident, _ = await residents.resident_of(citizen)
    assert not resident.verified
    state = await ballot_services.voting_state((await budget_in_voting())[0].id, citizen.id)
    assert state is not None and state.census_entry_id is None and not state.voter.verified

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as own:
        await log_in(own, citizen)
        page = await own.get("/account/residency", headers={"Accept-Language": "fr"})
    assert "Justificatif de domicile falsifié" in page.text
    assert "Votre vérification comme habitant a été retirée" in page.text


async def test_a_revoked_record_may_be_verified_again_and_stays_one_row(
    settings: Settings, citizen: User, admin: User
) -> None:
    await verified(settings, citizen)
    assert await residents.revoke_verification(citizen.id, "Erreur de saisie", admin)
    assert not await residents.revoke_verification(citizen.id, "Encore", admin)
    await residents.verify_residency(settings, citizen, **PERSON)
    record = await Residency.get(user=citizen)
    assert (record.revoked_at, record.revoked_reason) == (None, None)
    assert await Residency.filter(user=citizen).count() == 1
    resident, _ = await residents.resident_of(citizen)
    assert resident.verified


async def test_an_expired_record_no_longer_opens_the_ballot(
    settings: Settings, citizen: User
) -> None:
    await verified(settings, citizen)
    budget, _ = await budget_in_voting()
    await Residency.filter(user=citizen).update(expires_at=timezone.now() - timedelta(seconds=1))
    state = await ballot_services.voting_state(budget.id, citizen.id)
    assert state is not None and not state.voter.verified
    await Residency.filter(user=citizen).update(expires_at=timezone.now() + timedelta(days=1))
    state = await ballot_services.voting_state(budget.id, citizen.id)
    assert state is not None and state.voter.verified


# --- at the counter ----------------------------------------------------------------------------

DESK = {"proof": "energy_bill", "district": "Nord", "birth_date": "2008-05-02"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"district": "outside"}, "district", "outside the town"),
        ({"district": "Atlantis"}, "district", "outside the town"),  # forged: no such district
        ({"district": ""}, "district", "Choose the district"),
        ({"proof": "passport_copy"}, "proof", "Choose the kind of proof"),
        ({"birth_date": "2030-01-01"}, "birth_date", "birth date"),
        ({"birth_date": "hier"}, "birth_date", "birth date"),
    ],
)
def test_the_desk_form_is_checked(fields: dict[str, str], field: str, message: str) -> None:
    check, problems = desk.desk_check(
        **{**DESK, **fields}, town_districts=["Nord", "Sud"], today=date(2026, 12, 6)
    )
    assert check is None
    assert [(p.field, message in p.message) for p in problems] == [(field, True)]


def test_a_proof_checked_at_the_desk_is_read() -> None:
    check, problems = desk.desk_check(**DESK, town_districts=["Nord"], today=date(2026, 12, 6))
    assert problems == [] and check == desk.DeskCheck("energy_bill", "Nord", date(2008, 5, 2))


async def test_an_agent_verifies_a_person_at_the_desk(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    await residents.import_census(settings, CENSUS.encode())  # the town's districts: Nord, Sud
    await log_in(client, admin)
    page = f"/admin/residents/{citizen.id}"
    outside = await post_form(client, page, {**DESK, "district": "outside"}, page)
    assert outside.status_code == 422
    assert "en dehors de la commune" in outside.text and 'aria-invalid="true"' in outside.text
    assert not await Residency.filter(user=citizen).exists()

    done = await post_form(client, page, DESK, page)
    assert done.status_code == 303
    record = await Residency.get(user=citizen).select_related("census_entry")
    assert (record.method, record.proof, record.verified_by_id) == ("desk", "energy_bill", admin.id)
    assert record.expires_at is not None
    valid = record.expires_at - record.verified_at
    assert abs(valid - timedelta(days=3 * 365)) < timedelta(minutes=1)
    assert (record.census_entry.district, record.census_entry.source) == ("Nord", "desk")
    assert await residents.census_count() == 4  # the anchor is not a census row
    entry = await AuditEntry.get(action="resident_verified")
    assert (entry.actor_id, entry.target_id) == (admin.id, citizen.id)  # type: ignore[attr-defined]
    shown = (await client.get(page)).text
    assert "Facture d’énergie ou d’eau de moins de 3 mois, par Camille Test" in shown

    again = await post_form(client, page, DESK, page)  # the form is gone; a second POST refused
    assert again.status_code == 409 or again.status_code == 422
    assert await Residency.filter(user=citizen).count() == 1


async def test_a_person_verified_at_the_desk_votes(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK)
    state = await ballot_services.voting_state(budget.id, citizen.id)
    assert state is not None and state.voter.verified and state.voter.district == "Nord"
    assert state.census_entry_id is not None
    receipt = await ballot_services.cast_ballot(
        settings, budget.id, state.census_entry_id, state.voter, {projects[0].id: 1}
    )
    assert receipt
