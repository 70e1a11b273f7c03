"""The notifications page reads its rows in one plain statement (issue #23,
`notifications.services.listed`): the same notifications, in the same order, worded and linked
the same as read through the models (`recent`), so the page is byte for byte what it was; each
resident gets their own list, nothing of the one before."""

from __future__ import annotations

from typing import Any

import pytest

from participation.accounts.privacy import delete_account
from participation.contributions import ModerationState
from participation.notifications import services as notifications
from participation.notifications.models import Notification
from participation.notifications.services import Kind
from participation.settings import Settings
from tests.conftest import browser_of, create_user, log_in, logged_queries
from tests.moderation.helpers import make_comment
from tests.participation.proposal_factories import make_proposal

SPECIAL = "<b>\"A&B\"</b> 'x'"


async def a_full_list(settings: Settings, app: Any) -> dict[str, Any]:
    """Alice with notifications of every shape (names and titles full of HTML specials, read
    and unread, about hidden content, by a deleted account), Bob with one of his own."""
    alice = await create_user(settings, "alice@example.org", display_name=f"Alice {SPECIAL}")
    bob = await create_user(settings, "bob@example.org", display_name="Bob & <i>Durand</i>")
    actor = await create_user(settings, "actor@example.org", display_name=f"Léa {SPECIAL}")
    gone = await create_user(settings, "gone@example.org", display_name="Nom Effacé")
    other = await create_user(settings, "other@example.org", display_name="Autre")
    mine = await make_proposal(alice, title=f"Des bancs {SPECIAL}")
    pending_mine = await make_proposal(
        alice, title="La mienne en attente", moderation_state=ModerationState.PENDING
    )
    pending_other = await make_proposal(
        other, title="SECRET en attente", moderation_state=ModerationState.PENDING
    )
    visible = await make_comment(mine, actor, "<p>Un avis</p>")
    hidden = await make_comment(mine, actor, "<p>SECRET</p>", state=ModerationState.HIDDEN)
    await notifications.notify(settings, Kind.COMMENT, "c:1", [alice], mine, visible, actor=actor)
    await notifications.notify(settings, Kind.REPLY, "c:2", [alice], mine, hidden, actor=actor)
    await notifications.notify(settings, Kind.STATE, "s:1", [alice], mine, state="accepted")
    await notifications.notify(settings, Kind.ANSWER, "a:1", [alice], pending_mine)
    await notifications.notify(settings, Kind.THRESHOLD, "t:1", [alice], pending_other)
    await notifications.notify(settings, Kind.COMMENT, "c:3", [alice], mine, actor=gone)
    await notifications.notify(
        settings, Kind.MODERATION, "m:1", [alice], pending_mine, state="hidden", title="Tiens"
    )
    await notifications.notify(
        settings,
        Kind.MODERATION,
        "m:2",
        [alice],
        None,
        state="hidden",
        title=f"Un verger {SPECIAL}",
        link="/moderation/mine",
    )
    await notifications.notify_users(
        settings,
        Kind.FOLLOWUP_STATUS,
        "followup:7:status:1",
        [alice.id],
        "The commitment “{title}” is now: {status}.",
        "/followup/7",
        title=f"Le stade {SPECIAL}",
        status="In progress",
        translated=("status",),
    )
    await notifications.notify(settings, Kind.COMMENT, "c:9", [bob], mine, visible, actor=actor)
    await delete_account(gone)
    await Notification.filter(user_id=alice.id, event_key="s:1").update(read_at=visible.created_at)
    return {"alice": alice, "bob": bob}


def _as_shown(items: list[Any]) -> list[tuple[Any, ...]]:
    """What the page shows of each notification (templates/notifications/index.html)."""
    return [
        (n.id, notifications.describe(n), notifications.link_of(n), n.read_at, n.created_at)
        for n in items
    ]


async def test_the_rows_read_in_one_statement_are_those_of_the_models(
    settings: Settings, app: Any
) -> None:
    people = await a_full_list(settings, app)
    for person in people.values():
        for limit in (50, 3):
            with logged_queries() as statements:
                rows = await notifications.listed(person.id, limit)
            assert len(statements) == 1, statements
            assert _as_shown(rows) == _as_shown(await notifications.recent(person.id, limit))
    shown = _as_shown(await notifications.listed(people["alice"].id))
    assert len(shown) == 7  # the hidden comment and another's pending proposal left out
    assert not any("SECRET" in sentence for _, sentence, *_ in shown)


async def test_each_resident_gets_their_list_as_the_models_rendered_it(
    settings: Settings, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = await a_full_list(settings, app)
    pages: dict[str, str] = {}
    for name in ("alice", "bob", "alice"):  # one resident after the other in one process
        async with browser_of(app) as browser:
            await log_in(browser, people[name])
            await browser.get("/")  # their "logged in" message
            with logged_queries() as statements:
                page = (await browser.get("/notifications")).text
            assert len(statements) == 2, statements  # the session, the list
            with monkeypatch.context() as m:  # the page as it was: the rows as models
                m.setattr(notifications, "listed", notifications.recent)
                before = (await browser.get("/notifications")).text
            assert page == before, name
            pages[name] = page
    alice, bob = pages["alice"], pages["bob"]
    assert "Léa &lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt;" in alice
    assert "Des bancs &lt;b&gt;" in alice and "Un verger &lt;b&gt;" in alice
    assert "SECRET" not in alice and "Nom Effacé" not in alice
    assert "Alice" not in bob and "Un verger" not in bob and "Des bancs" in bob
    assert alice.count('class="unread"') == 6 and alice.count('class="read"') == 1
