"""At the counter: an agent of the town hall checks a proof of address in person (the kind of
proof from `PROOFS`, the district, the birth date read on an identity document) and records it.
No document is stored: the agent, the kind of proof and the date are. Valid three years."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from participation.i18n import N_
from participation.refusals import Problem
from participation.residents.census import parse_birth_date

# the kinds of proof an agent may record (stored key: label msgid)
PROOFS: dict[str, str] = {
    "energy_bill": N_("Energy or water bill of less than 3 months"),
    "phone_bill": N_("Telephone or internet bill of less than 3 months"),
    "tax_notice": N_("Tax notice (impôt sur le revenu or taxe foncière)"),
    "rent_receipt": N_("Rent receipt or lease"),
    "home_insurance": N_("Home insurance certificate"),
    "caf_certificate": N_("Certificate from the CAF"),
    "hosting_certificate": N_("Hosting certificate with the host's proof of address"),
}


@dataclass(frozen=True)
class Desk:
    name: str = "desk"
    label: str = N_("At the town hall counter")
    how: str = N_(
        "Come to the town hall's counter with an identity document and a proof of address: an "
        "agent checks them and records it (no copy is kept)."
    )
    valid_for: timedelta | None = timedelta(days=3 * 365)
    by_agent: bool = True
    knows_birth_date: bool = True


METHOD = Desk()


OUTSIDE = "outside"  # the district select's last choice: the proof shows another town


@dataclass(frozen=True)
class DeskCheck:
    proof: str
    district: str
    birth_date: date
    # the census facts the agent read (town's register or the person's town-hall letter): the
    # record points at that census row; both empty: an anchor row of the account's own
    identifier: str = ""
    postcode: str = ""
    not_on_file: bool = False  # the agent said the person is not on the town's register


NOT_ON_FILE_LABEL = N_("This person is not on the town's register")


def desk_check(
    proof: str,
    district: str,
    birth_date: str,
    town_districts: Sequence[str],
    today: date,
    *,
    census_loaded: bool = False,
    identifier: str = "",
    postcode: str = "",
    not_on_file: bool = False,
) -> tuple[DeskCheck | None, list[Problem]]:
    """What the agent typed, checked: a kind of proof from PROOFS, a district of the town (an
    address elsewhere is refused, saying so), a birth date in the past. In a town whose census
    file is loaded (`census_loaded`), the person's census facts (identifier and postcode; the
    birth date is the one above) OR the agent's explicit word that the person is not on the
    register (`not_on_file`), never neither nor both: one person, one census row (issue #19).
    Without a census file, the census facts and the box are ignored."""
    problems: list[Problem] = []
    identifier, postcode = identifier.strip(), postcode.strip()
    if not census_loaded:
        identifier, postcode, not_on_file = "", "", False
    elif not_on_file and (identifier or postcode):
        problems.append(
            Problem(
                N_(
                    "Either the register's details or the box “This person is not on the "
                    "town's register”, not both. Nothing was recorded."
                ),
                field="identifier",
            )
        )
    elif not not_on_file and not identifier:
        problems.append(
            Problem(
                N_(
                    "Enter the identifier read on the town's register or on the person's "
                    "town-hall letter, or tick “This person is not on the town's register”. "
                    "Nothing was recorded."
                ),
                field="identifier",
            )
        )
    elif not not_on_file and not postcode:
        problems.append(
            Problem(N_("Enter the postcode written on the register."), field="postcode")
        )
    if proof not in PROOFS:
        problems.append(Problem(N_("Choose the kind of proof you checked."), field="proof"))
    if district == OUTSIDE or (district and district not in town_districts):
        problems.append(
            Problem(
                N_(
                    "This address is outside the town: only residents of the town can be "
                    "verified. Nothing was recorded."
                ),
                field="district",
            )
        )
    elif not district:
        problems.append(Problem(N_("Choose the district of the address."), field="district"))
    born = parse_birth_date(birth_date)
    if born is None or born >= today or born.year < today.year - 130:
        problems.append(
            Problem(N_("Enter the birth date read on the identity document."), field="birth_date")
        )
    if problems or born is None:
        return None, problems
    return DeskCheck(proof, district, born, identifier, postcode, not_on_file), []


def lookalike_problem(
    other_account: str | None, confirmed: bool, born: date, district: str
) -> Problem | None:
    """One person, two accounts (issue #19): when the agent is about to make an anchor row and
    another account was already verified at the desk with the same birth date and district
    (`other_account`, its name; None: none), the agent must confirm it is another person."""
    if other_account is None or confirmed:
        return None
    return Problem(
        N_(
            "A person born on {born} in the district {district} is already verified (account "
            "{account}): is it the same person? If it is another person, tick the box below "
            "and record again."
        ),
        {"born": born, "district": district, "account": other_account},
        field="confirm_other",
    )
