"""The rich text of every feature: a small safe subset of HTML, sanitised once, on write.

Residents and staff write Markdown (`from_markdown`, below), the official answer to a proposal
included; older paths and the demo store plain text (blank lines separate paragraphs) or the
allowed tags below (`sanitize`). Anything else is stripped: scripts, event handlers, styles,
`hx-*` attributes, `javascript:` links. Links get `rel="nofollow ugc"`.

Sanitised once, on write (issue #21, #23): bleach runs when a text is written, never when a
page, an edit form, an API response or an export shows it. Each row of rich text says with
which allow-list it was sanitised (`sanitized_with`, ALLOW_LIST_VERSION): every writer sets it
(its service, `written`; the demo; the results job for consultations' free-text answers, in
the stored results and in the rows staff review), and a migration that calls `resanitize`
stores every older row again with the current allow-list. A page shows a row of the current
version as stored (`render`, `render_page`); a row that says another version (a path that
forgot to say, or the minutes between an upgrade and its migration) shows its words only,
escaped (`as_words`), never its markup, and without bleach. Plain text for diffs, search,
exports and meta descriptions comes from the standard library's parser (`to_text`).

Residents write Markdown (issue #21): proposals, comments, amendments and budget projects are
typed in Markdown (`from_markdown`: markdown-it with raw HTML off, no images, headings nor code,
then the same bleach allow-list), stored as HTML with its allow-list version, and their Markdown
source is stored beside it so that an edit form shows what the person typed. A row written
before has no source: its edit form shows one derived from its HTML (`markdown_of`, without
bleach), which gives back the same HTML (tested), so nobody loses bold, lists or links by
editing.

Staff's texts (a budget's, consultation's, meeting's or space's) are typed in Markdown too,
but keep no source: their edit form shows `markdown_of` of the stored HTML each time, a
fixpoint (tests/security/test_staff_markdown.py saves each form unchanged twice).
"""

from __future__ import annotations

import functools
import html
import logging
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from html.parser import HTMLParser
from typing import Any

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup

logger = logging.getLogger("participation.richtext")

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_TAG = re.compile(r"<[a-zA-Z/!]")
_BLOCK_END = re.compile(
    r"</(p|li|blockquote|ul|ol|h[1-6]|div|tr|td|th|table|pre)>|<br\s*/?>", re.IGNORECASE
)


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


# Bump when ALLOWED_TAGS, ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, the pages' PAGE_TAGS or
# PAGE_ATTRIBUTES or the filters change, with a migration that calls `resanitize` on every table
# of rich text (rows of an older version show their words only until then), and the content
# pages' default texts written again (`python -m participation.sitepages.fromdocs`; a test says).
ALLOW_LIST_VERSION = 1


def render(stored: str | None, sanitized_with: int = 0) -> Markup:
    """What we show: the row's text as stored, sanitised with the current allow-list on write
    (`sanitized_with`); rendering never calls bleach (issue #21). A row that says another
    version (written by a path that does not say so: none does, a test says; or between an
    upgrade that changes the allow-list and its migration) shows its words only (`as_words`)."""
    if not stored:
        return Markup("")
    if sanitized_with == ALLOW_LIST_VERSION:
        return Markup(stored)
    return as_words(stored)


@cache
def _warn_once() -> None:
    logger.warning("rich text of another allow-list shown as plain words (run the migrations)")


def as_words(stored: str) -> Markup:
    """A text whose sanitising is not known, shown safely without bleach: its words, escaped,
    a paragraph per block (`to_text`: the standard library's parser), links and emphasis lost
    until the migrations' job (`resanitize`) or the next save stores it with the current
    allow-list. Logged once per process: every writer and migration should prevent it."""
    _warn_once()
    lines = to_text(stored).split("\n")
    return Markup("".join(f"<p>{html.escape(line)}</p>" for line in lines if line))


def written(row: Any, columns: tuple[str, ...], **sanitized: str) -> dict[str, Any]:
    """What a service saves when it writes some of a row's rich-text `columns` (`sanitized`:
    each one sanitised by it, `sanitize` or `from_markdown`): those; the row's other columns
    again with the current allow-list when the row says another (`stored_again`), so that no
    column is trusted unsanitised; and `sanitized_with`. `row` is None for a
    new row (its other columns are empty)."""
    values: dict[str, Any] = dict(sanitized)
    if row is not None and row.sanitized_with != ALLOW_LIST_VERSION:
        for column in columns:
            if column not in sanitized:
                values[column] = stored_again(getattr(row, column))
    values["sanitized_with"] = ALLOW_LIST_VERSION
    return values


