"""Pabulib files: every variant reads, malformed files give line and field, round trips."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from tally import pabulib, tally
from tally.election import VoteType
from tally.pabulib import PabulibError
from tests.tally.data import needs_pabulib, pabulib_files

SAMPLE = """META
key;value
description;"Quartier; Nord"
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name;selected
1;60;2;"Parc ""vert"" ici";1
2;50;1;Piste;0
3;30;1;Bancs;1
VOTES
voter_id;vote
a;1,2
b;1,3
"""


def test_reads_quoted_fields_bom_and_crlf() -> None:
    for text in (SAMPLE, "\ufeff" + SAMPLE, SAMPLE.replace("\n", "\r\n")):
        file = pabulib.parse(text)
        e = file.election
        assert e.budget == 100 and e.kind == VoteType.APPROVAL
        assert e.meta["description"] == "Quartier; Nord"
        assert [p.name for p in e.projects] == ['Parc "vert" ici', "Piste", "Bancs"]
        assert [b.choices for b in e.ballots] == [("1", "2"), ("1", "3")]
        assert file.selected == ("1", "3") and file.rule == "greedy"
        assert tally(e).selected == ("1", "3")


def test_reads_points_and_decimal_budget() -> None:
    text = (
        SAMPLE.replace("budget;100", "budget;100.75")
        .replace("vote_type;approval", "vote_type;cumulative")
        .replace("voter_id;vote\na;1,2\nb;1,3", "voter_id;vote;points;age\na;1,2;2,1;30\nb;3;3;41")
    )
    e = pabulib.loads(text)
    assert e.kind == VoteType.CUMULATIVE
    assert e.budget == 100 and e.exact_budget == Fraction(403, 4)
    assert e.ballots[0].points == (2, 1) and e.ballots[1].points == (3,)


def test_a_decimal_score_threshold_is_rounded_up() -> None:
    # a score is a whole number: reaching 1.5 means reaching 2
    text = SAMPLE.replace("rule;greedy", "rule;greedy-threshold\nmin_project_score_threshold;1,5")
    e = pabulib.loads(text)
    assert e.min_project_score_threshold == 2
    assert tally(e, "greedy-threshold").selected == ("1",)


def test_path_and_text_give_the_same_election(tmp_path: Path) -> None:
    path = tmp_path / "x.pb"
    path.write_text(SAMPLE, encoding="utf-8")
    from_path = pabulib.read(path)
    assert from_path.name == "x"  # the file's name; from text, the description
    assert pabulib.read(str(path)) == from_path
    assert replace(from_path, name="Quartier; Nord") == pabulib.loads(SAMPLE)


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (SAMPLE.replace("1;60;2", "1;sixty;2"), 9, "cost", "not a number"),
        (SAMPLE.replace("2;50;1", "2;50.5;1"), 10, "cost", "whole number"),
        (SAMPLE.replace("a;1,2", "a;1,9"), 14, "vote", "unknown project '9'"),
        # ranks and points make a repeated project ambiguous: refused
        (
            SAMPLE.replace("approval", "ordinal").replace("a;1,2", "a;1,2,1"),
            14,
            "vote",
            "twice",
        ),
        (
            SAMPLE.replace("approval", "cumulative")
            .replace("voter_id;vote", "voter_id;vote;points")
            .replace("a;1,2", "a;1,1;2,3")
            .replace("b;1,3", "b;1;1"),
            14,
            "vote",
            "twice",
        ),
        (SAMPLE.replace("1;60;2", "1;1e308;2"), 9, "cost", "too large"),
        (SAMPLE.replace("1;60;2", "1;9223372036854775808;2"), 9, "cost", "too large"),
        (SAMPLE.replace("1;60;2", "1;2^63;2"), 9, "cost", "not a number"),
        (SAMPLE.replace("budget;100", "budget;1e30"), 4, "budget", "too large"),
        (SAMPLE.replace("Piste", "Pi\x00ste"), 10, "", "NUL"),
        (SAMPLE.replace("3;30;1", "1;30;1"), 11, "project_id", "appears twice"),
        (SAMPLE.replace("budget;100", "budget;lots"), 4, "budget", "not a number"),
        (SAMPLE.replace("vote_type;approval", "vote_type;scoring"), 5, "vote_type", "scoring"),
        (SAMPLE.replace("voter_id;vote", "voter;vote"), 13, "voter_id", "no voter_id column"),
        (SAMPLE.replace("budget;100\n", ""), None, "budget", "no budget"),
        (SAMPLE.split("VOTES")[0], None, "", "VOTES section is missing"),
        ("hello\n" + SAMPLE, 1, "", "must start with a META section"),
        (SAMPLE.replace("vote_type;approval", "vote_type;cumulative"), 13, "points", "points"),
    ],
)
def test_malformed_files_name_line_and_field(
    text: str, line: int | None, field: str, words: str
) -> None:
    with pytest.raises(PabulibError) as caught:
        pabulib.loads(text)
    error = caught.value
    assert (error.line, error.field) == (line, field)
    assert words in str(error)
    if line is not None:
        assert str(error).startswith(f"line {line}")


def test_an_approval_vote_naming_a_project_twice_counts_it_once() -> None:
    # 22 of the 1,746 files of the public library (Warszawa 2026...): `242928;1379,1379,382`
    text = SAMPLE.replace("a;1,2", "a;1,1,2").replace("b;1,3", "b;3,1,3")
    file = pabulib.parse(text)
    assert [b.choices for b in file.election.ballots] == [("1", "2"), ("3", "1")]
    assert (file.repeated_votes, file.repeated_line) == (2, 14)
    assert file.warnings() == [(pabulib.REPEATED_VOTES, {"count": 2, "line": 14})]
    assert tally(file.election).selected == ("1", "3")  # as if each was named once
    choose_1 = pabulib.parse(SAMPLE.replace("approval", "choose-1").replace("a;1,2", "a;2,2"))
    assert choose_1.election.ballots[0].choices == ("2",) and choose_1.repeated_votes == 1
    assert choose_1.warnings() == [(pabulib.REPEATED_VOTE, {"count": 1, "line": 14})]
    assert pabulib.parse(SAMPLE).warnings() == []
    with pytest.raises(PabulibError, match="twice") as caught:
        pabulib.parse(text, strict=True)
    assert (caught.value.line, caught.value.field) == (14, "vote")


def test_errors_shown_translated_carry_a_msgid_with_their_line() -> None:
    with pytest.raises(PabulibError) as caught:
        pabulib.loads(SAMPLE.replace("1;60;2", "1;1e308;2"))
    error = caught.value
    assert error.msgid == pabulib.TOO_LARGE
    assert error.msgid.format(**error.values).startswith("Line 9: cost 1e308 is too large")


def test_unreadable_paths_are_errors(tmp_path: Path) -> None:
    with pytest.raises(PabulibError, match="cannot read"):
        pabulib.read(tmp_path / "missing.pb")
    bad = tmp_path / "latin1.pb"
    bad.write_bytes(SAMPLE.replace("Piste", "Pist\xe9").encode("latin-1"))
    with pytest.raises(PabulibError, match="not UTF-8"):
        pabulib.read(bad)


def _same_but_voter_ids(first, second) -> None:  # type: ignore[no-untyped-def]
    assert first.projects == second.projects
    assert first.budget == second.budget and first.exact_budget == second.exact_budget
    assert first.kind == second.kind
    assert first.min_project_score_threshold == second.min_project_score_threshold
    assert [(b.choices, b.points) for b in first.ballots] == [
        (b.choices, b.points) for b in second.ballots
    ]


def test_write_then_read_gives_the_same_election_with_anonymous_voters() -> None:
    e = pabulib.loads(SAMPLE)
    text = pabulib.write(e, selected=("1", "3"))
    again = pabulib.parse(text)
    _same_but_voter_ids(e, again.election)
    assert [b.voter_id for b in again.election.ballots] == ["1", "2"]
    assert again.selected == ("1", "3")
    assert pabulib.write(again.election, ("1", "3")) == text


@needs_pabulib
@pytest.mark.parametrize("path", pabulib_files(), ids=lambda p: p.stem)
def test_every_real_file_reads_and_round_trips(path: Path) -> None:
    if path.stat().st_size > 1_000_000:
        pytest.skip("large file: read by the benchmark")
    e = pabulib.read(path)
    assert e.projects and e.ballots
    _same_but_voter_ids(e, pabulib.loads(pabulib.write(e)))


# VOTES lines that csv would cut only at their semicolons are cut with str.split (issue #23):
# the same ballots, warnings and errors (line, field, message) as csv gives, on odd lines too
PLAIN_LINES = [
    "1;1,2;5,6",
    "2;3;1",
    "3; 1 , 3 ;2,2",
    "4;2,2;1,1",
    "5;9;1",
    "8;1;x",
    "9;1;-1",
    "14;1;1;extra;more",
    "16;1,2,3;1,2,3",
    "17;1;1.5",
    "6;1,,2;1,1",
    "7;;",
    ";1;1",
    " ; ",
    "",
    "   ",
    "20",
    "VOTES",
    '21;"1,2";1,1',
    "22;1\r",
]
PLAIN_HEADERS = ["voter_id;vote;points", "vote;voter_id", " Voter_ID ; VOTE ;points", "id;vote"]


def _read_or_error(text: str, strict: bool) -> object:
    try:
        file = pabulib.parse(text, strict=strict)
    except PabulibError as error:
        return (error.line, error.field, error.message)
    return (file.election, file.repeated_votes, file.repeated_line)


@pytest.mark.parametrize("kind", ["approval", "cumulative", "choose-1", "ordinal"])
@pytest.mark.parametrize("seed", range(6))
def test_plain_votes_read_as_csv_reads_them(
    kind: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    rng = random.Random(seed)
    head = SAMPLE.split("VOTES")[0].replace("approval", kind) + "VOTES\n"
    for _ in range(60):
        lines = [rng.choice(PLAIN_HEADERS[:1] * 4 + PLAIN_HEADERS)]
        lines += [rng.choice(PLAIN_LINES[: rng.choice((13, len(PLAIN_LINES)))]) for _ in range(8)]
        text = head + rng.choice(("\n", "\r\n")).join(lines)
        text += rng.choice(("", "\n", "\n\n"))
        for strict in (False, True):
            plain = _read_or_error(text, strict)
            with monkeypatch.context() as csv_only:
                csv_only.setattr(pabulib, "_plain_lines", lambda stream: None)
                assert _read_or_error(text, strict) == plain, repr(text)


# VOTES sections whose lines all have as many cells are read column by column (issue #23):
# the same ballots, warnings and errors as the line loop and as csv, blank and odd lines too
# the lines of PLAIN_LINES a table can hold (two semicolons, no quote), and a few more
TABLE_LINES = [line for line in PLAIN_LINES if line.count(";") == 2 and '"' not in line] + [
    " ; ; ",
    "11;2,3;0,4",
    "12;3,1,2;1,0,2",
]
TABLE_HEADERS = ["voter_id;vote;points", "vote;voter_id;points", " Voter_ID ; VOTE ;points"]


@pytest.mark.parametrize("kind", ["approval", "cumulative", "choose-1", "ordinal"])
@pytest.mark.parametrize("width", [2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_a_table_of_votes_reads_as_the_line_loop_and_csv_read_it(
    kind: str, width: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    rng = random.Random(seed)
    head = SAMPLE.split("VOTES")[0].replace("approval", kind) + "VOTES\n"
    cut = ";".join if width == 3 else (lambda cells: ";".join(cells[:2]))
    for _ in range(40):
        header = rng.choice(TABLE_HEADERS[:1] * 4 + TABLE_HEADERS + ["id;vote;points"])
        # mostly lines that read cleanly, sometimes odd ones, now and then a blank first line
        clean = TABLE_LINES[:3] + TABLE_LINES[-2:]
        pool = clean if rng.random() < 0.5 else TABLE_LINES
        lines = [" ; ; "] * (rng.random() < 0.1) + [header]
        lines += [rng.choice(pool) for _ in range(rng.randint(0, 8))]
        lines = [cut(line.split(";")) for line in lines]
        text = head + rng.choice(("\n", "\r\n")).join(lines) + rng.choice(("", "\n"))
        for strict in (False, True):
            table = _read_or_error(text, strict)
            with monkeypatch.context() as loop_only:
                loop_only.setattr(pabulib, "_table", lambda text: None)
                assert _read_or_error(text, strict) == table, repr(text)
            with monkeypatch.context() as csv_only:
                csv_only.setattr(pabulib, "_plain_lines", lambda stream: None)
                assert _read_or_error(text, strict) == table, repr(text)


def test_the_votes_of_a_table_are_shared_and_read_once() -> None:
    """The same vote cell gives the same choices (one tuple) whichever path reads it."""
    text = SAMPLE.replace("b;1,3\n", "b;1,3\nc;1,2\nd; 1,2\n")
    ballots = pabulib.loads(text).ballots
    assert [b.choices for b in ballots] == [("1", "2"), ("1", "3"), ("1", "2"), ("1", "2")]
    assert ballots[0].choices is ballots[2].choices
    assert all(b.points is None for b in ballots)


def test_a_ballot_is_a_named_tuple() -> None:
    """An election holds one per voter: built in C (issue #23), immutable, fields by name."""
    ballot = pabulib.loads(SAMPLE).ballots[0]
    assert (ballot.voter_id, ballot.choices, ballot.points) == ("a", ("1", "2"), None)
    with pytest.raises(AttributeError):
        ballot.choices = ()  # type: ignore[misc]
