"""The rules of the town's categories (themes) and districts, over plain data: a name is
given, short enough and not the name of another one of the same kind (whatever its accents or
capitals); one that proposals are filed under is renamed, never removed (that would empty
their field)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from participation.i18n import N_
from participation.refusals import Problem

NAME_MAX = 100  # the columns' length (territory_category.name, territory_district.name)


@dataclass(frozen=True)
class Kind:
    name: str  # in addresses, forms and the audit log
    label: str
    added: str
    renamed: str
    removed: str
    taken: str
    in_use: str


CATEGORY = Kind(
    "category",
    N_("Categories"),
    N_("The category is added."),
    N_("The category is renamed."),
    N_("The category is removed."),
    N_("Another category already has this name."),
    N_("Proposals are filed under this category: rename it instead."),
)
DISTRICT = Kind(
    "district",
    N_("Districts"),
    N_("The district is added."),
    N_("The district is renamed."),
    N_("The district is removed."),
    N_("Another district already has this name."),
    N_("Proposals are filed under this district: rename it instead."),
)
KINDS = {kind.name: kind for kind in (CATEGORY, DISTRICT)}


def folded(name: str) -> str:
    """A name as compared: without accents, capitals or repeated spaces ("Île  de Nantes" and
    "ile de nantes" are one name)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().split())


def name_problem(
    kind: Kind, name: str, others: Iterable[str], field: str = "name"
) -> Problem | None:
    """What is wrong with `name` for a category or district, the others of its kind being `others`
    (without the one being renamed)."""
    name = " ".join(name.split())
    if not name:
        return Problem(N_("Enter a name."), field=field)
    if len(name) > NAME_MAX:
        return Problem(N_("The name must be at most 100 characters long."), field=field)
    if folded(name) in {folded(other) for other in others}:
        return Problem(kind.taken, field=field)
    return None


def removal_problem(kind: Kind, proposals: int, field: str = "name") -> Problem | None:
    return Problem(kind.in_use, field=field) if proposals else None
