"""What every question kind shares: the question as plain data, the submitted form, the "other"
answer, number reading, and the free-text summary of results."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, ClassVar, Protocol

from consultations.models import QuestionKind, ScaleStyle
from participation.formatting import format_number, format_points
from participation.i18n import N_, gettext
from participation.numbers import is_whole_number
from participation.refusals import Problem
from participation.richtext import to_text

OTHER = 0  # the option id of an "other" answer

# A kind's parse of one question: the answer (None: none given), the "other" text (None: not
# chosen), and the problems found.
Parsed = tuple[Any, str | None, list[Problem]]
# One row of the CSV of aggregates, past the question: (item, measure, value, percent)
Row = tuple[str, str, Any, Any]
ApprovedText = Any  # `approved(question_id, text) -> bool`, or None: no text is published
Stored = Mapping[str, Any]  # one stored response
Others = Mapping[int, str]  # question id -> the text of its "other" answer


@dataclass(frozen=True, kw_only=True)
class QuestionSettings:
    """The settings of a question, as staff give them and as the rules read them (the kinds
    use some of them: `Kind.settings`)."""

    required: bool = True
    min_choices: int = 0
    max_choices: int | None = None
    allow_other: bool = False
    scale_style: ScaleStyle = ScaleStyle.NUMERIC
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class QuestionSpec(QuestionSettings):
    id: int
    kind: QuestionKind
    text: str = ""
    options: tuple[int, ...] = ()  # option ids, in order
    show_if_question: int | None = None
    show_if_option: int | None = None


class Form:
    """The submitted form as the answer parser needs it (a multi-dict of strings)."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self.values: dict[str, list[str]] = {}
        for key, value in items:
            self.values.setdefault(key, []).append(value)

    def get(self, name: str) -> str:
        values = self.values.get(name)
        return values[0] if values else ""

    def getlist(self, name: str) -> list[str]:
        return self.values.get(name, [])


def _none_published(text: str) -> bool:
    return False


@dataclass(frozen=True)
class Export:
    """What the exports know of one question: the question (a Question or a QuestionSpec: its
    id, its scale style), its option labels, and which of its free texts are published."""

    question: Any
    labels: Mapping[int, str] = field(default_factory=dict)
    published: Callable[[str], bool] = _none_published


class Tally(Protocol):
    """The counts of one question, added a batch of responses at a time."""

    def __init__(self, question: QuestionSpec) -> None: ...

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        """`column`: the stored answer of each response of the batch (None: not answered)."""

    def result(self, answered: int, approved: ApprovedText) -> dict[str, Any]: ...


class Counts:
    """A tally that counts the distinct answers (or what `counted` makes of them)."""

    def __init__(self, question: QuestionSpec) -> None:
        self.question = question
        self.counts: Counter[Any] = Counter()

    def counted(self, column: Sequence[Any]) -> Iterable[Any]:
        return column

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        self.counts.update(self.counted(column))
        self.counts.pop(None, None)


PAPER_BOX = "\u2610"  # ☐ a box to tick on the paper questionnaire


@dataclass(frozen=True, kw_only=True)
class KindBase:
    """What a kind does unless it says otherwise: no setting of its own (but options, when it
    has them, at least two), nothing more to check once answered, the answer stored as given
    and exported as text, no demo answer."""

    value: QuestionKind
    label: str
    partials: str  # templates/consultations/questions/<partials>_answer.html, _result.html
    settings: frozenset[str] = frozenset()
    offers_choices: bool = False
    free_text: bool = False
    counting: ClassVar[type[Tally]]  # the kind's tally

    @property
    def answer_template(self) -> str:
        return f"consultations/questions/{self.partials}_answer.html"

    @property
    def result_template(self) -> str:
        return f"consultations/questions/{self.partials}_result.html"

    def paper_hints(self, question: Any) -> list[str]:
        """What the paper questionnaire says under the question (consultations/print.py)."""
        return []

    def on_paper(self, doc: Any, view: Any) -> None:
        """Where a person answers on paper (`doc`: participation.pdf.Document; `view`: the
        question as consultations.queries.questionnaire shows it): a line to write on."""
        doc.write_in("", lines=1)

    def setting_problems(self, question: QuestionSpec) -> list[Problem]:
        if "options" in self.settings and len(question.options) < 2:
            return [Problem(N_("Give at least two options, one per line."), {}, "options")]
        return []

    def problems(self, question: QuestionSpec, value: Any, others: Others) -> list[Problem]:
        return []

    def stored(self, question: QuestionSpec, value: Any, others: Others) -> dict[str, Any]:
        return {str(question.id): value}

    def tally(self, question: QuestionSpec) -> Tally:
        return self.counting(question)

    def response_cell(self, value: Any, stored: Stored, export: Export) -> str:
        return str(value)

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        return []


def read_one(
    question: QuestionSpec, form: Form, read: Callable[[str], Any], message: str
) -> Parsed:
    """The answer of a one-field question (`q<id>`), read by `read` (None: unreadable)."""
    name = f"q{question.id}"
    raw = form.get(name).strip()
    if not raw:
        return None, None, []
    value = read(raw)
    if value is None:
        return None, None, [Problem(message, {}, name)]
    return value, None, []


def number(raw: str) -> float | None:
    text = raw.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def whole(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if is_whole_number(raw) and len(raw) < 10 else None


def shown(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def texts_item(
    question_id: int, texts: Mapping[str, int], approved: ApprovedText
) -> dict[str, Any]:
    """`texts`: how many times each text was given; the approved ones are listed as many
    times, in order."""
    listed = sorted(
        chain.from_iterable(
            [text] * count
            for text, count in texts.items()
            if approved is not None and approved(question_id, text)
        )
    )
    return {"count": sum(texts.values()), "approved": listed}


def shares_on_paper(doc: Any, intro: str, rows: Sequence[tuple[str, int, float]]) -> None:
    """The printed form of a result partial's shares (choices, points of a scale): `intro`
    (translated), the shares as bars, then the same figures as a table; `rows` are
    (label, count, percent)."""
    doc.paragraph(intro)
    doc.bars([(label, share, format_points(share), False) for label, _count, share in rows])
    doc.table(
        [gettext("Response"), gettext("Count"), gettext("Percent")],
        [[label, format_number(count), format_points(share)] for label, count, share in rows],
        widths=(60, 20, 20),
        align=("LEFT", "RIGHT", "RIGHT"),
    )


def texts_on_paper(doc: Any, texts: Sequence[str]) -> None:
    """Published free texts (sanitised rich text) as a list of plain texts in a PDF."""
    doc.bullets([to_text(text) for text in texts])


def option_numbers(question: QuestionSpec, form: Form) -> Parsed:
    """The whole number given to each option (`q<id>-o<option>` fields: ranks, grades); a
    problem when one is not a whole number or a field names an option the question does not
    have (forged)."""
    name = f"q{question.id}"
    values: dict[int, int] = {}
    bad = False
    for option in question.options:
        raw_value = form.get(f"{name}-o{option}").strip()
        if not raw_value:
            continue
        value = whole(raw_value)
        if value is None:
            bad = True
            continue
        values[option] = value
    forged = [key for key in form.values if key.startswith(f"{name}-o") and form.get(key).strip()]
    if bad or len(forged) != len(values):
        return None, None, [Problem(N_("This choice is not offered."), {}, name)]
    return values or None, None, []
