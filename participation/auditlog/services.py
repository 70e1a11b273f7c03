"""Reads of the audit log as staff see it: a page of entries with their sentences (the names of
their targets looked up once per kind), the filters' choices, the export's rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery

from participation import features
from participation.accounts.models import User
from participation.audit import AuditLogEntry, AuditParams, audit_entries
from participation.auditlog.wording import (
    AuditTarget,
    AuditWording,
    AuditWords,
    Facts,
    names_in,
    recorded_fields,
    registry,
    sentence,
    wording_for,
)
from participation.i18n import N_, gettext
from participation.outbox import OutboxJob
from participation.people.models import StaffInvitation
from participation.sitepages.domain import BY_SLUG
from participation.sitepages.models import SitePage
from participation.spaces.models import Space

PAGE_SIZE = 50
_ROLES = {
    "citizen": N_("Resident"),
    "agent": N_("Desk officer"),
    "moderator": N_("Moderator"),
    "admin": N_("Administrator"),
}


async def _user_names(ids: list[int]) -> dict[int, str]:
    rows = await User.filter(id__in=ids).values_list("id", "display_name")
    return {int(i): str(name) for i, name in rows}


_space_titles = names_in(Space, "title")


_invited_emails = names_in(StaffInvitation, "email")


_job_names = names_in(OutboxJob, "name")


async def _page_names(ids: list[int]) -> dict[int, str]:
    rows = await SitePage.filter(id__in=ids).values_list("id", "slug")
    return {int(i): gettext(BY_SLUG[slug].title) for i, slug in rows if slug in BY_SLUG}


# the core's own actions (a feature declares its own in its manifest: `Feature.audit_words`)
CORE = AuditWords(
    actions=(
        AuditWording(
            "site_settings_edit", N_("{actor} changed {target} (version {after_version})")
        ),
        AuditWording(
            "person_role",
            N_("{actor} changed the role of {target} from {before_role} to {after_role}"),
            {"before_role": _ROLES, "after_role": _ROLES},
        ),
        AuditWording("site_page_edit", N_("{actor} published version {after_version} of {target}")),
        AuditWording(
            "site_page_restore",
            N_(
                "{actor} published version {after_restored_from} of {target} again, as "
                "version {after_version}"
            ),
        ),
        AuditWording(
            "person_invited",
            N_("{actor} invited {after_email} to be {after_role}"),
            {"after_role": _ROLES},
        ),
        AuditWording(
            "invitation_accepted",
            N_("{actor} accepted an invitation and became {after_role}"),
            {"after_role": _ROLES},
        ),
        AuditWording("census_import", N_("{actor} imported the resident register")),
        AuditWording("resident_verified", N_("{actor} recorded {target} as a verified resident")),
        AuditWording("resident_revoked", N_("{actor} withdrew the verification of {target}")),
        AuditWording("letters_printed", N_("{actor} printed {after_letters} verification letters")),
        AuditWording(
            "counter_person", N_("{actor} recorded {target}, a person without an account")
        ),
        AuditWording("job_retried", N_("{actor} ran {target} again")),
        AuditWording("job_dropped", N_("{actor} gave up {target}")),
        AuditWording(
            "space_role_granted", N_("{actor} made {target} moderator of the space “{after_space}”")
        ),
        AuditWording(
            "space_role_withdrawn",
            N_("{actor} withdrew from {target} the moderation of the space “{before_space}”"),
        ),
        AuditWording(
            "space_evaluator_granted",
            N_(
                "{actor} made {target} evaluator of the budget projects of the space "
                "“{after_space}”"
            ),
        ),
        AuditWording(
            "space_evaluator_withdrawn",
            N_(
                "{actor} withdrew from {target} the evaluation of the budget projects of the "
                "space “{before_space}”"
            ),
        ),
        AuditWording("space_created", N_("{actor} created {target}")),
        AuditWording("space_updated", N_("{actor} edited {target}")),
        AuditWording("space_archived", N_("{actor} archived {target}")),
        AuditWording("space_unarchived", N_("{actor} took {target} out of the archive")),
        AuditWording("space_deleted", N_("{actor} deleted {target}")),
        AuditWording("space_step_added", N_("{actor} added the step “{after_title}” to {target}")),
        AuditWording(
            "space_step_changed", N_("{actor} edited the step “{after_title}” of {target}")
        ),
        AuditWording(
            "space_step_removed", N_("{actor} removed the step “{before_title}” from {target}")
        ),
    ),
    targets=(
        AuditTarget("site_settings", "", unnamed=N_("the site settings")),
        AuditTarget("user", "", _user_names, numbered=N_("the person no. {id}")),
        AuditTarget("site_page", N_("the page “{name}”"), _page_names),
        AuditTarget(
            "space", N_("the space “{name}”"), _space_titles, numbered=N_("the space no. {id}")
        ),
        AuditTarget(
            "invitation",
            N_("the invitation of {name}"),
            _invited_emails,
            numbered=N_("the invitation no. {id}"),
        ),
        AuditTarget("job", N_("the job “{name}”"), _job_names, numbered=N_("the job no. {id}")),
        AuditTarget("census", "", unnamed=N_("the resident register")),
        AuditTarget("letters", "", unnamed=N_("the verification letters")),
    ),
)


def entries(params: AuditParams) -> Any:
    """The log's entries for `params`, the space filter included: the space itself, and each
    kind of target that says which of its objects belong to a space (`AuditTarget.in_space`:
    budgets, projects, consultations, meetings, proposals and their collections)."""
    qs = audit_entries(params)
    if params.space is None:
        return qs
    in_space = Q(target_kind="space", target_id=params.space)
    for kind, target in words()[1].items():
        if target.in_space is not None:
            ids = Subquery(target.in_space(params.space))
            in_space |= Q(target_kind=kind, target_id__in=ids)
    return qs.filter(in_space)


def words() -> tuple[dict[str, AuditWording], dict[str, AuditTarget]]:
    """The core's wordings and every installed feature's."""
    return registry([CORE, *(f.audit_words for f in features.FEATURES if f.audit_words)])


def facts_of(entry: AuditLogEntry) -> Facts:
    return Facts(
        entry.actor_name,
        entry.action,
        entry.target_kind,
        entry.target_id,
        entry.before,
        entry.after,
    )


async def names_of(
    entries: Sequence[Facts], targets: dict[str, AuditTarget]
) -> dict[tuple[str, int], str]:
    """The names of the entries' targets: one lookup per kind of target."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for facts in entries:
        if facts.target_id is not None and facts.target_kind in targets:
            wanted[facts.target_kind].add(facts.target_id)
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        lookup = targets[kind].names
        if lookup is not None:
            for target_id, name in (await lookup(sorted(ids))).items():
                names[(kind, target_id)] = name
    return names


