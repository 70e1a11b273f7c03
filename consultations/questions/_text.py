"""Free-text questions (short and long): the text, moderated before it is published."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consultations.questions import base
from consultations.questions.base import Counts, Form, KindBase, QuestionSpec, texts_item
from participation.formatting import format_number
from participation.i18n import N_, ngettext
from participation.refusals import Problem
from participation.richtext import to_text


class TextTally(Counts):
    def result(self, answered: int, approved: base.ApprovedText) -> dict[str, Any]:
        return {"answered": answered, "texts": texts_item(self.question.id, self.counts, approved)}


@dataclass(frozen=True, kw_only=True)
class TextKind(KindBase):
    counting = TextTally

    limit: int  # characters
    free_text: bool = True
    paper_lines: int = 1  # lines to write on, on the paper questionnaire

    def on_paper(self, doc: Any, view: Any) -> None:
        doc.write_in("", lines=self.paper_lines)

    def results_on_paper(self, doc: Any, view: Any, item: dict[str, Any]) -> None:
        """As text_result.html: how many texts are published, and those texts."""
        approved = item["texts"]["approved"]
        doc.paragraph(
            ngettext(
                "%(num)s answer published after moderation",
                "%(num)s answers published after moderation",
                len(approved),
            )
            % {"num": format_number(len(approved))}
        )
        base.texts_on_paper(doc, approved)

    @property
    def result_template(self) -> str:
        return "consultations/questions/text_result.html"  # the same for short and long texts

    def parse(self, question: QuestionSpec, form: Form) -> base.Parsed:
        text = form.get(f"q{question.id}").strip()
        return text or None, None, []

    def problems(self, question: QuestionSpec, value: Any, others: base.Others) -> list[Problem]:
        if len(value) > self.limit:
            message = N_("Write at most {n} characters.")
            return [Problem(message, {"n": self.limit}, f"q{question.id}")]
        return []

    def result_rows(self, item: dict[str, Any], export: base.Export) -> list[base.Row]:
        return [("", "texts_published", len(item["texts"]["approved"]), "")]

    def response_cell(self, value: Any, stored: base.Stored, export: base.Export) -> str:
        return to_text(value) if export.published(value) else ""
