"""Participatory budgets, declared once (participation/features.py)."""

from __future__ import annotations

from budgets import api, demo, evaluation, jobs, privacy, queries, routes
from budgets.content import BudgetProjectKind
from budgets.models import Budget, Project
from participation import features
from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords, names_in
from participation.features import (
    AdminLine,
    Commentable,
    DemoContext,
    Feature,
    NavLink,
    PersonalData,
    SessionColumn,
)
from participation.i18n import N_
from participation.people import services as people

# the phases as the audit log names them (templates/budgets/_macros.html: phase_label)
PHASES = {
    "preparation": N_("In preparation"),
    "submission": N_("Project submission"),
    "review": N_("Feasibility review"),
    "voting": N_("Vote"),
    "tally": N_("Counting"),
    "results": N_("Results"),
}


_budget_titles = names_in(Budget, "title")


_project_titles = names_in(Project, "title")


AUDIT_WORDS = AuditWords(
    actions=(
        AuditWording("budget_created", N_("{actor} created {target}")),
        AuditWording("budget_updated", N_("{actor} edited {target}")),
        AuditWording(
            "budget_phase",
            N_("{actor} switched {target} to the phase {after_phase}"),
            {"after_phase": PHASES},
        ),
        AuditWording("budget_project_created", N_("{actor} created {target}")),
        AuditWording("budget_project_edited", N_("{actor} edited {target}")),
        AuditWording(
            "budget_project_review", N_("{actor} gave the feasibility review of {target}")
        ),
        AuditWording(
            "budget_project_updated",
            N_("{actor} changed {target} in the budget's projects table"),
        ),
        AuditWording("budget_paper_ballot", N_("{actor} recorded a paper ballot for {target}")),
        AuditWording("budget_key_ceremony", N_("{actor} held the key ceremony of {target}")),
        AuditWording("budget_ballots_opened", N_("{actor} opened the ballot box of {target}")),
        AuditWording("budget_tally_requested", N_("{actor} asked for the count of {target}")),
        AuditWording("budget_import", N_("{actor} imported {target} from the file “{after_file}”")),
    ),
    targets=(
        AuditTarget(
            "budget",
            N_("the budget “{name}”"),
            _budget_titles,
            numbered=N_("the budget no. {id}"),
            in_space=lambda space: Budget.filter(space_id=space).values("id"),
        ),
        AuditTarget(
            "budget_project",
            N_("the project “{name}”"),
            _project_titles,
            numbered=N_("the project no. {id}"),
            in_space=lambda space: Project.filter(budget__space_id=space).values("id"),
        ),
    ),
)


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)
    context.notes.append(
        "Resident register (demo only): identifiers VB-0002 to VB-0600, postcode "
        f"{demo.POSTCODE}; for instance {' / '.join(demo.census_person(2))}."
    )


FEATURE = Feature(
    name="budgets",
    routes=[*routes.routes, *evaluation.routes],
    models=["budgets.models"],
    jobs=jobs.FUNCTIONS,
    cron=jobs.CRON_JOBS,
    content_kinds=[BudgetProjectKind()],
    personal_data=PersonalData(export=privacy.export, erase=privacy.erase),
    demo=_demo,
    nav=[
        NavLink(N_("Participatory budgets"), "budgets:index"),
        # the evaluators of a space's budget projects (a core role, issue #18)
        NavLink(N_("Evaluate projects"), "budgets:evaluation", role="evaluator"),
    ],
    admin=[
        AdminLine(
            10,
            (
                NavLink(N_("Participatory budgets"), "budgets:index"),
                NavLink(N_("Create a budget"), "budgets:admin_new"),
                NavLink(N_("Import a Pabulib file"), "budgets:admin_import"),
            ),
        ),
        # the desk officers' line too (the role of a link: who sees it, docs/administration.md)
        AdminLine(20, (NavLink(N_("Paper ballots"), "budgets:paper_desks", role="agent"),)),
    ],
    session_prefetch=[routes.BALLOT_PREFETCH],
    # whether the person evaluates some space's projects: the header's link, at no extra query
    session_columns=[
        SessionColumn("evaluates_a_space", people.EVALUATES_A_SPACE_SQL, people.as_flag)
    ],
    depends_on=("moderation",),  # submitted projects are moderated
    feeds=[
        features.FeedSource(
            "budgets",
            N_("Results of participatory budgets"),
            queries.feed_results,
            "budgets:index",
            space_entries=queries.space_feed_results,
        )
    ],
    space_components=queries.space_components,
    outcomes=queries.outcomes,
    audit_words=AUDIT_WORDS,
    participants=queries.participants,
    open_participation=queries.open_participation,
    metrics=queries.metrics,  # ballots cast per channel (/metrics)
    api=api.RESOURCES,
    # comments on a project's page (issue #18: participation/commenting.py)
    commentables=[
        Commentable(
            "budget_project",
            N_("budget project"),
            queries.comment_target,
            public=lambda: api.public_projects().values("id"),  # as /api/v1/projects
        )
    ],
    picture_owners=[features.PictureOwner("budget_project", Project, queries.picture_seen)],
)
