"""What the route walkers need to know about the follow-up's routes (tests/security/walks.py):
who may use each route, valid and wrong data for each POST, the pages axe audits. The world's
commitment (an accepted proposal of the owner) is made by tests/security/world.py."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from participation.proposals.domain import ProposalState
from tests.participation.proposal_factories import make_proposal
from tests.security.walks import (
    DENIED,
    FORM,
    LOGIN,
    MISSING,
    PAGE,
    REFUSED,
    Ctx,
    Data,
    Step,
    Walks,
)

# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /followup":                                   (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /followup/{commitment_id}":                   (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /admin/followup":                             (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/followup/new":                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  REFUSED, DENIED),
    "GET /admin/followup/{commitment_id}":             (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/followup/{commitment_id}/status":     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/followup/{commitment_id}/milestones": (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
}
# fmt: on


async def _commitment(ctx: Ctx) -> Data:
    """A commitment to follow an accepted proposal of the owner."""
    accepted = await make_proposal(ctx.world.owner, ProposalState.ACCEPTED, title="Un préau retenu")
    return {"kind": "proposal", "target_id": str(accepted.id)}


WALKS = Walks(
    matrix=MATRIX,
    steps=[
        Step("followup:admin_new", "admin", _commitment),
        Step("followup:admin_status", "admin", {"status": "in-progress", "progress": "10"}),
        Step(
            "followup:admin_milestone",
            "admin",
            {"on": "2026-04-01", "text": "Premières plantations"},
        ),
    ],
    refused=[Step("followup:admin_milestone", "admin", {"on": "31/02/2026", "text": ""})],
    not_found=(f"/followup/{MISSING}",),
    audited={
        "followup:index": "browser/test_resident_journey",
        "followup:detail": "browser/test_every_page",
        "followup:admin_index": "browser/test_admin_journey",
        "followup:admin": "browser/test_every_page",
    },
    menu_words={
        "followup:index": "Suivi",
        "followup:admin_index": "Engagements",
    },
)
