"""The rich text of every feature: a small safe subset of HTML, sanitized on input and output.

Residents type plain text (blank lines separate paragraphs) or the allowed tags below. Anything
else is stripped: scripts, event handlers, styles, `hx-*` attributes, `javascript:` links.
Links get `rel="nofollow ugc"`.

Comments and proposals are sanitised once, on write (issue #21, #23): their row says with which
allow-list (`sanitized_with`, ALLOW_LIST_VERSION when written by their services or re-sanitised
by `resanitize`), and a page shows such a row as stored, without bleach. A row that says
another version (0: written by a path that does not say, or before the allow-list changed) is
cleaned on output as before.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

import bleach
from bleach.linkifier import LinkifyFilter
from markupsafe import Markup

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_TAG = re.compile(r"<[a-zA-Z/!]")
_BLOCK_END = re.compile(r"</(p|li|blockquote|ul|ol)>|<br\s*/?>", re.IGNORECASE)


def _nofollow_ugc(attrs: dict[Any, str], new: bool = False) -> dict[Any, str] | None:
    href_key = (None, "href")
    if href_key not in attrs:
        return attrs
    attrs[(None, "rel")] = "nofollow ugc"
    return attrs


def _cleaner_of(tags: frozenset[str], attributes: dict[str, list[str]], filters: list[Any]) -> Any:
    options = {"protocols": ALLOWED_PROTOCOLS, "strip": True, "strip_comments": True}
    return bleach.Cleaner(tags=tags, attributes=attributes, filters=filters, **options)


_cleaner = _cleaner_of(
    ALLOWED_TAGS,
    ALLOWED_ATTRIBUTES,
    [lambda source: LinkifyFilter(source, callbacks=[_nofollow_ugc])],
)


def _paragraphs(text: str) -> str:
    """Plain text to paragraphs: blank lines separate paragraphs, single newlines are <br>."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in block.split("\n")) + "</p>"
        for block in blocks
    )


def sanitize(text: str, cleaner: Any = _cleaner) -> str:
    """What we store: plain text becomes paragraphs; HTML keeps only the allowed subset."""
    text = text.strip()
    if not text:
        return ""
    source = text if _TAG.search(text) else _paragraphs(text)
    return str(cleaner.clean(source)).strip()


# Bump when ALLOWED_TAGS, ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS or the filters change, with a
# migration that calls `resanitize` (rows of an older version are cleaned on output until then).
ALLOW_LIST_VERSION = 1


def render(stored: str | None, sanitized_with: int = 0) -> Markup:
    """What we show: as stored when the row was sanitised with the current allow-list
    (`sanitized_with`), else cleaned again on output, so a row written by another path is safe."""
    if sanitized_with == ALLOW_LIST_VERSION:
        return Markup(stored or "")
    return Markup(_cleaner.clean(stored or ""))


def stored_again(stored: str) -> str:
    """What `render` shows of a row of an older allow-list: the text a migration stores
    (`resanitize`) so that the page shows the same once the row says the current version."""
    return str(_cleaner.clean(stored or ""))


async def resanitize(client: Any, table: str, columns: tuple[str, ...]) -> int:
    """In a migration: the rich text `columns` of every row of `table` not sanitised with the
    current allow-list, sanitised with it (`stored_again`) and marked so (`sanitized_with`), a
    batch of rows at a time; returns how many rows changed."""
    postgres = client.capabilities.dialect == "postgres"
    marks = [f"${i}" if postgres else "?" for i in range(1, len(columns) + 3)]
    names = ", ".join(f'"{c}"' for c in columns)
    assignments = ", ".join(f'"{c}" = {marks[i]}' for i, c in enumerate(columns))
    version, row_id = marks[len(columns)], marks[len(columns) + 1]
    changed, last = 0, 0
    while True:
        _, rows = await client.execute_query(
            f'SELECT "id", {names} FROM "{table}" WHERE "sanitized_with" <> {ALLOW_LIST_VERSION} '
            f'AND "id" > {int(last)} ORDER BY "id" LIMIT 500'
        )
        if not rows:
            return changed
        for row in rows:
            values = [stored_again(row[c]) for c in columns]
            await client.execute_query(
                f'UPDATE "{table}" SET {assignments}, "sanitized_with" = {version} '
                f'WHERE "id" = {row_id}',
                [*values, ALLOW_LIST_VERSION, row["id"]],
            )
            changed += 1
        last = rows[-1]["id"]


# The town's content pages (participation/sitepages): written by staff, long and structured,
# so they may also hold headings, tables and code; links are left as written (no linkify: a
# file name such as "privacy.py" is no web address).
PAGE_TAGS = ALLOWED_TAGS | {"h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "code"}
PAGE_ATTRIBUTES = {"a": ["href"], "th": ["scope"]}
_page_cleaner = _cleaner_of(PAGE_TAGS, PAGE_ATTRIBUTES, [])


def sanitize_page(text: str) -> str:
    """What a content page stores: as `sanitize`, with the pages' larger set of tags."""
    return sanitize(text, _page_cleaner)


class StackedTables(bleach.html5lib_shim.Filter):  # type: ignore[misc]
    """On output only: a page's tables stack on phones as the site's own do (`table.stack` in
    static/css/app.css): the table gets the class, each <td> the text of its column's header
    (`data-label`), taken from the column headers (<th> in <thead>, or <th scope="col">).
    Applied after the sanitizer, so what is stored stays the allowed subset."""

    def __iter__(self) -> Any:
        headers: list[str] = []
        heading: list[str] | None = None
        column, in_head = 0, False
        for token in super().__iter__():
            kind, name = token["type"], token.get("name")
            if kind == "StartTag" and name == "table":
                headers = []
                token["data"] = {**token["data"], (None, "class"): "stack"}
            elif name == "thead" and kind in ("StartTag", "EndTag"):
                in_head = kind == "StartTag"
            elif kind == "StartTag" and name == "tr":
                column = 0
            elif kind == "StartTag" and name == "th":
                column += 1
                is_column = in_head or token["data"].get((None, "scope")) == "col"
                heading = [] if is_column else None
            elif kind in ("Characters", "SpaceCharacters") and heading is not None:
                heading.append(token["data"])
            elif kind == "EndTag" and name == "th" and heading is not None:
                headers.append(" ".join("".join(heading).split()))
                heading = None
            elif kind == "StartTag" and name == "td":
                if column < len(headers) and headers[column]:
                    token["data"] = {**token["data"], (None, "data-label"): headers[column]}
                column += 1
            yield token


_page_renderer = _cleaner_of(PAGE_TAGS, PAGE_ATTRIBUTES, [StackedTables])


def render_page(stored: str | None) -> Markup:
    """A content page's text, cleaned again on output (its tables stack on phones)."""
    return Markup(_page_renderer.clean(stored or ""))


def to_text(stored: str) -> str:
    """Readable plain text of stored rich text (for diffs, search, exports)."""
    with_breaks = _BLOCK_END.sub("\n", stored or "")
    text = bleach.clean(with_breaks, tags=set(), strip=True)
    lines = [" ".join(html.unescape(line).split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def normalize_for_search(text: str) -> str:
    """Lower-cased, no accents, single spaces: `Élagage  des ARBRES` -> `elagage des arbres`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("œ", "oe").replace("æ", "ae").split())
