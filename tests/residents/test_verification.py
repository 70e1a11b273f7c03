"""Verification methods (issue #19): one record per person whatever the method, revocation
with a reason the resident reads, and what a revoked or expired record no longer opens."""

from __future__ import annotations

import asyncio
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from tortoise import timezone

from budgets import ballot_services
from participation.accounts.models import User
from participation.audit import AuditLogEntry as AuditEntry
from participation.refusals import Refused
from participation.residents import letters
from participation.residents import services as residents
from participation.residents.census import census_key
from participation.residents.domain import may_record_over, record_is_valid, verification_state
from participation.residents.methods import METHODS, census, desk, letter
from participation.residents.models import CensusEntry, LetterCode, PostalAddress, Residency
from participation.settings import Settings
from tests.budgets.factories import CENSUS, PERSON, budget_in_voting, verified
from tests.conftest import create_user, field_error, log_in, logged_in, post_form

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

    async with logged_in(app, citizen) as own:
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
# the agent also read the person's line on the town's register (tests.budgets.factories.PERSON)
DESK_LINKED = {**DESK, "birth_date": "1984-03-21", "identifier": "VB-001", "postcode": "44000"}


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


@pytest.mark.parametrize(
    ("census_loaded", "typed", "field", "linked"),
    [
        (False, {}, None, ("", "", False)),  # no census file: as before, an anchor
        (False, {"identifier": "VB-001", "not_on_file": True}, None, ("", "", False)),  # ignored
        (True, {}, "identifier", None),  # neither the details nor the box
        (True, {"identifier": "  "}, "identifier", None),
        (True, {"identifier": "VB-001"}, "postcode", None),
        (
            True,
            {"identifier": "VB-001", "postcode": "44000", "not_on_file": True},
            "identifier",
            None,
        ),
        (True, {"postcode": "44000", "not_on_file": True}, "identifier", None),  # both
        (True, {"not_on_file": True}, None, ("", "", True)),
        (True, {"identifier": " VB-001 ", "postcode": "44000"}, None, ("VB-001", "44000", False)),
    ],
)
def test_the_desk_links_to_the_census_file_or_says_the_person_is_not_on_it(
    census_loaded: bool, typed: dict[str, Any], field: str | None, linked: tuple[Any, ...] | None
) -> None:
    check, problems = desk.desk_check(
        **DESK,
        town_districts=["Nord"],
        today=date(2026, 12, 6),
        census_loaded=census_loaded,
        **typed,
    )
    assert [p.field for p in problems] == ([field] if field else [])
    assert (
        None if check is None else (check.identifier, check.postcode, check.not_on_file)
    ) == linked


@pytest.mark.parametrize(
    ("other", "confirmed", "warned"),
    [(None, False, False), ("Alix", False, True), ("Alix", True, False), (None, True, False)],
)
def test_the_desk_asks_about_a_look_alike(other: str | None, confirmed: bool, warned: bool) -> None:
    problem = desk.lookalike_problem(other, confirmed, date(2008, 5, 2), "Nord")
    assert (problem is not None) is warned
    if problem is not None:
        assert problem.field == "confirm_other" and problem.values["account"] == "Alix"


