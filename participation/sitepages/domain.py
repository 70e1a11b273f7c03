"""Pure rules of the content pages: which pages there are, what a valid edit is, who must
accept the conditions of use again. No database, no HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from participation.i18n import N_

BODY_MAX = 200_000  # characters of one language's text (the accessibility statement is ~12,000)


@dataclass(frozen=True)
class Page:
    slug: str  # its French address, also its key in the database and the audit log
    title: str  # msgid
    route: str  # the public route's name


# In the order of the footer's links.
PAGES: tuple[Page, ...] = (
    Page("mentions-legales", N_("Legal notice"), "sitepages:legal"),
    Page("accessibilite", N_("Accessibility"), "sitepages:accessibility"),
    Page("donnees-personnelles", N_("Personal data"), "sitepages:privacy"),
    Page("conditions-utilisation", N_("Conditions of use"), "sitepages:terms"),
    Page("aide", N_("How to take part"), "sitepages:help"),
)
BY_SLUG = {page.slug: page for page in PAGES}
TERMS = "conditions-utilisation"
# How far the platform conforms to the RGAA (setting ACCESSIBILITY_COMPLIANCE): the footer's
# link says it, as the RGAA asks ("Accessibilité : non conforme").
COMPLIANCE = {
    "none": N_("not compliant"),
    "partial": N_("partially compliant"),
    "full": N_("fully compliant"),
}


def default_text(slug: str, language: str) -> str:
    """The text a page has before staff edit it: package data (participation/sitepages/
    defaults), so an installed package needs no docs/ folder. The accessibility statement and
    the personal-data page are built from docs/accessibility.md and docs/privacy.md
    (participation/sitepages/fromdocs.py; a test fails when they differ). "" when the page has
    no default in that language."""
    source = resources.files(__package__).joinpath("defaults", f"{slug}.{language}.html")
    return source.read_text(encoding="utf-8") if source.is_file() else ""


@dataclass(frozen=True)
class PageForm:
    body_fr: str
    body_en: str
    base_version: str  # the version the editor started from, as sent


def page_problems(form: PageForm) -> dict[str, str]:
    """Field name -> message for every wrong field (the version check is the service's)."""
    problems: dict[str, str] = {}
    if not form.body_fr.strip():
        problems["body_fr"] = N_("Write the text of the page in French.")
    elif len(form.body_fr) > BODY_MAX:
        problems["body_fr"] = N_("The text must be at most 200,000 characters long.")
    if len(form.body_en) > BODY_MAX:
        problems["body_en"] = N_("The text must be at most 200,000 characters long.")
    if not (form.base_version.isascii() and form.base_version.isdigit()):
        problems["form"] = N_("The form is incomplete: open the page again from the list.")
    return problems


def must_accept_terms(accepted_version: int | None, current_version: int) -> bool:
    """A person who has not accepted the current conditions of use is asked to (at sign-in)."""
    return accepted_version is None or accepted_version < current_version


# the note at the top of a default text, for staff: "Texte à compléter par la collectivité..."
_DRAFTING_NOTE = re.compile(r"\A<p><em>[^<]*(à compléter|To be completed)[^<]*</em></p>\n?")


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """A default text completed: what it marks as "[Nom de la collectivité]"... replaced, and
    its note to staff removed."""
    text = _DRAFTING_NOTE.sub("", text)
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text