async def sentences(
    entries: Sequence[AuditLogEntry],
    registry: tuple[dict[str, AuditWording], dict[str, AuditTarget]] | None = None,
) -> list[str]:
    """Each entry as a sentence (`registry`: `words()`, when the caller already has it)."""
    wordings, targets = registry or words()
    facts = [facts_of(entry) for entry in entries]
    names = await names_of(facts, targets)
    return [sentence(f, wordings, targets, names) for f in facts]


@dataclass(frozen=True)
class LogLine:
    """An entry as the log's page shows it: its sentence, then its recorded values as
    (label, value) pairs (the raw JSON stays on the entry, shown on demand)."""

    entry: AuditLogEntry
    summary: str
    before: list[tuple[str, str]]
    after: list[tuple[str, str]]


async def page(params: AuditParams) -> tuple[list[LogLine], bool]:
    rows = list(
        await entries(params)
        .order_by("-id")
        .offset((params.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    shown = rows[:PAGE_SIZE]
    registry = words()
    wordings = registry[0]
    lines = []
    for entry, summary in zip(shown, await sentences(shown, registry), strict=True):
        wording = wording_for(entry.action, wordings)
        before = recorded_fields(entry.before, "before", wording)
        after = recorded_fields(entry.after, "after", wording)
        lines.append(LogLine(entry, summary, before, after))
    return lines, len(rows) > PAGE_SIZE


async def actions() -> list[tuple[str, str]]:
    """The actions recorded so far (the filter's choices: "decision" for "decision:approve"
    and the others), alphabetically."""
    found = await AuditLogEntry.all().distinct().values_list("action", flat=True)
    names = sorted({str(action).split(":", 1)[0] for action in found})  # type: ignore[union-attr]
    return [(name, name) for name in names]


async def spaces() -> list[tuple[int, str]]:
    """The participatory spaces (the filter's choices), by title, archived ones included."""
    return [(s.id, s.title) for s in await Space.all().order_by("title", "id")]


async def actors() -> list[tuple[int, str]]:
    """The people who have entries (the filter's choices), by name."""
    rows = await (
        AuditLogEntry.filter(actor_id__isnull=False)
        .distinct()
        .values_list("actor_id", "actor_name")
    )
    by_id: dict[int, str] = {}
    for actor_id, name in rows:
        by_id[int(actor_id)] = str(name)
    return sorted(by_id.items(), key=lambda item: (item[1].lower(), item[0]))
