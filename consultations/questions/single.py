"""`single`: one option (or the "other" answer). Stored: [option_id]."""

from __future__ import annotations

from consultations.models import QuestionKind
from consultations.questions._choice import ChoiceKind
from participation.i18n import N_

KIND = ChoiceKind(value=QuestionKind.SINGLE, label=N_("Single choice"))
