"""The staff budget page's projects table (issue #22), JavaScript on and off: with htmx
« Modifier » turns the row into its form in place, « Annuler » restores it, a bad cost comes back
in the row with the field highlighted, « Enregistrer » answers the updated row; without
JavaScript the same link opens the form on a page of its own, and the save comes back to the
table at the row with a notice. Every state is audited by axe."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, mark_document, same_document, signed_in

expect.set_options(timeout=15_000)


async def settled(page: Any) -> None:
    """htmx is done: no request under way, nothing being swapped or settled (what is typed
    then goes into the form shown, not one about to be replaced)."""
    busy = page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
    await expect(busy).to_have_count(0)


def town_for(number: int) -> Any:
    async def seed(settings: Settings) -> dict[str, Any]:
        await seeds.someone(settings, f"mairie{number}@example.org", Role.ADMIN, "Mairie")
        return {"budget": await seeds.budget_in_review(f"Budget des quartiers n°{number}")}

    return seed


def saved_meanwhile(budget_id: int, title: str, cost: str) -> Any:
    """Another member of staff saves the project `title` with a new cost."""

    async def seed(settings: Settings) -> None:
        from budgets import project_services
        from budgets.models import Project
        from participation.accounts.models import User

        project = await Project.get(budget_id=budget_id, title=title)
        other = await User.filter(role=Role.ADMIN).first()
        assert other is not None
        edit = project_services.RowEdit(
            title, cost, "", project.feasibility.value, "", "", str(project.version)
        )
        await project_services.edit_project_row(budget_id, project.id, edit, other)

    return seed


def with_a_ballot(budget_id: int) -> Any:
    """A ballot in the box (as an imported one): the projects voters chose from are locked."""

    async def seed(settings: Settings) -> None:
        import uuid

        from budgets.models import Ballot

        receipt = f"LOCK-{budget_id}"
        await Ballot.create(id=uuid.uuid4(), budget_id=budget_id, receipt=receipt, choices="{}")

    return seed


async def test_staff_edit_a_project_in_the_budget_table(
    module_server: LiveServer, context_for: Any, axe: Axe, javascript: bool
) -> None:
    number = 0 if javascript else 1
    seeded = await module_server.seed(town_for(number))
    page = await signed_in(
        context_for,
        module_server,
        f"mairie{number}@example.org",
        at=f"/admin/budgets/{seeded['budget']}",
        javascript=javascript,
    )
    table = page.get_by_role("table")
    await expect(table.get_by_role("rowheader", name="Jardin partagé")).to_be_visible()
    await axe.check(page, "projects table")
    await mark_document(page)
    await page.get_by_role("link", name="Modifier Jardin partagé").click()
    title = page.get_by_label("Titre")
    await expect(title).to_have_value("Jardin partagé")
    if javascript:
        assert await same_document(page)  # the row became the form, in place
        await settled(page)
        await expect(title).to_be_focused()
        await axe.check(page, "a row in edition")
        await page.get_by_label("Titre").fill("Jardin oublié")
        await page.get_by_role("link", name="Annuler Jardin partagé").click()
        await expect(table.get_by_role("rowheader", name="Jardin partagé")).to_be_visible()
        await expect(page.get_by_label("Titre")).to_have_count(0)
        await page.get_by_role("link", name="Modifier Jardin partagé").click()
        await settled(page)
        await expect(title).to_be_focused()
    else:
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Modifier «\xa0Jardin partagé\xa0»"
        )
        await axe.check(page, "the project's form, without JavaScript")

    cost = page.get_by_label("Coût estimé en euros")
    await cost.fill("quarante mille")
    await page.get_by_role("button", name="Enregistrer Jardin partagé").click()
    await expect(cost).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_text("sous forme de nombre entier")).to_be_visible()
    await axe.check(page, "a refused cost")
    if javascript:
        assert await same_document(page)
        await settled(page)
        await expect(cost).to_be_focused()  # the first field refused

    await page.get_by_label("Titre").fill("Jardin partagé des Lilas")
    await cost.fill("42000")
    await page.get_by_label("Faisabilité", exact=True).select_option(label="Non réalisable")
    await page.get_by_label("Motif public").fill("Terrain inondable")
    await page.get_by_role("button", name="Enregistrer Jardin partagé").click()
    row = table.get_by_role("row").filter(has_text="Jardin partagé des Lilas")
    await expect(row).to_contain_text("42\u202f000\xa0€")
    await expect(row).to_contain_text("Non réalisable")
    if javascript:
        assert await same_document(page)
        await expect(row.get_by_role("status")).to_have_text("Enregistré")
        await expect(
            row.get_by_role("link", name="Modifier Jardin partagé des Lilas")
        ).to_be_focused()
    else:
        assert "#project-" in page.url  # back at the row
        await expect(page.get_by_text("est enregistré")).to_be_visible()
    await axe.check(page, "the row saved")

    # two staff on one project: the other saves while this form is open; this save is told
    await page.get_by_role("link", name="Modifier Piste cyclable").click()
    await expect(page.get_by_label("Titre")).to_have_value("Piste cyclable")
    if javascript:
        await settled(page)
    await module_server.seed(saved_meanwhile(seeded["budget"], "Piste cyclable", "31000"))
    await page.get_by_label("Titre").fill("Piste cyclable rue Haute")
    await page.get_by_role("button", name="Enregistrer Piste cyclable").click()
    stale = page.get_by_role("alert").filter(has_text="Quelqu’un d’autre a enregistré ce projet")
    await expect(stale).to_contain_text("31\u202f000\xa0€")  # what the other saved
    await expect(page.get_by_label("Titre")).to_have_value("Piste cyclable rue Haute")
    await axe.check(page, "saved meanwhile by someone else")

    # once ballots are cast the row's fields are read-only, and the form says why
    await module_server.seed(with_a_ballot(seeded["budget"]))
    await page.goto(f"{module_server.url}/admin/budgets/{seeded['budget']}")
    await page.get_by_role("link", name="Modifier Jardin partagé des Lilas").click()
    await expect(page.get_by_text("Le vote est ouvert").first).to_be_visible()
    await expect(page.get_by_label("Coût estimé en euros")).to_be_disabled()
    await expect(
        page.get_by_role("button", name="Enregistrer Jardin partagé des Lilas")
    ).to_have_count(0)
    await axe.check(page, "locked: ballots have been cast")
