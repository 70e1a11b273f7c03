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
            "channel",  # participation.0025
        )
        await upgrade(old)
        again = await Comment.get(id=comment.id)
        assert (again.target_kind, again.target_id, again.proposal_id) == (
            "proposal",
            proposal.id,
            proposal.id,
        )


async def test_a_proposal_comment_written_around_the_model_is_found_on_its_proposal(
    tmp_path: Path, redis_url: str
) -> None:
    """participation.0026: a row of 0022 with its proposal but no target (a bulk insert left
    `target_id` at 0) is the `proposal` kind on it; another kind's row is left as it is."""
    async with database_at(tmp_path, redis_url, "participation.0025_comment_channel") as old:
        author = await create_user(old, "ancien@example.org")
        proposal = await insert_as_before(  # the columns of participation.0025
            Proposal(author_id=author.id, title="Des arceaux à vélo", body="<p>Vingt.</p>"),
            "collection_id",
        )
        await Comment.bulk_create(  # bulk_create does not go through Comment.save
            [
                Comment(proposal_id=proposal.id, author_id=author.id, body="<p>Sans cible</p>"),
                Comment(
                    target_kind="budget_project",
                    target_id=7,
                    author_id=author.id,
                    body="<p>Sur un projet</p>",
                ),
            ]
        )
        await upgrade(old)
        rows = (
            await Comment.all()
            .order_by("id")
            .values_list("target_kind", "target_id", "proposal_id")
        )
        assert rows == [("proposal", proposal.id, proposal.id), ("budget_project", 7, None)]
