"""A consultation's questionnaire on paper (PDF, participation/pdf.py): each question as the
online form asks it, with boxes to tick, a line or lines to write on, ranks or grades to give,
for people who answer at the town hall or at a public meeting."""

from __future__ import annotations

from consultations.models import Consultation
from consultations.queries import QuestionView, questionnaire
from consultations.questions import KINDS
from participation.formatting import colon, format_date
from participation.i18n import gettext
from participation.pdf import Document, render
from participation.richtext import to_text


def _hints(view: QuestionView, views: list[QuestionView]) -> list[str]:
    q = view.question
    hints = []
    if q.show_if_question_id:  # type: ignore[attr-defined]
        for other in views:
            if other.question.id == q.show_if_question_id:  # type: ignore[attr-defined]
                option = other.option_labels.get(q.show_if_option_id or 0, "")
                hints.append(
                    gettext("Answer only if you chose “%(option)s” at question %(n)s.")
                    % {"option": option, "n": other.number}
                )
    if q.help_text:
        hints.append(q.help_text)
    return hints + KINDS[q.kind].paper_hints(q)


async def questionnaire_pdf(consultation: Consultation, site_name: str) -> bytes:
    views = await questionnaire(consultation.id)

    def draw(doc: Document) -> None:
        doc.section(consultation.title)
        doc.paragraph(to_text(consultation.context))
        if consultation.closes_at:
            doc.paragraph(gettext("Closes") + colon() + " " + format_date(consultation.closes_at))
        doc.paragraph(gettext("Questions marked (required) must be answered."))
        total = len(views)
        for view in views:
            q = view.question
            number = gettext("Question %(n)s of %(total)s") % {"n": view.number, "total": total}
            required = f" ({gettext('required')})" if q.required else ""
            doc.keep_room(35)  # a question's heading stays with the start of its answers
            doc.heading(f"{number} · {q.text}{required}", size=11.5)
            for hint in _hints(view, views):
                doc.paragraph(hint)
            KINDS[q.kind].on_paper(doc, view)  # where the person answers, by kind

    return await render(site_name, consultation.title, draw)
