"""The audit log as staff read it (issue #18, participation/auditlog): each entry a sentence
naming people and objects, raw values on demand, filters by person, action and dates, pages,
a CSV export through the one CSV writer; administrators only."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from tortoise import timezone

from budgets.models import Budget
from participation.accounts.models import Role, User
from participation.audit import AuditLogEntry, AuditParams, audit
from participation.auditlog.services import CORE, PAGE_SIZE
from participation.auditlog.wording import (
    AuditTarget,
    AuditWording,
    AuditWords,
    Facts,
    recorded_fields,
    sentence,
)
from participation.i18n import N_, gettext
from participation.notifications.services import speaking
from participation.proposals.models import ProposalCollection
from tests.budgets.factories import budget_in_voting
from tests.conftest import create_user, logged_in
from tests.meetings.factories import meeting_next_week
from tests.participation.proposal_factories import make_proposal
from tests.spaces.factories import space_open_with_a_vote

WORDS = AuditWords(
    actions=(
        AuditWording(
            "thing_phase",
            N_("{actor} switched {target} to the phase {after_phase}"),
            {"after_phase": {"voting": N_("Vote")}},
        ),
        AuditWording("decision", N_("{actor} took a moderation decision on {target}")),
    ),
    targets=(AuditTarget("thing", N_("the budget “{name}”")),),
)
WORDINGS = {w.action: w for w in WORDS.actions}
TARGETS = {t.kind: t for t in [*WORDS.targets, *CORE.targets]}


@pytest.mark.parametrize(
    ("facts", "names", "french"),
    [
        (
            Facts(
                "Marie Dupont",
                "thing_phase",
                "thing",
                7,
                '{"phase": "review"}',
                '{"phase": "voting"}',
            ),
            {("thing", 7): "Budget 2026"},
            "Marie Dupont a passé le budget «\u00a0Budget 2026\u00a0» en phase Vote",
        ),
        (  # the target is gone: named by its kind and id
            Facts("Marie Dupont", "thing_phase", "thing", 7, "", '{"phase": "voting"}'),
            {},
            "Marie Dupont a passé thing n°\u00a07 en phase Vote",
        ),
        (  # a value the wording names is missing: the generic sentence
            Facts("Marie Dupont", "thing_phase", "thing", 7, "", ""),
            {("thing", 7): "Budget 2026"},
            "Marie Dupont\u00a0: thing_phase, le budget «\u00a0Budget 2026\u00a0»",
        ),
        (  # "decision:approve" reads with the wording of "decision"
            Facts("Léa", "decision:approve", "thing", 7, "", ""),
            {("thing", 7): "B"},
            "Léa a pris une décision de modération sur le budget «\u00a0B\u00a0»",
        ),
        (  # no actor: the platform (a scheduled job); unknown action: generic
            Facts("", "nightly_purge", "job", None, "", "not json"),
            {},
            "La plateforme\u00a0: nightly_purge, job",
        ),
        (
            Facts(
                "Léa",
                "site_settings_edit",
                "site_settings",
                None,
                '{"version": 1}',
                '{"version": 2}',
            ),
            {},
            "Léa a modifié les paramètres du site (version 2)",
        ),
    ],
)
def test_an_entry_reads_as_a_sentence(
    facts: Facts, names: dict[tuple[str, int], str], french: str
) -> None:
    core = {w.action: w for w in CORE.actions}
    with speaking("fr"):
        assert sentence(facts, {**core, **WORDINGS}, TARGETS, names) == french


def test_sentences_in_english() -> None:
    facts = Facts("Marie", "thing_phase", "thing", 7, "", '{"phase": "voting"}')
    with speaking("en"):
        text = sentence(facts, WORDINGS, TARGETS, {("thing", 7): "Budget 2026"})
    assert text == "Marie switched the budget “Budget 2026” to the phase Vote"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"actor": "3", "since": "2026-06-01", "until": "2026-06-30"},
            ("3", "2026-06-01", "2026-06-30"),
        ),
        ({"actor": "-1", "since": "hier", "until": "2026-13-01"}, (None, None, None)),
        (
            {"actor": "99999999999", "since": "0001-01-01", "until": "9999-12-31"},
            (None, None, None),
        ),
    ],
)
def test_filters_read_from_the_query(query: dict[str, str], expected: tuple[Any, ...]) -> None:
    params = AuditParams.from_query(query)
    got = (
        str(params.actor) if params.actor else None,
        params.since.isoformat() if params.since else None,
        params.until.isoformat() if params.until else None,
    )
    assert got == expected


async def test_staff_read_who_did_what_in_french(app: Any, admin: User, settings: Any) -> None:
    marie = await create_user(
        settings, "marie@example.org", Role.ADMIN, display_name="Marie Dupont"
    )
    budget, *_ = await budget_in_voting()
    await Budget.filter(id=budget.id).update(title="Budget 2026")
    await audit(
        marie, "budget_phase", "budget", budget.id, {"phase": "review"}, {"phase": "voting"}
    )
    await audit(marie, "person_role", "user", admin.id, {"role": "citizen"}, {"role": "moderator"})
    async with logged_in(app, admin) as c:
        page = (await c.get("/admin/audit")).text
    assert "Marie Dupont a passé le budget «\u00a0Budget 2026\u00a0» en phase Vote" in page
    assert (
        "Marie Dupont a changé le rôle de Camille Test\u00a0: «\u00a0Habitante ou habitant\u00a0» "
        "devient «\u00a0Modératrice ou modérateur\u00a0»"
    ) in page
    # the raw values, on demand
    assert "<details>" in page and "<code>budget_phase</code>" in page
    assert "{&#34;phase&#34;: &#34;voting&#34;}" in page


def test_recorded_values_read_as_labels_and_values() -> None:
    phase = AuditWording("budget_phase", "{actor}", {"after_phase": {"voting": "Vote"}})
    after = recorded_fields(
        '{"phase": "voting", "support_threshold": 25, "premoderated": false, "tags": ["a", "b"], '
        '"note": null}',
        "after",
        phase,
    )
    assert after == [
        ("Phase", "Vote"),  # the wording's word for the value
        ("support threshold", "25"),  # a key without a label reads as itself
        ("premoderated", gettext("no")),
        ("tags", "a, b"),
        ("note", "—"),
    ]
    assert recorded_fields("", "before") == []
    assert recorded_fields("not json", "before") == [(gettext("Value"), "not json")]
    assert recorded_fields("12", "after") == [(gettext("Value"), "12")]


async def test_recorded_values_are_shown_as_words_the_json_on_demand(
    app: Any, admin: User, settings: Any
) -> None:
    await audit(admin, "person_role", "user", admin.id, {"role": "citizen"}, {"role": "moderator"})
    await audit(admin, "user_blocked", "user", admin.id, "", "")
    async with logged_in(app, admin) as c:
        page = (await c.get("/admin/audit", headers={"Accept-Language": "fr"})).text
    entries = re.findall(r"<li>\s*<p><time.*?\n  </li>", page, re.S)
    role = next(e for e in entries if "person_role" in e)
    blocked = next(e for e in entries if "user_blocked" in e)
    values = role.split('<dl class="audit-values">', 1)[1].split('<details class="audit-raw">', 1)[
        0
    ]
    assert (
        re.sub(r"\s+", " ", values)
        .strip()
        .startswith(
            '<dt>Avant</dt> <dd><dl class="audit-fields"><dt>Rôle</dt>'
            "<dd>Habitante ou habitant</dd></dl></dd> <dt>Après</dt> "
            '<dd><dl class="audit-fields"><dt>Rôle</dt><dd>Modératrice ou modérateur</dd></dl></dd>'
        )
    )
    assert "{&#34;" not in values  # no JSON among the words
    raw = role.split('<details class="audit-raw">', 1)[1]
    assert "Valeurs brutes (JSON)" in raw and "{&#34;role&#34;: &#34;moderator&#34;}" in raw
    assert "Aucune valeur enregistrée." in blocked


async def test_filters_by_person_action_and_dates(app: Any, admin: User, settings: Any) -> None:
    marie = await create_user(
        settings, "marie@example.org", Role.ADMIN, display_name="Marie Dupont"
    )
    await audit(marie, "site_settings_edit", "site_settings", None, {"version": 0}, {"version": 1})
    await audit(admin, "decision:approve", "proposal", 1, "", "")
    old = await audit(admin, "user_blocked", "user", marie.id, "", "")
    await AuditLogEntry.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=40))
    async with logged_in(app, admin) as c:
        by_marie = (await c.get(f"/admin/audit?actor={marie.id}")).text
        assert "Marie Dupont a modifié les paramètres du site" in by_marie
        assert "<code>decision:approve</code>" not in by_marie
        decisions = (await c.get("/admin/audit?action=decision")).text
        assert "<code>decision:approve</code>" in decisions
        assert "<code>site_settings_edit</code>" not in decisions
        today = timezone.now().date()
        recent = (await c.get(f"/admin/audit?since={(today - timedelta(days=7)).isoformat()}")).text
        assert (
            "<code>user_blocked</code>" not in recent and "<code>decision:approve</code>" in recent
        )
        older = (await c.get(f"/admin/audit?until={(today - timedelta(days=30)).isoformat()}")).text
        assert "<code>user_blocked</code>" in older
        assert "<code>decision:approve</code>" not in older
        # the filters' choices: the people and actions that have entries
        choices = (await c.get("/admin/audit")).text
        assert f'<option value="{marie.id}" >Marie Dupont</option>' in choices.replace("  ", " ")
        assert '<option value="decision" >decision</option>' in choices.replace("  ", " ")
        hostile = await c.get("/admin/audit?actor=<script>&since=<b>&action=%22><script>")
        assert hostile.status_code == 200 and "<script>" not in hostile.text.split("<main")[1]


async def test_the_log_is_paginated(app: Any, admin: User) -> None:
    for number in range(PAGE_SIZE + 1):
        await audit(admin, "census_import", "census", None, "", {"rows": number})
    async with logged_in(app, admin) as c:
        first = (await c.get("/admin/audit")).text
        second = (await c.get("/admin/audit?page=2")).text
    assert first.count("a importé le registre des habitants") == PAGE_SIZE
    assert second.count("a importé le registre des habitants") == 1
    assert 'rel="next"' in first and 'rel="prev"' in second


async def test_the_export_has_the_sentence_and_neutralises_formulas(
    app: Any, admin: User, settings: Any
) -> None:
    evil = await create_user(settings, "evil@example.org", Role.ADMIN, display_name="=HYPERLINK(1)")
    await audit(
        evil, "person_role", "user", evil.id, {"role": "admin"}, {"role": "moderator"}, "+1"
    )
    async with logged_in(app, admin) as c:
        response = await c.get("/admin/audit.csv?action=person_role")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][-1] == "summary" and rows[0][5] == "target_type"
    assert rows[1][3] == "'=HYPERLINK(1)" and rows[1][9] == "'+1"
    assert rows[1][-1].startswith("'=HYPERLINK(1) a changé le rôle de =HYPERLINK(1)")


async def test_names_and_values_are_text(app: Any, admin: User, settings: Any) -> None:
    hostile = '<script>alert("x")</script>'
    person = await create_user(settings, "x@example.org", display_name=hostile)
    await audit(
        person, "person_role", "user", person.id, {"role": hostile}, {"role": "admin"}, hostile
    )
    async with logged_in(app, admin) as c:
        page = (await c.get("/admin/audit")).text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.MODERATOR])
async def test_only_administrators_read_the_log(app: Any, settings: Any, role: Role) -> None:
    user = await create_user(settings, f"{role}@example.org", role)
    async with logged_in(app, user) as c:
        assert (await c.get("/admin/audit")).status_code == 403
        assert (await c.get("/admin/audit.csv")).status_code == 403


async def test_filter_by_space_keeps_what_belongs_to_it(
    app: Any, admin: User, settings: Any
) -> None:
    """A space's entries: the space itself and what belongs to it now (its budgets and their
    projects, consultations, meetings, proposals collections and their proposals)."""
    ours = await space_open_with_a_vote(title="Quartier Nord 2027", slug="nord-2027")
    theirs = await space_open_with_a_vote(title="Quartier Sud 2027", slug="sud-2027")
    budget, projects = await budget_in_voting()
    await Budget.filter(id=budget.id).update(space_id=ours.id, title="Budget du Nord")
    other_budget, _ = await budget_in_voting()
    await Budget.filter(id=other_budget.id).update(space_id=theirs.id, title="Budget du Sud")
    collection = await ProposalCollection.create(
        space=ours, title="Idées du Nord", support_threshold=2
    )
    proposal = await make_proposal(admin, title="Un banc au square", collection=collection)
    meeting = await meeting_next_week(title="Réunion du Sud", space=theirs)
    await audit(admin, "space_updated", "space", ours.id, "", "")
    await audit(
        admin, "budget_phase", "budget", budget.id, {"phase": "review"}, {"phase": "voting"}
    )
    await audit(admin, "budget_project_updated", "budget_project", projects[0].id, "", "")
    await audit(admin, "decision:approve", "proposal", proposal.id, "", "")
    await audit(admin, "budget_phase", "budget", other_budget.id, "", "")
    await audit(admin, "meeting_created", "meeting", meeting.id, "", "")
    await audit(admin, "site_settings_edit", "site_settings", None, "", "")
    async with logged_in(app, admin) as c:
        page = (await c.get(f"/admin/audit?space={ours.id}")).text
        assert "«\u00a0Quartier Nord 2027\u00a0»" in page and "«\u00a0Budget du Nord\u00a0»" in page
        assert "«\u00a0Un banc au square\u00a0»" in page
        assert f"<code>budget_project {projects[0].id}</code>" in page
        assert "Budget du Sud" not in page and "Réunion du Sud" not in page
        assert "<code>site_settings_edit</code>" not in page
        assert f'<option value="{ours.id}" selected>Quartier Nord 2027</option>' in page
        exported = (await c.get(f"/admin/audit.csv?space={ours.id}")).text
        rows = list(csv.DictReader(io.StringIO(exported)))
        targets = {(row["target_type"], int(row["target_id"])) for row in rows}
        assert targets == {
            ("space", ours.id),
            ("budget", budget.id),
            ("budget_project", projects[0].id),
            ("proposal", proposal.id),
        }
        south = (await c.get(f"/admin/audit?space={theirs.id}")).text
        assert "«\u00a0Réunion du Sud\u00a0»" in south and "Budget du Nord" not in south
        # a forged or unknown space filters everything out, never a 500
        assert "Aucune entrée" in (await c.get("/admin/audit?space=999999")).text
        assert (await c.get("/admin/audit?space=abc")).status_code == 200
