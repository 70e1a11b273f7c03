"""How an audit entry reads: a small registry of wordings, by action, and of targets, by kind.
Pure: entries and the names of their targets in, sentences out (translated with gettext).

A wording's `text` is a msgid with `{actor}`, `{target}` and the entry's recorded values as
`{before_<key>}` / `{after_<key>}` (top-level keys of its JSON); `labels` turn a recorded value
into words (`{"after_phase": {"voting": N_("Vote")}}`). An action "decision:approve" reads with
the wording of "decision:approve", else of "decision". An entry whose action has no wording,
or whose values lack one the wording names, reads with the generic sentence: nothing is hidden.
A target names its object: `label` says `{name}` (its title) and `names(ids)` looks the names
up (one query for a page of entries; `names_in` makes the usual one, the only thing here that
reads the database, when the log is read).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from participation.i18n import N_, gettext


@dataclass(frozen=True)
class AuditWording:
    action: str
    text: str  # msgid
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def names_in(model: Any, column: str) -> Callable[[list[int]], Awaitable[dict[int, str]]]:
    """An `AuditTarget.names`: the `column` of the rows of `model` by id (one query)."""

    async def names(ids: list[int]) -> dict[int, str]:
        return dict(await model.filter(id__in=ids).values_list("id", column))

    return names


@dataclass(frozen=True)
class AuditTarget:
    kind: str
    label: str  # msgid with {name}, e.g. N_("the budget “{name}”"); "": the name alone
    names: Callable[[list[int]], Awaitable[dict[int, str]]] | None = None
    unnamed: str = ""  # msgid for a target without id or name, e.g. N_("the site settings")
    # msgid for a target whose name is unknown (deleted since), e.g. N_("the space no. {id}")
    numbered: str = ""
    # the log's filter by space: `in_space(space_id)`, a query of `values("id")` of this kind's
    # targets that belong to the space now (read when filtering: an object moved to another
    # space takes its entries with it)
    in_space: Callable[[int], Any] | None = None


@dataclass(frozen=True)
class AuditWords:
    """What a feature declares in its manifest (`Feature.audit_words`)."""

    actions: Sequence[AuditWording] = ()
    targets: Sequence[AuditTarget] = ()


@dataclass(frozen=True)
class Facts:
    """An entry as plain data."""

    actor: str  # "" for the platform itself (a scheduled job)
    action: str
    target_kind: str
    target_id: int | None
    before: str
    after: str


def values_of(recorded: str, prefix: str) -> dict[str, str]:
    """The top-level values of a JSON object as text, keys prefixed ("after_phase")."""
    try:
        data = json.loads(recorded) if recorded else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    out = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out[f"{prefix}_{key}"] = "" if value is None else str(value)
    return out


# The names of the recorded values that read as words on the log's page (`recorded_fields`);
# any other key reads as itself, its underscores as spaces.
KEY_LABELS: Mapping[str, str] = {
    "title": N_("Title"),
    "role": N_("Role"),
    "reason": N_("Reason"),
    "version": N_("Version"),
    "state": N_("State"),
    "status": N_("Status"),
    "email": N_("E-mail address"),
    "name": N_("Name"),
    "space": N_("Space"),
    "step": N_("Step"),
    "cost": N_("Cost"),
    "phase": N_("Phase"),
    "amount": N_("Amount"),
}


def _value_text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def recorded_fields(
    recorded: str, prefix: str, wording: AuditWording | None = None
) -> list[tuple[str, str]]:
    """A recorded value (`before` or `after`, JSON) as (label, value) pairs for the log's page:
    each top-level key named in words (KEY_LABELS, else the key itself), each value as text
    (yes/no, lists joined, « — » for nothing) or the word the action's wording gives it
    (`labels`, e.g. a phase or a role). Not a JSON object: one pair, « Value »."""
    try:
        data = json.loads(recorded) if recorded else None
    except ValueError:
        return [(gettext("Value"), recorded)]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [(gettext("Value"), _value_text(data))]
    labels = wording.labels if wording is not None else {}
    pairs = []
    for key, value in data.items():
        label = gettext(KEY_LABELS[key]) if key in KEY_LABELS else key.replace("_", " ")
        text = _value_text(value)
        words = labels.get(f"{prefix}_{key}", {})
        pairs.append((label, gettext(words[text]) if text in words else text))
    return pairs


def wording_for(action: str, wordings: Mapping[str, AuditWording]) -> AuditWording | None:
    return wordings.get(action) or wordings.get(action.split(":", 1)[0])


def target_text(
    facts: Facts, targets: Mapping[str, AuditTarget], names: Mapping[tuple[str, int], str]
) -> str:
    target = targets.get(facts.target_kind)
    name = names.get((facts.target_kind, facts.target_id)) if facts.target_id else None
    if target is not None and name:
        return gettext(target.label).format(name=name) if target.label else name
    if target is not None and target.numbered and facts.target_id is not None:
        return gettext(target.numbered).format(id=facts.target_id)
    if target is not None and target.unnamed:
        return gettext(target.unnamed)
    if facts.target_id is None:
        return facts.target_kind
    return gettext("{kind} no. {id}").format(kind=facts.target_kind, id=facts.target_id)


def sentence(
    facts: Facts,
    wordings: Mapping[str, AuditWording],
    targets: Mapping[str, AuditTarget],
    names: Mapping[tuple[str, int], str],
) -> str:
    """The entry as one sentence in the reader's language."""
    actor = facts.actor or gettext("The platform")
    target = target_text(facts, targets, names)
    wording = wording_for(facts.action, wordings)
    if wording is not None:
        values = {**values_of(facts.before, "before"), **values_of(facts.after, "after")}
        for key, labels in wording.labels.items():
            if values.get(key) in labels:
                values[key] = gettext(labels[values[key]])
        try:
            return gettext(wording.text).format(actor=actor, target=target, **values)
        except (KeyError, IndexError, ValueError):
            pass  # an older entry without the value: the generic sentence below
    return gettext("{actor}: {action}, {target}").format(
        actor=actor, action=facts.action, target=target
    )


def registry(
    words: Iterable[AuditWords],
) -> tuple[dict[str, AuditWording], dict[str, AuditTarget]]:
    """Actions and targets by name (a name declared twice is a mistake)."""
    wordings: dict[str, AuditWording] = {}
    targets: dict[str, AuditTarget] = {}
    for part in words:
        for wording in part.actions:
            assert wording.action not in wordings, f"audit action {wording.action} worded twice"
            wordings[wording.action] = wording
        for target in part.targets:
            assert target.kind not in targets, f"audit target {target.kind} declared twice"
            targets[target.kind] = target
    return wordings, targets


def describe_all(
    entries: Sequence[Facts],
    words: Iterable[AuditWords],
    names: Mapping[tuple[str, int], str],
) -> list[str]:
    wordings, targets = registry(words)
    return [sentence(facts, wordings, targets, names) for facts in entries]
