"""French first, English second: message catalogs, the current language, negotiation.

Source strings are English msgids; `participation/locale/fr` holds the French catalog, compiled
to .mo at install time (`make` runs `pybabel compile`), never committed compiled.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from participation.settings import SUPPORTED_LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

current_language: ContextVar[str] = ContextVar("current_language", default="fr")


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on what it is about: `pgettext("district", "All")`
    is "Tous" (le quartier), `pgettext("category", "All")` is "Toutes" (la catégorie)."""
    return str(translations(current_language.get()).pgettext(context, message))


def negotiate_language(accept_language: str, default: str) -> str:
    """The best supported language for an Accept-Language header, else `default`."""
    best, best_quality = default, 0.0
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if language in SUPPORTED_LANGUAGES and quality > best_quality:
            best, best_quality = language, quality
    return best
