"""The account page's records of the person read in one plain statement (issue #23,
`accounts.services.profile_records`): the page is byte for byte what it was with the
verified-resident record and the e-mail change read as models; each person gets their own,
nothing of the one before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tortoise import timezone

from participation.accounts import services
from participation.accounts.models import EmailChange, User
from participation.residents import services as residents
from participation.residents.models import Residency
from participation.settings import Settings
from tests.budgets.factories import SOUTH, verified
from tests.conftest import browser_of, create_user, log_in, logged_queries

SPECIAL = "<b>\"A&B\"</b> 'x'"


async def as_before(user_id: int) -> services.ProfileRecords:
    """What the page read before: `resident_of` and `pending_email_change`, as models."""
    user = await User.get(id=user_id)
    resident, residency = await residents.resident_of(user)
    pending = await services.pending_email_change(user_id)
    return services.ProfileRecords(resident.verified, residency, pending)  # type: ignore[arg-type]


@pytest.mark.parametrize("order", [0, 1])
async def test_each_person_gets_their_own_records_as_the_models_showed_them(
    settings: Settings, app: Any, monkeypatch: pytest.MonkeyPatch, order: int
) -> None:
    now = timezone.now()
    people = {}
    for name in ("verified", "expiring", "revoked", "expired", "none", "pending", "late"):
        people[name] = await create_user(
            settings, f"{name}@example.org", display_name=f"{name} {SPECIAL}"
        )
    await verified(settings, people["verified"])
    await verified(settings, people["expiring"], SOUTH)
    await Residency.filter(user_id=people["expiring"].id).update(expires_at=now + timedelta(days=9))
    await verified(
        settings, people["revoked"], {**SOUTH, "identifier": "VB-003", "birth_date": "2012-06-15"}
    )
    await Residency.filter(user_id=people["revoked"].id).update(revoked_at=now)
    await verified(
        settings, people["expired"], {**SOUTH, "identifier": "VB-004", "birth_date": "1975-01-30"}
    )
    await Residency.filter(user_id=people["expired"].id).update(expires_at=now - timedelta(days=1))
    for name, expires in (("pending", now + timedelta(hours=5)), ("late", now - timedelta(1))):
        await EmailChange.create(
            user_id=people[name].id,
            token_hash=f"h-{name}",
            new_email=f"nouveau-{name}@example.org",
            expires_at=expires,
        )
    names = list(people) if order == 0 else list(reversed(people))
    pages: dict[str, str] = {}
    for name in names:
        async with browser_of(app) as browser:
            await log_in(browser, people[name])
            await browser.get("/")  # their "logged in" message
            with logged_queries() as statements:
                page = (await browser.get("/account")).text
            assert len(statements) <= 3, statements  # the session, the records, the providers
            with monkeypatch.context() as m:
                m.setattr(services, "profile_records", as_before)
                assert (await browser.get("/account")).text == page, name
            pages[name] = page
        assert await services.profile_records(people[name].id) == await_shown(
            await as_before(people[name].id)
        )
    assert "nouveau-pending@example.org" in pages["pending"]
    assert "nouveau-" not in "".join(p for n, p in pages.items() if n != "pending")
    assert pages["verified"].count('"badge badge-ok">vérifié') == 1
    assert "jusqu’au" in pages["expiring"] or "until" in pages["expiring"]
    assert "retirée" in pages["revoked"] or "revoked" in pages["revoked"]
    for name, page in pages.items():
        assert f"{name} &lt;b&gt;&#34;A&amp;B&#34;" in page
        assert not [n for n in people if n != name and f"{n}@example.org" in page]


def await_shown(records: services.ProfileRecords) -> services.ProfileRecords:
    """Records read as models, as the plain ones hold them (to compare them field by field)."""
    residency = records.residency
    pending = records.pending_email
    return services.ProfileRecords(
        records.verified,
        None
        if residency is None
        else services.ShownResidency(residency.revoked_at, residency.expires_at),
        None
        if pending is None
        else services.ShownEmailChange(pending.new_email, pending.expires_at),
    )
