"""Equal shares has two engines for one run (tally/rules/_mes_small.py in plain Python for
small elections, tally/rules/_mes_run.py with numpy for large ones), chosen by size. Both
must give the same outcome, explanations, prices and share, on random elections built to hit
boundary ties, on near ties beyond float precision, and on every real file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tally import tally
from tally.election import Ballot, Election, ElectionError, Project, VoteType
from tally.pabulib import read
from tally.rules import _mes_run, equal_shares
from tally.rules.equal_shares import EqualShares
from tests.tally.data import needs_pabulib, pabulib_files
from tests.tally.reference import reference_mes_with_share

PYTHON = EqualShares(engine="python")
NUMPY = EqualShares(engine="numpy")
HUGE = 10**17


@st.composite
def elections(draw: st.DrawFn) -> Election:
    """Small elections where ties are common: few distinct costs, a budget that is often a
    multiple of them, repeated ballots (groups with weights), cumulative ballots, thresholds,
    a ballot naming a project twice, and costs at a scale where floats cannot see the unit."""
    count = draw(st.integers(1, 6))
    scale = draw(st.sampled_from([1, 1, 7, HUGE]))
    costs = [
        scale * draw(st.integers(0, 6)) + draw(st.sampled_from([0, 0, -1, 1])) for _ in range(count)
    ]
    projects = tuple(Project(id=str(i), cost=max(0, c)) for i, c in enumerate(costs))
    ids = [p.id for p in projects]
    cumulative = draw(st.booleans())
    ballots = []
    for n, chosen in enumerate(
        draw(st.lists(st.lists(st.sampled_from(ids), max_size=count + 1), max_size=10))
    ):
        points = tuple(draw(st.integers(0, 3)) for _ in chosen) if cumulative else None
        for copy in range(draw(st.integers(1, 3))):
            ballots.append(Ballot(voter_id=f"{n}-{copy}", choices=tuple(chosen), points=points))
    return Election(
        projects=projects,
        ballots=tuple(ballots),
        budget=scale * draw(st.integers(0, 20)) + draw(st.integers(0, 3)),
        kind=VoteType.CUMULATIVE if cumulative else VoteType.APPROVAL,
        min_project_score_threshold=draw(st.none() | st.integers(0, 4)),
    )


def _both(election: Election, utility: str, completion: str) -> None:
    if completion == "add1" and election.budget > 1000:
        # at a scale of 10**17 the outcome may change every few units of share: add1 would
        # run for ever (tests/tally/test_exactness.py keeps add1 to small scales too)
        completion = "none"
    mine = PYTHON.tally(election, utility=utility, completion=completion)
    theirs = NUMPY.tally(election, utility=utility, completion=completion)
    assert mine == theirs  # selection, explanations (prices, payers, budget left), share


@settings(max_examples=400, deadline=None)
@given(elections(), st.sampled_from(["cost", "cardinality"]), st.sampled_from(["none", "add1"]))
@example(
    Election(
        projects=(Project("0", 2 * HUGE + 2), Project("1", HUGE)),
        ballots=(Ballot("a", ("0", "1")), Ballot("b", ("0",))),
        budget=2 * HUGE + 2,
    ),
    "cardinality",
    "none",
)
def test_the_two_engines_agree(election: Election, utility: str, completion: str) -> None:
    _both(election, utility, completion)


@settings(max_examples=150, deadline=None)
@given(elections(), st.sampled_from(["cost", "cardinality"]), st.sampled_from(["none", "add1"]))
def test_each_engine_matches_the_reference(
    election: Election, utility: str, completion: str
) -> None:
    if completion == "add1" and (
        election.budget > 1000 or sum(p.cost for p in election.projects) > 1000
    ):
        # as in _both; and the reference raises the share one unit at a time up to the cost of
        # every supported project: at a scale of 10**17 it would never end (the engines jump)
        completion = "none"
    selected, share = reference_mes_with_share(election, utility, completion)
    for rule in (PYTHON, NUMPY):
        outcome = rule.tally(election, utility=utility, completion=completion)
        assert list(outcome.selected) == selected, rule.engine
        assert outcome.options["share"] == str(share), rule.engine


def test_the_engine_is_chosen_by_size(monkeypatch: pytest.MonkeyPatch) -> None:
    election = Election(
        projects=(Project("a", 10), Project("b", 20)),
        ballots=(Ballot("1", ("a", "b")), Ballot("2", ("b",))),
        budget=30,
    )
    used = []
    # the numpy engine's module is imported when an election needs it (the name is read there)
    for module, name in ((equal_shares, "mes_run_small"), (_mes_run, "mes_run")):
        run = getattr(module, name)
        monkeypatch.setattr(
            module,
            name,
            lambda *args, _run=run, _name=name: used.append(_name) or _run(*args),
        )
    tally(election, "equal-shares", completion="none")
    monkeypatch.setattr(equal_shares, "SMALL_PAIRS", 2)  # 3 pairs: too many for plain Python
    tally(election, "equal-shares", completion="none")
    assert used == ["mes_run_small", "mes_run"]


def test_numpy_is_imported_only_for_the_elections_that_need_it() -> None:
    """numpy's import costs more than reading and tallying a city's file (issue #23): a small
    election, read and tallied with every rule, never imports it; a large one does."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from tally import tally\n"
        "from tally.pabulib import loads\n"
        "text = 'META\\nkey;value\\nbudget;30\\nPROJECTS\\nproject_id;cost\\na;10\\nb;20\\n'"
        " + 'VOTES\\nvoter_id;vote\\n1;a,b\\n2;b\\n'\n"
        "for rule in ('greedy', 'greedy-no-skip', 'greedy-threshold', 'equal-shares'):\n"
        "    tally(loads(text), rule)\n"
        "print('numpy' in sys.modules)\n"
        "from tally.rules import equal_shares\n"
        "equal_shares.EqualShares(engine='numpy').tally(loads(text))\n"
        "print('numpy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_an_unknown_engine_is_refused() -> None:
    election = Election(projects=(Project("a", 1),), ballots=(), budget=1)
    with pytest.raises(ElectionError, match="engine"):
        EqualShares(engine="fortran").tally(election)


def _real_files() -> list[Path]:
    return pabulib_files()


@needs_pabulib
@pytest.mark.parametrize("path", _real_files(), ids=lambda p: p.stem)
def test_the_two_engines_agree_on_real_files(path: Path) -> None:
    election = read(path)
    for utility in ("cost", "cardinality"):
        _both(election, utility, "none")
    # add1 runs the rule once per unit of share on some files (Toulouse 2022: 1,608 runs):
    # compared on the files where it takes a moment
    if path.stat().st_size < 60_000:
        _both(election, "cost", "add1")
