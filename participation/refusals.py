"""How commands say no, shared by every feature. Pure: no HTTP, no database.

- `NotAllowed`: the person may not do this; the app answers 403 (participation/errors.py).
- `NotFound`: the id names nothing (forged, deleted, or of another parent); the app: 404.
- `DomainError(msgid)`: a refused action; the app answers 409 with the translated message.
- `Problem` / `Refused`: bad input, field by field; the route shows the form again (422).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
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
    return Refused([Problem(message, values, field)])


def errors_of(
    problems: Iterable[Problem],
    gettext: Callable[[str], str],
    present: Callable[[str, object], object] = lambda _name, value: value,
) -> dict[str, str]:
    """Field -> translated message (the first problem of each field); `present` formats
    each value (amounts as money, for instance)."""
    errors: dict[str, str] = {}
    for problem in problems:
        values = {name: present(name, value) for name, value in problem.values.items()}
        errors.setdefault(problem.field, gettext(problem.message).format(**values))
    return errors
