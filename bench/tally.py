"""Tally engine benchmark: prints its figures (docs/performance.md, "Tally engine").

    .venv/bin/python bench/tally.py            # everything
    .venv/bin/python bench/tally.py synthetic  # only the 1,000,000 synthetic ballots
    REPEAT=5 .venv/bin/python bench/tally.py toulouse
    REPEAT=5 .venv/bin/python bench/tally.py cli   # the two Wrocław 2015 command calls only

Issue #23's figures: `cli` (Wrocław 2015 greedy and equal shares add1, two whole
`participation tally` processes, wall and CPU) and `toulouse` (ours vs pabutools per rule, the
tally alone and end to end, reading the file included).

Real files come from ../shared/pabulib (skipped when absent); pabutools from the dev extras.
The machine is shared: each Toulouse timing is repeated (REPEAT, default 5), ours and
pabutools' in turn, and printed as best / median, in wall time and in CPU time of the process
(which other jobs on the machine disturb much less); the ratio compares the two bests.
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
from typing import Any

# `python bench/tally.py` puts bench/ first on sys.path, where this file's own name would hide
# the `tally` package: the repository's root comes first instead
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tally.rules  # noqa: E402, F401  (imported before timing, as pabutools is)
from tally import tally  # noqa: E402
from tally.election import Ballot, Election, Project, check  # noqa: E402
from tally.pabulib import read  # noqa: E402
from tally.rules import equal_shares  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PABULIB = ROOT / ".." / "shared" / "pabulib"
WROCLAW = PABULIB / "Poland_Wroclaw_2015_150_-_500.pb"
TOULOUSE = PABULIB / "France_Toulouse_2022.pb"


def timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def timed_cpu(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(result, wall seconds, CPU seconds of this process): on a machine shared with other
    jobs the CPU time stays close to what an idle machine would take, the wall time does not."""
    cpu = time.process_time()
    result, wall = timed(function, *args, **kwargs)
    return result, wall, time.process_time() - cpu


def alternated(ours, theirs, times: int):  # type: ignore[no-untyped-def]
    """Both functions called in turn `times` times, so that both see the same load.

    Returns (our result, their result, {(who, "wall" or "cpu"): [seconds...]}).
    """
    seconds: dict[tuple[str, str], list[float]] = {}
    results = {}
    for _ in range(times):
        for who, function in (("ours", ours), ("theirs", theirs)):
            results[who], wall, cpu = timed_cpu(function)
            seconds.setdefault((who, "wall"), []).append(wall)
            seconds.setdefault((who, "cpu"), []).append(cpu)
    return results["ours"], results["theirs"], seconds


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# equal shares without completion, and with add1 (docs/tally.md)
EQUAL_SHARES = (("equal-shares", {"completion": "none"}), ("equal-shares", {"completion": "add1"}))


def rule_times(election: Election, *rules: tuple[str, dict[str, str]]) -> None:
    """Prints, for each (rule, options), the wall and CPU time of its tally of `election` and
    how many projects it selects."""
    print(f"  {'rule':26} {'wall':>8} {'CPU':>8}")
    for rule, options in rules:
        outcome, seconds, cpu = timed_cpu(tally, election, rule, **options)
        label = f"{rule} {options.get('completion', '')}".strip()
        print(f"  {label:26} {seconds:6.2f} s {cpu:6.2f} s   {len(outcome.selected)} selected")


def wroclaw() -> None:
    if not WROCLAW.exists():
        print("Wrocław 2015: file absent, skipped")
        return
    election, parse = timed(read, WROCLAW)
    print(f"Wrocław 2015 ({len(election.ballots):,} voters, {len(election.projects)} projects)")
    print(f"  parse                      {parse:6.2f} s   {engine(election)}")
    rule_times(election, ("greedy", {}), ("greedy-no-skip", {}), *EQUAL_SHARES)
    cli_calls()


