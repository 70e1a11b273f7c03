"""Citizen proposals, declared once (participation/features.py)."""

from __future__ import annotations

from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords
from participation.features import DemoContext, Feature, FeedSource, NavLink, PersonalData
from participation.i18n import N_
from participation.proposals import demo, privacy, queries, routes
from participation.proposals.content import ProposalKind
from participation.proposals.domain import STATE_LABELS
from participation.proposals.models import Proposal
from participation.ratelimit import HOUR, Limit, RateLimitedAction


async def _titles(ids: list[int]) -> dict[int, str]:
    return dict(await Proposal.filter(id__in=ids).values_list("id", "title"))  # type: ignore[arg-type]


_STATES = {str(state): label for state, label in STATE_LABELS.items()}

AUDIT_WORDS = AuditWords(
    actions=(
        AuditWording(
            "proposal_state",
            N_("{actor} moved {target} from “{before_state}” to “{after_state}”"),
            {"before_state": _STATES, "after_state": _STATES},
        ),
        AuditWording("proposal_answer", N_("{actor} published the official answer to {target}")),
    ),
    targets=(
        AuditTarget(
            "proposal", N_("the proposal “{name}”"), _titles, numbered=N_("the proposal no. {id}")
        ),
    ),
)


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)  # comments too: they are on proposals


FEATURE = Feature(
    name="proposals",
    routes=routes.routes,
    models=["participation.proposals.models"],
    content_kinds=[ProposalKind()],
    personal_data=PersonalData(export=privacy.export, erase=privacy.erase),
    demo=_demo,
    nav=[NavLink(N_("Proposals"), "proposals:index")],
    # comments: a proposal's page shows its thread; moderation: pre-moderation and cases
    depends_on=("comments", "moderation"),
    feeds=[
        FeedSource("proposals", N_("New proposals"), queries.feed_proposals, "proposals:index"),
        FeedSource("answers", N_("Official answers"), queries.feed_answers, "proposals:index"),
    ],
    outcomes=queries.outcomes,
    participants=queries.participants,
    activity=queries.activity,
    audit_words=AUDIT_WORDS,
    rate_limits=[
        RateLimitedAction(
            "post",
            N_("New proposals and ideas"),
            (Limit("post", "user", 10, HOUR), Limit("post", "ip", 30, HOUR)),
        )
    ],
)
