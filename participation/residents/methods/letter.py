"""Postal letter: the resident enters their postal address; staff print a batch of letters,
each with a one-time code (`residents/letters.py` prints them); the resident types the code.
Codes: 10 symbols of 32 (50 bits), stored as a keyed hash bound to the account, single use,
valid CODE_DAYS days, locked after MAX_ATTEMPTS wrong tries. The code proves
they receive mail at an address in the town. The letter knows no birth date (an identity
provider's verified claim may add it). Valid three years."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from participation.i18n import N_
from participation.refusals import Problem


@dataclass(frozen=True)
class Letter:
    name: str = "letter"
    label: str = N_("Postal letter")
    how: str = N_(
        "Enter your postal address: the town hall posts you a letter with a code to type here."
    )
    valid_for: timedelta | None = timedelta(days=3 * 365)
    by_agent: bool = False
    knows_birth_date: bool = False


METHOD = Letter()


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: no 0/O, no 1/I
CODE_LENGTH = 10  # 50 bits; shown in two groups of five ("K7MQ2 XPR4W")
CODE_DAYS = 60  # a letter's code is valid 60 days after printing (post, holidays)
MAX_ATTEMPTS = 10  # wrong codes typed before the letter's code is locked
# an address no letter was printed to within 90 days of being saved is erased (retention job)
ADDRESS_DAYS = 90


def new_code() -> str:
    # one read of the system's random source; 256 is a multiple of 32: every symbol as likely
    return "".join(CODE_ALPHABET[b % 32] for b in secrets.token_bytes(CODE_LENGTH))


def shown_code(code: str) -> str:
    return f"{code[:5]} {code[5:]}"


def normalize_code(typed: str) -> str:
    """What the resident typed, as stored: spaces, dashes and dots out, upper case; the letters
    people confuse with digits read as the digits' neighbours are not in the alphabet, so O and
    I typed for 0 and 1 cannot occur in a real code and are left as they are."""
    return re.sub(r"[\s\-.]", "", typed).upper()


def code_hash(key: bytes, user_id: int, code: str) -> str:
    """Keyed (a leaked table alone cannot be tried against the 2^50 codes) and bound to the
    account (a code is worth nothing on another account)."""
    return hmac.new(key, f"letter|{user_id}|{code}".encode(), hashlib.sha256).hexdigest()


def normalize_address_part(text: str) -> str:
    """A part of an address as people write it differently: accents, case, punctuation and
    spaces do not matter (« Rue des Lilas, 12 » and « rue des lilas 12 » are one)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def address_hash(key: bytes, recipient: str, street: str, postcode: str) -> str:
    """The one letter verification of one person at one address (issue #19): a keyed hash of
    the normalised recipient, street and postcode, kept on the record once the address is
    deleted (not reversible without SECRET_KEY; a second account of the same recipient at the
    same address finds the same hash and is refused)."""
    parts = "|".join(normalize_address_part(p) for p in (recipient, street, postcode))
    return hmac.new(key, f"letter address|{parts}".encode(), hashlib.sha256).hexdigest()


def address_unused(
    saved_at: datetime, printed_at: datetime | None, expires_at: datetime | None, now: datetime
) -> bool:
    """Whether a postal address given for a letter served its purpose without being used, so
    that the nightly retention job erases it (docs/privacy.md): the letter printed to it (after
    it was last saved) expired with its code unused, or no letter was printed to it within
    ADDRESS_DAYS. A used code deletes the address at once (`letters.enter_code`)."""
    if printed_at is not None and expires_at is not None and printed_at >= saved_at:
        return now >= expires_at
    return now >= saved_at + timedelta(days=ADDRESS_DAYS)


def code_problem(
    exists: bool, used: bool, attempts: int, expires_at: datetime | None, now: datetime
) -> str | None:
    """Why no code may be typed now (a msgid), or None."""
    if not exists:
        return N_("No letter has been printed for you yet: the town hall prints them regularly.")
    if used:
        return N_("This letter's code was already used.")
    if attempts >= MAX_ATTEMPTS:
        return N_(
            "Too many wrong codes: this letter's code is locked. Ask the town hall for a new "
            "letter (save your address again)."
        )
    if expires_at is not None and now >= expires_at:
        return N_("This letter's code has expired. Save your address again to get a new letter.")
    return None


@dataclass(frozen=True)
class AddressForm:
    recipient: str
    street: str
    complement: str
    postcode: str
    city: str
    district: str


ADDRESS_LIMITS = {"recipient": 100, "street": 200, "complement": 200, "postcode": 10, "city": 100}


def address_form(
    data: Mapping[str, str], town_districts: Sequence[str]
) -> tuple[AddressForm | None, list[Problem]]:
    values = {name: " ".join(data.get(name, "").split()) for name in ADDRESS_LIMITS}
    problems: list[Problem] = []
    required = {
        "recipient": N_("Enter the name on your letterbox."),
        "street": N_("Enter the number and the street."),
        "postcode": N_("Enter your postcode."),
        "city": N_("Enter the town."),
    }
    for name, message in required.items():
        if not values[name]:
            problems.append(Problem(message, field=name))
    for name, limit in ADDRESS_LIMITS.items():
        if len(values[name]) > limit:
            problems.append(Problem(N_("At most {max} characters."), {"max": limit}, name))
    if values["postcode"] and not re.fullmatch(r"\d{5}", values["postcode"]):
        problems.append(Problem(N_("A French postcode has five digits."), field="postcode"))
    district = data.get("district", "")
    if district not in town_districts:
        problems.append(
            Problem(
                N_("Choose your district: letters are posted to addresses in the town only."),
                field="district",
            )
        )
    if problems:
        return None, problems
    return AddressForm(district=district, **values), []