async def test_the_desk_links_the_record_to_the_persons_register_line(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    await residents.import_census(settings, CENSUS.encode())
    await log_in(client, admin)
    page = f"/admin/residents/{citizen.id}"
    form = (await client.get(page)).text
    assert "Identifiant au registre" in form and "ne figure pas au registre" in form

    wrong = await post_form(client, page, {**DESK_LINKED, "identifier": "VB-999"}, page)
    assert wrong.status_code == 422
    assert "Personne au registre de la commune" in field_error(wrong.text, "identifier")
    both = await post_form(client, page, {**DESK_LINKED, "not_on_file": "on"}, page)
    assert both.status_code == 422 and "pas les deux" in field_error(both.text, "identifier")
    assert not await Residency.filter(user=citizen).exists()

    done = await post_form(client, page, DESK_LINKED, page)
    assert done.status_code == 303
    record = await Residency.get(user=citizen).select_related("census_entry")
    assert (record.method, record.proof, record.verified_by_id) == ("desk", "energy_bill", admin.id)
    assert record.census_entry.source == "census"  # the person's own line, no anchor
    assert not await CensusEntry.filter(source="desk").exists()

    other = await create_user(settings, "autre@example.org", display_name="Autre Compte")
    taken = await post_form(client, f"/admin/residents/{other.id}", DESK_LINKED, page)
    assert taken.status_code == 422
    assert "déjà vérifiée avec un autre compte" in field_error(taken.text, "identifier")
    assert not await Residency.filter(user=other).exists()


async def test_the_desk_asks_whether_a_look_alike_is_the_same_person(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    await residents.import_census(settings, CENSUS.encode())
    off_file = {**DESK, "not_on_file": "on"}
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK, not_on_file=True)
    other = await create_user(settings, "autre@example.org", display_name="Autre Compte")
    await log_in(client, admin)
    page = f"/admin/residents/{other.id}"
    warned = await post_form(client, page, off_file, page)
    assert warned.status_code == 422
    message = field_error(warned.text, "confirm_other")
    assert "née le 02/05/2008 du quartier Nord est déjà vérifiée (compte Camille Test)" in message
    assert not await Residency.filter(user=other).exists()

    done = await post_form(client, page, {**off_file, "confirm_other": "on"}, page)
    assert done.status_code == 303
    entry = await AuditEntry.filter(action="resident_verified", target_id=other.id).get()
    assert (
        json.loads(entry.after)["confirmed_other_than"] == citizen.id
    )  # the agent's answer, audited


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
    # a town with a census file: the register's details, or the agent's word, never neither
    neither = await post_form(client, page, DESK, page)
    assert neither.status_code == 422
    assert "ne figure pas au registre de la commune" in field_error(neither.text, "identifier")
    assert not await Residency.filter(user=citizen).exists()

    done = await post_form(client, page, {**DESK, "not_on_file": "on"}, page)
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
    assert json.loads(entry.after)["not_on_file"] is True  # the agent’s word, audited
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
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK, not_on_file=True)
    state = await ballot_services.voting_state(budget.id, citizen.id)
    assert state is not None and state.voter.verified and state.voter.district == "Nord"
    assert state.census_entry_id is not None
    receipt = await ballot_services.cast_ballot(
        settings, budget.id, state.census_entry_id, state.voter, {projects[0].id: 1}
    )
    assert receipt


# --- postal letter -------------------------------------------------------------------------------

ADDRESS = {
    "recipient": "Camille Test",
    "street": "12 rue des Lilas",
    "complement": "",
    "postcode": "44000",
    "city": "Villebelle",
    "district": "Nord",
}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("k7mq2 xpr4w", "K7MQ2XPR4W"),
        (" K7MQ2-XPR4W ", "K7MQ2XPR4W"),
        ("k7 mq2xp r4w", "K7MQ2XPR4W"),
    ],
)
def test_a_code_is_read_with_spaces_and_lower_case(typed: str, stored: str) -> None:
    assert letter.normalize_code(typed) == stored


def test_codes_are_drawn_from_the_alphabet() -> None:
    codes = {letter.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 10 and set(c) <= set(letter.CODE_ALPHABET) for c in codes)


@pytest.mark.parametrize(
    ("exists", "used", "attempts", "expires_at", "refused"),
    [
        (False, False, 0, None, "No letter"),
        (True, True, 0, LATER, "already used"),
        (True, False, 10, LATER, "locked"),
        (True, False, 9, LATER, None),
        (True, False, 0, NOW, "expired"),
    ],
)
def test_when_a_code_may_be_typed(
    exists: bool, used: bool, attempts: int, expires_at: datetime | None, refused: str | None
) -> None:
    problem = letter.code_problem(exists, used, attempts, expires_at, NOW)
    assert (problem is None) if refused is None else (refused in (problem or ""))


