"""participation.0027 on a database of the release before it (SQLite and PostgreSQL): the
proposals that exist go into one collection of the default space, whose rules are the site's
settings of that moment; their URLs keep working; a database without proposals gets none."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise import timezone

from participation.app import create_app
from participation.proposals.models import Proposal, ProposalCollection
from participation.proposals.queries import offered_categories
from participation.sitesettings.models import SiteSettings
from participation.spaces.models import Space
from tests.conftest import (
    browser_of,
    create_user,
    database_at,
    insert_as_before,
    upgrade,
)
from tests.participation.proposal_factories import make_territory

BEFORE = "participation.0022_comment_targets"
# what a space had before participation.0033 made its image a picture (no database default)
SPACE_IMAGE_BEFORE_0033 = {"image_alt": "", "image_version": 0}


async def _old_proposal(author_id: int, title: str) -> Proposal:
    category, district = await make_territory()
    return await insert_as_before(  # the columns of participation.0022
        Proposal(
            author_id=author_id,
            title=title,
            body="<p>Installer vingt arceaux à vélo devant l'école Jules-Ferry.</p>",
            category_id=category.id,
            district_id=district.id,
            state="published",
            published_at=timezone.now(),
        ),
        "collection_id",
        "image_id",  # participation.0031
    )


async def test_existing_proposals_go_into_a_default_collection_with_the_site_rules(
    tmp_path: Path, redis_url: str
) -> None:
    async with database_at(tmp_path, redis_url, BEFORE) as old:
        author = await create_user(old, "ancienne@example.org")
        first = await _old_proposal(author.id, "Des arceaux à vélo devant l'école")
        second = await _old_proposal(author.id, "Un composteur dans le square")
        await insert_as_before(  # the settings saved in the browser before the upgrade
            SiteSettings(
                version=3,
                site_name="Villebelle",
                default_language="fr",
                primary_colour="#000091",
                proposal_support_threshold=42,
                moderation_report_threshold=3,
                premoderated_content="comment,proposal",
                updated_at=timezone.now(),
            ),
            "map_tile_url",  # participation.0032
            "map_tile_attribution",
        )

        await upgrade(old)

        [space] = await Space.all()
        assert (space.slug, space.title) == ("demarche-generale", "Démarche générale")
        [collection] = await ProposalCollection.all()
        assert collection.space_id == space.id
        assert (collection.support_threshold, collection.premoderated) == (42, True)
        assert collection.accepting and collection.amendments_open
        for proposal in (first, second):
            assert (await Proposal.get(id=proposal.id)).collection_id == collection.id
        application = create_app(old)  # the addresses did not change
        async with application.router.lifespan_context(application):
            async with browser_of(application) as client:
                page = await client.get(f"/proposals/{first.id}")
        assert page.status_code == 200
        assert "Démarche générale" in page.text and "Boîte à idées" in page.text


async def test_without_saved_settings_the_environment_gives_the_rules(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROPOSAL_SUPPORT_THRESHOLD", "25")
    monkeypatch.setenv("PREMODERATED_CONTENT", "consultation_answer")
    async with database_at(tmp_path, redis_url, BEFORE) as old:
        await insert_as_before(  # a default space already made by the budgets' migration
            Space(title="Démarche générale", slug="demarche-generale", starts_at=timezone.now()),
            "sanitized_with",  # participation.0034
            "image_id",  # participation.0033, where the two image columns went
            gone_since=SPACE_IMAGE_BEFORE_0033,
        )
        author = await create_user(old, "ancienne@example.org")
        proposal = await _old_proposal(author.id, "Un composteur dans le square")

        await upgrade(old)

        assert await Space.all().count() == 1
        [collection] = await ProposalCollection.all().select_related("space")
        assert collection.space.slug == "demarche-generale"
        assert (collection.support_threshold, collection.premoderated) == (25, False)
        assert (await Proposal.get(id=proposal.id)).collection_id == collection.id


async def test_a_database_without_proposals_gets_no_collection(
    tmp_path: Path, redis_url: str
) -> None:
    async with database_at(tmp_path, redis_url, BEFORE) as old:
        await upgrade(old)
        assert await ProposalCollection.all().count() == 0
        assert await Space.all().count() == 0


async def test_the_collections_of_before_0028_offer_the_sites_categories(
    tmp_path: Path, redis_url: str
) -> None:
    async with database_at(tmp_path, redis_url, "participation.0027_proposal_collections") as old:
        category, _ = await make_territory()
        space = await insert_as_before(
            Space(title="Démarche", slug="demarche", starts_at=timezone.now()),
            "sanitized_with",  # participation.0034
            "image_id",  # participation.0033, where the two image columns went
            gone_since=SPACE_IMAGE_BEFORE_0033,
        )
        collection = await insert_as_before(  # the columns of participation.0027
            ProposalCollection(space_id=space.id, title="Boîte à idées", support_threshold=5)
        )

        await upgrade(old)

        assert [c.id for c in await offered_categories([collection.id])] == [category.id]
