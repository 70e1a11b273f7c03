"""`make translations`: append the strings that a catalog lacks at its end, untranslated, and
never reorder it.

`pybabel update` rewrites a catalog in the order of extraction, while ours are kept in a
hand-made order (grouped by page, with comments): every engineer ended up adding strings by
hand so that a merge would not touch thousands of lines. This does what they did: it reads the
template `pybabel extract` just wrote (`messages.pot` next to each `locale/`), appends each
missing string with an empty translation under a comment, and counts the strings the extractor
did not find in the code (left in place: some are used through a variable). A string
that another installed catalog already has is not added twice (the core's catalog holds the
strings the core and several features share; tests/participation/test_i18n.py checks that two
catalogs never translate one string differently).

    python -m tests.catalogs participation meetings oidc ...   # the folders with a locale/
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LANGUAGES = ("fr",)
MessageId = str | tuple[str, ...] | list[str]  # a plural string: (singular, plural)


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _key(message_id: MessageId) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _quoted(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def entry(message_id: MessageId) -> str:
    """A new, untranslated entry in the catalogs' own layout."""
    if isinstance(message_id, str):
        return f'msgid {_quoted(message_id)}\nmsgstr ""\n'
    singular, plural = message_id[0], message_id[1]
    return (
        f'msgid {_quoted(singular)}\nmsgid_plural {_quoted(plural)}\nmsgstr[0] ""\nmsgstr[1] ""\n'
    )


def missing_and_unused(
    template: Catalog, catalog: Catalog, elsewhere: set[str]
) -> tuple[list[MessageId], list[str]]:
    """The template's strings the catalog lacks (and no other catalog has), in the template's
    order; the catalog's strings the template no longer has."""
    present = {_key(m.id) for m in catalog if m.id}
    wanted = [m.id for m in template if m.id]
    missing = [i for i in wanted if _key(i) not in present and _key(i) not in elsewhere]
    used = {_key(i) for i in wanted}
    return missing, sorted(key for key in present if key not in used)


def update(packages: list[str]) -> int:
    catalogs = {
        (package, language): Path(package) / "locale" / language / "LC_MESSAGES" / "messages.po"
        for package in packages
        for language in LANGUAGES
    }
    read = {key: _read(path) for key, path in catalogs.items() if path.exists()}
    for (package, language), path in catalogs.items():
        template_path = Path(package) / "locale" / "messages.pot"
        if not template_path.exists():
            continue
        catalog = read.get((package, language), Catalog(locale=language))
        elsewhere = {
            _key(m.id)
            for (other, other_language), other_catalog in read.items()
            if other != package and other_language == language
            for m in other_catalog
            if m.id
        }
        missing, unused = missing_and_unused(_read(template_path), catalog, elsewhere)
        if missing:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            added = "\n".join(entry(i) for i in missing)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                text.rstrip("\n") + "\n\n# added by make translations: to translate\n" + added,
                encoding="utf-8",
            )
        print(
            f"{path}: {len(missing)} added at the end, untranslated; {len(unused)} the extractor"
            " did not find (some are used through a variable: check before deleting one)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(update(sys.argv[1:]))
