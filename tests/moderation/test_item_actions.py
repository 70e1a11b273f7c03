"""One item's decision from its own buttons in the queue (issue #22): a plain form that goes
back to the queue at the next item with a notice, the item swapped in place for htmx, a reason
still required, a second moderator told how the item really left the queue (another's decision,
its withdrawal, its deletion, its author's block; nothing written twice), a forged case and
another space's case the same 404. With htmx the refusals keep their statuses (422, 409:
base.html's htmx-config swaps them). The bulk form keeps working beside it."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx

from moderation import domain
from moderation.domain import Action, CaseStatus
from moderation.models import ModerationCase, ModerationDecision, ReasonTemplate
from participation.accounts.models import Role, User
from participation.audit import AuditLogEntry
from participation.contributions import ModerationState
from participation.proposals.models import Proposal
from tests.conftest import create_user, csrf_token, field_error, log_in, logged_in, post_form
from tests.moderation.helpers import decide, make_comment, moderated_proposal, pending_case
from tests.moderation.test_space_moderators import _two_spaces
from tests.participation.proposal_factories import make_proposal

MV = ModerationState


async def _waiting(author: User, *titles: str) -> list[ModerationCase]:
    """Proposals of `author` awaiting approval, oldest first, and their cases."""
    cases = []
    for title in titles:
        proposal = await moderated_proposal(author, MV.PENDING, title)
        cases.append(await pending_case("proposal", proposal.id, author.id))
    return cases


async def _act(
    client: httpx.AsyncClient, case_id: int, htmx: bool = False, **data: str
) -> httpx.Response:
    """`client` decides the case from its item's form (as htmx sends it when `htmx`)."""
    token = await csrf_token(client)
    headers = {"HX-Request": "true", "X-CSRF-Token": token} if htmx else {}
    return await client.post(
        f"/moderation/cases/{case_id}/decide",
        data={"csrf_token": token, **data},
        headers=headers,
    )


def plain(html: str) -> str:
    """The page's text with French typography's no-break spaces as spaces."""
    return html.replace("\u00a0", " ")


def test_each_state_offers_the_decisions_that_apply_to_it() -> None:
    assert domain.actions_for(MV.PENDING) == (Action.APPROVE, Action.HIDE, Action.REJECT)
    assert domain.actions_for(MV.VISIBLE) == (Action.APPROVE, Action.HIDE)
    assert domain.actions_for(MV.HIDDEN) == (Action.APPROVE, Action.HIDE)


