"""Response templates: staff manage them on the desk (per category or for all) and choose one
when changing a state, which prefills the public message: a GET form without JavaScript, the
message field alone for htmx. Bad input: 4xx, French message, field highlighted, nothing
written."""

from __future__ import annotations

import html
from typing import Any

import httpx
import pytest

from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.refusals import Refused
from signalements import domain
from signalements.models import ResponseTemplate
from tests.conftest import field_error, log_in, post_form
from tests.signalements.factories import open_report, pothole_category

TEXT = "Votre signalement est transmis au service voirie, qui passe sur place cette semaine."


def test_parse_template() -> None:
    form = domain.parse_template({"category": "3", "title": " Transmis ", "text": TEXT}, [3, 4])
    assert form == domain.TemplateForm(3, "Transmis", TEXT)
    assert domain.parse_template({"title": "T", "text": "x"}, []).category_id is None
    with pytest.raises(Refused) as refused:
        domain.parse_template({"category": "9", "title": "", "text": "x" * 2001}, [3])
    assert {p.field for p in refused.value.problems} == {"category", "title", "text"}


async def test_staff_add_edit_and_delete_templates(client: httpx.AsyncClient, admin: User) -> None:
    category = await pothole_category()
    await log_in(client, admin)
    page = "/admin/signalements/templates"
    assert "Aucun modèle de réponse" in (await client.get(page)).text
    added = await post_form(
        client, page, {"category": str(category.id), "title": "Transmis", "text": TEXT}, page
    )
    assert added.status_code == 303
    template = await ResponseTemplate.get()
    assert (template.category_id, template.title, template.text) == (category.id, "Transmis", TEXT)
    listed = (await client.get(page)).text
    assert "Transmis" in listed and "Voirie" in listed
    edit = f"{page}/{template.id}"
    saved = await post_form(
        client, edit, {"category": "", "title": "Pour tous", "text": TEXT}, edit
    )
    assert saved.status_code == 303
    assert (await ResponseTemplate.get()).category_id is None
    assert "Toutes les catégories" in (await client.get(page)).text
    logged = await AuditLogEntry.filter(action="signalement_template").order_by("id")
    assert [(e.actor_id, e.target_kind, e.target_id) for e in logged] == [
        (admin.id, "signalement_template", template.id)
    ] * 2
    assert '"title": "Transmis"' in logged[0].after and '"title": "Pour tous"' in logged[1].after
    deleted = await post_form(client, f"{edit}/delete", {}, edit)
    assert deleted.status_code == 303 and not await ResponseTemplate.exists()
    assert (await client.get(edit)).status_code == 404


async def test_bad_template_is_refused_and_nothing_written(
    client: httpx.AsyncClient, admin: User
) -> None:
    await pothole_category()
    await log_in(client, admin)
    page = "/admin/signalements/templates"
    bad = await post_form(client, page, {"category": "999999", "title": "", "text": ""}, page)
    assert bad.status_code == 422
    assert "Donnez au modèle un titre court" in field_error(bad.text, "title")
    assert field_error(bad.text, "text") and field_error(bad.text, "category")
    assert not await ResponseTemplate.exists()


async def test_choosing_a_template_prefills_the_public_message(
    client: httpx.AsyncClient, admin: User
) -> None:
    category = await pothole_category()
    other = await pothole_category(name="Éclairage")
    report = await open_report(category)
    mine = await ResponseTemplate.create(category=category, title="Transmis", text=TEXT)
    everyone = await ResponseTemplate.create(title="Non constaté", text="Rien constaté sur place.")
    theirs = await ResponseTemplate.create(category=other, title="Lampe changée", text="LED.")
    await log_in(client, admin)
    page = f"/admin/signalements/{report.id}"
    shown = (await client.get(page)).text
    assert "Modèle de réponse" in shown and "Utiliser ce modèle" in shown
    assert "Transmis" in shown and "Non constaté" in shown and "Lampe changée" not in shown
    # without JavaScript: the GET form brings the page back with the message written
    used = await client.get(page, params={"template": str(mine.id)})
    assert used.status_code == 200
    assert f">{html.escape(TEXT, quote=False)}</textarea>" in used.text.replace("&#39;", "'")
    assert f'<option value="{mine.id}" selected' in used.text
    # htmx: the message field alone
    swapped = await client.get(
        page, params={"template": str(everyone.id)}, headers={"HX-Request": "true"}
    )
    assert swapped.status_code == 200 and 'id="change-message"' in swapped.text
    assert "Rien constaté sur place." in swapped.text and "<html" not in swapped.text
    # another category's template, or a forged number: refused, the select highlighted
    for forged in (str(theirs.id), "999999", "abc"):
        refused = await client.get(page, params={"template": forged})
        assert refused.status_code == 422
        assert "Choisissez un des modèles de réponse" in field_error(refused.text, "template")
        # htmx: the message field again, 422 as well (base.html's htmx-config swaps it)
        refused = await client.get(
            page, params={"template": forged}, headers={"HX-Request": "true"}
        )
        assert refused.status_code == 422 and 'id="change-message"' in refused.text
        assert "<html" not in refused.text


async def test_the_message_sent_is_what_staff_submitted(
    client: httpx.AsyncClient, admin: User, app: Any
) -> None:
    category = await pothole_category()
    report = await open_report(category)
    template = await ResponseTemplate.create(title="Transmis", text=TEXT)
    await log_in(client, admin)
    page = f"/admin/signalements/{report.id}?template={template.id}"
    changed = await post_form(
        client,
        f"/admin/signalements/{report.id}/state",
        {"state": "taken", "message": TEXT + " Merci."},
        page,
    )
    assert changed.status_code == 303
    detail = (await client.get(f"/signalements/{report.id}")).text
    assert "Merci." in detail
