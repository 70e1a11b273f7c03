"""Pabulib `.pb` files (pabulib.org/format): read into an `Election`, write one back.

Reading accepts a UTF-8 BOM, CRLF line ends, quoted fields, optional columns in any order,
`points` (cumulative ballots) and ranks (ordinal ballots list projects in rank order). A
malformed file raises `PabulibError(line, field, message)`, never another exception.

Writing gives a file that reads back as the same election, with voter ids replaced by
1, 2, 3... (anonymised).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from participation import spreadsheet  # pure: the one CSV writer (no web stack)
from tally._collector import paused
from tally.election import Ballot, Election, Project, VoteType, frozen_instance, scores

SECTIONS = ("META", "PROJECTS", "VOTES")
KINDS = {kind.value: kind for kind in VoteType}


# Money above this cannot be stored (PostgreSQL BIGINT) and makes the engine's floats overflow
MAX_MONEY = 2**63 - 1

# Errors that callers show translated: msgids (English) with {line} and their own values;
# `PabulibError.msgid` and `.values` carry them (the French is in participation/locale)
TOO_LARGE = "Line {line}: {field} {value} is too large (at most {most})."
NUL_CHARACTER = "Line {line}: the file contains a NUL character, which cannot be stored."
REPEATED_VOTE = "A vote names a project more than once (line {line}): it counts once in it."
REPEATED_VOTES = (
    "{count} votes name a project more than once (first at line {line}): "
    "each project counts once in these votes."
)


class PabulibError(ValueError):
    def __init__(
        self,
        line: int | None,
        field: str,
        message: str,
        msgid: str = "",
        values: dict[str, object] | None = None,
    ) -> None:
        self.line = line
        self.field = field
        self.message = message
        self.msgid = msgid  # a translatable form of the whole error, with `values` and line
        self.values = {"line": line if line is not None else "?", **(values or {})}
        where = ", ".join(
            part for part in (f"line {line}" if line is not None else "", field) if part
        )
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class PabulibFile:
    """A file's election and, when it has a `selected` column, the published outcome."""

    election: Election
    selected: tuple[str, ...] | None
    rule: str  # META.rule, "" when absent
    # approval and choose-1 votes naming a project more than once (each counted once), and
    # the line of the first one
    repeated_votes: int = 0
    repeated_line: int | None = None
    project_lines: Mapping[str, int] = field(default_factory=dict)  # project id -> its line

    def warnings(self) -> list[tuple[str, dict[str, object]]]:
        """What was accepted but not as written: (msgid, values) to translate and show."""
        if not self.repeated_votes:
            return []
        message = REPEATED_VOTE if self.repeated_votes == 1 else REPEATED_VOTES
        return [(message, {"count": self.repeated_votes, "line": self.repeated_line})]


def read(source: str | Path, *, strict: bool = False) -> Election:
    """Read a `.pb` file from a path, or from its text."""
    return read_with_outcome(source, strict=strict).election


def loads(text: str, *, strict: bool = False) -> Election:
    return parse(text, strict=strict).election


