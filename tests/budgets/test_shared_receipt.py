"""The receipt page with its budget kept for every resident (issue #23, budgets/routes.py
`_kept_budget`): two voters in a row, in any order, each get byte for byte the page rendered for
them alone, with their own code and nothing of the other's; a hit reads no budget."""

from __future__ import annotations

import re
from typing import Any

from participation.pagecache import invalidate
from participation.settings import Settings
from tests.budgets.factories import SOUTH, budget_in_voting, verified
from tests.conftest import browser_of, create_user, log_in, logged_queries, post_form
from tests.participation.test_shared_parts import rendered_alone

CODE = re.compile(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>")


async def test_two_voters_in_a_row_each_get_their_own_receipt(settings: Settings, app: Any) -> None:
    budget, projects = await budget_in_voting()
    budget.title = "Budget <b>\"A&B\"</b> 'x'"
    await budget.save()
    page = f"/budgets/{budget.id}/ballot"
    browsers, contexts = {}, []
    for name, person in (("alice", None), ("bob", SOUTH)):
        user = await create_user(
            settings, f"{name}@example.org", display_name=f"{name.title()} <i>&amp;</i>"
        )
        await verified(settings, user, *([person] if person else []))
        context = browser_of(app)
        contexts.append(context)
        browser = browsers[name] = await context.__aenter__()
        await log_in(browser, user)
        cast = await post_form(browser, page, {"project": str(projects[0].id), "action": "cast"})
        assert cast.status_code == 303
    receipt = f"{page}/receipt"
    for order in (["alice", "bob"], ["bob", "alice"]):
        await invalidate(app.state.redis)
        shared = {n: (await browsers[n].get(receipt)).text for n in order}
        alone = await rendered_alone(app, {n: browsers[n] for n in order}, receipt)
        for n in order:
            assert shared[n] == alone[n], n
    codes = {n: CODE.findall(html) for n, html in shared.items()}
    assert len(codes["alice"]) == len(codes["bob"]) == 1 and codes["alice"] != codes["bob"]
    assert codes["alice"][0] not in shared["bob"] and codes["bob"][0] not in shared["alice"]
    assert "Alice" not in shared["bob"] and "Bob" not in shared["alice"]
    assert "Budget &lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt;" in shared["alice"]
    with logged_queries() as statements:
        again = (await browsers["alice"].get(receipt)).text
    assert CODE.findall(again) == codes["alice"]
    assert not [s for s in statements if 'FROM "budgets_budget"' in s], statements
    for context in contexts:
        await context.__aexit__(None, None, None)


async def test_the_held_receipt_is_the_sealed_ballots_else_the_clear_ones(
    settings: Settings, app: Any
) -> None:
    """`held_receipt` reads both kinds of ballot in one statement: the sealed one's receipt when
    there is one (opened with the session's key: none without it), else the clear ballot's
    (budgets whose vote opened before sealed ballots), else none."""
    import uuid

    from nacl.secret import SecretBox

    from budgets.ballot_services import ballot_token, held_receipt
    from budgets.models import Ballot, SealedBallot

    budget, _ = await budget_in_voting()
    clear_token = ballot_token(settings, budget.id, 1)
    sealed_token = ballot_token(settings, budget.id, 2)
    await Ballot.create(
        id=uuid.uuid4(),
        budget_id=budget.id,
        token=clear_token,
        receipt="CLR1-2345-6789",
        choices="{}",
    )
    key = bytes(range(32))
    box = SecretBox(key).encrypt(b"SEAL-2345-6789")
    await SealedBallot.create(
        id=uuid.uuid4(), budget_id=budget.id, token=sealed_token, sealed=b"x", receipt_box=box
    )
    await Ballot.create(
        id=uuid.uuid4(),
        budget_id=budget.id,
        token=sealed_token,
        receipt="BOTH-2345-6789",
        choices="{}",
    )
    with logged_queries() as statements:
        assert await held_receipt(settings, budget.id, 1, key) == "CLR1-2345-6789"
    assert len(statements) == 1, statements
    assert await held_receipt(settings, budget.id, 2, key) == "SEAL-2345-6789"
    assert await held_receipt(settings, budget.id, 2, None) is None  # sealed: no key, no code
    assert await held_receipt(settings, budget.id, 3, key) is None
