"""Builds the default texts of two pages from the project's documentation, which stays their
source: the draft accessibility statement (docs/accessibility.md) and the record of
processing (docs/privacy.md). The result is package data (`defaults/`), read at run time
without docs/; `tests/participation/test_sitepages_defaults.py` fails when the documentation
changed and the package data was not rebuilt:

    .venv/bin/python -m participation.sitepages.fromdocs

The Markdown of those pages is a small subset (headings, paragraphs, lists, tables, bold,
italics, code, links), turned into the rich text of the pages (participation/richtext.py),
as it is shown (`sanitize_page`: tables stacking on phones), since the pages show their texts
as stored, without bleach (issue #21). The command also writes the other default texts (written
by hand) again as they are shown; run it after changing the pages' allow-list too.
Pure: text in, text out (the command reads and writes the files).
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from participation.richtext import sanitize_page


@dataclass(frozen=True)
class Source:
    slug: str
    language: str
    path: str  # in the repository
    start: str  # the heading line the text follows (excluded)
    stop: str | None = None  # the heading line it ends before (default: the end of the file)


SOURCES = (
    Source(
        "accessibilite", "fr", "docs/accessibility.md", "## Déclaration d'accessibilité (projet)"
    ),
    Source(
        "donnees-personnelles",
        "fr",
        "docs/privacy.md",
        "# Protection des données personnelles (RGPD)",
        stop="## English summary",
    ),
    Source("donnees-personnelles", "en", "docs/privacy.md", "## English summary"),
)
DEFAULTS = Path(__file__).parent / "defaults"

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def section(markdown: str, start: str, stop: str | None = None) -> list[str]:
    lines = markdown.splitlines()
    begin = lines.index(start) + 1
    end = lines.index(stop) if stop else len(lines)
    return lines[begin:end]


def inline(text: str) -> str:
    codes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = _CODE.sub(keep, html.escape(text, quote=False))
    text = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', text)
    text = _STRONG.sub(r"<strong>\1</strong>", text)
    text = _EM.sub(r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def to_rich_text(lines: list[str]) -> str:
    """Blocks of Markdown to the pages' rich text; the shallowest heading becomes <h2>."""
    levels = [len(m.group(1)) for line in lines if (m := _HEADING.match(line))]
    shift = (min(levels) - 2) if levels else 0
    blocks: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif heading := _HEADING.match(line):
            level = len(heading.group(1)) - shift
            blocks.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            head = "".join(f'<th scope="col">{inline(c)}</th>' for c in rows[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>"
                for row in rows[2:]  # rows[1] is the |---| line
            )
            blocks.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif line.startswith("- "):
            items: list[str] = []
            while i < len(lines) and (lines[i].startswith("- ") or lines[i].startswith("  ")):
                if lines[i].startswith("- "):
                    items.append(lines[i][2:].strip())
                else:
                    items[-1] += " " + lines[i].strip()
                i += 1
            blocks.append("<ul>" + "".join(f"<li>{inline(item)}</li>" for item in items) + "</ul>")
        else:
            words = []
            while i < len(lines) and lines[i].strip() and not _block_start(lines[i]):
                words.append(lines[i].strip())
                i += 1
            blocks.append(f"<p>{inline(' '.join(words))}</p>")
    return "\n".join(blocks) + "\n"


def _block_start(line: str) -> bool:
    return bool(_HEADING.match(line)) or line.startswith(("|", "- "))


def build(source: Source, markdown: str) -> str:
    """A default text from its documentation, as the page shows it."""
    return as_shown(to_rich_text(section(markdown, source.start, source.stop)))


def as_shown(text: str) -> str:
    """A default text as its page shows it (and stores it once staff save it)."""
    shown = sanitize_page(text)
    return shown + "\n" if shown else ""


def default_path(source: Source) -> Path:
    return DEFAULTS / f"{source.slug}.{source.language}.html"


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path.cwd()
    for source in SOURCES:
        text = build(source, (root / source.path).read_text(encoding="utf-8"))
        default_path(source).write_text(text, encoding="utf-8")
        print(f"{default_path(source).relative_to(root)} <- {source.path}")
    built = {default_path(source) for source in SOURCES}
    for path in sorted(DEFAULTS.glob("*.html")):
        if path not in built:
            text = path.read_text(encoding="utf-8")
            if as_shown(text) != text:
                path.write_text(as_shown(text), encoding="utf-8")
                print(f"{path.relative_to(root)}: written as shown")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
