"""Pure rules of people and roles: which roles there are, what a role change may not do, the
list's filters read from a query string. No database, no HTTP.

A person has one site-wide role (`accounts.models.Role`) and may have roles in participatory
spaces (`people.models.SpaceRole`, rows of their own: person, space, role): "moderator" of one
space, "evaluator" of one space's budget projects (`SPACE_ROLES`; `space_role_problem` checks a
grant). The core names the roles; a feature asks `participation.permissions` whether a person
holds one (the budgets' evaluation pages: `can_evaluate_in_space`).

"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from participation.accounts.domain import email_problem
from participation.accounts.models import Role
from participation.i18n import N_
from participation.numbers import parse_page
from participation.web import query_string

# the roles an administrator grants, with their labels (msgids), in the order of the list
ROLES: dict[str, str] = {
    Role.CITIZEN.value: N_("Resident"),
    Role.AGENT.value: N_("Desk officer"),
    Role.MODERATOR.value: N_("Moderator"),
    Role.ADMIN.value: N_("Administrator"),
}
PAGE_SIZE = 50
SEARCH_MAX = 100

# the roles in one participatory space, with their labels (msgids)
SPACE_ROLES: dict[str, str] = {
    "moderator": N_("Moderator of the space"),
    "evaluator": N_("Evaluator of the space's budget projects"),
}


def space_role_problem(role: str, space_exists: bool, held: bool, deleted: bool) -> str | None:
    """Why a role in a space cannot be granted (a msgid), or None."""
    if deleted:
        return N_("This account was deleted: its roles cannot change.")
    if role not in SPACE_ROLES:
        return N_("Choose one of the roles listed.")
    if not space_exists:
        return N_("Choose a space from the list.")
    if held:
        return N_("This person already has this role in this space.")
    return None


def role_change_problem(
    target_role: str, new_role: str, administrators: int, target_deleted: bool
) -> str | None:
    """None when the person's site-wide role may become `new_role`; else why not (a msgid).
    `administrators`: how many accounts are administrators now (the person included)."""
    if new_role not in ROLES:
        return N_("Choose one of the roles listed.")
    if target_deleted:
        return N_("This account was deleted: its role cannot change.")
    if target_role == Role.ADMIN and new_role != Role.ADMIN and administrators <= 1:
        return N_(
            "This is the only administrator: make someone else an administrator first, so "
            "that the site always has one."
        )
    return None


@dataclass(frozen=True)
class PeopleFilters:
    q: str = ""  # part of a name or an e-mail address
    role: str = ""  # "" (everyone) or one of ROLES
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> PeopleFilters:
        role = str(query.get("role", ""))
        return cls(
            q=" ".join(str(query.get("q", "")).split())[:SEARCH_MAX],
            role=role if role in ROLES else "",
            page=parse_page(query.get("page", "1"), 100_000),
        )

    def query_string(self, **changes: Any) -> str:
        return query_string({**self.__dict__, **changes})


# --- staff invitations ------------------------------------------------------------------------

INVITABLE = {role: ROLES[role] for role in (Role.AGENT, Role.MODERATOR, Role.ADMIN)}
INVITATION_DAYS = 7


def invitation_problems(email: str, role: str) -> dict[str, str]:
    """Field -> msgid for a wrong invitation form (the address normalised first)."""
    problems: dict[str, str] = {}
    if message := email_problem(email):
        problems["invite_email"] = message
    if role not in INVITABLE:
        problems["invite_role"] = N_("Choose one of the roles listed.")
    return problems


def role_after_invitation(current: str, invited: str) -> str:
    """An invitation never lowers a role: an administrator invited as moderator stays one."""
    order = list(ROLES)
    return current if order.index(current) >= order.index(invited) else invited


def invitation_state(
    invited_email: str, accepted: bool, expired: bool, signed_in_email: str | None
) -> str:
    """What the invitation page says: "used", "expired", "sign_in" (nobody signed in),
    "other_address" (signed in with another address) or "open" (may be accepted now)."""
    if accepted:
        return "used"
    if expired:
        return "expired"
    if signed_in_email is None:
        return "sign_in"
    if signed_in_email != invited_email:
        return "other_address"
    return "open"
