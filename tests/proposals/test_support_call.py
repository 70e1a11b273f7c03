"""A signed-out visitor on a published proposal (issue #22): a call to support, the reason in
one sentence (the threshold and the council's answer) and a log-in link that brings them back
to the proposal, where they support it."""

from __future__ import annotations

import re

import httpx

from participation.accounts.models import User
from participation.proposals.domain import ProposalState
from tests.conftest import TEST_PASSWORD, create_user, csrf_token
from tests.participation.proposal_factories import make_proposal
from tests.proposals.factories import ideas_box


async def test_a_visitor_is_told_why_to_log_in_and_comes_back_to_support(
    client: httpx.AsyncClient, settings: object, citizen: User
) -> None:
    box = await ideas_box(support_threshold=25)
    proposal = await make_proposal(citizen, collection_id=box.id)
    here = f"/proposals/{proposal.id}"
    page = (await client.get(here, headers={"Accept-Language": "fr"})).text
    support = page.split('<div class="support" id="support">', 1)[1].split("</div>", 1)[0]
    assert "à 25 soutiens, la mairie étudie la proposition et lui répond publiquement" in support
    link = re.search(r'<a class="button button-primary" href="([^"]+)">([^<]+)</a>', support)
    assert link and link.group(2) == "Se connecter pour soutenir"
    assert link.group(1) == f"/account/login?next=/proposals/{proposal.id}"
    assert 'href="/account/signup"' in support
    # the link's page logs in and comes back to the proposal
    neighbour = await create_user(settings, "voisine@example.org")  # type: ignore[arg-type]
    token = await csrf_token(client, link.group(1))
    back = await client.post(
        "/account/login",
        data={
            "email": neighbour.email,
            "password": TEST_PASSWORD,
            "next": here,
            "csrf_token": token,
        },
    )
    assert back.status_code == 303 and back.headers["location"] == here


async def test_no_call_on_a_proposal_that_takes_no_more_support(
    client: httpx.AsyncClient, citizen: User
) -> None:
    answered = await make_proposal(citizen, ProposalState.ACCEPTED)
    page = (await client.get(f"/proposals/{answered.id}", headers={"Accept-Language": "fr"})).text
    assert "Se connecter pour soutenir" not in page
