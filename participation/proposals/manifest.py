"""Citizen proposals, declared once (participation/features.py)."""

from __future__ import annotations

from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords, names_in
from participation.comments import routes as comment_routes
from participation.counter.domain import CHANNEL_LABELS
from participation.features import (
    AdminLine,
    Commentable,
    DemoContext,
    Feature,
    FeedSource,
    NavLink,
    PersonalData,
    PictureOwner,
)
from participation.i18n import N_
from participation.proposals import api, counter, demo, privacy, queries, routes
from participation.proposals.classification import routes as classification_routes
from participation.proposals.collections import routes as collection_routes
from participation.proposals.collections import services as collections
from participation.proposals.content import ProposalKind
from participation.proposals.domain import STATE_LABELS
from participation.proposals.models import Proposal, ProposalCollection
from participation.ratelimit import HOUR, Limit, RateLimitedAction
from participation.residents.models import District
from participation.territory import Category

_category_names = names_in(Category, "name")


_district_names = names_in(District, "name")


_titles = names_in(Proposal, "title")


_STATES = {str(state): label for state, label in STATE_LABELS.items()}

# how a contribution taken on behalf of someone came in (participation/counter)
_CHANNELS = {"after_channel": {str(c): label for c, label in CHANNEL_LABELS.items()}}

AUDIT_WORDS = AuditWords(
    actions=(
        AuditWording(
            "proposal_state",
            N_("{actor} moved {target} from “{before_state}” to “{after_state}”"),
            {"before_state": _STATES, "after_state": _STATES},
        ),
        AuditWording("proposal_answer", N_("{actor} published the official answer to {target}")),
        AuditWording("category_added", N_("{actor} added {target}")),
        AuditWording(
            "category_renamed", N_("{actor} renamed the category “{before_name}” to “{after_name}”")
        ),
        AuditWording("category_removed", N_("{actor} removed the category “{before_name}”")),
        AuditWording("district_added", N_("{actor} added {target}")),
        AuditWording(
            "district_renamed", N_("{actor} renamed the district “{before_name}” to “{after_name}”")
        ),
        AuditWording("district_removed", N_("{actor} removed the district “{before_name}”")),
        AuditWording("proposal_collection_created", N_("{actor} created {target}")),
        AuditWording("proposal_collection_updated", N_("{actor} changed {target}")),
        AuditWording(
            "proposal_collection_moved",
            N_("{actor} moved {target} from the space “{before_space}” to “{after_space}”"),
        ),
        AuditWording(
            "proposal_collection_deleted",
            N_("{actor} deleted the proposals collection “{before_title}”"),
        ),
        AuditWording(
            "counter_proposal",
            N_("{actor} recorded {target} {after_channel}, in a person's name"),
            _CHANNELS,
        ),
        AuditWording(
            "counter_support",
            N_("{actor} recorded a support of {target} {after_channel}, in a person's name"),
            _CHANNELS,
        ),
    ),
    targets=(
        AuditTarget(
            "proposal",
            N_("the proposal “{name}”"),
            _titles,
            numbered=N_("the proposal no. {id}"),
            in_space=lambda space: Proposal.filter(collection__space_id=space).values("id"),
        ),
        AuditTarget(
            "proposal_collection",
            N_("the proposals collection “{name}”"),
            collections.names,
            numbered=N_("the proposals collection no. {id}"),
            in_space=lambda space: ProposalCollection.filter(space_id=space).values("id"),
        ),
        AuditTarget(
            "category",
            N_("the category “{name}”"),
            _category_names,
            numbered=N_("the category no. {id}"),
        ),
        AuditTarget(
            "district",
            N_("the district “{name}”"),
            _district_names,
            numbered=N_("the district no. {id}"),
        ),
    ),
)


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)  # comments too: they are on proposals


FEATURE = Feature(
    name="proposals",
    routes=[
        *routes.routes,
        *classification_routes.routes,
        *collection_routes.routes,
        *counter.routes,
        *comment_routes.at("/proposals/{id:id}/comments", "proposal"),
    ],
    models=["participation.proposals.models"],
    content_kinds=[ProposalKind()],
    personal_data=PersonalData(export=privacy.export, erase=privacy.erase),
    demo=_demo,
    nav=[NavLink(N_("Proposals"), "proposals:index")],
    # comments: a proposal's page shows its thread, its comment actions are theirs at its
    # address; moderation: pre-moderation and cases
    depends_on=("comments", "moderation"),
    commentables=[
        Commentable(
            "proposal",
            N_("proposal"),
            queries.comment_target,
            # comments.proposal_id, and its collection (its space): read with the comments
            relation="proposal__collection",
            listed=queries.listed_comment_target,
            counted=queries.count_comments,
            prefix="/proposals/{id}/comments",
            refused_page=routes.comment_refused,
            public=lambda: queries.public_proposals().values("id"),
        )
    ],
    picture_owners=[PictureOwner("proposal", Proposal, queries.picture_seen)],
    feeds=[
        FeedSource("proposals", N_("New proposals"), queries.feed_proposals, "proposals:index"),
        FeedSource("answers", N_("Official answers"), queries.feed_answers, "proposals:index"),
    ],
    space_components=collections.space_components,
    outcomes=queries.outcomes,
    participants=queries.participants,
    activity=queries.activity,
    audit_words=AUDIT_WORDS,
    counter_section=counter.section,
    rate_limits=[
        RateLimitedAction(
            "post",
            N_("New proposals and ideas"),
            (Limit("post", "user", 10, HOUR), Limit("post", "ip", 30, HOUR)),
        )
    ],
    api=api.RESOURCES,  # /api/v1/proposals (its comments: participation/comments/api.py)
    admin=[
        AdminLine(
            25,
            (
                NavLink(N_("Proposals collections"), "proposals:collections"),
                NavLink(N_("Categories and districts"), "proposals:classification"),
            ),
        )
    ],
)
