"""A new feature is one package plus one line: moderation, the RGPD export and erasure, the
demo town, the routes, the database, the notifications, the links between contents and the
Administration page learn it from its manifest alone (tests/petitions: a model, a content kind,
personal data, a demo, routes, a notification kind, related links and an admin line, named
nowhere in the application); the route walkers of the tests learn its routes from its
`tests/petitions/walks.py` (named nowhere in the walkers).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from moderation import services as moderation
from participation import demo, features, ratelimit, related
from participation.accounts.models import User
from participation.accounts.privacy import delete_account, export_personal_data
from participation.contributions import ModerationState, content_kinds
from participation.i18n import gettext
from participation.notifications import services as notifications
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.ratelimit import HOUR, Limit
from participation.settings import Settings
from tests import conftest
from tests.browser import test_page_coverage
from tests.conftest import log_in
from tests.petitions.manifest import ANSWERED, DEMO_TITLE
from tests.petitions.models import Petition
from tests.security import test_access_matrix as access
from tests.security.world import ROLES, app_routes, logged_in_client, seed_world


@pytest.fixture(autouse=True)
def petitions_installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The one line: the feature's package in INSTALLED (before the app and its database)."""
    monkeypatch.setattr(features, "INSTALLED", (*features.INSTALLED, "tests.petitions"))
    # PostgreSQL keeps one schema for the whole run: rebuild it with this feature's table,
    # and again after the test, without it
    monkeypatch.setattr(conftest, "_postgres_schema_ready", False)
    yield
    conftest._postgres_schema_ready = False


async def petition(author: User, state: ModerationState) -> Petition:
    return await Petition.create(
        title="Rouvrir la piscine municipale en été",
        body="<p>La piscine ferme en juillet : rouvrons-la.</p>",
        author_id=author.id,
        contact_phone="06 12 34 56 78",
        moderation_state=state,
    )


async def test_moderation_learns_the_new_kind_from_its_manifest(
    client: httpx.AsyncClient, settings: Settings, citizen: User, moderator: User
) -> None:
    assert list(content_kinds())[-1] == "petition"
    pending = await petition(citizen, ModerationState.PENDING)
    await moderation.open_pending_case("petition", pending.id, citizen.id)
    await log_in(client, moderator)
    queue = await client.get("/moderation")
    assert queue.status_code == 200
    assert "Rouvrir la piscine municipale en été" in queue.text
    assert '<option value="petition"' in queue.text  # the kind filter lists it
    await moderation.block(moderator, citizen.id, "7d", "Messages insultants répétés")
    assert (await Petition.get(id=pending.id)).moderation_state == ModerationState.HIDDEN
    assert (await client.get(f"/petitions/{pending.id}")).text == pending.title  # its route


async def test_the_export_and_the_erasure_learn_its_personal_data(
    settings: Settings, citizen: User
) -> None:
    await petition(citizen, ModerationState.VISIBLE)
    data = await export_personal_data(citizen, gettext)
    assert data["petitions"] == [
        {"title": "Rouvrir la piscine municipale en été", "contact_phone": "06 12 34 56 78"}
    ]
    await delete_account(citizen)
    kept = await Petition.get(author_id=citizen.id)
    assert kept.contact_phone == "" and kept.title == "Rouvrir la piscine municipale en été"


async def test_the_demo_town_learns_its_demo(app: Any, settings: Settings) -> None:
    await demo.seed(settings)
    assert await Petition.filter(title=DEMO_TITLE).count() == 1
    await demo.seed(settings)  # idempotent, like every demo
    assert await Petition.filter(title=DEMO_TITLE).count() == 1


async def test_notifications_learn_its_kind(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    answered = await petition(citizen, ModerationState.VISIBLE)
    emails = await notifications.notify_users(
        settings,
        ANSWERED,
        f"petition:{answered.id}:answered",
        [citizen.id],
        "The council answered the petition “{title}”.",
        f"{settings.base_url}/petitions/{answered.id}",
        title=answered.title,
    )
    assert [email.subject for email in emails] == [
        f"[{settings.site_name}] A petition was answered"
    ]
    await log_in(client, citizen)
    listing = (await client.get("/notifications")).text
    assert "The council answered the petition “Rouvrir la piscine municipale en été”." in listing
    assert f'href="/petitions/{answered.id}"' in listing


async def test_other_pages_learn_its_related_links(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    proposal = await Proposal.create(
        title="Des bancs au parc",
        body="<p>Des bancs.</p>",
        author_id=citizen.id,
        state=ProposalState.PUBLISHED,
    )
    quoting = await petition(citizen, ModerationState.VISIBLE)
    quoting.body = f"<p>Comme la proposal {proposal.id}.</p>"
    await quoting.save()
    links = await related.links_for("proposal", proposal.id)
    assert [(link.title, link.url) for link in links] == [
        ("Rouvrir la piscine municipale en été", f"/petitions/{quoting.id}")
    ]
    page = (await client.get(f"/proposals/{proposal.id}")).text
    assert f'<a href="/petitions/{quoting.id}">Rouvrir la piscine municipale en été</a>' in page


async def test_the_administration_page_learns_its_links(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    page = (await client.get("/admin")).text
    assert '<li><a href="/admin/petitions">Petitions to answer</a></li>' in page
    # at its position (55): after the dashboard (50), before the commitments (60)
    assert page.index('href="/admin/indicators"') < page.index('href="/admin/petitions"')
    assert page.index('href="/admin/petitions"') < page.index('href="/admin/followup"')


async def test_the_rate_limits_and_the_settings_page_learn_its_limited_actions(
    client: httpx.AsyncClient, admin: User
) -> None:
    assert ratelimit.LIMITS["petition_sign"] == (Limit("petition_sign", "ip", 5, HOUR),)
    assert list(ratelimit.actions())[-1] == "petition_sign"  # after the core's and the others'
    await log_in(client, admin)
    page = (await client.get("/admin/settings")).text
    assert 'value="petition_sign"' in page and "Petition signatures" in page


async def test_the_route_walkers_learn_its_routes(app: Any, settings: Settings) -> None:
    """Every route is in the access matrix and every page audited or exempt (its rows come from
    tests/petitions/walks.py), the world holds a petition, and each person gets what the rows
    say from its routes."""
    access.test_every_route_is_in_the_matrix(app)
    await test_page_coverage.test_every_get_route_is_audited_or_exempt_with_a_reason()
    world = await seed_world(settings)
    assert (await Petition.get(id=world.ids["petition_id"])).author_id == world.owner.id
    routes = [e for e in app_routes(app) if "petition" in e.path]
    matrix = access.expected()
    for role in ROLES:
        async with logged_in_client(app, world.user(role)) as person:
            seen = await access.outcomes(person, world, routes)
        assert set(seen) == {"GET /petitions/{petition_id}", "GET /admin/petitions"}
        access.assert_as_listed(seen, matrix, role)
