"""Participatory budgets, declared once (participation/features.py)."""

from __future__ import annotations

from budgets import cli, demo, jobs, privacy, queries, routes
from budgets.content import BudgetProjectKind
from participation import features
from participation.features import AdminLine, DemoContext, Feature, NavLink, PersonalData
from participation.i18n import N_


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)
    context.notes.append(
        "Resident register (demo only): identifiers VB-0002 to VB-0600, postcode "
        f"{demo.POSTCODE}; for instance {' / '.join(demo.census_person(2))}."
    )


FEATURE = Feature(
    name="budgets",
    routes=routes.routes,
    models=["budgets.models"],
    jobs=jobs.FUNCTIONS,
    cron=jobs.CRON_JOBS,
    content_kinds=[BudgetProjectKind()],
    personal_data=PersonalData(export=privacy.export, erase=privacy.erase),
    demo=_demo,
    nav=[NavLink(N_("Participatory budgets"), "budgets:index")],
    admin=[
        AdminLine(
            10,
            (
                NavLink(N_("Participatory budgets"), "budgets:index"),
                NavLink(N_("Create a budget"), "budgets:admin_new"),
                NavLink(N_("Import a Pabulib file"), "budgets:admin_import"),
            ),
        ),
        AdminLine(20, (NavLink(N_("Resident register"), "budgets:admin_census"),)),
    ],
    commands=cli.add_commands,
    session_prefetch=[routes.BALLOT_PREFETCH],
    depends_on=("moderation",),  # submitted projects are moderated
    feeds=[
        features.FeedSource("budgets", N_("Budget results"), queries.feed_results, "budgets:index")
    ],
    space_components=queries.space_components,
    outcomes=queries.outcomes,
)
