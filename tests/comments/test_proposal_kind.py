"""A proposal is one more commentable kind (issues #17, #18): its comments go through the one
route module and service path, at the proposal's addresses and at /comments/proposal/<id>;
lists of them read their proposals in the same statement."""

from __future__ import annotations

import httpx

from participation.accounts.models import User
from participation.comments.models import Comment
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.conftest import count_queries, post_form
from tests.participation.proposal_factories import comment_on, make_proposal, others_proposal


async def test_a_proposal_comment_is_the_proposal_kind_and_counted(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    _, proposal, page = await others_proposal(settings, seen_by=(client, citizen))
    data = {"body": "Par l'adresse commune", "stance": "for"}
    response = await post_form(client, f"/comments/proposal/{proposal.id}", data, page=page)
    assert response.status_code == 303
    comment = await Comment.get()
    assert response.headers["location"] == (
        f"/proposals/{proposal.id}?comment={comment.id}#comment-{comment.id}"
    )
    assert (comment.target_kind, comment.target_id, comment.proposal_id) == (
        "proposal",
        proposal.id,
        proposal.id,
    )
    assert (await Proposal.get(id=proposal.id)).comment_count == 1
    page_html = (await client.get(page)).text
    assert f'action="/proposals/{proposal.id}/comments/{comment.id}/vote"' in page_html


async def test_a_refused_comment_comes_back_on_the_proposal_page(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    _, proposal, page = await others_proposal(settings, seen_by=(client, citizen))
    data = {"body": " ", "stance": "for"}
    for address in (f"{page}/comments", f"/comments/proposal/{proposal.id}"):
        response = await post_form(client, address, data, page=page)
        assert response.status_code == 422
        assert 'id="comment-body-new-error"' in response.text
        assert f'action="{page}/comments" class="comment-form"' in response.text  # its page
    assert await Comment.all().count() == 0


async def test_my_activity_reads_comments_on_proposals_in_a_fixed_number_of_statements(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    author, _, _ = await others_proposal(settings, seen_by=(client, citizen))
    counts = []
    for volume in (1, 6):
        while (made := await Comment.filter(author_id=citizen.id).count()) < volume:
            proposal = await make_proposal(author, title=f"Sujet numéro {made}")
            await comment_on(settings, proposal, citizen, f"Avis numéro {made}")
        await client.get("/account/activity")
        count, response = await count_queries(client, "/account/activity")
        assert response.status_code == 200 and f"Sujet numéro {volume - 1}" in response.text
        counts.append(count)
    assert counts[0] == counts[1], counts