async def test_each_item_has_its_own_buttons_and_the_bulk_form_stays(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    (waiting,) = await _waiting(citizen, "Un composteur rue des Lilas")
    proposal = await make_proposal(citizen, title="Des bancs au parc")
    reported = await make_comment(proposal, citizen)
    case = await pending_case("comment", reported.id, citizen.id)
    await log_in(client, moderator)
    page = (await client.get("/moderation")).text
    item = page.split(f'id="case-{waiting.id}"')[1].split('class="card moderation-item"')[0]
    assert f'action="/moderation/cases/{waiting.id}/decide"' in item
    assert re.findall(r'data-action="(\w+)"', item) == ["approve", "hide", "reject"]
    visible = page.split(f'id="case-{case.id}"')[1].split('id="decide-form"')[0]
    assert re.findall(r'data-action="(\w+)"', visible) == ["approve", "hide"]  # not pending
    assert f'name="next" value="{case.id}"' in item  # where the queue goes back to
    assert 'id="decide-form"' in page and 'form="decide-form"' in item  # bulk selection
    assert "Raccourcis clavier" in page and "js/moderation-queue.js" in page


async def test_approve_one_item_goes_back_to_the_queue_at_the_next_with_a_notice(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    first, second = await _waiting(citizen, "Un composteur rue des Lilas", "Une boîte à livres")
    template = await ReasonTemplate.create(
        text_fr="Votre contribution respecte la charte de participation.",
        text_en="Your contribution follows the participation charter.",
    )
    await log_in(client, moderator)
    response = await _act(
        client,
        first.id,
        action="approve",
        reason_template=str(template.id),
        next=str(second.id),
        back_type="proposal",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/moderation?type=proposal#decided"
    page = plain((await client.get(response.headers["location"])).text)
    # the notice in the item's place, before the next item, where the page opens
    notice = page.index('id="decided"')
    assert notice < page.index(f'id="case-{second.id}"')
    assert "Contribution approuvée : « Un composteur rue des Lilas »." in page[notice:]
    assert f'id="case-{first.id}"' not in page  # it left the queue
    assert 'class="flashes"' not in page  # said once, in its place
    again = plain((await client.get("/moderation")).text)
    assert 'id="decided"' not in again  # said once
    assert await Proposal.filter(moderation_state=MV.VISIBLE).count() == 1
    decision = await ModerationDecision.get()
    assert decision.reason == "Votre contribution respecte la charte de participation."
    entries = await AuditLogEntry.filter(action="decision:approve")
    assert [(e.actor_id, e.target_id) for e in entries] == [(moderator.id, first.target_id)]


async def test_reject_without_a_reason_is_refused_with_the_items_field_highlighted(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    (case,) = await _waiting(citizen, "Un composteur rue des Lilas")
    await log_in(client, moderator)
    response = await _act(client, case.id, action="reject", reason="  ")
    assert response.status_code == 422
    message = field_error(response.text, f"reason-template-{case.id}")
    assert plain(message).endswith("Indiquez un motif : l’auteur le recevra.")
    assert f'href="#reason-template-{case.id}"' in response.text  # the summary links to it
    assert "<title>Erreur – Modération" in response.text  # the window's title says so first
    await case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert await ModerationDecision.all().count() == 0 and await AuditLogEntry.all().count() == 0
    # htmx: the item again, with its field highlighted (422: swapped all the same)
    response = await _act(client, case.id, htmx=True, action="reject", reason="")
    assert response.status_code == 422 and "<html" not in response.text
    assert response.text.lstrip().startswith(
        f'<li class="card moderation-item" id="case-{case.id}"'
    )
    assert field_error(response.text, f"reason-template-{case.id}")
    # with a reason typed in the item: rejected
    response = await _act(client, case.id, action="reject", reason="Hors charte.")
    assert response.status_code == 303
    assert await Proposal.filter(moderation_state=MV.HIDDEN).count() == 1


async def test_htmx_replaces_the_item_by_what_was_done(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    first, second = await _waiting(citizen, "Un composteur rue des Lilas", "Une boîte à livres")
    await log_in(client, moderator)
    response = await _act(
        client, first.id, htmx=True, action="hide", reason="Propos vifs.", next=str(second.id)
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert f'id="case-{first.id}"' in response.text and "data-decided" in response.text
    assert f'data-next="case-{second.id}"' in response.text  # where focus goes
    assert 'id="queue-status" hx-swap-oob="innerHTML"' in response.text  # the live region
    assert (
        plain(response.text).count("Contribution masquée : « Un composteur rue des Lilas ».") == 2
    )
    assert "1 contribution en attente" in response.text  # the count above the list
    assert "Annuler" not in response.text  # no undo: decisions are notified and audited


async def test_the_second_moderator_is_told_it_was_already_decided(
    app: Any, settings: Any, moderator: User, citizen: User
) -> None:
    (case,) = await _waiting(citizen, "Un composteur rue des Lilas")
    other = await create_user(
        settings, "seconde@example.org", Role.MODERATOR, display_name="Sacha Seconde"
    )
    async with logged_in(app, moderator) as first, logged_in(app, other) as second:
        # both have the queue open; the first approves
        assert "Un composteur" in (await second.get("/moderation")).text
        assert (await _act(first, case.id, action="approve", reason="Conforme.")).status_code == 303
        response = await _act(second, case.id, action="reject", reason="Hors charte.")
        assert response.status_code == 409
        told = plain(response.text)
        assert "Contribution approuvée par Camille Test : « Un composteur rue des Lilas »." in told
        assert "Cette contribution a déjà quitté la file : rien n’a été modifié." in told
        htmx = await _act(second, case.id, htmx=True, action="hide", reason="Hors charte.")
        assert htmx.status_code == 409 and "a déjà quitté la file" in plain(htmx.text)
        assert "data-decided" in htmx.text
    assert await ModerationDecision.all().count() == 1
    assert await AuditLogEntry.filter(action__startswith="decision:").count() == 1
    assert await Proposal.filter(moderation_state=MV.VISIBLE).count() == 1


async def test_a_decision_that_no_longer_applies_is_refused(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    proposal = await make_proposal(citizen, title="Des bancs au parc")
    comment = await make_comment(proposal, citizen)
    case = await pending_case("comment", comment.id, citizen.id)  # visible, reported
    await log_in(client, moderator)
    response = await _act(client, case.id, action="reject", reason="Hors charte.")
    assert response.status_code == 409
    assert (
        "Cette décision ne s’applique pas à ce contenu tel qu’il est maintenant." in response.text
    )
    htmx = await _act(client, case.id, htmx=True, action="reject", reason="Hors charte.")
    assert htmx.status_code == 409 and "<html" not in htmx.text  # the item, its form's error
    assert htmx.text.lstrip().startswith(f'<li class="card moderation-item" id="case-{case.id}"')
    assert "ne s’applique pas à ce contenu" in htmx.text
    await case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and await ModerationDecision.all().count() == 0


async def test_a_forged_case_is_not_found_and_residents_are_refused(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    (case,) = await _waiting(citizen, "Un composteur rue des Lilas")
    await log_in(client, citizen)
    assert (await _act(client, case.id, action="approve", reason="Ok.")).status_code == 403
    await log_in(client, moderator)
    assert (await _act(client, 999_999, action="approve", reason="Ok.")).status_code == 404
    await case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


async def test_a_case_of_another_space_is_as_unknown_as_a_case_that_does_not_exist(
    app: Any, settings: Any, citizen: User
) -> None:
    """A space's moderator trying ids one by one learns nothing of the cases elsewhere: the
    same status and the same page for a case of another space and for no case (issue #22)."""
    world = await _two_spaces(settings, citizen)
    (_, mine_case), (_, other_case) = world["mine"], world["other"]
    missing = other_case + 1_000
    assert not await ModerationCase.filter(id=missing).exists()
    async with logged_in(app, world["keeper"]) as c:
        for htmx in (False, True):
            elsewhere = await _act(c, other_case, htmx, action="approve", reason="Conforme.")
            nowhere = await _act(c, missing, htmx, action="approve", reason="Conforme.")
            assert elsewhere.status_code == nowhere.status_code == 404
            # the same page (its language menu comes back to the address asked)
            path = f"/moderation/cases/{other_case}/"
            assert elsewhere.text.replace(path, f"/moderation/cases/{missing}/") == nowhere.text
        response = await _act(c, mine_case, action="approve", reason="Conforme.")
        assert response.status_code == 303
    assert await ModerationCase.filter(id=other_case, status=CaseStatus.OPEN).exists()
    assert not await ModerationCase.filter(id=mine_case, status=CaseStatus.OPEN).exists()


async def _told(app: Any, moderator: User, case: ModerationCase) -> tuple[str, str]:
    """What a moderator with the queue shown before `case` left it is told, without and with
    htmx (both 409, nothing written)."""
    decisions = await ModerationDecision.all().count()
    async with logged_in(app, moderator) as c:
        plain_answer = await _act(c, case.id, action="approve", reason="Conforme.")
        htmx_answer = await _act(c, case.id, htmx=True, action="approve", reason="Conforme.")
    assert plain_answer.status_code == htmx_answer.status_code == 409
    assert "<html" not in htmx_answer.text and "data-decided" in htmx_answer.text
    assert await ModerationDecision.all().count() == decisions
    return plain(plain_answer.text), plain(htmx_answer.text)


LEFT = "Cette contribution a déjà quitté la file : rien n’a été modifié."


async def test_a_withdrawn_item_is_told_withdrawn_not_the_decision_before(
    app: Any, settings: Any, moderator: User, citizen: User
) -> None:
    """The case was decided, reopened by a review request, then closed by its author's
    withdrawal (no decision row): the second moderator hears of the withdrawal, not of the
    decision that came before it."""
    (case,) = await _waiting(citizen, "Un composteur rue des Lilas")
    async with logged_in(app, moderator) as c:
        assert (await _act(c, case.id, action="hide", reason="Vif.")).status_code == 303
    decision = await ModerationDecision.get()
    async with logged_in(app, citizen) as c:
        page = "/moderation/mine"
        review = f"/moderation/decisions/{decision.id}/review"
        assert (await post_form(c, review, {"text": "Relisez."}, page=page)).status_code == 303
    await case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    proposal = await Proposal.get(id=case.target_id)
    async with logged_in(app, citizen) as c:
        page = f"/proposals/{proposal.id}"
        data = {"state": "withdrawn"}
        assert (await post_form(c, f"{page}/state", data, page=page)).status_code == 303
    for told in await _told(app, moderator, case):
        assert "Contribution retirée par son auteur : « Un composteur rue des Lilas »." in told
        assert LEFT in told and "masquée par" not in told


async def test_an_item_hidden_by_its_authors_block_is_told_so(
    app: Any, settings: Any, moderator: User, citizen: User
) -> None:
    (case,) = await _waiting(citizen, "Un composteur rue des Lilas")
    other = await create_user(
        settings, "seconde@example.org", Role.MODERATOR, display_name="Sacha Seconde"
    )
    async with logged_in(app, other) as c:
        url = f"/moderation/users/{citizen.id}/block"
        data = {"duration": "7d", "reason": "Insultes répétées."}
        assert (await post_form(c, url, data)).status_code == 303
    await case.refresh_from_db()
    assert case.closing == domain.CaseClosing.BLOCKED and case.closed_by_id == other.id
    for told in await _told(app, moderator, case):
        expected = "Contribution masquée quand Sacha Seconde a bloqué son auteur"
        assert f"{expected} : « Un composteur rue des Lilas »." in told and LEFT in told


async def test_a_deleted_comment_is_told_deleted_by_whom(
    app: Any, settings: Any, moderator: User, citizen: User
) -> None:
    proposal = await make_proposal(citizen, title="Des bancs au parc")
    comment = await make_comment(proposal, citizen, state=MV.PENDING)
    case = await pending_case("comment", comment.id, citizen.id)
    page = f"/proposals/{proposal.id}"
    async with logged_in(app, citizen) as c:
        url = f"{page}/comments/{comment.id}/delete"
        assert (await post_form(c, url, {}, page=page)).status_code == 303
    for told in await _told(app, moderator, case):
        assert "Contribution supprimée par son auteur : « Des bancs au parc »." in told


async def test_a_case_closed_before_closings_were_kept_says_only_that_it_left(
    app: Any, moderator: User, citizen: User
) -> None:
    (case,) = await _waiting(citizen, "Un composteur rue des Lilas")
    await ModerationCase.filter(id=case.id).update(status=CaseStatus.CLOSED)  # no closing
    for told in await _told(app, moderator, case):
        assert LEFT in told and "Contribution approuvée" not in told


async def test_bulk_decisions_still_work_beside_the_items_buttons(
    client: httpx.AsyncClient, moderator: User, citizen: User
) -> None:
    cases = await _waiting(citizen, "Un composteur", "Une boîte à livres")
    await log_in(client, moderator)
    response = await decide(client, [c.id for c in cases], "approve", "Conforme.")
    assert response.status_code == 303
    assert await Proposal.filter(moderation_state=MV.VISIBLE).count() == 2


async def test_moderators_deciding_one_item_at_once_write_one_decision(
    app: Any, settings: Any, citizen: User
) -> None:
    (case,) = await _waiting(citizen, "Un composteur rue des Lilas")
    people = [
        await create_user(settings, f"moderation{i}@example.org", Role.MODERATOR) for i in range(4)
    ]
    async with (
        logged_in(app, people[0]) as a,
        logged_in(app, people[1]) as b,
        logged_in(app, people[2]) as c,
        logged_in(app, people[3]) as d,
    ):
        actions = ("approve", "reject", "hide", "approve")
        answers = await asyncio.gather(
            *(
                _act(who, case.id, action=action, reason="Vu.")
                for who, action in zip((a, b, c, d), actions, strict=True)
            )
        )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [303, 409, 409, 409], statuses
    assert await ModerationDecision.all().count() == 1
    assert await AuditLogEntry.filter(action__startswith="decision:").count() == 1