def stored_again(stored: str) -> str:
    """Stored rich text sanitised again with the current allow-list (idempotent): what a
    migration stores of a row of an older allow-list (`resanitize`), what a service stores of
    a row's other columns (`written`), what the results job stores of answers' texts."""
    return str(_cleaner.clean(stored or ""))


async def resanitize(
    client: Any,
    table: str,
    columns: tuple[str, ...],
    again: Callable[[str], str] = stored_again,
) -> int:
    """In a migration: the rich text `columns` of every row of `table` not sanitised with the
    current allow-list, sanitised with it (`again`: `stored_again`, `page_again` for the content
    pages, `consultations.texts.content_again` for stored results) and marked so
    (`sanitized_with`), a batch of rows at a time; returns how many rows changed."""
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
            values = [again(row[c]) for c in columns]
            await client.execute_query(
                f'UPDATE "{table}" SET {assignments}, "sanitized_with" = {version} '
                f'WHERE "id" = {row_id}',
                [*values, ALLOW_LIST_VERSION, row["id"]],
            )
            changed += 1
        last = rows[-1]["id"]


# Residents' Markdown: CommonMark with raw HTML off (typed tags show as text), a line break where
# they typed one (as the plain text of before), and only what the allow-list keeps: emphasis,
# lists, quotes, links (bare addresses become links through the cleaner's linkify filter).
# Headings, code, rules and images are off: their marks stay as typed text.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    ["code", "fence", "hr", "heading", "lheading", "image", "backticks", "html_block"]
    + ["html_inline"]
)


def from_markdown(source: str) -> str:
    """What we store of a resident's Markdown: its HTML, cleaned with the allow-list (store it
    with `sanitized_with=ALLOW_LIST_VERSION`, and `source` as typed, `source_of` gives it back)."""
    source = source.strip()
    if not source:
        return ""
    return str(_cleaner.clean(_markdown.render(source))).strip()


def source_of(source: str | None, stored: str | None) -> str:
    """What an edit form shows: the Markdown as typed, or for a row written before residents
    wrote Markdown (no source), Markdown derived from its HTML (`markdown_of`)."""
    return source or markdown_of(stored or "")


_INLINE_MARKS = re.compile(r"([\\`*\[\]<])|(?<![\w])_|_(?![\w])")
_LINE_START_MARKS = re.compile(r"^(\s*)([>+-]|\d+[.)])(?=\s|$)", re.MULTILINE)
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")


def _escaped(text: str) -> str:
    text = _INLINE_MARKS.sub(lambda m: "\\" + m.group(0), text)
    text = _ENTITY_LIKE.sub("&amp;", text)
    return _LINE_START_MARKS.sub(
        lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text
    )


