"""A consultation's printable documents (PDF, participation/pdf.py).

The questionnaire on paper: each question as the online form asks it, with boxes to tick, a line
or lines to write on, ranks or grades to give, for people who answer at the town hall or at a
public meeting.

The results: what the results page shows, read the same way (`queries.published_result`: the
stored aggregate, the free texts no longer visible left out at once), each question's part
drawn by its kind (`Kind.results_on_paper`, as its result partial on the page)."""

from __future__ import annotations

from consultations.models import Consultation, Phase
from consultations.queries import QuestionView, published_result, questionnaire
from consultations.questions import KINDS
from participation.formatting import colon, format_date, format_datetime, format_number
from participation.i18n import gettext, ngettext
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


async def results_pdf(consultation: Consultation, site_name: str, public: bool) -> bytes:
    """The results as the results page shows them (`public` False: the staff's preview, said
    on the first page, as on the page)."""
    views = await questionnaire(consultation.id)
    found = await published_result(consultation.id)
    title = gettext("Results") + colon() + " " + consultation.title

    def draw(doc: Document) -> None:
        doc.section(title)
        if not public:
            doc.paragraph(gettext("Preview for staff: these results are not public yet."), True)
        if consultation.phase == Phase.OPEN:
            doc.paragraph(
                gettext(
                    "The consultation is still open: these results are updated every few minutes."
                )
            )
        if found is None:
            doc.paragraph(gettext("The results have not been computed yet."))
            return
        content, result, _ids = found
        responses = content["responses"]
        doc.paragraph(
            ngettext("%(num)s response", "%(num)s responses", responses)
            % {"num": format_number(responses)}
            + " · "
            + gettext("computed on %(date)s") % {"date": format_datetime(result.computed_at)}
        )
        for view in views:
            q = view.question
            item = content["questions"].get(str(q.id))
            doc.keep_room(40)  # a question's heading stays with the start of its results
            doc.heading(f"{view.number}. {q.text}", size=12)
            if not item:
                doc.paragraph(gettext("No result for this question."))
                continue
            answered = item["answered"]
            doc.paragraph(
                ngettext("%(num)s answer", "%(num)s answers", answered)
                % {"num": format_number(answered)}
            )
            view.kind.results_on_paper(doc, view, item)  # its figures, by kind

    return await render(site_name, title, draw)