def read_with_outcome(source: str | Path, *, strict: bool = False) -> PabulibFile:
    if isinstance(source, Path) or ("\n" not in source and source.endswith(".pb")):
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise PabulibError(None, "", f"cannot read {path}: {error.strerror}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise PabulibError(line, "", "the file is not UTF-8 text") from None
        return parse(text, name=path.stem, strict=strict)
    return parse(source, strict=strict)


def parse(text: str, name: str = "", *, strict: bool = False) -> PabulibFile:
    """The file's election and published outcome.

    A vote naming a project twice (`1379,1379,382`: 22 of the 1,746 files of the public
    library) is accepted as the city counted it when the ballots are approval or choose-1
    ballots: the project counts once (`PabulibFile.repeated_votes` says how many votes, for a
    warning). Ranks and points make it ambiguous: such cumulative or ordinal votes are refused,
    and so is every such vote with `strict=True`.
    The garbage collector is paused meanwhile (`tally._collector`).
    """
    with paused():
        return _parse(text, name, strict)


def _parse(text: str, name: str, strict: bool) -> PabulibFile:
    text = text.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:  # PostgreSQL cannot store it in a text column: refused for every use
        line = text.count("\n", 0, nul) + 1
        raise PabulibError(
            line, "", "the file contains a NUL character", NUL_CHARACTER, {"line": line}
        )
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    plain: _Table | list[str] | None = None  # the VOTES lines, when csv is not needed
    plain_from = 0  # the line number of the first of them
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=";", quotechar='"')
    try:
        strip = str.strip
        for row in reader:
            if not row:
                continue
            head = strip(row[0])
            if not head and all(not strip(cell) for cell in row):  # a blank line
                continue
            line = reader.line_num
            if len(row) == 1 and head.upper() in SECTIONS:
                current = head.upper()
                if current in sections:
                    raise PabulibError(line, "", f"section {current} appears twice")
                sections[current] = []
                if current == "VOTES":
                    plain, plain_from = _plain_lines(stream), line + 1
                    if plain is not None:
                        break  # the rest of the file is VOTES lines, read by `read_plain`
                continue
            if current is None:
                raise PabulibError(line, "", "the file must start with a META section")
            sections[current].append((line, list(map(strip, row))))
    except csv.Error as error:
        raise PabulibError(reader.line_num, "", f"unreadable line ({error})") from None
    for section in SECTIONS:
        if section not in sections:
            raise PabulibError(None, "", f"the {section} section is missing")
    meta = _meta(sections["META"])
    kind_text = meta.get("vote_type", "approval").strip().lower()
    if kind_text not in KINDS:
        known = ", ".join(KINDS)
        raise PabulibError(
            _meta_line(sections["META"], "vote_type"),
            "vote_type",
            f"unsupported vote type {kind_text!r} (supported: {known})",
        )
    kind = KINDS[kind_text]
    if "budget" not in meta:
        raise PabulibError(None, "budget", "META has no budget")
    budget = _money(meta["budget"], _meta_line(sections["META"], "budget"), "budget")
    threshold: int | None = None
    if meta.get("min_project_score_threshold", "").strip():
        at = _meta_line(sections["META"], "min_project_score_threshold")
        value = _number(meta["min_project_score_threshold"], at, "min_project_score_threshold")
        threshold = math.ceil(value)
    rank_points = None
    if kind == VoteType.ORDINAL and meta.get("scoring_fn", "").strip():
        rank_points = _rank_points(meta, _meta_line(sections["META"], "scoring_fn"))
    projects, selected, lines = _projects(sections["PROJECTS"], meta)
    votes = _Votes(kind, {p.id for p in projects}, strict)
    if plain is None:
        ballots = tuple(votes.read(sections["VOTES"]))
    elif isinstance(plain, _Table):
        ballots = tuple(votes.read_table(plain_from, plain))
    else:
        ballots = tuple(votes.read_plain(plain_from, plain))
    election = Election(
        projects=projects,
        ballots=ballots,
        budget=int(budget),  # floor: budgets are not negative
        kind=kind,
        min_project_score_threshold=threshold,
        meta=meta,
        name=name or meta.get("description", ""),
        rank_points=rank_points,
    )
    return PabulibFile(
        election=election,
        selected=selected,
        rule=meta.get("rule", "").strip(),
        repeated_votes=votes.repeated,
        repeated_line=votes.first_repeated,
        project_lines=lines,
    )


class _Table(NamedTuple):
    """A VOTES section whose lines all have as many cells, at least two (every file of the
    public library): its cells line after line, with one "\n" cell between two lines."""

    cells: list[str]
    width: int  # cells per line
    text: str  # the section, without its last line end

    def lines(self) -> list[str]:
        return self.text.split("\n")


