"""Every action written to the audit log reads as a French sentence (issue #18): the actions
are read from the source, every `audit()` call of the core and of each installed feature
(tests/audit_actions.py), and each must have a wording in the registry that the manifests fill
(`Feature.audit_words`, the core's `participation.auditlog.services.CORE`), translated; each kind
of target they name is declared, so that no English word ("space no. 3") reaches the page."""

from __future__ import annotations

from typing import Any

import httpx
from tortoise import timezone

from participation.accounts.models import User
from participation.audit import AuditLogEntry, audit
from participation.auditlog.services import words
from participation.auditlog.wording import Facts, sentence, wording_for
from participation.contributions import content_kinds
from participation.i18n import translations
from participation.spaces.models import Space
from tests.audit_actions import Site, sites
from tests.conftest import log_in

# the calls whose action or kind is not written as literals, and where their values come from
DYNAMIC: dict[str, dict[str, Any]] = {
    # moderation decides on any content kind (participation.contributions)
    "moderation/services.py": {"kinds": lambda: set(content_kinds())},
    # signalements/services.py::_move writes "signalement_<kind>" for the kinds its callers pass
    "signalements/services.py": {"signalement_": {"signalement_state", "signalement_reopened"}},
}


def _actions_and_kinds() -> tuple[set[str], set[str], list[str]]:
    actions: set[str] = set()
    kinds: set[str] = set()
    unresolved = []
    found: list[Site] = sites()
    assert len(found) > 50, "the reader of the audit() calls found too few: is it broken?"
    for site in found:
        dynamic = DYNAMIC.get(site.where.split(":")[0], {})
        for action in site.actions:
            expanded = dynamic.get(action)
            actions |= set(expanded) if isinstance(expanded, set) else {action}
        kinds |= site.kinds
        for what in site.unresolved:
            if what.startswith("kind ") and "kinds" in dynamic:
                kinds |= dynamic["kinds"]()
            else:
                unresolved.append(f"{site.where}: {what}")
    return actions, kinds, unresolved


def test_every_action_written_anywhere_has_a_french_sentence() -> None:
    actions, kinds, unresolved = _actions_and_kinds()
    assert unresolved == [], "write these actions as literals, or say where they come from"
    assert {"space_created", "meeting_minutes", "oidc_linked", "decision:"} <= actions
    wordings, targets = words()
    french = translations("fr")
    unworded = sorted(
        a for a in actions if wording_for(a + ("x" if a.endswith(":") else ""), wordings) is None
    )
    assert unworded == [], "add an AuditWording (Feature.audit_words) for these"
    untranslated = sorted(w.action for w in wordings.values() if french.gettext(w.text) == w.text)
    assert untranslated == [], "translate these wordings into French"
    undeclared = sorted(kinds - set(targets))
    assert undeclared == [], "add an AuditTarget for these kinds of target"
    for target in targets.values():
        for text in (target.label, target.unnamed, target.numbered):
            assert not text or french.gettext(text) != text, text


def test_a_deleted_object_is_named_in_french_by_its_number() -> None:
    wordings, targets = words()
    facts = Facts("Marie Dupont", "space_deleted", "space", 12, "", "")
    assert sentence(facts, wordings, targets, {}) == "Marie Dupont a supprimé la démarche n° 12"


async def test_the_audit_page_reads_a_space_action_in_french(
    client: httpx.AsyncClient, admin: User
) -> None:
    space = await Space.create(
        title="Budget participatif 2027", slug="budget-2027", starts_at=timezone.now()
    )
    await audit(admin, "space_archived", "space", space.id, {}, {})
    assert await AuditLogEntry.filter(action="space_archived").count() == 1
    await log_in(client, admin)
    page = (await client.get("/admin/audit")).text
    name = "«\u00a0Budget participatif 2027\u00a0»"
    assert f"{admin.display_name} a archivé la démarche {name}" in page
