"""The count of a big town's budget as pure functions, without the database (issue #23).

    .venv/bin/python bench/count.py [--ballots 150000]

A budget of bench/bigtown.py's shape built as plain data (`budgets.tallying.TallyInput`; not
its very projects: bigtown.py draws titles and texts from the same random stream before each
cost, so the costs differ): 300 projects
(costs 20,000 to 399,000, four districts of 60 projects with 2,000,000 each, 60 city-wide
with 4,000,000) and `--ballots` knapsack ballots drawn as its `seal_ballots` draws them (1 to 6
projects of the city and the voter's district, shuffled, kept while they fit). Then
`compute_outcome` with equal shares (add1) and greedy, as `tally_and_store` runs them: the CPU
time of each (the machine is shared: wall time says little) and a digest of each outcome, to
compare two copies of the code run at the same time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from budgets import tallying  # noqa: E402
from budgets.models import BallotKind  # noqa: E402

DISTRICTS = ("Centre-ville", "Les Rives", "Saint-Martin", "Le Plateau")  # budgets.demo's


def big_town(ballots: int, projects: int = 300) -> tallying.TallyInput:
    rng = random.Random(300)
    items = [
        tallying.TallyProject(
            n + 1, rng.randrange(20, 400) * 1_000, DISTRICTS[n % 5] if n % 5 < 4 else None
        )
        for n in range(projects)
    ]
    envelopes: dict[str | None, int] = dict.fromkeys(DISTRICTS, 2_000_000)
    envelopes[None] = 12_000_000 - 8_000_000
    rng = random.Random(7)
    cast = []
    for n in range(ballots):
        district = DISTRICTS[n % 4]
        candidates = [p for p in items if p.envelope in (None, district)]
        rng.shuffle(candidates)
        spent: dict[str | None, int] = {}
        chosen = []
        for p in candidates[: rng.randint(1, 6)]:
            if spent.get(p.envelope, 0) + p.cost <= envelopes[p.envelope]:
                spent[p.envelope] = spent.get(p.envelope, 0) + p.cost
                chosen.append(p.id)
        cast.append(tallying.TallyBallot(n + 1, dict.fromkeys(sorted(chosen), 1)))
    return tallying.TallyInput(BallotKind.KNAPSACK, envelopes, tuple(items), tuple(cast))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=150_000)
    args = parser.parse_args()
    data = big_town(args.ballots)
    total = 0.0
    for rule in ("equal-shares", "greedy"):
        cpu = time.process_time()
        outcome = tallying.compute_outcome(data, rule, {})
        seconds = time.process_time() - cpu
        total += seconds
        digest = hashlib.sha256(json.dumps(outcome).encode()).hexdigest()[:12]
        selected = [len(e["selected"]) for e in outcome["envelopes"]]
        print(f"{rule:13} {seconds:6.2f} s CPU   selected {selected}   outcome {digest}")
    print(f"{'both rules':13} {total:6.2f} s CPU   load {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
