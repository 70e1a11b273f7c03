"""The fast aggregation (counts, batches) gives exactly what a plain loop over the responses
gives: a reference written the obvious way, one response and one answer at a time."""

from __future__ import annotations

import random
import statistics
from typing import Any

import pytest

from consultations import domain
from consultations.models import QuestionKind
from consultations.questions import OTHER, QuestionSpec
from consultations.questions.majority import GRADES as GRADE_NAMES
from consultations.questions.majority import compare_majority, majority_grade

K = QuestionKind
QUESTIONS = [
    QuestionSpec(1, K.SINGLE, options=(11, 12, 13), allow_other=True),
    QuestionSpec(2, K.MULTIPLE, options=(21, 22, 23, 24), allow_other=True),
    QuestionSpec(3, K.RANKING, options=(31, 32, 33, 34)),
    QuestionSpec(4, K.RANKING, options=(41, 42)),
    QuestionSpec(5, K.SCALE),
    QuestionSpec(6, K.MAJORITY, options=(61, 62, 63)),
    QuestionSpec(7, K.MAJORITY, options=(71, 72)),
    QuestionSpec(8, K.NUMBER),
    QuestionSpec(9, K.SHORT_TEXT, required=False),
    QuestionSpec(10, K.LONG_TEXT, required=False),
]
GRADES = len(GRADE_NAMES)


def random_responses(rng: random.Random, n: int) -> list[dict[str, Any]]:
    """Stored responses as `clean_answers` writes them; some questions left unanswered."""
    responses = []
    for _ in range(n):
        stored: dict[str, Any] = {}
        if rng.random() < 0.9:
            stored["1"] = [rng.choice([11, 12, 13, OTHER])]
            if stored["1"] == [OTHER]:
                stored["1-other"] = f"autre {rng.randint(1, 30)}"
        if rng.random() < 0.8:
            stored["2"] = rng.sample([21, 22, 23, 24, OTHER], rng.randint(1, 3))
            if OTHER in stored["2"]:
                stored["2-other"] = f"encore {rng.randint(1, 9)}"
        if rng.random() < 0.95:
            stored["3"] = rng.sample([31, 32, 33, 34], 4)
        stored["4"] = rng.sample([41, 42], 2)
        if rng.random() < 0.9:
            stored["5"] = rng.randint(1, 5)
        # close grades, so that the majority grades tie and the tie-break decides
        bias = rng.choice([0, 0, 1])
        stored["6"] = {str(o): min(6, rng.randint(2, 4) + bias * (o == 62)) for o in (61, 62, 63)}
        stored["7"] = {"71": rng.choice([1, 2, 3]), "72": rng.choice([1, 2, 3])}
        if rng.random() < 0.7:
            stored["8"] = rng.choice([rng.randint(0, 100), rng.randint(0, 40) + 0.5])
        if rng.random() < 0.6:
            stored["9"] = f"<p>idée {rng.randint(1, 60)}</p>"
        if rng.random() < 0.3:
            stored["10"] = f"texte {rng.randint(1, 200)}"
        responses.append(stored)
    return responses


def approved(question_id: int, text: str) -> bool:
    return "7" in text or (question_id == 10 and text.endswith("1"))


# --- the reference: one response at a time --------------------------------------------------


def share(count: int, whole: int) -> float:
    return round(100 * count / whole, 1) if whole else 0.0