def test_the_address_must_be_in_the_town() -> None:
    form, problems = letter.address_form({**ADDRESS, "district": "Atlantis"}, ["Nord", "Sud"])
    assert form is None and [p.field for p in problems] == ["district"]
    form, problems = letter.address_form({**ADDRESS, "postcode": "4400"}, ["Nord"])
    assert form is None and [p.field for p in problems] == ["postcode"]
    form, problems = letter.address_form(ADDRESS, ["Nord"])
    assert problems == [] and form is not None and form.street == "12 rue des Lilas"


async def printed_codes(settings: Settings, admin: User) -> dict[str, str]:
    """Print the waiting letters; the codes read back from the PDF, by recipient."""
    content = await letters.print_letters(settings, admin, "Villebelle")
    assert content is not None
    return codes_in(content)


def codes_in(content: bytes) -> dict[str, str]:
    reader = PdfReader(io.BytesIO(content))
    found = {}
    for page in reader.pages:
        text = page.extract_text()
        code = re.search(r"\b([A-Z2-9]{5}) ([A-Z2-9]{5})\b", text)
        recipient = next(name for name in ("Camille Test", "Léa Martin") if name in text)
        assert code is not None, text
        found[recipient] = code.group(1) + code.group(2)
    assert len(reader.pages) == len(found)  # one letter per page
    return found


async def test_a_resident_is_verified_by_the_code_of_a_letter(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User, app: Any
) -> None:
    await residents.import_census(settings, CENSUS.encode())
    await log_in(client, citizen)
    page = "/account/verification"
    outside = await post_form(client, page, {**ADDRESS, "district": "Ailleurs"}, page)
    assert outside.status_code == 422 and 'aria-invalid="true"' in outside.text
    assert (await post_form(client, page, ADDRESS, page)).status_code == 303
    lea = await create_user(settings, "lea@example.org", display_name="Léa")
    await letters.save_address(
        settings, lea, {**ADDRESS, "recipient": "Léa Martin", "district": "Sud"}
    )

    async with logged_in(app, admin) as staff:  # staff print the batch from their page
        printed = await post_form(staff, "/admin/residents/letters", {})
        assert printed.status_code == 200
        assert printed.headers["content-type"] == "application/pdf"
        assert printed.headers["cache-control"] == "no-store"
        codes = codes_in(printed.content)
        again = await post_form(staff, "/admin/residents/letters", {})
        assert again.status_code == 303  # none waits now: back to the page, which says so
        page_after = await staff.get(again.headers["location"])
        assert "Aucun courrier n’attend d’être imprimé" in page_after.text
    assert set(codes) == {"Camille Test", "Léa Martin"}
    stored = await LetterCode.get(user=citizen)
    assert codes["Camille Test"] not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.expires_at - stored.printed_at == timedelta(days=letter.CODE_DAYS)

    wrong = await post_form(client, "/account/verification/code", {"code": "AAAAA AAAAA"}, page)
    assert wrong.status_code == 422 and "Essais restants" in wrong.text
    typed = codes["Camille Test"].lower()
    typed = typed[:3] + " " + typed[3:7] + "  " + typed[7:]
    done = await post_form(client, "/account/verification/code", {"code": typed}, page)
    assert done.status_code == 303
    record = await Residency.get(user=citizen).select_related("census_entry")
    assert (record.method, record.census_entry.district, record.birth_date) == (
        "letter",
        "Nord",
        None,
    )
    assert not await PostalAddress.filter(user=citizen).exists()  # no longer needed
    again = await letters.code_of(citizen.id)
    assert again is not None and again.used_at is not None
    with pytest.raises(Refused):  # single use
        await letters.enter_code(settings, citizen, codes["Camille Test"])


