"""The town's categories and districts kept by administrators from the browser
(/admin/classification), and the proposal form of a new site that has none yet."""

from __future__ import annotations

import httpx
import pytest

from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.proposals.classification.domain import CATEGORY, DISTRICT, name_problem
from participation.proposals.domain import ProposalForm, proposal_problems
from participation.proposals.models import Proposal
from participation.residents.models import District
from participation.territory import Category
from tests.conftest import field_error, log_in, post_form
from tests.participation.proposal_factories import make_proposal

BODY = "Installer vingt arceaux à vélo devant l'école Jules-Ferry, côté cour."


# --- the rules, pure --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "others", "message"),
    [
        ("Mobilité", [], None),
        ("  Mobilité   douce ", [], None),
        ("", [], "Enter a name."),
        ("   ", [], "Enter a name."),
        ("x" * 101, [], "The name must be at most 100 characters long."),
        ("x" * 100, [], None),
        ("mobilite", ["Mobilité"], "Another category already has this name."),
        ("MOBILITÉ  ", ["Mobilité"], "Another category already has this name."),
        ("Mobilité douce", ["Mobilité"], None),
    ],
)
def test_a_category_needs_a_name_of_its_own(
    name: str, others: list[str], message: str | None
) -> None:
    problem = name_problem(CATEGORY, name, others)
    assert (problem.message if problem else None) == message


def test_a_district_is_compared_with_districts_only() -> None:
    problem = name_problem(DISTRICT, "Île de Nantes", ["ile  de nantes"], field="district-new")
    assert problem is not None
    assert (problem.message, problem.field) == (
        "Another district already has this name.",
        "district-new",
    )


@pytest.mark.parametrize(
    ("category_ids", "district_ids", "form_category", "form_district", "problems"),
    [
        ({1}, {2}, 1, 2, set()),
        ({1}, {2}, None, None, {"category", "district"}),
        (set(), set(), None, None, set()),  # a new site: neither is asked
        (set(), {2}, None, 2, set()),
        (set(), set(), 7, None, {"category"}),  # a forged id where there is none
        ({1}, set(), 3, None, {"category"}),
    ],
)
def test_the_proposal_form_asks_for_a_category_and_district_only_when_the_town_has_some(
    category_ids: set[int],
    district_ids: set[int],
    form_category: int | None,
    form_district: int | None,
    problems: set[str],
) -> None:
    form = ProposalForm("Des arceaux à vélo", BODY, form_category, form_district)
    found = proposal_problems(form, BODY, category_ids, district_ids)
    assert set(found) == problems


# --- the page ---------------------------------------------------------------------------------


async def test_an_administrator_adds_renames_and_removes_categories_and_districts(
    client: httpx.AsyncClient, admin: User, citizen: User
) -> None:
    await log_in(client, admin)
    page = "/admin/classification"
    added = await post_form(client, "/admin/classification/category", {"name": " Mobilité "}, page)
    assert added.status_code == 303
    await post_form(client, "/admin/classification/district", {"name": "Île de Nantes"}, page)
    mobility = await Category.get(name="Mobilité")
    assert mobility.slug == "mobilite"
    shown = (await client.get(page)).text
    assert "Mobilité" in shown and "Île de Nantes" in shown

    # the same name again, whatever its accents: refused on its field, nothing added
    refused = await post_form(client, "/admin/classification/category", {"name": "MOBILITE"}, page)
    assert refused.status_code == 422
    assert "Une autre catégorie porte déjà ce nom." in field_error(refused.text, "category-new")
    assert await Category.all().count() == 1

    renamed = await post_form(
        client, f"/admin/classification/category/{mobility.id}", {"name": "Mobilités"}, page
    )
    assert renamed.status_code == 303
    assert (await Category.get(id=mobility.id)).name == "Mobilités"

    # a category proposals are filed under is renamed, never removed
    await make_proposal(citizen, category_id=mobility.id)
    kept = await post_form(client, f"/admin/classification/category/{mobility.id}/remove", {}, page)
    assert kept.status_code == 422
    assert "renommez-la plutôt" in field_error(kept.text, f"category-{mobility.id}")
    assert await Proposal.filter(category_id=mobility.id).count() == 1

    island = await District.get(name="Île de Nantes")
    removed = await post_form(
        client, f"/admin/classification/district/{island.id}/remove", {}, page
    )
    assert removed.status_code == 303
    assert not await District.exists(id=island.id)

    sentences = (await client.get("/admin/audit")).text.replace("\u00a0", " ")
    assert "a renommé la catégorie « Mobilité » en « Mobilités »" in sentences
    assert "a retiré le quartier « Île de Nantes »" in sentences
    actions = set(await AuditLogEntry.all().values_list("action", flat=True))
    assert {"category_added", "category_renamed", "district_added", "district_removed"} <= actions


async def test_residents_and_moderators_cannot_touch_categories(
    client: httpx.AsyncClient, citizen: User
) -> None:
    category = await Category.create(name="Mobilité", slug="mobilite")
    await log_in(client, citizen)
    assert (await client.get("/admin/classification")).status_code == 403
    forged = await post_form(
        client, f"/admin/classification/category/{category.id}", {"name": "Piraté"}
    )
    assert forged.status_code == 403
    assert (await Category.get(id=category.id)).name == "Mobilité"


async def test_a_resident_of_a_new_site_proposes_without_category_or_district(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await log_in(client, citizen)
    form = (await client.get("/proposals/new")).text
    assert 'id="category"' not in form and 'id="district"' not in form
    title = "Des arceaux à vélo devant l'école"
    sent = await post_form(
        client, "/proposals/new", {"title": title, "body": BODY}, "/proposals/new"
    )
    assert sent.status_code == 303, sent.text
    proposal = await Proposal.get(title=title)
    assert proposal.category_id is None and proposal.district_id is None
