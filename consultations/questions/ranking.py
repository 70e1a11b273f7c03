"""`ranking`: every option given a rank, 1 for the favourite; results by Borda score, mean rank
and the Condorcet winner. base.Stored: [option_id, ...] best first, every option once."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from consultations.models import QuestionKind
from consultations.questions import base
from consultations.questions._choice import option_cells
from consultations.questions.base import Counts, Form, KindBase, QuestionSpec, option_numbers
from participation.formatting import format_number
from participation.i18n import N_, gettext
from participation.refusals import Problem


def ranking_results(options: Sequence[int], rankings: Sequence[Sequence[int]]) -> dict[str, Any]:
    """Borda score (m-1 points for first, 0 for last), mean rank, and the Condorcet winner:
    the option that a majority prefers to each other option, if there is one."""
    return ranking_item(options, Counter(map(tuple, rankings)))


def ranking_item(options: Sequence[int], rankings: Mapping[tuple[Any, ...], int]) -> dict[str, Any]:
    """The same from `rankings`: how many respondents gave each distinct ranking."""
    m = len(options)
    index = {option: i for i, option in enumerate(options)}
    every = set(options)
    complete = [(r, n) for r, n in rankings.items() if len(r) == m and set(r) == every]
    n = sum(count for _r, count in complete)
    if n == 0 or m == 0:
        return {
            "answered": 0,
            "options": [{"id": o, "borda": 0, "mean_rank": None, "rank": None} for o in options],
            "condorcet_winner": None,
            "pairwise": [[0] * m for _ in range(m)],
        }
    # positions[k, i]: the rank (0 = best) that the k-th distinct ranking gives option i, and
    # weights[k] how many respondents gave that ranking
    d = len(complete)
    positions = np.empty((d, m), dtype=np.int64)
    order = np.array([[index[o] for o in r] for r, _n in complete], dtype=np.int64)
    positions[np.arange(d)[:, None], order] = np.arange(m, dtype=np.int64)[None, :]
    weights = np.array([count for _r, count in complete], dtype=np.int64)
    borda = ((m - 1 - positions) * weights[:, None]).sum(axis=0)
    # exact integer sums, then one division: the same float as the mean of every position
    mean_rank = [float(total) / n + 1 for total in (positions * weights[:, None]).sum(axis=0)]
    pairwise = [
        [0 if a == b else int(weights[positions[:, a] < positions[:, b]].sum()) for b in range(m)]
        for a in range(m)
    ]
    winner = condorcet_winner(pairwise)
    ordered = sorted(range(m), key=lambda i: (-int(borda[i]), mean_rank[i], i))
    places = {i: place for place, i in enumerate(ordered, start=1)}
    return {
        "answered": n,
        "options": [
            {
                "id": options[i],
                "borda": int(borda[i]),
                "mean_rank": round(mean_rank[i], 2),
                "rank": places[i],
            }
            for i in ordered
        ],
        "condorcet_winner": options[winner] if winner is not None else None,
        "pairwise": pairwise,
    }


def condorcet_winner(pairwise: Sequence[Sequence[int]]) -> int | None:
    """The index that beats every other index head to head (strictly), or None."""
    m = len(pairwise)
    for a in range(m):
        if all(pairwise[a][b] > pairwise[b][a] for b in range(m) if b != a):
            return a
    return None


def _rank_problem(question: QuestionSpec) -> Problem:
    return Problem(
        N_("Give each option a different rank, from 1 to {n}."),
        {"n": len(question.options)},
        f"q{question.id}",
    )


class RankingTally(Counts):
    """How many respondents gave each distinct ranking."""

    def counted(self, column: Sequence[Any]) -> Iterable[Any]:
        return map(tuple, filter(None, column))

    def result(self, answered: int, approved: base.ApprovedText) -> dict[str, Any]:
        return ranking_item(self.question.options, self.counts)


@dataclass(frozen=True, kw_only=True)
class RankingKind(KindBase):
    counting = RankingTally

    def on_paper(self, doc: Any, view: Any) -> None:
        doc.paragraph(gettext("Give each option a rank: 1 for your favourite."))
        rows = [[option.label, ""] for option in view.options]
        doc.table([gettext("Option"), gettext("Rank")], rows, widths=(80, 20))

    def results_on_paper(self, doc: Any, view: Any, item: dict[str, Any]) -> None:
        """As ranking_result.html: the Condorcet winner or none, the Borda scores as bars,
        the ranking table."""
        labels = view.option_labels
        winner = item["condorcet_winner"]
        if winner:
            doc.paragraph(
                gettext(
                    "Condorcet winner: %(option)s, preferred by a majority to each other option."
                )
                % {"option": labels.get(winner, "")}
            )
        else:
            doc.paragraph(
                gettext(
                    "No Condorcet winner: no option is preferred by a majority to every other one."
                )
            )
        doc.paragraph(
            gettext(
                "Borda score per option, relative to the best; the table below gives the figures."
            )
        )
        doc.bars(
            [
                (labels.get(o["id"], ""), o["borda"], format_number(o["borda"]), False)
                for o in item["options"]
            ]
        )
        doc.keep_room(30)  # the table's caption stays with its first rows
        doc.paragraph(
            gettext("Ranking by Borda score (points: number of options ranked below)"), bold=True
        )
        doc.table(
            [gettext("Rank"), gettext("Option"), gettext("Borda score"), gettext("Mean rank")],
            [
                [
                    str(o["rank"] or ""),
                    labels.get(o["id"], ""),
                    format_number(o["borda"]),
                    format_number(o["mean_rank"]) if o["mean_rank"] is not None else "—",
                ]
                for o in item["options"]
            ],
            widths=(12, 52, 18, 18),
            align=("RIGHT", "LEFT", "RIGHT", "RIGHT"),
        )

    def parse(self, question: QuestionSpec, form: Form) -> base.Parsed:
        """Option -> rank (1 = best) to the options in order; ranks must be 1..n, each once."""
        ranks, _other, problems = option_numbers(question, form)
        if ranks is None:  # none given, or forged
            return None, None, problems
        if sorted(ranks.values()) != list(range(1, len(question.options) + 1)):
            return [], None, [_rank_problem(question)]
        return [option for option, _rank in sorted(ranks.items(), key=lambda i: i[1])], None, []

    def problems(self, question: QuestionSpec, value: Any, others: base.Others) -> list[Problem]:
        if sorted(value) != sorted(question.options):
            return [_rank_problem(question)]
        return []

    def result_rows(self, item: dict[str, Any], export: base.Export) -> list[base.Row]:
        rows: list[base.Row] = []
        for o in item["options"]:
            label = export.labels.get(o["id"], "")
            rows.append((label, "borda", o["borda"], ""))
            rows.append((label, "mean_rank", o["mean_rank"], ""))
        winner = item["condorcet_winner"]
        rows.append((export.labels.get(winner, "") if winner else "", "condorcet_winner", "", ""))
        return rows

    def response_cell(self, value: Any, stored: base.Stored, export: base.Export) -> str:
        return " > ".join(option_cells(value, stored, export))

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        return [
            (f"{name}-o{option}", str(rank))
            for rank, option in enumerate(rng.sample(options, len(options)), start=1)
        ]


KIND = RankingKind(
    value=QuestionKind.RANKING,
    label=N_("Ranking"),
    partials="ranking",
    settings=frozenset({"options"}),
)