async def test_ten_wrong_codes_lock_the_letter(
    settings: Settings, citizen: User, admin: User
) -> None:
    await residents.import_census(settings, CENSUS.encode())
    await letters.save_address(settings, citizen, ADDRESS)
    code = (await printed_codes(settings, admin))["Camille Test"]
    messages = []
    for _ in range(10):
        with pytest.raises(Refused) as refused:
            await letters.enter_code(settings, citizen, "ZZZZZZZZZZ")
        messages.append(refused.value.problems[0].message)
    assert "locked" in messages[-1] and "Tries left" in messages[0]
    with pytest.raises(Refused) as refused:
        await letters.enter_code(settings, citizen, code)  # the right one, too late
    assert "locked" in refused.value.problems[0].message
    assert not await Residency.filter(user=citizen).exists()
    assert [a.user_id for a in await letters.waiting()] == [citizen.id]  # type: ignore[attr-defined]


async def test_an_expired_code_is_refused(settings: Settings, citizen: User, admin: User) -> None:
    await residents.import_census(settings, CENSUS.encode())
    await letters.save_address(settings, citizen, ADDRESS)
    code = (await printed_codes(settings, admin))["Camille Test"]
    await LetterCode.filter(user=citizen).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Refused) as refused:
        await letters.enter_code(settings, citizen, code)
    assert "expired" in refused.value.problems[0].message


# --- one person, two accounts: the letter (issue #19) --------------------------------------------


@pytest.mark.parametrize(
    ("other", "same"),
    [
        (("Camille Test", "12 rue des Lilas", "44000"), True),
        (("CAMILLE  TEST", "12, Rue des Lilas", " 44000"), True),  # case, spaces, punctuation
        (("Camille Tést", "12 rue des lilas.", "44000"), True),  # accents
        (("Dominique Test", "12 rue des Lilas", "44000"), False),  # another person, same home
        (("Camille Test", "14 rue des Lilas", "44000"), False),
        (("Camille Test", "12 rue des Lilas", "44100"), False),
    ],
)
def test_one_letter_verification_per_person_at_an_address(
    other: tuple[str, str, str], same: bool
) -> None:
    key = b"k" * 32
    first = letter.address_hash(key, "Camille Test", "12 rue des Lilas", "44000")
    assert (letter.address_hash(key, *other) == first) is same
    assert letter.address_hash(b"x" * 32, *other) != first  # keyed: SECRET_KEY's


async def test_a_letter_cannot_verify_a_second_account_of_the_same_person(
    settings: Settings, citizen: User, admin: User
) -> None:
    await residents.import_census(settings, CENSUS.encode())  # the districts
    twin = await create_user(settings, "camille2@example.org", display_name="Camille")
    await letters.save_address(settings, citizen, ADDRESS)
    await letters.save_address(settings, twin, {**ADDRESS, "recipient": "camille  TEST"})
    await letters.print_letters(settings, admin, "Villebelle")
    key, known = census_key(settings.secret_key), "K7MQ2XPR4W"  # the printed ones are in the PDF
    for user in (citizen, twin):
        await LetterCode.filter(user=user).update(code_hash=letter.code_hash(key, user.id, known))
    await letters.enter_code(settings, citizen, known)
    record = await Residency.get(user=citizen)
    assert record.address_hash is not None
    assert not await PostalAddress.filter(user=citizen).exists()  # the hash outlives it

    with pytest.raises(Refused) as refused:  # the second account's letter was already posted
        await letters.enter_code(settings, twin, known)
    assert "already verified with another account" in refused.value.problems[0].message
    assert (await LetterCode.get(user=twin)).used_at is None  # not spent
    assert not await Residency.filter(user=twin).exists()
    with pytest.raises(Refused):  # and no new letter is asked for
        await letters.save_address(settings, twin, ADDRESS)
