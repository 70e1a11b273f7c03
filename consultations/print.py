"""A consultation's questionnaire on paper (PDF, participation/pdf.py): each question as the
online form asks it, with boxes to tick, a line or lines to write on, ranks or grades to give,
for people who answer at the town hall or at a public meeting."""

from __future__ import annotations

from consultations.models import Consultation, QuestionKind, ScaleStyle
from consultations.queries import QuestionView, questionnaire
from consultations.questions.majority import grade_labels
from consultations.questions.scale import SCALE_POINTS, agreement_labels
from participation.formatting import colon, format_date, format_number
from participation.i18n import gettext
from participation.pdf import Document, render
from participation.richtext import to_text

BOX = "\u2610"  # ☐ a box to tick
WRITE_IN = "_" * 12  # a short line to write a number or a rank on


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
    if q.kind == QuestionKind.MULTIPLE and (q.min_choices or q.max_choices):
        if q.max_choices:
            hints.append(
                gettext("Choose from %(min)s to %(max)s answers.")
                % {"min": q.min_choices, "max": q.max_choices}
            )
        else:
            hints.append(gettext("Choose at least %(min)s answers.") % {"min": q.min_choices})
    if q.kind == QuestionKind.NUMBER:
        if q.min_value is not None:
            hints.append(gettext("Minimum:") + " " + format_number(q.min_value))
        if q.max_value is not None:
            hints.append(gettext("Maximum:") + " " + format_number(q.max_value))
    return hints


def _answer_space(doc: Document, view: QuestionView) -> None:
    """Where the person answers, by kind."""
    q = view.question
    kind = q.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        for option in view.options:
            doc.paragraph(f"{BOX}  {option.label}")
        if q.allow_other:
            doc.write_in(f"{BOX}  {gettext('Other')}{colon()}")
    elif kind == QuestionKind.SCALE:
        if q.scale_style == ScaleStyle.AGREEMENT:
            labels = agreement_labels()
        else:
            labels = [str(point) for point in SCALE_POINTS]
            labels[0] += f" ({gettext('lowest')})"
            labels[-1] += f" ({gettext('highest')})"
        doc.paragraph("    ".join(f"{BOX} {label}" for label in labels))
    elif kind == QuestionKind.RANKING:
        doc.paragraph(gettext("Give each option a rank: 1 for your favourite."))
        rows = [[option.label, ""] for option in view.options]
        doc.table([gettext("Option"), gettext("Rank")], rows, widths=(80, 20))
    elif kind == QuestionKind.MAJORITY:
        doc.paragraph(gettext("Give each option a grade."))
        grades = grade_labels()
        rows = [[option.label, *([BOX] * len(grades))] for option in view.options]
        widths = (14, *([86 / len(grades)] * len(grades)))
        align = ("LEFT", *(["CENTER"] * len(grades)))
        doc.table([gettext("Option"), *grades], rows, widths=widths, align=align)
    elif kind == QuestionKind.NUMBER:
        doc.paragraph(WRITE_IN)
    else:  # short and long texts
        doc.write_in("", lines=1 if kind == QuestionKind.SHORT_TEXT else 5)


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
            _answer_space(doc, view)

    return await render(site_name, consultation.title, draw)