def reference(questions: list[QuestionSpec], responses: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {"responses": len(responses), "questions": {}}
    for q in questions:
        answers = [r[str(q.id)] for r in responses if str(q.id) in r]
        if q.kind in (K.SINGLE, K.MULTIPLE):
            options = [*q.options, OTHER] if q.allow_other else list(q.options)
            others = [
                r.get(f"{q.id}-other", "") for r in responses if OTHER in r.get(str(q.id), [])
            ]
            item = {
                "answered": len(answers),
                "options": [
                    {
                        "id": o,
                        "count": sum(o in a for a in answers),
                        "percent": share(sum(o in a for a in answers), len(answers)),
                    }
                    for o in options
                ],
                "others": texts(q.id, others),
            }
        elif q.kind == K.SCALE:
            item = {
                "answered": len(answers),
                "mean": round(sum(answers) / len(answers), 2),
                "points": [
                    {
                        "value": p,
                        "count": answers.count(p),
                        "percent": share(answers.count(p), len(answers)),
                    }
                    for p in (1, 2, 3, 4, 5)
                ],
            }
        elif q.kind == K.RANKING:
            item = ranking_reference(list(q.options), answers)
        elif q.kind == K.MAJORITY:
            item = majority_reference(list(q.options), answers)
        elif q.kind == K.NUMBER:
            q1, median, q3 = statistics.quantiles(answers, n=4, method="inclusive")
            item = {
                "answered": len(answers),
                "min": min(answers),
                "max": max(answers),
                "mean": round(statistics.mean(answers), 2),
                "median": round(median, 2),
                "q1": round(q1, 2),
                "q3": round(q3, 2),
                "stdev": round(statistics.pstdev(answers), 2),
            }
        else:
            item = {"answered": len(answers), "texts": texts(q.id, answers)}
        item["kind"] = q.kind.value
        result["questions"][str(q.id)] = item
    return result


def texts(question_id: int, given: list[str]) -> dict[str, Any]:
    return {"count": len(given), "approved": sorted(t for t in given if approved(question_id, t))}


def ranking_reference(options: list[int], rankings: list[list[int]]) -> dict[str, Any]:
    m, n = len(options), len(rankings)
    borda = dict.fromkeys(options, 0)
    ranks: dict[int, list[int]] = {o: [] for o in options}
    beats = {(a, b): 0 for a in options for b in options}
    for ranking in rankings:
        for position, option in enumerate(ranking):
            borda[option] += m - 1 - position
            ranks[option].append(position + 1)
            for worse in ranking[position + 1 :]:
                beats[option, worse] += 1
    winners = [a for a in options if all(beats[a, b] > beats[b, a] for b in options if b != a)]
    ordered = sorted(options, key=lambda o: (-borda[o], options.index(o)))
    return {
        "answered": n,
        "options": [
            {
                "id": o,
                "borda": borda[o],
                "mean_rank": round(sum(ranks[o]) / n, 2),
                "rank": ordered.index(o) + 1,
            }
            for o in ordered
        ],
        "condorcet_winner": winners[0] if winners else None,
        "pairwise": [[beats[a, b] for b in options] for a in options],
    }


def majority_value(grades: list[int]) -> list[int]:
    """Balinski and Laraki: the majority grade (lower median), then the majority grade of the
    grades left once it is taken out, and so on."""
    left, value = sorted(grades), []
    while left:
        value.append(left.pop(len(left) // 2))
    return value


def majority_reference(options: list[int], gradings: list[dict[str, int]]) -> dict[str, Any]:
    grades = {o: [g[str(o)] for g in gradings] for o in options}
    values = {o: majority_value(grades[o]) for o in options}  # every option graded by everyone
    ordered = sorted(options, key=lambda o: values[o])
    places = {o: 1 + sum(values[other] < values[o] for other in options) for o in options}
    distributions = {o: [grades[o].count(g) for g in range(GRADES)] for o in options}
    firsts = [o for o in options if places[o] == 1]
    return {
        "answered": len(gradings),
        "options": [
            {
                "id": o,
                "distribution": distributions[o],
                "percents": [share(c, len(gradings)) for c in distributions[o]],
                "majority_grade": values[o][0],
                "rank": places[o],
            }
            for o in ordered
        ],
        "winner": firsts[0] if len(firsts) == 1 else None,
    }


def mean_ranks(result: dict[str, Any]) -> dict[tuple[str, int], float]:
    """Mean ranks, taken out of `result`: they are compared to the reference within rounding
    (a mean that falls on x.xx5 may round either way, depending on the float arithmetic)."""
    found = {}
    for key, item in result["questions"].items():
        if item["kind"] == "ranking":
            for option in item["options"]:
                found[key, option["id"]] = option.pop("mean_rank")
    return found


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_aggregate_equals_the_reference_on_random_responses(seed: int) -> None:
    responses = random_responses(random.Random(seed), 3000)
    expected = reference(QUESTIONS, responses)
    # in batches of 700 (as the results job decodes them), and in one go
    result = domain.aggregate(QUESTIONS, responses, approved, batch=700)
    assert result == domain.aggregate(QUESTIONS, iter(responses), approved)
    assert mean_ranks(result) == pytest.approx(mean_ranks(expected), abs=0.0100001)
    assert result == expected
    # the data was varied enough to test something
    assert expected["questions"]["1"]["others"]["approved"]
    assert expected["questions"]["9"]["texts"]["approved"]
    ties = [o["majority_grade"] for o in expected["questions"]["6"]["options"]]
    assert len(set(ties)) < len(ties)


def test_majority_tie_break_equals_removing_one_vote_at_a_time() -> None:
    def one_at_a_time(a: list[int], b: list[int]) -> int:
        a, b = list(a), list(b)
        for _ in range(sum(a) + sum(b)):  # each step drops one vote from each side
            if not (sum(a) and sum(b)):
                break
            grade_a, grade_b = majority_grade(a), majority_grade(b)
            assert grade_a is not None and grade_b is not None
            if grade_a != grade_b:
                return -1 if grade_a < grade_b else 1
            a[grade_a] -= 1
            b[grade_b] -= 1
        return 0 if sum(a) == sum(b) else (-1 if sum(a) else 1)

    rng = random.Random(8)
    for _ in range(3000):
        size = rng.choice([1, 2, 5, 40, 400])
        a = [rng.randint(0, size) for _ in range(GRADES)]
        b = list(a) if rng.random() < 0.1 else [max(0, c + rng.randint(-2, 2)) for c in a]
        if rng.random() < 0.3:  # not the same number of votes
            b[rng.randrange(GRADES)] += rng.randint(1, 3)
        assert compare_majority(a, b) == one_at_a_time(a, b), (a, b)


def test_empty_and_unanswered_questions() -> None:
    result = domain.aggregate(QUESTIONS, [], approved)
    assert result["responses"] == 0
    assert result["questions"]["3"]["answered"] == 0
    assert result["questions"]["6"]["winner"] is None
    assert result["questions"]["8"] == {
        "answered": 0,
        "min": None,
        "max": None,
        "mean": None,
        "median": None,
        "kind": "number",
    }
    # an incomplete ranking (never stored, but not counted if it were)
    partial = domain.aggregate(QUESTIONS, [{"3": [31, 32]}, {"3": [32, 31, 34, 33]}])
    assert partial["questions"]["3"]["answered"] == 1
