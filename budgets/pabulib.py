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
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from budgets.election import Ballot, BallotKind, Election, Project, scores

SECTIONS = ("META", "PROJECTS", "VOTES")
KINDS = {kind.value: kind for kind in BallotKind}


class PabulibError(ValueError):
    def __init__(self, line: int | None, field: str, message: str) -> None:
        self.line = line
        self.field = field
        self.message = message
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


def read(source: str | Path) -> Election:
    """Read a `.pb` file from a path, or from its text."""
    return read_with_outcome(source).election


def loads(text: str) -> Election:
    return parse(text).election


def read_with_outcome(source: str | Path) -> PabulibFile:
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
        return parse(text, name=path.stem)
    return parse(source)


def parse(text: str, name: str = "") -> PabulibFile:
    text = text.removeprefix("\ufeff")
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            head = row[0].strip()
            if len(row) == 1 and head.upper() in SECTIONS:
                current = head.upper()
                if current in sections:
                    raise PabulibError(line, "", f"section {current} appears twice")
                sections[current] = []
                continue
            if current is None:
                raise PabulibError(line, "", "the file must start with a META section")
            sections[current].append((line, [cell.strip() for cell in row]))
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
    projects, selected = _projects(sections["PROJECTS"], meta)
    ballots = tuple(_ballots(sections["VOTES"], kind, {p.id for p in projects}))
    election = Election(
        projects=projects,
        ballots=ballots,
        budget=int(budget),  # floor: budgets are not negative
        kind=kind,
        min_project_score_threshold=threshold,
        meta=meta,
        name=name or meta.get("description", ""),
    )
    return PabulibFile(election=election, selected=selected, rule=meta.get("rule", "").strip())


def _meta(rows: list[tuple[int, list[str]]]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for index, (line, row) in enumerate(rows):
        if index == 0 and [c.lower() for c in row[:2]] == ["key", "value"]:
            continue
        if len(row) < 2:
            raise PabulibError(line, row[0], "a META line needs a key and a value")
        meta[row[0]] = ";".join(row[1:]) if len(row) > 2 else row[1]
    return meta


def _meta_line(rows: list[tuple[int, list[str]]], key: str) -> int | None:
    return next((line for line, row in rows if row and row[0] == key), None)


def _number(text: str, line: int | None, field: str) -> Fraction:
    cleaned = text.strip().replace(",", ".")
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise PabulibError(line, field, f"{text!r} is not a number") from None


def _money(text: str, line: int | None, field: str) -> Fraction:
    value = _number(text, line, field)
    if value < 0:
        raise PabulibError(line, field, f"{text!r} is negative")
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


def _cell(row: list[str], columns: list[str], name: str) -> str:
    if name not in columns:
        return ""
    index = columns.index(name)
    return row[index] if index < len(row) else ""


def _projects(
    rows: list[tuple[int, list[str]]], meta: dict[str, str]
) -> tuple[tuple[Project, ...], tuple[str, ...] | None]:
    columns = _header(rows, "PROJECTS", ("project_id", "cost"))
    has_selected = "selected" in columns
    projects: list[Project] = []
    selected: list[str] = []
    seen: set[str] = set()
    for line, row in rows[1:]:
        if len(row) > len(columns):
            raise PabulibError(line, "", f"{len(row)} fields for {len(columns)} columns")
        project_id = _cell(row, columns, "project_id")
        if not project_id:
            raise PabulibError(line, "project_id", "empty project id")
        if project_id in seen:
            raise PabulibError(line, "project_id", f"project {project_id} appears twice")
        seen.add(project_id)
        cost = _money(_cell(row, columns, "cost"), line, "cost")
        if cost.denominator != 1:
            raise PabulibError(
                line,
                "cost",
                f"{_cell(row, columns, 'cost')!r} is not a whole number of currency units",
            )
        projects.append(
            Project(
                id=project_id,
                cost=int(cost),
                name=_cell(row, columns, "name"),
                category=_cell(row, columns, "category"),
                district=_cell(row, columns, "district") or _cell(row, columns, "subunit"),
            )
        )
        if has_selected:
            # 1: selected by the rule. Other values are the city's own marks (Gdynia: 2 for
            # projects funded outside the budget as a turnout award), not part of the outcome.
            flag = _cell(row, columns, "selected").strip()
            if flag and _number(flag, line, "selected") == 1:
                selected.append(project_id)
    return tuple(projects), (tuple(selected) if has_selected else None)


def _ballots(
    rows: list[tuple[int, list[str]]], kind: BallotKind, known: set[str]
) -> Iterator[Ballot]:
    columns = _header(rows, "VOTES", ("voter_id", "vote"))
    id_at, vote_at = columns.index("voter_id"), columns.index("vote")
    points_at = columns.index("points") if "points" in columns else None
    cumulative = kind == BallotKind.CUMULATIVE
    if cumulative and points_at is None:
        raise PabulibError(rows[0][0], "points", "cumulative ballots need a points column")
    for line, row in rows[1:]:
        voter = row[id_at] if id_at < len(row) else ""
        text = row[vote_at] if vote_at < len(row) else ""
        choices = tuple(c.strip() for c in text.split(",") if c.strip())
        for choice in choices:
            if choice not in known:
                raise PabulibError(line, "vote", f"unknown project {choice!r}")
        if len(set(choices)) != len(choices):
            raise PabulibError(line, "vote", "a project appears twice in the vote")
        points: tuple[int, ...] | None = None
        if cumulative and points_at is not None:
            raw = row[points_at] if points_at < len(row) else ""
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
        yield Ballot(voter_id=voter, choices=choices, points=points)


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
    # the one CSV writer, imported here: `participation` loads the web stack, which the engine
    # does without; a data-exchange format read by programs, names written as they are
    from participation import spreadsheet

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
    if election.name and "description" not in meta:
        meta["description"] = election.name
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    score = scores(election)
    score_column = "score" if election.kind == BallotKind.CUMULATIVE else "votes"
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
    cumulative = election.kind == BallotKind.CUMULATIVE
    writer.writerow(["voter_id", "vote", "points"] if cumulative else ["voter_id", "vote"])
    for number, ballot in enumerate(election.ballots, start=1):
        row = [str(number) if anonymise else ballot.voter_id, ",".join(ballot.choices)]
        if cumulative:
            row.append(",".join(str(p) for p in ballot.points or ()))
        writer.writerow(row)
    return out.getvalue()


def dump(election: Election, path: str | Path, selected: tuple[str, ...] | None = None) -> None:
    Path(path).write_text(write(election, selected), encoding="utf-8")