def _plain_lines(stream: io.StringIO) -> _Table | list[str] | None:
    """The rest of `stream` as a table or as lines, when csv would cut each line at its
    semicolons and nothing else: no quote, no carriage return but in CRLF, no field longer than
    csv's limit, and every line that is not empty holds a semicolon (no section marker, no
    one-cell row, no line of spaces: those are csv's to decide). Otherwise None, the stream
    untouched.

    Reading the VOTES section (nearly the whole file) with `str.split` instead of csv is what
    makes reading fast (issue #23); every file of the public library qualifies, and is a table.
    """
    start = stream.tell()
    rest = stream.read()
    if "\r" in rest:
        rest = rest.replace("\r\n", "\n")
    if '"' in rest or "\r" in rest:
        stream.seek(start)
        return None
    lines: list[str] | None = None
    if len(rest) > csv.field_size_limit():
        lines = _lines(rest)
        if max(map(len, lines)) > csv.field_size_limit():
            stream.seek(start)
            return None
    if _reads_every_column(rest):
        table = _table(rest.removesuffix("\n"))  # without the file's last line end
        if table is not None:
            return table  # its lines all hold a semicolon
    lines = _lines(rest) if lines is None else lines
    if not all(map(str.__contains__, lines, repeat(";"))) and any(
        line and ";" not in line for line in lines
    ):
        stream.seek(start)
        return None
    return lines


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines[-1] == "":  # the file's last line end
        lines.pop()
    return lines


# the VOTES columns that a ballot is read from (points: for cumulative ballots only)
VOTE_COLUMNS = ("voter_id", "vote", "points")


def _reads_every_column(text: str) -> bool:
    """Whether the header (the first line) has no column after the last one read.

    Columns after it (Wrocław 2015: age, sex, voting method, district) are left uncut by the
    line loop: cutting every cell of them made reading Wrocław 2015 slower (170 ms against
    135 ms), where a table of only the columns read is faster than the loop (issue #23).
    """
    end = text.find("\n")
    header = [cell.strip().lower() for cell in (text if end < 0 else text[:end]).split(";")]
    read = [at for at, name in enumerate(header) if name in VOTE_COLUMNS]
    return bool(read) and read[-1] == len(header) - 1


def _table(text: str) -> _Table | None:
    """`text` cut into cells when each line has as many semicolons, at least one.

    One replace and one split in C, and two checks that need no loop in Python: each line end
    becomes a cell of its own ("\n", which no other cell can hold), and a table has one at
    every (width + 1)th place and nowhere else. Checking each line, or cutting lines then
    cells, cost more than reading the section (issue #23).
    """
    cells = text.replace("\n", ";\n;").split(";")
    ends = text.count("\n")
    width = cells.index("\n") if ends else len(cells)
    if (
        width < 2
        or len(cells) != (ends + 1) * (width + 1) - 1
        or cells[width :: width + 1].count("\n") != ends
    ):
        return None
    return _Table(cells, width, text)


