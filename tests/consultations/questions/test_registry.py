"""The registry of question kinds, and the boundary it keeps: only the kind modules (and their
template partials) know what a kind does."""

from __future__ import annotations

import re
from pathlib import Path

from consultations.models import QuestionKind
from consultations.questions import KINDS, SETTINGS

ROOT = Path(__file__).resolve().parents[3]


def test_every_stored_kind_has_its_module() -> None:
    assert set(KINDS) == set(QuestionKind)
    for value, kind in KINDS.items():
        assert kind.value == value
        assert kind.settings <= set(SETTINGS)
        for template in (kind.answer_template, kind.result_template):
            assert (ROOT / "templates" / template).is_file(), template


def test_choices_and_free_texts() -> None:
    offering = {value for value, kind in KINDS.items() if kind.offers_choices}
    assert offering == {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
    free = {value for value, kind in KINDS.items() if kind.free_text}
    assert free == {QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT}
    with_options = {value for value, kind in KINDS.items() if "options" in kind.settings}
    assert with_options == {
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.RANKING,
        QuestionKind.MAJORITY,
    }


# a test on the kind of a question: `q.kind == ...`, `kind in (...)`, `kind.value != ...`
KIND_TEST = re.compile(r"(?<!for )\bkind(\.value)?\s*(==|!=|\bin\b|\bnot in\b)")


def test_no_branch_on_the_kind_outside_the_kind_modules() -> None:
    found = []
    for path in sorted((ROOT / "consultations").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[1] in ("questions", "migrations"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if KIND_TEST.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    for path in sorted((ROOT / "templates" / "consultations").rglob("*.html")):
        relative = path.relative_to(ROOT)
        if relative.parts[2] == "questions":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if KIND_TEST.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []
