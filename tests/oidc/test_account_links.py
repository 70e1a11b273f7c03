"""The account page's identity providers read in one plain statement (issue #23,
`oidc.services.account_links`): the page is byte for byte what it was with the links read as
models and the providers asked apart; each person gets their own links, nothing of the one
before."""

from __future__ import annotations

from typing import Any

import pytest

from oidc import services
from oidc.models import Link, Provider
from participation.accounts.models import User
from participation.settings import Settings
from tests.conftest import browser_of, create_user, log_in, logged_queries

SPECIAL = "<b>\"A&B\"</b> 'x'"


async def as_before(user_id: int) -> tuple[list[Any], bool]:
    """What the section read before: the links as models, the enabled providers apart."""
    user = await User.get(id=user_id)
    return await services.links_of(user), bool(await services.usable_providers("login"))


async def pages(
    app: Any, people: list[User], monkeypatch: pytest.MonkeyPatch, no_password: Any = None
) -> list[str]:
    """/account for each person in turn, checked against the page read as before."""
    shown = []
    for person in people:
        async with browser_of(app) as browser:
            await log_in(browser, person)
            if person == no_password:  # a provider her only way to log in: no unlink button
                await User.filter(id=person.id).update(password_hash="")
            await browser.get("/")  # their "logged in" message
            with logged_queries() as statements:
                page = (await browser.get("/account")).text
            assert len([s for s in statements if '"oidc_' in s]) == 1, statements
            with monkeypatch.context() as m:
                m.setattr(services, "account_links", as_before)
                assert (await browser.get("/account")).text == page, person.email
            shown.append(page)
    return shown


async def test_each_person_gets_their_own_links_as_the_models_showed_them(
    settings: Settings, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await Provider.create(
        name=f"Fournisseur {SPECIAL}", issuer="https://a", client_id="a", client_secret_box=b""
    )
    second = await Provider.create(
        name="FranceConnect", issuer="https://b", client_id="b", client_secret_box=b""
    )
    alice = await create_user(settings, "alice@example.org", display_name=f"Alice {SPECIAL}")
    bob = await create_user(settings, "bob@example.org", display_name="Bob")
    camille = await create_user(settings, "camille@example.org", display_name="Camille")
    await Link.create(provider_id=second.id, user_id=alice.id, subject="a2", eidas_level="eidas1")
    await Link.create(provider_id=first.id, user_id=alice.id, subject="a1")
    await Link.create(provider_id=second.id, user_id=camille.id, subject="c1")
    # no provider enabled: the section for those with links only
    a, b, c, _ = await pages(app, [alice, bob, camille, alice], monkeypatch, camille)
    assert "Fournisseur &lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt;" in a and "(eidas1)" in a
    assert a.count("/unlink") == 2 and "Fournisseur &lt;" not in b + c and "eidas1" not in b + c
    assert "FranceConnect" in c and "/unlink" not in c
    assert "Fournisseurs d’identité" not in b and "Fournisseurs d’identité" in c
    await Provider.filter(id=second.id).update(enabled=True)
    _, b = await pages(app, [alice, bob], monkeypatch)
    assert "Fournisseurs d’identité" in b and "FranceConnect" not in b
