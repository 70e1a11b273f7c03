"""French first, English second: message catalogs, the current language, negotiation.

Source strings are English msgids; `participation/locale/fr` holds the core's French catalog and
a feature may carry its own (`<package>/locale/fr/LC_MESSAGES/messages.po`, the msgids that only
its code and templates use), compiled to .mo at install time (`make messages` compiles every
`*/locale`), never committed compiled. A language's translations are the core's catalog with
each installed feature's merged into it, in the order of `features.FEATURES`; a msgid in two
catalogs must have one translation (tests/participation/test_i18n.py), so the order decides
nothing a reader sees.
"""

from __future__ import annotations

import importlib
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from participation import features
from participation.settings import SUPPORTED_LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

current_language: ContextVar[str] = ContextVar("current_language", default="fr")


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def catalog_dirs() -> list[Path]:
    """The locale folders to read: the core's, then each installed feature's that has one.

    Found from the packages of `features.INSTALLED`, without importing a manifest (which
    imports the feature's routes and templates): `participation tally` prints French tables
    without the web code (issue #23)."""
    found = [LOCALE_DIR]
    for package in features.INSTALLED:
        for package_dir in importlib.import_module(package).__path__:
            folder = Path(package_dir) / "locale"
            if folder.is_dir() and folder not in found:
                found.append(folder)
    return found


def translations(language: str) -> NullTranslations:
    """The core's catalog and the installed features', merged (once per set of features)."""
    return _merged(language, features.INSTALLED)


@cache
def _merged(language: str, installed: tuple[str, ...]) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    merged: NullTranslations = NullTranslations()
    for folder in catalog_dirs():
        catalog = Translations.load(str(folder), [language], domain="messages")
        if not isinstance(catalog, Translations):
            continue  # not compiled (no .mo): `make messages` was not run
        if isinstance(merged, Translations):
            merged.merge(catalog)
        else:
            merged = catalog
    return merged


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on what it is about: `pgettext("district", "All")`
    is "Tous" (le quartier), `pgettext("category", "All")` is "Toutes" (la catégorie)."""
    return str(translations(current_language.get()).pgettext(context, message))


@lru_cache(maxsize=256)  # a few headers, asked twice a request (issue #23)
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
