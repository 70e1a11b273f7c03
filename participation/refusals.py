"""How commands say no: the one refusal vocabulary of every feature. Pure: no HTTP, no database.

- `NotAllowed`: the person may not do this; the app answers 403 (participation/errors.py).
  Routes check predicates with `participation.web.require`, which raises (never returns False).
- `NotFound`: the id names nothing (forged, deleted, or of another parent); the app: 404.
- `DomainError(msgid)`: a refused action; the app answers 409 with the translated message.
- `Problem` / `Refused`: bad input, field by field; the route shows the form again (422),
  with `participation.web.errors_of(refused.problems)` (field -> translated message).

Services and pure parsers *raise* `Refused`, built with `refuse(msgid, field, **values)` for one
problem, `refuse_fields({field: msgid})` for messages without values, or `Refused([Problem...])`
for a list gathered by a validator. They never return problems in place of a result (the old
`X | list[Problem]` returns), and there is no second exception for bad input (the old
`FormProblems(dict)`): a route catches one exception and renders one `errors` mapping.
Why `Problem` over a bare field -> msgid mapping: a message may carry values (`{max}`,
an amount shown as money in the reader's language), formatted only when it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


class NotAllowed(Exception):
    """The person may not do this (the app answers 403)."""


class NotFound(Exception):
    """The object of the request does not exist here (the app answers 404)."""


class DomainError(Exception):
    """A refused action; `message` is a msgid translated where it is shown (the app: 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """What is wrong, as a msgid and the values to put in it, and the field to highlight."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)
    field: str = "form"


class Refused(Exception):
    """The command is refused; `problems` say why, field by field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems)
        self.problems = list(problems)


def refuse(message: str, field: str = "form", **values: object) -> Refused:
    """One problem: `raise refuse(N_("Choose a date."), "opens_at")`."""
    return Refused([Problem(message, values, field)])


def refuse_fields(problems: Mapping[str, str]) -> Refused:
    """Field -> msgid (messages without values): `raise refuse_fields(sign_up_problems(form))`."""
    return Refused([Problem(message, field=name) for name, message in problems.items()])
