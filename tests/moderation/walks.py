"""What the route walkers need to know about the moderation's routes (tests/security/walks.py):
who may use each route, valid and wrong data for each POST, the forms no page of the world
shows, the audit log's export, the pages axe audits. The world's moderation (a comment of the
owner hidden by a decision, free-text answers approved and hidden, a ready-made reason) is made
by tests/security/world.py."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from typing import TYPE_CHECKING

from moderation.models import ModerationCase
from moderation.services import open_pending_case
from participation.contributions import ModerationState
from participation.proposals.models import Proposal
from tests.moderation.helpers import make_comment
from tests.security.walks import (
    DENIED,
    DONE,
    FORM,
    HIDDEN,
    LOGIN,
    MISSING,
    PAGE,
    Ctx,
    Data,
    Step,
    Walks,
)

if TYPE_CHECKING:
    from participation.settings import Settings
    from tests.security.world import World

# fmt: off
# [hidden] a comment of the owner hidden by a moderator; [answer] a free-text answer of the
# owner in published results, [hidden answer] one hidden by a moderator
MATRIX = {
    # route [restricted object]: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /moderation":                                     (LOGIN,   DENIED,  DENIED,  PAGE,    DENIED,  PAGE,    DENIED),
    "GET /moderation/report/{type}/{id}":                  (LOGIN,   DENIED,  PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /moderation/report/{type}/{id} [hidden]":         (LOGIN,   DENIED,  HIDDEN,  PAGE,    HIDDEN,  PAGE,    HIDDEN),
    # a free-text answer of the owner in published results: anonymous, so the owner may report it too
    "GET /moderation/report/{type}/{id} [answer]":         (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /moderation/report/{type}/{id} [hidden answer]":  (LOGIN,   HIDDEN,  HIDDEN,  PAGE,    HIDDEN,  PAGE,    HIDDEN),
    "GET /moderation/mine":                                (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /moderation/users/{id}":                          (LOGIN,   DENIED,  DENIED,  PAGE,    DENIED,  PAGE,    DENIED),
    "GET /admin/moderation/reasons":                       (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/moderation/reasons/{id}":                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /moderation/decide":                             (LOGIN,   DENIED,  DENIED,  FORM,    DENIED,  FORM,    DENIED),
    # one item's decision (the world's case: the owner's hidden comment; no reason sent: 422)
    "POST /moderation/cases/{case_id}/decide":             (LOGIN,   DENIED,  DENIED,  FORM,    DENIED,  FORM,    DENIED),
    "POST /moderation/report/{type}/{id}":                 (LOGIN,   DENIED,  FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /moderation/report/{type}/{id} [hidden]":        (LOGIN,   DENIED,  HIDDEN,  FORM,    HIDDEN,  FORM,    HIDDEN),
    "POST /moderation/report/{type}/{id} [answer]":        (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /moderation/report/{type}/{id} [hidden answer]": (LOGIN,   HIDDEN,  HIDDEN,  FORM,    HIDDEN,  FORM,    HIDDEN),
    "POST /moderation/decisions/{id}/review":              (LOGIN,   DONE,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /moderation/users/{id}/block":                   (LOGIN,   DENIED,  DENIED,  FORM,    DENIED,  FORM,    DENIED),
    "POST /moderation/users/{id}/unblock":                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    # blocks from the administrators' page of a person (/admin/people: Feature.person_section)
    "POST /admin/people/{person_id}/block":                (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/people/{person_id}/unblock":              (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/moderation/reasons":                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/moderation/reasons/{id}":                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/moderation/reasons/{id}/delete":          (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
}
# fmt: on


async def _seed(settings: Settings, world: World) -> None:
    """The case of the owner's comment hidden by a moderator (tests/security/world.py)."""
    case = await ModerationCase.get(target_kind="comment", target_id=world.hidden["hidden_comment"])
    world.ids["case_id"] = case.id


REASON = {"text_fr": "Hors sujet.", "text_en": "Off topic."}


async def _case(ctx: Ctx) -> Data:
    """A comment waiting for a moderator (pre-moderated): the queue's decision approves it."""
    proposal = await Proposal.get(id=ctx.world.ids["id"])
    pending = await make_comment(
        proposal, ctx.world.other, "<p>En attente.</p>", ModerationState.PENDING
    )
    await open_pending_case("comment", pending.id, ctx.world.other.id)
    case = await ModerationCase.get(target_kind="comment", target_id=pending.id)
    return {"case": str(case.id), "action": "approve", "reason": "Conforme à la charte."}


async def _pending_case(ctx: Ctx) -> Data:
    """The world's ids, `case_id` a comment waiting for a moderator (pre-moderated)."""
    case = await _case(ctx)
    return {**ctx.world.ids, "case_id": case["case"]}


WALKS = Walks(
    seed=_seed,
    matrix=MATRIX,
    steps=[
        Step("moderation:report", "other", {"reason": "spam", "text": ""}),
        Step("moderation:decide", "moderator", _case),
        Step(
            "moderation:decide_case",
            "moderator",
            {"action": "approve", "reason": "Conforme à la charte."},
            ids=_pending_case,
        ),
        Step("moderation:review", "owner", {"text": "Je parlais bien du projet."}),
        Step("moderation:reasons", "admin", REASON),
        Step("moderation:reason_edit", "admin", REASON),
        Step("moderation:reason_delete", "admin"),
    ],
    refused=[
        Step(
            "moderation:decide_case",
            "moderator",
            {"action": "reject", "reason": ""},
            ids=_pending_case,
        ),
        Step("moderation:reasons", "admin", {"text_fr": "", "text_en": ""}),
        Step("moderation:people_block", "admin", {"block_duration": "", "block_reason": ""}),
    ],
    last_steps=[
        Step("moderation:block", "moderator", {"duration": "1d", "reason": "Abus."}),
        Step("moderation:unblock", "admin", {"reason": "Excuses présentées."}),
        Step(
            "moderation:people_block",
            "admin",
            {"block_duration": "1d", "block_reason": "Abus."},
        ),
        Step("moderation:people_unblock", "admin", {"unblock_reason": "Excuses présentées."}),
    ],
    no_form_in_the_world={
        "POST /moderation/users/{id:id}/unblock": ("reason",),
        "POST /admin/people/{person_id:id}/unblock": ("unblock_reason",),
    },
    not_found=(f"/moderation/users/{MISSING}",),
    audited={
        "moderation:index": "browser/test_moderator_journey",
        "moderation:report": "browser/test_every_page",
        "moderation:mine": "browser/test_every_page",
        "moderation:user": "browser/test_every_page",
        "moderation:reasons": "browser/test_admin_journey",
        "moderation:reason_edit": "browser/test_every_page",
    },
    menu_words={
        "moderation:index": "Modération",
        "moderation:reasons": "Motifs prêts à l’emploi",
    },
)
