"""Pure account rules: what a valid e-mail, display name and password are.

Messages are English msgids marked with N_ and translated when rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from participation.i18n import N_

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+$")
# The most used passwords that pass the length rule (from public breach lists).
COMMON_PASSWORDS = frozenset(
    """
    1234567890 12345678910 0123456789 motdepasse azertyuiop azertyuiop1 qwertyuiop
    password123 password1234 passwordpassword 1q2w3e4r5t 0987654321 1111111111
    iloveyou123 motdepasse1 soleil1234 bonjour123 marseille13 football123 doudou1234
    """.split()
)


@dataclass(frozen=True)
class SignUpForm:
    email: str
    display_name: str
    password: str
    password_confirmation: str
    accepts_terms: bool = False  # "I accept the conditions of use" ticked


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    if not email:
        return N_("Enter your e-mail address.")
    if len(email) > 254 or not _EMAIL.match(email):
        return N_("Enter a valid e-mail address, like nom@exemple.fr.")
    return None


def display_name_problem(name: str) -> str | None:
    if not name:
        return N_("Enter the name other residents will see.")
    if len(name) > 80:
        return N_("The name must be at most 80 characters long.")
    if "@" in name:
        return N_("The public name must not contain an e-mail address.")
    return None


def password_problem(password: str, email: str = "", display_name: str = "") -> str | None:
    """None when the password is strong enough, else the message that says what to change."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("The password must be at least 10 characters long.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("The password must be at most 200 characters long.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return N_("This password is too easy to guess: choose a less common one.")
    personal = [email.split("@")[0].lower(), display_name.strip().lower()]
    if any(len(p) >= 4 and p in lowered for p in personal):
        return N_("The password must not contain your e-mail address or your name.")
    return None


def sign_up_problems(form: SignUpForm) -> dict[str, str]:
    """Field name -> message, for every field that is wrong."""
    problems: dict[str, str] = {}
    email = normalize_email(form.email)
    name = form.display_name.strip()
    if message := email_problem(email):
        problems["email"] = message
    if message := display_name_problem(name):
        problems["display_name"] = message
    if message := password_problem(form.password, email, name):
        problems["password"] = message
    elif form.password != form.password_confirmation:
        problems["password_confirmation"] = N_("The two passwords are not the same.")
    if not form.accepts_terms:
        problems["accept_terms"] = N_("Tick the box to accept the conditions of use.")
    return problems


# --- account deletion (docs/privacy.md) -----------------------------------------------------

FORMER_PARTICIPANT = N_("Former participant")
ERASED_PASSWORD_HASH = "!erased"  # not an argon2 hash: no password ever verifies against it


def erased_email(user_id: int) -> str:
    """The e-mail of a deleted account: unique, not deliverable (.invalid is reserved), and it
    frees the person's real address for a new account."""
    return f"deleted-{user_id}@deleted.invalid"


def public_name(display_name: str, deleted: bool) -> str:
    """The msgid or name to show next to a contribution (translate FORMER_PARTICIPANT)."""
    return FORMER_PARTICIPANT if deleted else display_name


# --- the account page: name, e-mail address and password (docs/accounts.md) ---------------


def email_change_problems(new_email: str, current_email: str) -> dict[str, str]:
    """Field -> message for a new address asked on the account page (`new_email`)."""
    email = normalize_email(new_email)
    if message := email_problem(email):
        return {"new_email": message}
    if email == normalize_email(current_email):
        return {"new_email": N_("This is already your e-mail address.")}
    return {}


def password_change_problems(
    has_password: bool,
    current_is_right: bool,
    new: str,
    confirmation: str,
    email: str = "",
    display_name: str = "",
) -> dict[str, str]:
    """Field -> message for a new password: the current one first (an account made through an
    identity provider has none, and sets one without it), then the new one's strength."""
    problems: dict[str, str] = {}
    if has_password and not current_is_right:
        problems["current_password"] = N_("The current password is not right.")
    if message := password_problem(new, email, display_name):
        problems["new_password"] = message
    elif new != confirmation:
        problems["new_password_confirmation"] = N_("The two passwords are not the same.")
    return problems


def has_password(password_hash: str) -> bool:
    """Whether the account can log in with a password (not one made through an identity
    provider without one, nor an erased one)."""
    return bool(password_hash) and password_hash != ERASED_PASSWORD_HASH
