"""The account page's content shared by everyone alike (issue #23, participation/accounts/routes.py
`_shared_profile_body`): whoever asked it first, each person gets byte for byte the page
rendered for them alone, with their own token, name, address and identity providers, and
nothing of the person before (two residents of the same kind share one part)."""

from __future__ import annotations

from typing import Any

from oidc.models import Link, Provider
from participation.accounts.models import Role, User
from participation.pagecache import invalidate
from participation.residents.models import Residency
from participation.settings import Settings
from tests.budgets.factories import SOUTH, verified
from tests.conftest import browser_of, create_user, log_in, logged_queries
from tests.participation.test_shared_parts import rendered_alone, tokens

SPECIAL = "<b>\"A&B\"</b> 'x'"


async def test_each_person_gets_the_account_page_rendered_for_them_alone(
    settings: Settings, app: Any
) -> None:
    provider = await Provider.create(
        name=f"Fournisseur {SPECIAL}", issuer="https://a", client_id="a", client_secret_box=b""
    )
    kinds = {
        "alice": Role.CITIZEN,
        "bob": Role.CITIZEN,
        "linked": Role.CITIZEN,
        "unconfirmed": Role.CITIZEN,
        "nopassword": Role.CITIZEN,
        "verified": Role.CITIZEN,
        "revoked": Role.CITIZEN,
        "moderator": Role.MODERATOR,
        "staff": Role.ADMIN,
    }
    people: dict[str, User] = {}
    browsers, contexts = {}, []
    for name, role in kinds.items():
        people[name] = user = await create_user(
            settings, f"{name}@example.org", role, display_name=f"{name} {SPECIAL}"
        )
        context = browser_of(app)
        contexts.append(context)
        browser = browsers[name] = await context.__aenter__()
        await log_in(browser, user)
        await browser.get("/")  # their "logged in" message
    await Link.create(provider_id=provider.id, user_id=people["linked"].id, subject="s")
    await User.filter(id=people["unconfirmed"].id).update(email_confirmed_at=None)
    await User.filter(id=people["nopassword"].id).update(password_hash="")
    await verified(settings, people["verified"])
    await verified(settings, people["revoked"], SOUTH)
    await Residency.filter(user_id=people["revoked"].id).update(
        revoked_at=people["alice"].created_at
    )
    names = list(people)
    for first in names:  # who stores the part
        await invalidate(app.state.redis)
        order = [first, *(n for n in names if n != first)]
        shared = {n: (await browsers[n].get("/account")).text for n in order}
        again = {n: (await browsers[n].get("/account")).text for n in reversed(order)}
        # one part for alice, bob and linked (residents alike: identity providers are filled
        # in), one per other kind
        parts = [key for key in app.state.shared_parts if "account" in key]
        assert len(parts) == len(names) - 2, parts
        alone = await rendered_alone(app, {n: browsers[n] for n in order}, "/account")
        for n in order:
            assert shared[n] == alone[n] == again[n], (first, n)
    for name, page in shared.items():
        assert f"{name} &lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt;" in page, name
        assert f"<p>{name}@example.org" in page, name
        others = [n for n in names if n != name and f"{n} &lt;b&gt;" in page]
        assert not others and "Fournisseur &lt;b&gt;" not in page or name == "linked", name
    assert "Fournisseur &lt;b&gt;" in shared["linked"]
    assert len({frozenset(tokens(page)) for page in shared.values()}) == len(names)
    with logged_queries() as statements:
        await browsers["alice"].get("/account")
    assert len(statements) <= 3, statements  # the session, the records, the providers
    for context in contexts:
        await context.__aexit__(None, None, None)