def cli_calls() -> None:
    """Wrocław 2015 greedy, then equal shares (add1), each a whole `participation tally`
    process as a person runs it (French tables), REPEAT times: wall and CPU (user + system of
    the child) per call, and the two together (issue #23: under 1 s in all)."""
    program = str(ROOT / ".venv" / "bin" / "participation")
    calls = [
        ("greedy", [program, "tally", "--rule", "greedy", str(WROCLAW)]),
        ("equal-shares add1", [program, "tally", "--rule", "equal-shares", str(WROCLAW)]),
    ]
    # bytecode written once and used, as in an installed package (a shell that sets
    # PYTHONDONTWRITEBYTECODE would compile every module at each call)
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment["LANG"] = "fr_FR.UTF-8"
    for _, command in calls:
        subprocess.run(command, check=True, capture_output=True, env=environment)
    times = int(os.environ.get("REPEAT", "5"))
    seconds: dict[tuple[str, str], list[float]] = {}
    for _ in range(times):
        for label, command in calls:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            _, wall = timed(
                subprocess.run, command, check=True, capture_output=True, env=environment
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            seconds.setdefault((label, "wall"), []).append(wall)
            seconds.setdefault((label, "cpu"), []).append(cpu)
    print(f"  whole `participation tally --rule R FILE` calls, best / median of {times}:")
    for label, _ in calls:
        wall, cpu = seconds[label, "wall"], seconds[label, "cpu"]
        print(
            f"    {label:20} wall {min(wall):5.2f}/{statistics.median(wall):5.2f} s"
            f"   CPU {min(cpu):5.2f}/{statistics.median(cpu):5.2f} s"
        )
    both = [
        sum(seconds[label, clock][i] for label, _ in calls)
        for clock in ("wall", "cpu")
        for i in range(times)
    ]
    walls, cpus = both[:times], both[times:]
    print(
        f"    {'the two calls':20} wall {min(walls):5.2f}/{statistics.median(walls):5.2f} s"
        f"   CPU {min(cpus):5.2f}/{statistics.median(cpus):5.2f} s   (target: under 1 s)"
    )
    print(f"  load average: {os.getloadavg()[0]:.1f} (2 cores)")


def _compare(pairs: list[tuple[str, Any, Any]], times: int) -> None:
    """Each (label, ours, pabutools') pair run in turn `times` times: best and median of each,
    wall and CPU, their ratio, and whether both selected the same projects."""
    for label, ours, theirs in pairs:
        mine, other, seconds = alternated(ours, theirs, times)
        same = set(mine.selected) == {p.name for p in other}
        for clock in ("wall", "cpu"):
            mine_s, other_s = seconds["ours", clock], seconds["theirs", clock]
            print(
                f"  {label + ' (' + clock + ')':20} {min(mine_s):7.4f}/"
                f"{statistics.median(mine_s):7.4f}s {min(other_s):7.3f}/"
                f"{statistics.median(other_s):7.3f}s {min(other_s) / min(mine_s):5.0f}×"
                f"   same outcome: {same}"
            )


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
    print(f"  {engine(election)}")
    times = int(os.environ.get("REPEAT", "5"))
    print(f"  best / median of {times} runs each, ours and pabutools' in turn")
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
    _compare(pairs, times)
    # end to end: the file read, then tallied (ours: tally.pabulib.read; pabutools:
    # parse_pabulib), each rule (issue #23: at least 100 times faster, reading included)
    print(f"  end to end, reading the file included: best / median of {times} runs each")
    path = str(TOULOUSE)
    ends = [
        (
            "greedy",
            lambda: tally(read(path), "greedy"),
            lambda: greedy_utilitarian_welfare(*parse_pabulib(path), sat_class=Cost_Sat),
        ),
        (
            "equal-shares none",
            lambda: tally(read(path), "equal-shares", completion="none"),
            lambda: method_of_equal_shares(*parse_pabulib(path), sat_class=Cost_Sat),
        ),
    ]
    _compare(ends, times)
    _, reading, reading_cpu = timed_cpu(read, path)
    print(f"  {'reading alone':20} {reading:7.4f}s wall, {reading_cpu:.4f}s CPU (one run)")
    # pabutools' add1 (voter_budget_increment=1) did not finish in 10 minutes here: not run
    outcome, add1, cpu = timed_cpu(tally, election, "equal-shares", completion="add1")
    print(
        f"  {'equal-shares add1':20} {add1:8.3f}s wall, {cpu:.3f}s CPU"
        f"   {len(outcome.selected)} selected   (pabutools: > 600 s, not run)"
    )
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")


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
    print(f"  {engine(election)}")
    rule_times(election, ("greedy", {}), *EQUAL_SHARES)
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"  peak memory (whole process, ballots included) {peak_mb():.0f} MB")


def engine(election: Election) -> str:
    """Which equal shares engine the size of `election` picks (docs/tally.md)."""
    pairs = sum(map(len, (choices for choices, _ in check(election))))
    small = pairs <= equal_shares.SMALL_PAIRS
    return f"equal shares engine: {'plain Python' if small else 'numpy'} ({pairs:,} pairs)"


if __name__ == "__main__":
    which = sys.argv[1:] or ["wroclaw", "toulouse", "synthetic"]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the start: {load} (1, 5, 15 min; 2 cores)")
    if "wroclaw" in which:
        wroclaw()
    if "cli" in which and "wroclaw" not in which:
        cli_calls()
    if "toulouse" in which:
        toulouse()
    if "synthetic" in which:
        synthetic_bench()
