"""Administrators edit the ready-made reasons offered in the queue, in French and English;
every change is audited; moderators pick them in their language."""

from __future__ import annotations

import json
from typing import Any

import httpx

from moderation.models import ModerationDecision, ReasonTemplate
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.contributions import ModerationState
from tests.conftest import log_in, logged_in, post_form
from tests.moderation.helpers import decide, pending_case
from tests.participation.proposal_factories import make_proposal

URL = "/admin/moderation/reasons"
FR = "Votre texte répète une contribution existante."
EN = "Your text repeats an existing contribution."


async def test_admins_create_edit_and_delete_reasons_with_audit_entries(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    response = await post_form(client, URL, {"text_fr": FR, "text_en": EN}, page=URL)
    assert response.status_code == 303
    template = await ReasonTemplate.get()
    assert (template.text_fr, template.text_en) == (FR, EN)
    listing = await client.get(URL)
    assert FR in listing.text and EN in listing.text
    edit = f"{URL}/{template.id}"
    changed = {"text_fr": FR + " Merci de la soutenir.", "text_en": EN + " Support it instead."}
    assert (await post_form(client, edit, changed, page=edit)).status_code == 303
    await template.refresh_from_db()
    assert template.text_fr.endswith("Merci de la soutenir.")
    assert (await post_form(client, f"{edit}/delete", {}, page=URL)).status_code == 303
    assert not await ReasonTemplate.exists()

    created, updated, deleted = await AuditLogEntry.filter(target_type="reason_template").order_by(
        "id"
    )
    assert [e.action for e in (created, updated, deleted)] == [
        "reason_template_created",
        "reason_template_updated",
        "reason_template_deleted",
    ]
    assert all(e.actor_id == admin.id and e.target_id == template.id for e in (created, updated))
    assert json.loads(updated.before) == {"fr": FR, "en": EN}
    assert json.loads(updated.after)["en"] == EN + " Support it instead."
    assert json.loads(deleted.before)["fr"] == FR + " Merci de la soutenir."
    assert (await client.get(edit)).status_code == 404


async def test_a_reason_needs_both_languages(client: httpx.AsyncClient, admin: User) -> None:
    await log_in(client, admin)
    response = await post_form(client, URL, {"text_fr": FR, "text_en": "  "}, page=URL)
    assert response.status_code == 422
    assert 'aria-describedby="text_en-error"' in response.text
    assert "Écrivez le motif dans cette langue." in response.text
    assert FR in response.text  # what was typed is kept
    response = await post_form(client, URL, {"text_fr": "x" * 1001, "text_en": EN}, page=URL)
    assert response.status_code == 422 and "1 000 caractères" in response.text
    template = await ReasonTemplate.create(text_fr=FR, text_en=EN)
    edit = f"{URL}/{template.id}"
    response = await post_form(client, edit, {"text_fr": "", "text_en": EN}, page=edit)
    assert response.status_code == 422
    await template.refresh_from_db()
    assert template.text_fr == FR
    assert await ReasonTemplate.all().count() == 1 and not await AuditLogEntry.exists()


async def test_moderators_get_the_reason_in_their_language(
    app: Any, moderator: User, citizen: User
) -> None:
    template = await ReasonTemplate.create(text_fr=FR, text_en=EN)
    proposals = [await make_proposal(citizen, title=f"Proposition n° {i}") for i in range(2)]
    cases = [await pending_case("proposal", p.id, citizen.id) for p in proposals]
    for p in proposals:
        p.moderation_state = ModerationState.PENDING
        await p.save(update_fields=["moderation_state"])
    async with logged_in(app, moderator) as c:
        await decide(c, [cases[0].id], "reject", "", reason_template=str(template.id))
        await post_form(c, "/language", {"language": "en", "next": "/"})
        queue = await c.get("/moderation")
        assert f'<option value="{template.id}">{EN}</option>' in queue.text.replace("&#39;", "'")
        await decide(c, [cases[1].id], "reject", "", reason_template=str(template.id))
        # a forged template id is no reason at all
        for forged in ("999", "²", "9" * 20):  # not ASCII digits, or too big for an id: no 500
            response = await decide(c, [cases[1].id], "approve", "", reason_template=forged)
            assert response.status_code == 422, forged
    reasons = [d.reason for d in await ModerationDecision.all().order_by("id")]
    assert reasons == [FR, EN]
