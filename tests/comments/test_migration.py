"""participation.0022 on a database holding comments written before it: each becomes a comment
of the `proposal` kind on its proposal, with the same id and at the same URL (SQLite and
PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from participation.comments.models import Comment
from participation.proposals.models import Proposal
from tests.conftest import create_user, database_at, insert_as_before, upgrade


async def test_old_comments_are_on_their_proposal(tmp_path: Path, redis_url: str) -> None:
    async with database_at(tmp_path, redis_url, "participation.0021_counter_channels") as old:
        author = await create_user(old, "ancien@example.org")
        proposal = await insert_as_before(  # the columns of participation.0021
            Proposal(author_id=author.id, title="Des arceaux à vélo", body="<p>Vingt.</p>"),
            "collection_id",
        )
        comment = await insert_as_before(  # the columns of participation.0021
            Comment(proposal_id=proposal.id, author_id=author.id, body="<p>Un ancien avis</p>"),
            "target_kind",
            "target_id",
        )
        await upgrade(old)
        again = await Comment.get(id=comment.id)
        assert (again.target_kind, again.target_id, again.proposal_id) == (
            "proposal",
            proposal.id,
            proposal.id,
        )
