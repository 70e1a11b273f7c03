"""The greedy family: projects by score, highest first (shared by three rules)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from tally.election import (
    BELOW_THRESHOLD,
    DOES_NOT_FIT,
    NO_SUPPORT,
    SELECTED,
    STOPPED,
    Election,
    Outcome,
    ProjectExplanation,
    VoteType,
    check,
    frozen_instance,
    scores,
    supporter_counts,
    tie_order,
)


def greedy_outcome(election: Election, rule: str, *, skip: bool, threshold: int | None) -> Outcome:
    """Walk the projects in tie order and take each one that fits what is left.

    A project without any support is never taken; a project whose score is below `threshold` is
    not eligible. With `skip=False` the walk stops at the first eligible project that does not
    fit (greedy-no-skip).
    """
    counts = check(election)
    score = scores(election, counts)
    # without points (nor points per rank), a project's score is its number of supporters
    points_free = all(points is None for _, points in counts) and (
        election.rank_points is None or election.kind != VoteType.ORDINAL
    )
    supporters = score if points_free else supporter_counts(election, counts)
    left = election.exact_budget
    stopped = False
    selected: list[str] = []
    explanations: list[ProjectExplanation] = []
    for rank, project in enumerate(tie_order(election, score), start=1):
        order: int | None = None
        if supporters[project.id] == 0:
            reason = NO_SUPPORT
        elif threshold is not None and score[project.id] < threshold:
            reason = BELOW_THRESHOLD
        elif stopped:
            reason = STOPPED
        elif project.cost <= left:
            reason = SELECTED
            left -= project.cost
            selected.append(project.id)
            order = len(selected)
        else:
            reason = DOES_NOT_FIT
            stopped = not skip
        explanations.append(
            frozen_instance(
                ProjectExplanation,
                project_id=project.id,
                score=score[project.id],
                rank=rank,
                selected=order is not None,
                reason=reason,
                order=order,
                price=None,
                supporters=supporters[project.id],
                budget_left=Fraction(left),
            )
        )
    costs = {p.id: p.cost for p in election.projects}
    options = {} if threshold is None else {"threshold": str(threshold)}
    return Outcome(
        rule=rule,
        selected=tuple(selected),
        explanations=tuple(explanations),
        cost=sum(costs[i] for i in selected),
        budget=election.budget,
        voters=len(election.ballots),
        options=options,
    )


@dataclass(frozen=True)
class GreedyRule:
    """A rule of the greedy family (`Rule`); it has no use for `utility` or `completion`.

    `use_threshold` applies the election's `min_project_score_threshold`.
    """

    name: str
    skip: bool = True
    use_threshold: bool = False

    def tally(
        self, election: Election, *, utility: str = "cost", completion: str = "add1"
    ) -> Outcome:
        threshold = election.min_project_score_threshold if self.use_threshold else None
        return greedy_outcome(election, self.name, skip=self.skip, threshold=threshold)
