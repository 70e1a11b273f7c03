"""Reading the staff forms: plain strings in, a form dataclass (or field problems) out."""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from consultations import domain
from consultations.models import Audience, Consultation, Option, Question, QuestionKind, ScaleStyle
from consultations.services import ConsultationForm, OutcomeForm, QuestionForm
from participation.formfields import bounded_text, column_length, local_moment, too_long
from participation.i18n import N_
from participation.numbers import is_whole_number
from participation.refusals import Problem
from participation.spaces.domain import parse_space_choice

E = TypeVar("E", bound=StrEnum)


TITLE_LENGTH = column_length(Consultation, "title")
DISTRICT_LENGTH = column_length(Consultation, "district")
QUESTION_LENGTH = column_length(Question, "text")
OPTION_LENGTH = column_length(Option, "label")


def _choice(data: Mapping[str, str], name: str, enum: type[E], default: E) -> E:
    raw = data.get(name, "")
    return enum(raw) if raw in enum._value2member_map_ else default


def _whole(
    data: Mapping[str, str], name: str, default: int | None, problems: list[Problem]
) -> int | None:
    raw = data.get(name, "").strip()
    if not raw:
        return default
    if not is_whole_number(raw):  # "²".isdigit() is True; 20 digits overflow the column
        problems.append(domain.Problem(N_("Enter a whole number."), {}, name))
        return default
    return int(raw)


def _decimal(data: Mapping[str, str], name: str, problems: list[Problem]) -> float | None:
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw.replace(",", ".").replace(" ", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > 1e15:  # "nan", "inf", "1e999"
        problems.append(domain.Problem(N_("Enter a number, like 12 or 3,5."), {}, name))
        return None
    return value


def parse_consultation_form(
    data: Mapping[str, str],
) -> tuple[ConsultationForm, list[Problem]]:
    problems: list[Problem] = []
    form = ConsultationForm(
        title=bounded_text(data, "title", TITLE_LENGTH, problems),
        context=data.get("context", ""),
        opens_at=local_moment(data, "opens_at", problems),
        closes_at=local_moment(data, "closes_at", problems),
        audience=_choice(data, "audience", Audience, Audience.SIGNED_IN),
        district=bounded_text(data, "district", DISTRICT_LENGTH, problems) or None,
        anonymous=data.get("anonymous") == "on",
        results_visible_while_open=data.get("results_visible_while_open") == "on",
        space_id=parse_space_choice(data.get("space", ""), problems),
    )
    return form, problems


def parse_question_form(data: Mapping[str, str]) -> tuple[QuestionForm, list[Problem]]:
    problems: list[Problem] = []
    form = QuestionForm(
        kind=_choice(data, "kind", QuestionKind, QuestionKind.SINGLE),
        text=bounded_text(data, "text", QUESTION_LENGTH, problems),
        help_text=data.get("help_text", ""),
        required=data.get("required") == "on",
        options=_options(data.get("options", ""), problems),
        min_choices=_whole(data, "min_choices", 0, problems) or 0,
        max_choices=_whole(data, "max_choices", None, problems),
        allow_other=data.get("allow_other") == "on",
        scale_style=_choice(data, "scale_style", ScaleStyle, ScaleStyle.NUMERIC),
        min_value=_decimal(data, "min_value", problems),
        max_value=_decimal(data, "max_value", problems),
        show_if=data.get("show_if", ""),
    )
    return form, problems


def _options(text: str, problems: list[Problem]) -> tuple[str, ...]:
    options = tuple(text.splitlines())
    if any(len(label.strip()) > OPTION_LENGTH for label in options):
        problems.append(too_long("options", OPTION_LENGTH))
    return options


def parse_outcome_form(data: Mapping[str, str]) -> OutcomeForm:
    decisions = {
        int(key[len("decision-") :]): value
        for key, value in data.items()
        if key.startswith("decision-") and key[len("decision-") :].isdigit()
    }
    return OutcomeForm(data.get("heard", ""), data.get("decided", ""), decisions)
