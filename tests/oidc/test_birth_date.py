"""Identity provider claims (issue #19, step 4): the birth date FranceConnect vouches for counts
for age rules, for a resident whose verification method knows no birth date (the letter)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from oidc.domain import birth_date_claim
from participation.accounts.models import User
from participation.residents import services as residents
from participation.residents.methods import letter
from participation.residents.models import BirthDateClaim, Residency
from participation.settings import Settings
from tests.budgets.factories import verified
from tests.conftest import browser_of, create_user
from tests.oidc.factories import provider_row, through_provider
from tests.oidc.provider import LocalProvider

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("claim", "read"),
    [
        ("2008-05-02", date(2008, 5, 2)),
        ("2008", None),  # a year alone (OIDC allows it): not a birth date
        ("0000-05-02", None),  # the year unknown
        ("2008-02-30", None),
        ("2030-01-01", None),  # in the future
        (20080502, None),
        (None, None),
    ],
)
def test_the_birthdate_claim_is_read(claim: Any, read: date | None) -> None:
    claims = {} if claim is None else {"birthdate": claim}
    assert birth_date_claim(claims, TODAY) == read


async def test_a_residents_provider_gives_its_birth_date_to_a_letter_record(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    idp.tweak_userinfo = {"birthdate": "2008-05-02"}
    provider = await provider_row(settings, idp.issuer)
    assert (await through_provider(client, provider)).status_code == 303
    user = await User.get(email="camille@example.org")
    claim = await BirthDateClaim.get(user=user)
    assert (claim.birth_date, claim.source) == (date(2008, 5, 2), "FranceConnect")
    # verified later by a letter (no birth date of its own): the provider's counts
    await residents.record_verification(settings, user.id, letter.METHOD, district="Nord")
    assert (await Residency.get(user=user)).birth_date is None  # not given by the letter...
    await residents.note_birth_date(user.id, date(2008, 5, 2), "FranceConnect")
    assert (await Residency.get(user=user)).birth_date == date(2008, 5, 2)  # ...but by the claim


async def test_the_next_log_in_completes_a_record_without_birth_date(
    app: Any, client: httpx.AsyncClient, settings: Settings, idp: LocalProvider
) -> None:
    provider = await provider_row(settings, idp.issuer)
    assert (await through_provider(client, provider)).status_code == 303
    user = await User.get(email="camille@example.org")
    assert not await BirthDateClaim.filter(user=user).exists()  # no claim sent
    await residents.record_verification(settings, user.id, letter.METHOD, district="Nord")
    async with browser_of(app) as again:
        idp.tweak_userinfo = {"birthdate": "1990-01-15"}
        assert (await through_provider(again, provider)).status_code == 303
    record = await Residency.get(user=user).select_related("census_entry")
    assert record.birth_date == date(1990, 1, 15) and record.census_entry.birth_year == 1990


async def test_a_birth_date_checked_by_the_method_is_never_replaced(
    settings: Settings, app: Any
) -> None:
    user = await create_user(settings, "recense@example.org")
    await verified(settings, user)  # the census: born 1984-03-21
    await residents.note_birth_date(user.id, date(2000, 1, 1), "FranceConnect")
    assert (await Residency.get(user=user)).birth_date == date(1984, 3, 21)
