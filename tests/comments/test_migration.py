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
            "image_id",  # participation.0031
        )
        comment = await insert_as_before(  # the columns of participation.0021
            Comment(proposal_id=proposal.id, author_id=author.id, body="<p>Un ancien avis</p>"),
            "target_kind",
            "target_id",
            "channel",  # participation.0025
            "updated_at",  # participation.0029
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
            "image_id",  # participation.0031
        )
        for written in (  # as a bulk insert writes them: not through Comment.save
            Comment(proposal_id=proposal.id, author_id=author.id, body="<p>Sans cible</p>"),
            Comment(
                target_kind="budget_project",
                target_id=7,
                author_id=author.id,
                body="<p>Sur un projet</p>",
            ),
        ):
            await insert_as_before(written, "updated_at")  # participation.0029
        await upgrade(old)
        rows = (
            await Comment.all()
            .order_by("id")
            .values_list("target_kind", "target_id", "proposal_id")
        )
        assert rows == [("proposal", proposal.id, proposal.id), ("budget_project", 7, None)]


async def test_old_comments_get_their_updated_at_and_the_trigger(
    tmp_path: Path, redis_url: str
) -> None:
    """participation.0029: a comment of before gets `updated_at` = its last edit, else its
    creation; from then on a plain UPDATE of its text moves it (the migration's trigger)."""
    from datetime import UTC, datetime

    async with database_at(tmp_path, redis_url, "participation.0027_proposal_collections") as old:
        author = await create_user(old, "ancien@example.org")
        proposal = await insert_as_before(  # the columns of participation.0027
            Proposal(author_id=author.id, title="Des arceaux", body="<p>V</p>"),
            "image_id",  # participation.0031
        )
        written = datetime(2026, 3, 1, 9, tzinfo=UTC)
        edited_on = datetime(2026, 3, 2, 9, tzinfo=UTC)
        plain, edited = [
            await insert_as_before(  # the columns of participation.0027
                Comment(
                    proposal_id=proposal.id,
                    author_id=author.id,
                    body=f"<p>{text}</p>",
                    created_at=written,
                    edited_at=edited_at,
                ),
                "updated_at",
            )
            for text, edited_at in (("Tel quel", None), ("Revu", edited_on))
        ]
        await upgrade(old)
        assert (await Comment.get(id=plain.id)).updated_at == written
        assert (await Comment.get(id=edited.id)).updated_at == edited_on
        before = datetime.now(UTC)
        await Comment.filter(id=plain.id).update(body="<p>Changé</p>")
        assert (await Comment.get(id=plain.id)).updated_at >= before
