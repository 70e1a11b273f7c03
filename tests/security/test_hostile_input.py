"""Bad input an attacker found (issue #15), one test per door: each answered 500 (or, for the
blocked person, 403 on their own erasure) before its fix, on SQLite and PostgreSQL alike.

- the census import: an over-long district, a NUL byte, a 1 MB identifier;
- the budget and consultation forms: dates in year 1 and 9999 and a time zone that overflows,
  a district over 100 characters;
- log-in and password reset with a 256-character e-mail;
- the right to erasure of a blocked person, and their name in other people's e-mails.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from budgets.models import Budget, BudgetDistrict
from consultations.models import Consultation
from moderation import services as moderation_services
from participation import mail
from participation.accounts.models import User
from participation.accounts.privacy import name_pattern
from participation.residents.models import CensusEntry
from participation.settings import Settings
from tests.budgets.factories import CENSUS
from tests.conftest import TEST_PASSWORD, csrf_token, log_in, post_form
from tests.participation.proposal_factories import make_proposal
from tests.security.world import logged_in_client, seed_world

HEADER = b"identifiant;date_naissance;code_postal;quartier\n"
GOOD_LINE = b"VB-001;1984-03-21;44000;Nord\n"


async def _upload_census(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    token = await csrf_token(client, "/admin/residents/census")
    files = {"file": ("recensement.csv", content)}
    return await client.post("/admin/residents/census", data={"csrf_token": token}, files=files)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"VB-002;1990-12-01;44000;" + b"Q" * 101 + b"\n", "Le nom du quartier dépasse 100"),
        (b"VB-\x00002;1990-12-01;44000;Sud\n", "contient un caractère NUL"),
        (b"VB-002;1990-12-01;44\x00000;Sud\n", "contient un caractère NUL"),
        (b"A" * 1_000_000 + b";1990-12-01;44000;Sud\n", "Cette ligne est illisible"),
        (b"A" * 65 + b";1990-12-01;44000;Sud\n", "L’identifiant dépasse 64"),
        (b"VB-002;1990-12-01;" + b"4" * 11 + b";Sud\n", "Le code postal dépasse 10"),
    ],
    ids=["district", "nul-identifier", "nul-postcode", "1MB-identifier", "identifier", "postcode"],
)
async def test_a_bad_census_line_is_named_and_nothing_is_stored(
    client: httpx.AsyncClient, admin: User, line: bytes, message: str
) -> None:
    await log_in(client, admin)
    response = await _upload_census(client, HEADER + GOOD_LINE + line)
    assert response.status_code == 422
    assert "Ligne 3" in response.text and message in response.text
    assert await CensusEntry.all().count() == 0  # the good line neither: all or nothing
    assert (await _upload_census(client, CENSUS.encode())).status_code == 303  # still works


BUDGET_FORM = {
    "title": "Budget 2027",
    "description": "<p>Des idées</p>",
    "total_amount": "100000",
    "districts": "Nord: 30000",
    "categories": "Nature",
    "ballot_kind": "approval",
    "winner_rule": "greedy",
}
OUT_OF_RANGE = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "9999-12-31T23:59-14:00",
    "0001-01-01T00:00+14:00",
]


async def _each_change_is_a_field_error(
    client: httpx.AsyncClient, page: str, form: dict[str, str], cases: list[tuple[dict, str]]
) -> None:
    """Each (change, message) of `cases`, made to the valid `form` of `page`, is refused (422)
    with its message and the field marked invalid."""
    for change, message in cases:
        response = await post_form(client, page, {**form, **change}, page=page)
        assert response.status_code == 422, change
        assert message in response.text, change
        assert 'aria-invalid="true"' in response.text, change  # on the field


async def test_budget_form_dates_out_of_range_and_long_names_are_field_errors(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    page = "/admin/budgets/new"
    cases = [
        *[
            ({"voting_opens_at": moment}, "entre les années 2000 et 2100")
            for moment in OUT_OF_RANGE
        ],
        *[
            ({"submission_opens_at": moment}, "entre les années 2000 et 2100")
            for moment in OUT_OF_RANGE
        ],
        ({"districts": "Q" * 101 + ": 1000"}, "au plus 100 caractères"),
        ({"restricted_to_district": "Q" * 101}, "au plus 100 caractères"),
        ({"categories": "C" * 101}, "au plus 100 caractères"),
        ({"title": "T" * 201}, "au plus 200 caractères"),
    ]
    await _each_change_is_a_field_error(client, page, BUDGET_FORM, cases)
    assert await Budget.all().count() == 0 and await BudgetDistrict.all().count() == 0
    saved = await post_form(
        client, page, {**BUDGET_FORM, "voting_opens_at": "2027-03-01T09:00"}, page=page
    )
    assert saved.status_code == 303 and await Budget.all().count() == 1


async def test_consultation_form_dates_out_of_range_and_long_district_are_field_errors(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    page = "/admin/consultations/new"
    form = {"title": "Avenir du parc", "audience": "district", "district": "Nord"}
    cases = [
        *[({"opens_at": moment}, "entre les années 2000 et 2100") for moment in OUT_OF_RANGE],
        *[({"closes_at": moment}, "entre les années 2000 et 2100") for moment in OUT_OF_RANGE],
        ({"district": "Q" * 101}, "au plus 100 caractères"),
        ({"title": "T" * 201}, "au plus 200 caractères"),
    ]
    await _each_change_is_a_field_error(client, page, form, cases)
    assert await Consultation.all().count() == 0
    assert (await post_form(client, page, form, page=page)).status_code == 303


@pytest.mark.parametrize("path", ["/account/login", "/account/reset"])
async def test_an_over_long_email_is_a_form_error(
    client: httpx.AsyncClient, citizen: User, path: str
) -> None:
    for email in ("a" * 244 + "@example.org", "a@" + "b" * 300 + ".fr", ""):
        data = {"email": email, "password": TEST_PASSWORD}
        response = await post_form(client, path, data, page=path)
        assert response.status_code == 422, email
        assert "Indiquez" in response.text and 'aria-invalid="true"' in response.text
    assert await mail.OutboxEmail.filter(subject__icontains="mot de passe").count() == 0
    # a well-formed address still gets the usual answer
    data = {"email": citizen.email, "password": "pas le bon mot de passe"}
    response = await post_form(client, path, data, page=path)
    assert response.status_code == (401 if path.endswith("login") else 303)


async def test_a_blocked_person_may_still_download_their_data_and_delete_their_account(
    app: Any, settings: Settings
) -> None:
    world = await seed_world(settings)
    await moderation_services.block(world.moderator, world.owner.id, "permanent", "Insultes.")
    async with logged_in_client(app, world.owner) as owner:
        refused = await post_form(owner, "/proposals/new", {"title": "Encore", "body": "x" * 40})
        assert refused.status_code == 403  # the block still holds for everything else
        assert (await owner.get("/account/data.json")).status_code == 200
        deleted = await post_form(owner, "/account/delete", {"password": TEST_PASSWORD})
        assert deleted.status_code == 303
    owner_row = await User.get(id=world.owner.id)
    assert owner_row.deleted_at is not None and owner_row.display_name == ""


async def test_a_deleted_name_leaves_the_emails_kept_for_other_people(
    app: Any, settings: Settings
) -> None:
    """Comment notifications name the commenter; sent e-mails are kept 90 days."""
    world = await seed_world(settings)
    proposal = await make_proposal(world.other, title="Un banc au square")
    async with logged_in_client(app, world.owner) as owner:
        body = "<p>Très bonne idée, Olivia Owner approuve.</p>"
        answer = await post_form(owner, f"/proposals/{proposal.id}/comments", {"body": body})
        assert answer.status_code == 303
    received = mail.OutboxEmail.filter(recipient=world.other.email)
    assert any("Olivia Owner" in e.body + e.subject for e in await received)
    async with logged_in_client(app, world.owner) as owner:
        deleted = await post_form(owner, "/account/delete", {"password": TEST_PASSWORD})
        assert deleted.status_code == 303
    kept = await mail.OutboxEmail.all()
    assert kept and not any("Olivia Owner" in e.body + e.subject for e in kept)
    assert any("Ancien participant" in e.body for e in await received)


def test_the_name_is_scrubbed_as_a_whole_word_only() -> None:
    pattern = name_pattern(" Al ")
    assert pattern is not None
    assert (
        pattern.sub("X", "Al a commenté. Alice et Albert, Al.")
        == "X a commenté. Alice et Albert, X."
    )
    assert name_pattern("   ") is None
    odd = name_pattern("J.-P. (Jean) [x]*")  # regular-expression characters are literal
    assert odd is not None and odd.sub("X", "par J.-P. (Jean) [x]* hier") == "par X hier"
