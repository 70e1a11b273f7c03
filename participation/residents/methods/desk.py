"""At the counter: an agent of the town hall checks a proof of address in person (the kind of
proof from `PROOFS`, the district, the birth date read on an identity document) and records it.
No document is stored: the agent, the kind of proof and the date are. Valid three years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from participation.i18n import N_

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
