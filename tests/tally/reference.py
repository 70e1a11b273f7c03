"""A slow, obviously-correct equal shares, one voter at a time: the oracle of the tests."""

from __future__ import annotations

from fractions import Fraction

from tally.election import Election, scores, tie_order


def reference_mes(election: Election, utility: str = "cost", completion: str = "none") -> list[str]:
    return reference_mes_with_share(election, utility, completion)[0]


def reference_mes_with_share(
    election: Election, utility: str = "cost", completion: str = "none"
) -> tuple[list[str], Fraction]:
    """The selected projects, and the share every voter started with in the run kept."""
    projects = {p.id: p for p in election.projects}
    score = scores(election)
    rank = {p.id: i for i, p in enumerate(tie_order(election, score))}
    threshold = election.min_project_score_threshold
    ballots = []
    for ballot in election.ballots:
        chosen = set(ballot.choices)
        if ballot.points is not None:
            chosen = {c for c, pts in zip(ballot.choices, ballot.points, strict=True) if pts > 0}
        if threshold is not None:
            chosen = {c for c in chosen if score[c] >= threshold}
        ballots.append(chosen)
    n = len(ballots)
    budget = election.exact_budget

    def run(share: Fraction) -> list[str]:
        money = [share] * n
        chosen: list[str] = []
        supported = {c for b in ballots for c in b}
        chosen = sorted((c for c in supported if projects[c].cost == 0), key=rank.get)
        remaining = {c for c in supported if projects[c].cost > 0}
        while True:
            best = None
            for c in remaining:
                cost = projects[c].cost
                u = cost if utility == "cost" else 1
                payers = sorted(money[i] for i in range(n) if c in ballots[i])
                if sum(payers) < cost:
                    continue
                paid, k = Fraction(0), len(payers)
                for m in payers:
                    if m * k >= cost - paid:
                        break
                    paid += m
                    k -= 1
                rho = (cost - paid) / k / u
                if best is None or (rho, rank[c]) < (best[0], rank[best[1]]):
                    best = (rho, c)
            if best is None:
                return chosen
            rho, c = best
            u = projects[c].cost if utility == "cost" else 1
            for i in range(n):
                if c in ballots[i]:
                    money[i] -= min(money[i], rho * u)
            chosen.append(c)
            remaining.discard(c)

    share = budget / n if n else Fraction(0)
    outcome = run(share) if n else []
    if completion == "none" or not n:
        return outcome, share
    # add1 exactly as the cities did it: raise every share by 1 until the next outcome exceeds
    # the budget, keep the last one that fits. From a share of `ceiling` (the cost of every
    # supported project) on, nobody pays all they have and everything supported is selected:
    # the outcome no longer changes, so the loop stops there if nothing exceeded before.
    ceiling = sum(projects[c].cost for c in {c for b in ballots for c in b})
    while share < ceiling:
        nxt = run(share + 1)
        if sum(projects[c].cost for c in nxt) > budget:
            return outcome, share
        outcome, share = nxt, share + 1
    return outcome, share
