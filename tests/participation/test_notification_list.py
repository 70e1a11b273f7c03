"""The in-app notification list says what the e-mail says: who acted, the new state, the title,
for every kind of notification (issue #15: the list read "La proposition « … » est maintenant :
." and " a proposé un amendement")."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import httpx

from participation.accounts.models import User
from participation.notifications import services as notifications
from participation.notifications.services import Kind
from participation.proposals import services as proposals
from participation.proposals.domain import ProposalState
from participation.settings import Settings
from tests.conftest import create_user, log_in
from tests.participation.proposal_factories import make_proposal


def _items(page: str) -> list[str]:
    """The sentences of the list as the resident reads them (tags removed, entities decoded)."""
    found = re.findall(r'<ul class="notifications">(.*?)</ul>', page, re.S)
    assert found, "no notification list on the page"
    items = re.findall(r"<li[^>]*>(.*?)</li>", found[0], re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


async def test_state_change_and_amendment_name_the_state_and_the_person(
    client: httpx.AsyncClient, citizen: User, admin: User, settings: Settings
) -> None:
    author = await create_user(settings, "autrice@example.org", display_name="Inès Autrice")
    proposal = await make_proposal(author, title="Des bancs place du Marché")
    amender = await create_user(settings, "amende@example.org", display_name="Jules Amendeur")
    await proposals.suggest_amendment(
        settings,
        proposal,
        amender,
        proposal.title,
        "<p>Six bancs à l'ombre des platanes, près de la fontaine.</p>",
        "Plus court",
    )
    await proposals.change_state(settings, proposal, ProposalState.UNDER_ANALYSIS, admin)
    await log_in(client, author)
    items = _items((await client.get("/notifications")).text)
    assert any(
        "La proposition « Des bancs place du Marché » est maintenant : en analyse." in i
        for i in items
    ), items
    assert any(
        "Jules Amendeur a proposé un amendement à « Des bancs place du Marché »." in i
        for i in items
    ), items


async def test_every_kind_reads_as_a_whole_sentence(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    """Each kind recorded as its caller records it; then the list, in French."""
    actor = await create_user(settings, "acteur@example.org", display_name="Léa Actrice")
    proposal = await make_proposal(citizen, title="Un composteur partagé")
    comment = None
    title = "Un composteur partagé"
    calls: list[tuple[str, dict[str, Any]]] = [
        (Kind.COMMENT, {"actor": actor}),
        (Kind.REPLY, {"actor": actor}),
        (Kind.ANSWER, {}),
        (Kind.STATE, {"state": "accepted"}),
        (Kind.THRESHOLD, {}),
        (Kind.AMENDMENT_SUGGESTED, {"actor": actor}),
        (Kind.AMENDMENT_ACCEPTED, {}),
        (Kind.MODERATION, {"state": "approved", "title": title}),
    ]
    for n, (kind, extra) in enumerate(calls):
        await notifications.notify(
            settings, kind, f"{kind}:{n}", [citizen], proposal, comment, **extra
        )
    # a moderation decision on content that is no proposal (a budget project)
    await notifications.notify(
        settings,
        Kind.MODERATION,
        "moderation:project",
        [citizen],
        None,
        state="hidden",
        title="Un verger partagé",
        link="/moderation/mine",
    )
    await notifications.notify_users(
        settings,
        Kind.FOLLOWUP_STATUS,
        "followup:7:status:1",
        [citizen.id],
        "The commitment “{title}” is now: {status}.",
        "/followup/7",
        title="Rénover le stade",
        status="In progress",
        translated=("status",),
    )
    await notifications.notify_users(
        settings,
        Kind.FOLLOWUP_MILESTONE,
        "followup:7:milestone:1",
        [citizen.id],
        "New milestone for the commitment “{title}” ({date}): {milestone}",
        "/followup/7",
        title="Rénover le stade",
        date=date(2026, 3, 1).strftime("%d/%m/%Y"),
        milestone="Travaux commencés.",
    )
    await log_in(client, citizen)
    page = (await client.get("/notifications")).text
    items = _items(page)
    expected = [
        "Léa Actrice a commenté « Un composteur partagé ».",
        "Léa Actrice a répondu à votre commentaire sur « Un composteur partagé ».",
        "La mairie a répondu à la proposition « Un composteur partagé ».",
        "La proposition « Un composteur partagé » est maintenant : acceptée.",
        "La proposition « Un composteur partagé » a atteint son seuil de soutiens.",
        "Léa Actrice a proposé un amendement à « Un composteur partagé ».",
        "Votre amendement à « Un composteur partagé » a été accepté.",
        "Un modérateur a examiné votre contribution sur « Un composteur partagé » : voir la "
        "décision et son motif.",
        "Un modérateur a examiné votre contribution sur « Un verger partagé » : voir la "
        "décision et son motif.",
        "L’engagement « Rénover le stade » est maintenant : En cours.",
        "L’engagement « Rénover le stade » a franchi une nouvelle étape.",
    ]
    for sentence in expected:
        assert any(sentence in item for item in items), (sentence, items)
    assert len(items) == len(expected)
    for item in items:  # no blank where a name, a state or a title should be
        assert " :." not in item and "« »" not in item and not item.startswith(" a ")
    assert 'href="/moderation/mine"' in page and 'href="/followup/7"' in page


async def test_the_list_shows_a_deleted_actor_as_a_former_participant(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    from participation.accounts.privacy import delete_account

    actor = await create_user(settings, "parti@example.org", display_name="Nom Effacé")
    proposal = await make_proposal(citizen, title="Une boîte à livres")
    await notifications.notify(
        settings, Kind.COMMENT, "comment:1", [citizen], proposal, actor=actor
    )
    await delete_account(actor)
    await log_in(client, citizen)
    items = _items((await client.get("/notifications")).text)
    assert "Nom Effacé" not in " ".join(items)
    assert any("a commenté « Une boîte à livres »." in item for item in items), items