class _Tree(HTMLParser):
    """Stored HTML (the allow-listed subset) as nested [tag, attributes, children] lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[Any] = ["", {}, []]
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node: list[Any] = [tag, dict(attrs), []]
        self.stack[-1][2].append(node)
        if tag != "br":
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1][2].append(data)


_BLOCKS = {"p", "ul", "ol", "blockquote"}


def _inline(nodes: list[Any]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_escaped(re.sub(r"\s+", " ", node)))
            continue
        tag, attrs, children = node
        inner = _inline(children)
        if tag == "br":
            out.append("\n")
        elif tag == "strong" and inner.strip():
            out.append(f"**{inner}**")
        elif tag == "em" and inner.strip():
            out.append(f"*{inner}*")
        elif tag == "a" and attrs.get("href") and inner.strip():
            href = attrs["href"].replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
            out.append(
                f"[{inner}](<{href}>)" if "(" in href or ")" in href else f"[{inner}]({href})"
            )
        else:
            out.append(inner)
    return "".join(out)


def _blocks(nodes: list[Any]) -> list[str]:
    blocks: list[str] = []
    run: list[Any] = []

    def flush() -> None:
        text = "\n".join(line.strip() for line in _inline(run).split("\n")).strip()
        if text:
            blocks.append(text)
        run.clear()

    for node in nodes:
        if isinstance(node, str) or node[0] not in _BLOCKS:
            run.append(node)
            continue
        flush()
        tag, _, children = node
        if tag == "p":
            run.extend(children)
            flush()
        elif tag == "blockquote":
            inner = "\n\n".join(_blocks(children))
            blocks.append("\n".join(f"> {line}".rstrip() for line in inner.split("\n")))
        else:
            items = [c for c in children if not isinstance(c, str) and c[0] == "li"]
            lines = []
            for number, item in enumerate(items, 1):
                marker = f"{number}. " if tag == "ol" else "- "
                loose = any(not isinstance(c, str) and c[0] == "p" for c in item[2])
                body = ("\n\n" if loose else "\n").join(_blocks(item[2]))
                indent = "\n" + " " * len(marker)
                lines.append(marker + body.replace("\n", indent).replace(indent + "\n", "\n\n"))
            blocks.append("\n".join(lines))
    flush()
    return blocks


def markdown_of(stored: str) -> str:
    """Markdown that `from_markdown` turns back into the same HTML, for stored rich text of the
    allow-listed subset (what a row written before residents wrote Markdown holds; every row
    says the current allow-list once the migrations ran). Read with the standard library's
    parser, not bleach: whatever the text holds, the Markdown keeps only what the subset can
    say, an edit form shows it escaped, and saving it sanitises it (`from_markdown`)."""
    tree = _Tree()
    tree.feed(stored or "")  # no bleach: an edit form is a page too (issue #21)
    tree.close()
    return "\n\n".join(_blocks(tree.root[2]))


# The town's content pages (participation/sitepages): written by staff, long and structured,
# so they may also hold headings, tables and code; links are left as written (no linkify: a
# file name such as "privacy.py" is no web address).
PAGE_TAGS = ALLOWED_TAGS | {"h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "code"}
PAGE_ATTRIBUTES = {"a": ["href"], "th": ["scope"]}


class StackedTables(bleach.html5lib_shim.Filter):  # type: ignore[misc]
    """A page's tables stack on phones as the site's own do (`table.stack` in
    static/css/app.css): the table gets the class, each <td> the text of its column's header
    (`data-label`), taken from the column headers (<th> in <thead>, or <th scope="col">).
    Applied after the sanitizer: what is stored is what is shown (`sanitize_page`), the allowed
    subset with these two attributes, computed again from the headers on every save."""

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


def sanitize_page(text: str) -> str:
    """What a content page stores, as it is shown (issue #21): as `sanitize`, with the pages'
    larger set of tags, and its tables stacking on phones (`StackedTables`). Store it with
    `sanitized_with=ALLOW_LIST_VERSION`; sanitising it again gives the same text."""
    return sanitize(text, _page_renderer)


def page_again(stored: str) -> str:
    """A page's row of an older allow-list sanitised again with the pages' (`resanitize`)."""
    return str(_page_renderer.clean(stored or ""))


_SHOWN_ONLY = re.compile(r'(?<=<table) class="stack"|(?<=<td) data-label="[^"]*"')


def page_source(stored: str) -> str:
    """What a page's edit form shows of its stored text: without what `StackedTables` adds
    (computed again on save), so staff edit what they wrote. A regular expression, not bleach:
    the stored text is the sanitizer's output (attribute values quoted, `"` escaped)."""
    return _SHOWN_ONLY.sub("", stored)


def render_page(stored: str | None, sanitized_with: int = 0) -> Markup:
    """A content page's text: as stored, sanitised with the current allow-list on write
    (`sanitized_with`; the default texts are kept so, a test says), without bleach; a row that
    says another version shows its words only, as `render` does."""
    return render(stored, sanitized_with)


class _Text(HTMLParser):
    """The text of HTML, tags and comments left out, character references read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def to_text(stored: str) -> str:
    """Readable plain text of stored rich text (for diffs, search, exports, a page's meta
    description). The standard library's parser, not bleach: pages call it (`summary`), and
    rendering never calls bleach (issue #21)."""
    if not stored:  # most official answers: no parser run for nothing (issue #23's export)
        return ""
    parser = _Text()
    parser.feed(_BLOCK_END.sub("\n", stored))
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line)


def summary(text: object, length: int = 160) -> str:
    """A page's meta description from its text (stored rich text, rendered HTML or plain text):
    the words alone, on one line (a heading or an address line that ends without a full stop
    followed by « · »), cut at the last whole word before `length` characters with
    « … » (search engines show about 160). Markup in the text is read as text, never kept.
    Worked out once per text and length in a process (a page's description is the same on
    every request: issue #23)."""
    return _summary(str(text), length)


@functools.lru_cache(maxsize=1024)
def _summary(text: str, length: int) -> str:
    lines = [" ".join(line.split()) for line in to_text(text).split("\n")]
    plain = " ".join(
        line if line.endswith((".", "!", "?", "…", ":", ";")) or last else f"{line} ·"
        for last, line in ((i == len(lines) - 1, line) for i, line in enumerate(lines))
    )
    if len(plain) <= length:
        return plain
    cut = plain[: length - 1].rsplit(" ", 1)[0].rstrip(" ,;:.·–-")
    return cut + "…"


def normalize_for_search(text: str) -> str:
    """Lower-cased, no accents, single spaces: `Élagage  des ARBRES` -> `elagage des arbres`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("œ", "oe").replace("æ", "ae").split())
