"""Tally engine benchmark: prints its figures (docs/performance.md, "Tally engine").

    .venv/bin/python bench/tally.py            # everything
    .venv/bin/python bench/tally.py synthetic  # only the 1,000,000 synthetic ballots
    REPEAT=5 .venv/bin/python bench/tally.py toulouse

Real files come from ../shared/pabulib (skipped when absent); pabutools from the dev extras.
The machine is shared: each Toulouse timing is repeated (REPEAT, default 5) and printed as
best / median; the ratio compares the two bests.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import budgets.rules  # noqa: F401  (imported before timing, as pabutools is)
from budgets import tally
from budgets.election import Ballot, Election, Project
from budgets.pabulib import read

ROOT = Path(__file__).resolve().parents[1]
PABULIB = ROOT / ".." / "shared" / "pabulib"
WROCLAW = PABULIB / "Poland_Wroclaw_2015_150_-_500.pb"
TOULOUSE = PABULIB / "France_Toulouse_2022.pb"


def timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def repeated(function, times: int):  # type: ignore[no-untyped-def]
    """(result, best seconds, median seconds) over `times` calls."""
    seconds = []
    for _ in range(times):
        result, spent = timed(function)
        seconds.append(spent)
    return result, min(seconds), statistics.median(seconds)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wroclaw() -> None:
    if not WROCLAW.exists():
        print("Wrocław 2015: file absent, skipped")
        return
    election, parse = timed(read, WROCLAW)
    print(f"Wrocław 2015 ({len(election.ballots):,} voters, {len(election.projects)} projects)")
    print(f"  parse                      {parse:6.2f} s")
    for rule, options in (
        ("greedy", {}),
        ("greedy-no-skip", {}),
        ("equal-shares", {"completion": "none"}),
        ("equal-shares", {"completion": "add1"}),
    ):
        outcome, seconds = timed(tally, election, rule, **options)
        label = f"{rule} {options.get('completion', '')}".strip()
        print(f"  {label:26} {seconds:6.2f} s   {len(outcome.selected)} selected")
    command = [str(ROOT / ".venv" / "bin" / "participation"), "tally", "--json", str(WROCLAW)]
    _, whole = timed(subprocess.run, command, check=True, capture_output=True)
    print(f"  whole CLI call (auto rule) {whole:6.2f} s   ({' '.join(command[1:3])} FILE)")


def toulouse() -> None:
    if not TOULOUSE.exists():
        print("Toulouse 2022: file absent, skipped")
        return
    try:
        from pabutools.election import Cost_Sat, parse_pabulib
        from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    except ImportError:
        print("Toulouse 2022: pabutools absent (pip install -e '.[dev]'), skipped")
        return
    election = read(TOULOUSE)
    instance, profile = parse_pabulib(str(TOULOUSE))
    print(f"Toulouse 2022 ({len(election.ballots):,} voters, {len(election.projects)} projects)")
    times = int(os.environ.get("REPEAT", "5"))
    print(f"  best / median of {times} runs each")
    print(f"  {'rule':20} {'ours':>17} {'pabutools':>17} {'ratio':>6}")
    pairs = [
        (
            "greedy",
            lambda: tally(election, "greedy"),
            lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat),
        ),
        (
            "equal-shares none",
            lambda: tally(election, "equal-shares", completion="none"),
            lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat),
        ),
    ]
    for label, ours, theirs in pairs:
        mine, mine_best, mine_median = repeated(ours, times)
        other, other_best, other_median = repeated(theirs, times)
        same = set(mine.selected) == {p.name for p in other}
        print(
            f"  {label:20} {mine_best:7.4f}/{mine_median:7.4f}s"
            f" {other_best:7.3f}/{other_median:7.3f}s {other_best / mine_best:5.0f}×"
            f"   same outcome: {same}"
        )
    # pabutools' add1 (voter_budget_increment=1) did not finish in 10 minutes here: not run
    outcome, add1 = timed(tally, election, "equal-shares", completion="add1")
    print(
        f"  {'equal-shares add1':20} {add1:8.3f}s   {len(outcome.selected)} selected"
        "   (pabutools: > 600 s, not run)"
    )


def synthetic(voters: int = 1_000_000, projects: int = 200, seed: int = 2024) -> Election:
    """Approval ballots of 1 to 5 projects, popularity skewed (Zipf-like), fixed seed."""
    rng = random.Random(seed)
    costs = [rng.randrange(20_000, 500_000, 1_000) for _ in range(projects)]
    ids = [str(i + 1) for i in range(projects)]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(projects)]
    rng.shuffle(weights)
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    ballots = []
    choices = rng.choices
    for n in range(voters):
        size = rng.randint(1, 5)
        picked = set(choices(ids, cum_weights=cumulative, k=size))
        ballots.append(Ballot(voter_id=str(n), choices=tuple(picked)))
    return Election(
        projects=tuple(Project(id=i, cost=c) for i, c in zip(ids, costs, strict=True)),
        ballots=tuple(ballots),
        budget=sum(costs) // 4,
        name="synthetic",
    )


def synthetic_bench() -> None:
    election, built = timed(synthetic)
    print(f"Synthetic: 1,000,000 approval ballots, 200 projects (built in {built:.1f} s)")
    for rule, options in (
        ("greedy", {}),
        ("equal-shares", {"completion": "none"}),
        ("equal-shares", {"completion": "add1"}),
    ):
        outcome, seconds = timed(tally, election, rule, **options)
        label = f"{rule} {options.get('completion', '')}".strip()
        print(f"  {label:26} {seconds:6.2f} s   {len(outcome.selected)} selected")
    print(f"  peak memory (whole process, ballots included) {peak_mb():.0f} MB")


if __name__ == "__main__":
    which = sys.argv[1:] or ["wroclaw", "toulouse", "synthetic"]
    if "wroclaw" in which:
        wroclaw()
    if "toulouse" in which:
        toulouse()
    if "synthetic" in which:
        synthetic_bench()