def _meta(rows: list[tuple[int, list[str]]]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for index, (line, row) in enumerate(rows):
        if index == 0 and [c.lower() for c in row[:2]] == ["key", "value"]:
            continue
        if len(row) < 2:
            raise PabulibError(line, row[0], "a META line needs a key and a value")
        meta[row[0]] = ";".join(row[1:]) if len(row) > 2 else row[1]
    return meta


def _rank_points(meta: dict[str, str], line: int | None) -> tuple[int, ...]:
    """Ordinal ballots: META `scoring_fn`, the points of rank 1, 2, 3... (`3,2,1`), or `borda`
    (`n − rank + 1`, n = META `max_length`). Another value is refused, never guessed."""
    text = meta["scoring_fn"].strip()
    if text.lower() == "borda" and meta.get("max_length", "").strip().isdigit():
        return tuple(range(int(meta["max_length"]), 0, -1))
    values = [v.strip() for v in text.split(",")]
    if all(v.isascii() and v.isdigit() for v in values):
        return tuple(int(v) for v in values)
    raise PabulibError(
        line,
        "scoring_fn",
        f"{text!r} is not a list of points by rank (such as 3,2,1) nor borda with max_length",
    )


def _meta_line(rows: list[tuple[int, list[str]]], key: str) -> int | None:
    return next((line for line, row in rows if row and row[0] == key), None)


def _number(text: str, line: int | None, field: str) -> Fraction | int:
    cleaned = text.strip().replace(",", ".")
    whole, _, decimals = cleaned.partition(".")
    if whole.isascii() and whole.isdigit() and not decimals.strip("0"):
        return int(whole)  # `4000`, `4000.0`: what Fraction would say, without its regex
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise PabulibError(line, field, f"{text!r} is not a number") from None


def _money(text: str, line: int | None, field: str) -> Fraction | int:
    value = _number(text, line, field)
    if value < 0:
        raise PabulibError(line, field, f"{text!r} is negative")
    if value > MAX_MONEY:
        values = {"field": field, "value": text.strip(), "most": MAX_MONEY}
        raise PabulibError(
            line, field, f"{text.strip()} is too large (at most {MAX_MONEY})", TOO_LARGE, values
        )
    return value


def _header(rows: list[tuple[int, list[str]]], section: str, required: tuple[str, ...]):
    if not rows:
        raise PabulibError(None, "", f"the {section} section has no header")
    line, header = rows[0]
    columns = [c.strip().lower() for c in header]
    for name in required:
        if name not in columns:
            raise PabulibError(line, name, f"the {section} header has no {name} column")
    return columns


def _projects(
    rows: list[tuple[int, list[str]]], meta: dict[str, str]
) -> tuple[tuple[Project, ...], tuple[str, ...] | None, dict[str, int]]:
    columns = _header(rows, "PROJECTS", ("project_id", "cost"))
    at: dict[str, int] = {}  # a column's name -> its (first) index
    for index, name in enumerate(columns):
        at.setdefault(name, index)
    has_selected = "selected" in columns
    projects: list[Project] = []
    selected: list[str] = []
    seen: dict[str, int] = {}
    # the columns read, taken from a row in one `itemgetter` call (issue #23): a row is padded
    # with empty cells up to the header's length and one more, which stands for an absent column
    width = len(columns)
    read = ("project_id", "cost", "name", "category", "district", "subunit", "selected")
    pick = itemgetter(*(at.get(name, width) for name in read))
    for line, row in rows[1:]:
        size = len(row)
        if size > width:
            raise PabulibError(line, "", f"{size} fields for {width} columns")
        project_id, cost_text, title, category, district, subunit, flag = pick(
            row + [""] * (width + 1 - size)
        )
        if not project_id:
            raise PabulibError(line, "project_id", "empty project id")
        if project_id in seen:
            raise PabulibError(line, "project_id", f"project {project_id} appears twice")
        seen[project_id] = line
        cost = _money(cost_text, line, "cost")
        if cost.denominator != 1:
            raise PabulibError(
                line, "cost", f"{cost_text!r} is not a whole number of currency units"
            )
        projects.append(
            frozen_instance(
                Project,
                id=project_id,
                cost=int(cost),
                name=title,
                category=category,
                district=district or subunit,
            )
        )
        if has_selected:
            # 1: selected by the rule. Other values are the city's own marks (Gdynia: 2 for
            # projects funded outside the budget as a turnout award), not part of the outcome.
            flag = flag.strip()
            if flag and _number(flag, line, "selected") == 1:
                selected.append(project_id)
    return tuple(projects), (tuple(selected) if has_selected else None), seen


# a distinct vote as read: its projects, its points (cumulative), whether it named one twice
_Vote = tuple[tuple[str, ...], tuple[int, ...] | None, bool]


class _Votes:
    """Reads the VOTES section; counts the votes that name a project more than once."""

    def __init__(self, kind: VoteType, known: set[str], strict: bool) -> None:
        self.kind = kind
        self.known = known
        # approval and choose-1: a project named twice is approved once, unambiguously
        self.merge = not strict and kind in (VoteType.APPROVAL, VoteType.CHOOSE_1)
        # asked once per distinct vote: a bool, not an enum member looked up each time
        self.cumulative = kind == VoteType.CUMULATIVE
        self.repeated = 0
        self.first_repeated: int | None = None
        # (vote cell, points cell) -> (choices, points, repeated): a vote is read once
        self._read: dict[tuple[str, str], tuple[tuple[str, ...], tuple[int, ...] | None, bool]] = {}

    def read(self, rows: list[tuple[int, list[str]]]) -> Iterator[Ballot]:
        columns = _header(rows, "VOTES", ("voter_id", "vote"))
        id_at, vote_at, points_at = self._columns(columns, rows[0][0])
        vote = self._vote
        for line, row in rows[1:]:
            voter = row[id_at] if id_at < len(row) else ""
            text = row[vote_at] if vote_at < len(row) else ""
            raw = row[points_at] if points_at is not None and points_at < len(row) else ""
            choices, points = vote(text, raw, line)
            yield Ballot(voter, choices, points)

    def read_plain(self, first: int, lines: list[str]) -> list[Ballot]:
        """`read` for the section's lines (`first` is the number of the first one) when csv
        would only cut them at their semicolons (`_plain_lines`): the same ballots and errors.

        A line is cut with `str.split`, and only up to the columns used; a vote (its cells)
        is read and checked once however many voters cast it; the ballot tuple is built in C.
        (Column by column with `map` was slower: the lists of a whole section held at once
        cost more than the loop.)
        """
        numbered = enumerate(lines, start=first)
        header: list[tuple[int, list[str]]] = []
        for line, text in numbered:
            cells = [cell.strip() for cell in text.split(";")]
            if any(cells):  # the first line that is not blank
                header.append((line, cells))
                break
        columns = _header(header, "VOTES", ("voter_id", "vote"))
        id_at, vote_at, points_at = self._columns(columns, header[0][0])
        cut = max(id_at, vote_at, points_at or 0) + 1  # the cells after these stay uncut
        ballots: list[Ballot] = []
        append = ballots.append
        new = tuple.__new__
        if points_at is None:  # the common case: votes known by their cell alone
            votes: dict[str, _Vote] = {}
            read = votes.get
            for line, text in numbered:
                if not text:
                    continue
                row = text.split(";", cut)
                if len(row) >= cut:
                    voter, cell = row[id_at].strip(), row[vote_at]
                else:
                    voter = row[id_at].strip() if id_at < len(row) else ""
                    cell = row[vote_at] if vote_at < len(row) else ""
                if not voter and not text.replace(";", "").strip():  # a blank line ( ; ; )
                    continue
                vote = read(cell)
                if vote is None:
                    vote = votes[cell] = self._parse(cell, "", line)
                choices, points, repeated = vote
                if repeated:
                    self._repeated(line)
                append(new(Ballot, (voter, choices, points)))
            return ballots
        vote_of = self._vote  # a vote known by its two cells, as `read` does
        for line, text in numbered:
            if not text:
                continue
            row = text.split(";", cut)
            voter = row[id_at].strip() if id_at < len(row) else ""
            if not voter and not text.replace(";", "").strip():  # a blank line ( ; ; )
                continue
            choices, points = vote_of(
                row[vote_at] if vote_at < len(row) else "",
                row[points_at] if points_at < len(row) else "",
                line,
            )
            append(new(Ballot, (voter, choices, points)))
        return ballots

    def read_table(self, first: int, table: _Table) -> list[Ballot]:
        """`read_plain` for a table (`_Table`; `first` is the number of its first line): the
        same ballots and errors.

        When the first line is the header, no voter id is blank and every vote reads without
        error or repeated project (every file of the public library), the columns are slices
        of the cells, each distinct vote is read once and the ballots are built in C: no
        Python work per line (issue #23). Otherwise the line loop of `read_plain` reads the
        section, with its errors, warnings and line numbers.
        """
        cells, width = table.cells, table.width
        header = [cell.strip() for cell in cells[:width]]
        if any(header):  # else a blank line comes first: the loop looks for the header
            columns = _header([(first, header)], "VOTES", ("voter_id", "vote"))
            id_at, vote_at, points_at = self._columns(columns, first)
            ballots = self._table_ballots(cells, width + 1, id_at, vote_at, points_at)
            if ballots is not None:
                return ballots
        return self.read_plain(first, table.lines())

    def _table_ballots(
        self, cells: list[str], stride: int, id_at: int, vote_at: int, points_at: int | None
    ) -> list[Ballot] | None:
        """The ballots of the lines after the header; None when the line loop must decide."""
        voters = list(map(str.strip, cells[stride + id_at :: stride]))
        if "" in voters:  # perhaps a blank line ( ; ; ), which the loop skips
            return None
        texts = cells[stride + vote_at :: stride]
        try:
            if points_at is None:
                choices = self._distinct_choices(texts)
                if choices is None:
                    return None
                read = zip(voters, map(choices.__getitem__, texts), repeat(None), strict=False)
            else:
                keys = list(zip(texts, cells[stride + points_at :: stride], strict=True))
                votes = self._distinct_votes(keys)
                if votes is None:
                    return None
                both = list(map(votes.__getitem__, keys))
                read = zip(voters, map(itemgetter(0), both), map(itemgetter(1), both), strict=True)
        except PabulibError:  # the loop raises it again, with the line of its first use
            return None
        return list(map(tuple.__new__, repeat(Ballot), read))

    def _distinct_choices(self, texts: list[str]) -> dict[str, tuple[str, ...]] | None:
        """Each distinct vote cell -> its choices (ballots without points), read once; None
        when a vote names a project twice (the loop counts those votes and their lines).
        Raises the errors of `_parse`, without a line."""
        distinct = dict.fromkeys(texts)  # in order of first use: the loop's first error
        parts = list(map(str.split, distinct, repeat(",")))
        # the common case, settled for all the votes at once: every part is a known id as
        # written (no space, no empty part) and no vote names one twice
        if self.known.issuperset(chain.from_iterable(parts)):
            if list(map(len, map(set, parts))) != list(map(len, parts)):
                return None
            return dict(zip(distinct, map(tuple, parts), strict=True))
        chosen: dict[str, tuple[str, ...]] = {}
        for text in distinct:
            choices, _, repeated = self._parse(text, "", None)
            if repeated:
                return None
            chosen[text] = choices
        return chosen

    def _distinct_votes(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], _Vote] | None:
        """`_distinct_choices` for cumulative ballots: (vote cell, points cell) -> its
        choices, points and whether it names a project twice."""
        votes = dict.fromkeys(keys)
        for key in votes:
            vote = votes[key] = self._parse(*key, None)
            if vote[2]:
                return None
        return votes  # type: ignore[return-value]

    def _columns(self, columns: list[str], line: int) -> tuple[int, int, int | None]:
        points_at = columns.index("points") if "points" in columns else None
        if self.kind == VoteType.CUMULATIVE and points_at is None:
            raise PabulibError(line, "points", "cumulative ballots need a points column")
        if self.kind != VoteType.CUMULATIVE:
            points_at = None  # points are read for cumulative ballots only
        return columns.index("voter_id"), columns.index("vote"), points_at

    def _vote(
        self, text: str, raw: str, line: int
    ) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
        """A vote's projects and points, from its cells (surrounding spaces do not matter):
        read once per distinct vote; each vote naming a project twice is counted."""
        key = (text, raw)
        vote = self._read.get(key) or self._first(key, line)
        if vote[2]:
            self._repeated(line)
        return vote[0], vote[1]

    def _first(self, key: tuple[str, str], line: int) -> _Vote:
        vote = self._read[key] = self._parse(*key, line)
        return vote

    def _repeated(self, line: int) -> None:
        self.repeated += 1
        if self.first_repeated is None:
            self.first_repeated = line

    def _parse(self, text: str, raw: str, line: int | None) -> _Vote:
        known = self.known
        choices = tuple(text.split(","))
        # ids are stripped and never empty: when every part is one, stripping changes nothing
        # and no part is empty (the common case: one set look-up)
        if not known.issuperset(choices):
            choices = tuple(map(str.strip, choices))
            if "" in choices:  # `1,,2`, a trailing comma, an empty vote
                choices = tuple(choice for choice in choices if choice)
            if not known.issuperset(choices):
                unknown = next(choice for choice in choices if choice not in known)
                raise PabulibError(line, "vote", f"unknown project {unknown!r}")
        repeated = len(choices) > 1 and len(set(choices)) != len(choices)
        if repeated:
            if not self.merge:
                raise PabulibError(line, "vote", "a project appears twice in the vote")
            choices = tuple(dict.fromkeys(choices))
        points: tuple[int, ...] | None = None
        if self.cumulative:
            values = [p.strip() for p in raw.split(",") if p.strip()]
            if len(values) != len(choices):
                raise PabulibError(
                    line, "points", f"{len(values)} points for {len(choices)} projects"
                )
            parsed = []
            for value in values:
                number = _number(value, line, "points")
                if number.denominator != 1 or number < 0:
                    raise PabulibError(line, "points", f"{value!r} is not a whole number ≥ 0")
                parsed.append(int(number))
            points = tuple(parsed)
        return choices, points, repeated


