"""Import a Pabulib `.pb` file as a closed budget: projects, anonymous ballots and the outcome
the city published (its `selected` column), so the results page can show the official outcome
next to the one we recompute from the same ballots.

All or nothing: the file is parsed completely before anything is written, then written in one
transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from tortoise import timezone
from tortoise.transactions import in_transaction

from budgets import domain
from budgets.ballot_services import new_receipt
from budgets.models import (
    Ballot,
    BallotKind,
    Budget,
    Channel,
    Feasibility,
    Phase,
    PhaseSwitch,
    Project,
    TallyResult,
    WinnerRule,
)
from budgets.services import Refused, request_tally
from budgets.tallying import slot_of
from participation.audit import audit
from participation.i18n import N_
from participation.richtext import ALLOW_LIST_VERSION
from tally import election as engine
from tally import pabulib
from tally.rules import UnknownRule, rule_of_meta

BATCH = 2_000
ID_LENGTH = 64  # Project.external_id
INT_MAX = 2**31 - 1  # Budget.points_total, points_per_project

KIND_OF_VOTE_TYPE = {
    engine.VoteType.APPROVAL: BallotKind.APPROVAL,
    engine.VoteType.CHOOSE_1: BallotKind.APPROVAL,
    engine.VoteType.CUMULATIVE: BallotKind.CUMULATIVE,
    engine.VoteType.ORDINAL: BallotKind.RANKING,
}


def engine_rule(meta_rule: str) -> tuple[str, dict[str, str]]:
    """The engine rule and options matching a file's `META.rule` (`rules.rule_of_meta`, the one
    the `tally` command uses too); an unknown rule refuses the file, naming the known ones."""
    try:
        rule, completion = rule_of_meta(meta_rule)
    except UnknownRule as error:
        raise Refused(
            [
                domain.Problem(
                    N_("The file's rule {rule} is not one this platform knows ({known})."),
                    {"rule": error.declared, "known": error.known},
                    "file",
                )
            ]
        ) from None
    return rule, ({"completion": completion} if rule == "equal-shares" else {})


def rule_fields(election: engine.Election) -> dict[str, Any]:
    """Ballot rule columns describing the file's ballots (for the budget's page)."""
    longest = max((len(b.choices) for b in election.ballots), default=1)
    fields: dict[str, Any] = {
        "ballot_kind": KIND_OF_VOTE_TYPE[election.kind],
        "min_choices": 0,
        "max_choices": 1 if election.kind == engine.VoteType.CHOOSE_1 else longest,
    }
    if election.kind == engine.VoteType.CUMULATIVE:
        # descriptive only (the budget is closed); the columns hold 32-bit integers
        fields["points_total"] = min(
            INT_MAX, max((sum(b.points or ()) for b in election.ballots), default=1)
        )
        fields["points_per_project"] = min(
            INT_MAX, max((max(b.points or (0,)) for b in election.ballots), default=1)
        )
    if election.kind == engine.VoteType.ORDINAL:
        fields["ranking_length"] = longest
    return fields


def ballot_content(ballot: engine.Ballot, ids: Mapping[str, int], kind: engine.VoteType) -> str:
    """The stored JSON of a ballot: project id -> 1, points, or rank (1 = first)."""
    if kind == engine.VoteType.CUMULATIVE and ballot.points is not None:
        values = dict(zip(ballot.choices, ballot.points, strict=True))
    elif kind == engine.VoteType.ORDINAL:
        values = {choice: rank for rank, choice in enumerate(ballot.choices, start=1)}
    else:
        values = dict.fromkeys(ballot.choices, 1)
    return json.dumps({str(ids[c]): v for c, v in sorted(values.items(), key=lambda i: ids[i[0]])})


def parse_file(content: bytes, filename: str) -> Any:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused([domain.Problem(N_("The file is not UTF-8 text."), field="file")]) from None
    if not text.strip():
        raise Refused([domain.Problem(N_("Choose a Pabulib (.pb) file."), field="file")])
    try:
        parsed = pabulib.parse(text, name=filename.removesuffix(".pb"))
    except pabulib.PabulibError as error:
        if error.msgid:  # a message of its own, with its line (translated where shown)
            raise Refused([domain.Problem(error.msgid, error.values, "file")]) from None
        raise Refused(
            [
                domain.Problem(
                    N_("The file is not a valid Pabulib file (line {line}, {field}): {detail}"),
                    {
                        "line": error.line or "?",
                        "field": error.field or "-",
                        "detail": error.message,
                    },
                    "file",
                )
            ]
        ) from None
    too_long = [p.id for p in parsed.election.projects if len(p.id) > ID_LENGTH]
    if too_long:
        # ids are stored in 64 characters; cut, two of them could become one
        line: object = parsed.project_lines.get(too_long[0]) or "?"
        raise Refused(
            [
                domain.Problem(
                    N_("Line {line}: the project id {id} is longer than {most} characters."),
                    {"line": line, "id": too_long[0][:ID_LENGTH] + "…", "most": ID_LENGTH},
                    "file",
                )
            ]
        )
    return parsed


async def import_pabulib(
    content: bytes,
    filename: str,
    by_user: Any = None,
    warnings: list[tuple[str, dict[str, object]]] | None = None,
) -> Budget:
    """The file as a closed budget; what was accepted but not as written (a vote naming a
    project twice) is appended to `warnings` as (msgid, values), for the page to say it."""
    parsed = parse_file(content, filename)
    if warnings is not None:
        warnings.extend(parsed.warnings())
    election: engine.Election = parsed.election
    meta = election.meta
    rule, options = engine_rule(parsed.rule)
    title = (
        meta.get("description")
        or " ".join(filter(None, (meta.get("unit"), meta.get("instance"), meta.get("subunit"))))
        or filename
    )[:200]
    day = _date(meta.get("date_end", "")) or timezone.now().date()
    async with in_transaction():
        budget = await Budget.create(
            title=title,
            description="",
            currency=(meta.get("currency") or "EUR")[:3].upper(),
            total_amount=election.budget,
            phase=Phase.TALLY,
            phase_changed_at=timezone.now(),
            winner_rule=WinnerRule(slot_of(rule)),
            imported_from=filename[:255],
            **rule_fields(election),
        )
        await PhaseSwitch.create(
            budget=budget, from_phase=Phase.PREPARATION, to_phase=Phase.TALLY, by_user=by_user
        )
        await Project.bulk_create(
            [
                Project(
                    budget=budget,
                    title=(p.name or f"Projet {p.id}")[:200],
                    description="",
                    sanitized_with=ALLOW_LIST_VERSION,  # nothing to clean
                    cost=p.cost,
                    feasibility=Feasibility.FEASIBLE,
                    external_id=p.id[:64],
                )
                for p in election.projects
            ],
            batch_size=BATCH,
        )
        ids = dict(await Project.filter(budget=budget).values_list("external_id", "id"))
        for start in range(0, len(election.ballots), BATCH):
            await Ballot.bulk_create(
                [
                    Ballot(
                        id=uuid.uuid4(),
                        budget=budget,
                        token=None,
                        receipt=new_receipt(),
                        district=None,
                        channel=Channel.WEB,
                        choices=ballot_content(ballot, ids, election.kind),
                        cast_on=day,
                    )
                    for ballot in election.ballots[start : start + BATCH]
                ]
            )
        await TallyResult.create(
            budget=budget,
            rule=slot_of(rule),
            is_official=True,
            ballots_count=len(election.ballots),
            input_digest="",
            outcome=json.dumps(official_outcome(parsed, ids, rule, options)),
        )
        after = {"file": filename, "projects": len(ids), "ballots": len(election.ballots)}
        await audit(by_user, "budget_import", "budget", budget.id, "", after)
    await request_tally(budget.id)
    return budget


def official_outcome(
    parsed: Any, ids: Mapping[str, int], rule: str, options: Mapping[str, str]
) -> dict[str, Any]:
    election: engine.Election = parsed.election
    selected = set(parsed.selected or ())
    score = engine.scores(election)
    costs = {p.id: p.cost for p in election.projects}
    return {
        "rule": rule,
        "options": dict(options),
        "threshold": election.min_project_score_threshold,
        # ordinal files: the points of each rank (scoring_fn), None when every rank counts 1
        "rank_points": list(election.rank_points) if election.rank_points is not None else None,
        "published": parsed.selected is not None,
        "envelopes": [
            {
                "name": None,
                "amount": election.budget,
                "spent": sum(costs[p] for p in selected if p in costs),
                "voters": len(election.ballots),
                "selected": sorted(ids[p] for p in selected if p in ids),
                "projects": [
                    {"id": ids[p.id], "cost": p.cost, "score": score[p.id]}
                    for p in election.projects
                ],
            }
        ],
    }


def _date(text: str) -> date | None:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip()[:10], pattern).date()
        except ValueError:
            continue
    return None
