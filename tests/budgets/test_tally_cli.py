"""`participation tally`: JSON lines, readable tables in French or English, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from participation.cli import main
from tally.rules import UnknownRule, rule_of_meta
from tests.tally.test_pabulib import SAMPLE

MES = SAMPLE.replace("rule;greedy", "rule;equalshares/add1")


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    greedy, mes = tmp_path / "greedy.pb", tmp_path / "mes.pb"
    greedy.write_text(SAMPLE, encoding="utf-8")
    mes.write_text(MES, encoding="utf-8")
    return [greedy, mes]


def test_json_lines_one_per_file(files: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tally", "--json", *map(str, files)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {
        "file": str(files[0]),
        "rule": "greedy",
        "selected": ["1", "3"],
        "cost": 90,
        "budget": 100,
        "voters": 2,
    }
    assert lines[1]["rule"] == "equal-shares" and lines[1]["cost"] <= 100


def test_rule_option_overrides_the_file(
    files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["tally", "--json", "--rule", "equal-shares", "--completion", "none", str(files[0])]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["selected"] == ["1"]


def test_table_in_french_by_default(
    files: list[Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    assert main(["tally", str(files[0])]) == 0
    out = capsys.readouterr().out
    assert "Règle: greedy" in out and "ne tient pas dans le budget restant" in out


def test_table_in_english_with_an_english_locale(
    files: list[Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["tally", "--rule", "equal-shares", str(files[1])]) == 0
    out = capsys.readouterr().out
    assert "Rule: equal-shares" in out and "selected" in out


def test_a_broken_file_is_reported_and_the_others_tallied(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.pb"
    broken.write_text(SAMPLE.replace("a;1,2", "a;1,9"), encoding="utf-8")
    assert main(["tally", "--json", str(broken), str(files[0])]) == 1
    captured = capsys.readouterr()
    assert f"{broken}: line 14, vote: unknown project '9'" in captured.err
    assert "Traceback" not in captured.err
    assert json.loads(captured.out)["selected"] == ["1", "3"]


def test_unknown_meta_rule_asks_for_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "odd.pb"
    odd.write_text(SAMPLE.replace("rule;greedy", "rule;phragmen"), encoding="utf-8")
    assert main(["tally", str(odd)]) == 1
    err = capsys.readouterr().err
    assert "use --rule" in err and "'phragmen'" in err and "equalshares/add1" in err


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("greedy", ("greedy", "add1")),
        (" Greedy-No-Skip ", ("greedy-no-skip", "add1")),
        ("greedy-threshold", ("greedy-threshold", "add1")),
        ("equalshares", ("equal-shares", "none")),
        ("equalshares/add1", ("equal-shares", "add1")),
        ("equal-shares/add1/greedy", ("equal-shares", "add1")),
        ("", ("greedy", "add1")),
    ],
)
def test_meta_rules_map_to_engine_rules(declared: str, expected: tuple[str, str]) -> None:
    assert rule_of_meta(declared) == expected


@pytest.mark.parametrize("declared", ["phragmen", "greedyish", "equalsharesx"])
def test_an_unknown_meta_rule_is_named_with_the_known_ones(declared: str) -> None:
    with pytest.raises(UnknownRule) as refused:
        rule_of_meta(declared)
    assert repr(declared) in str(refused.value)
    assert "greedy-no-skip" in str(refused.value) and "equalshares/add1" in str(refused.value)


def _french(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)


def test_votes_naming_a_project_twice_count_once_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # as in Warszawa 2026's files: `242928;1379,1379,382`
    _french(monkeypatch)
    repeated = tmp_path / "repeated.pb"
    repeated.write_text(
        SAMPLE.replace("a;1,2", "a;1,1,2").replace("b;1,3", "b;3,1,3"), encoding="utf-8"
    )
    assert main(["tally", "--rule", "greedy", "--json", str(repeated)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["selected"] == ["1", "3"]
    warning = f"{repeated}: avertissement\u00a0: 2 votes citent un projet plus d'une fois"
    assert warning in captured.err
    assert "ligne 14" in captured.err and "twice" not in captured.err

    assert main(["tally", "--rule", "greedy", "--json", "--strict", str(repeated)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{repeated}: line 14, vote: a project appears twice in the vote" in captured.err


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("1;60;2", "1;1e308;2"), "Ligne 9\u00a0: cost 1e308 est trop grand"),
        (("budget;100", "budget;1e30"), "Ligne 4\u00a0: budget 1e30 est trop grand"),
        (("1;60;2", "1;9223372036854775808;2"), "Ligne 9\u00a0: cost 9223372036854775808 est trop"),
        (("Piste", "Pi\x00ste"), "Ligne 10\u00a0: le fichier contient un caractère NUL"),
    ],
)
def test_values_the_engine_cannot_hold_are_named_with_their_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    change: tuple[str, str],
    words: str,
) -> None:
    _french(monkeypatch)
    bad = tmp_path / "bad.pb"
    bad.write_text(SAMPLE.replace(*change), encoding="utf-8")
    assert main(["tally", "--json", str(bad)]) == 1
    captured = capsys.readouterr()
    assert f"{bad}: {words}" in captured.err and "Traceback" not in captured.err


def test_the_tally_imports_no_web_code_nor_manifest(files: list[Path]) -> None:
    """`participation tally` builds only its own parser (issue #23): it imports no feature's
    manifest, routes or models, nor the web stack, the database or the core's other
    commands; in French too (the catalogs are found without the manifests)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from participation.cli import main\n"
        f"assert main(['tally', {str(files[0])!r}]) == 0\n"
        f"assert main(['tally', '--json', {str(files[1])!r}]) == 0\n"
        "heavy = ('starlette', 'tortoise', 'jinja2', 'arq', 'redis', 'numpy', 'granian')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy"
        " or m.endswith(('.manifest', '.routes', '.models', '.services'))"
        " or m in ('participation.commands', 'participation.demo', 'budgets.tally_budget_cli')))"
    )
    environment = {"LANG": "fr_FR.UTF-8", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_help_lists_every_command_and_each_builds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Commands are declared (name, help, where): the help lists the core's and the
    features', without building them; each one's parser builds (its module imports)."""
    from participation.cli import all_commands, build_parser

    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    names = [command.name for command in all_commands()]
    assert {"serve", "migrate", "jobs", "tally", "tally-budget"} <= set(names)
    assert all(f"    {name}" in listed for name in names)
    every = build_parser()
    parsed = every.parse_args(["tally", "--rule", "greedy", "file.pb"])
    assert parsed.func.__name__ == "run_tally"
    assert every.parse_args(["tally-budget", "3"]).budget_id == 3
    assert every.parse_args(["jobs", "retry", "4"]).ids == [4]
    assert main([]) == 2  # no command: the help, and a usage error status