def write(
    election: Election,
    selected: tuple[str, ...] | list[str] | None = None,
    *,
    anonymise: bool = True,
) -> str:
    """The election as `.pb` text; `selected` adds the outcome as a `selected` column.

    Voter ids become 1, 2, 3...; `anonymise=False` keeps them, for callers whose ids are
    already anonymous (the budgets export numbers voters once across all its files).
    """
    out = io.StringIO()
    # a data-exchange format read by programs: names written as they are
    writer = spreadsheet.writer(
        out, keep_formulas=True, delimiter=";", quotechar='"', lineterminator="\n"
    )
    meta = dict(election.meta)
    exact = election.exact_budget
    meta["budget"] = str(election.budget) if exact.denominator == 1 else meta["budget"]
    meta["vote_type"] = election.kind.value
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(len(election.ballots))
    if election.min_project_score_threshold is not None:
        meta["min_project_score_threshold"] = str(election.min_project_score_threshold)
    else:
        meta.pop("min_project_score_threshold", None)
    meta.pop("scoring_fn", None)
    if election.kind == VoteType.ORDINAL and election.rank_points is not None:
        # how ranks became points (pabutools keeps it for ordinal profiles)
        meta["scoring_fn"] = ",".join(map(str, election.rank_points))
    if election.name and "description" not in meta:
        meta["description"] = election.name
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    score = scores(election)
    points = election.kind == VoteType.CUMULATIVE or (
        election.kind == VoteType.ORDINAL and election.rank_points is not None
    )
    score_column = "score" if points else "votes"
    header = ["project_id", "cost", score_column, "name", "category", "district"]
    chosen = set(selected) if selected is not None else None
    if chosen is not None:
        header.append("selected")
    writer.writerow(header)
    for p in election.projects:
        row = [p.id, str(p.cost), str(score[p.id]), p.name, p.category, p.district]
        if chosen is not None:
            row.append("1" if p.id in chosen else "0")
        writer.writerow(row)
    out.write("VOTES\n")
    cumulative = election.kind == VoteType.CUMULATIVE
    writer.writerow(["voter_id", "vote", "points"] if cumulative else ["voter_id", "vote"])
    for number, ballot in enumerate(election.ballots, start=1):
        row = [str(number) if anonymise else ballot.voter_id, ",".join(ballot.choices)]
        if cumulative:
            row.append(",".join(str(p) for p in ballot.points or ()))
        writer.writerow(row)
    return out.getvalue()


def dump(election: Election, path: str | Path, selected: tuple[str, ...] | None = None) -> None:
    Path(path).write_text(write(election, selected), encoding="utf-8")
