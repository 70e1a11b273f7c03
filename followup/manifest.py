"""Follow-up of commitments, declared once (participation/features.py)."""

from __future__ import annotations

from followup import demo, jobs, queries, routes
from followup.models import Commitment
from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords, names_in
from participation.features import AdminLine, DemoContext, Feature, FeedSource, NavLink
from participation.i18n import N_

_titles = names_in(Commitment, "title")


AUDIT_WORDS = AuditWords(
    actions=(
        AuditWording("commitment_created", N_("{actor} created {target}")),
        AuditWording("commitment_updated", N_("{actor} updated {target}")),
        AuditWording(
            "commitment_milestone", N_("{actor} added the milestone “{after_text}” to {target}")
        ),
    ),
    targets=(
        AuditTarget(
            "commitment",
            N_("the commitment “{name}”"),
            _titles,
            numbered=N_("the commitment no. {id}"),
        ),
    ),
)


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)


FEATURE = Feature(
    name="followup",
    routes=routes.routes,
    models=["followup.models"],
    jobs=jobs.FUNCTIONS,
    cron=jobs.CRON_JOBS,
    demo=_demo,
    nav=[NavLink(N_("Follow-up"), "followup:index")],
    admin=[AdminLine(60, (NavLink(N_("Commitments"), "followup:admin_index"),))],
    # a commitment follows up a proposal, a budget project or a consultation
    depends_on=("proposals", "budgets", "consultations"),
    feeds=[
        FeedSource(
            "followup", N_("Commitments followed up"), queries.feed_commitments, "followup:index"
        )
    ],
    audit_words=AUDIT_WORDS,
    outcomes=queries.outcomes,  # the commitments done, on the home page
)
