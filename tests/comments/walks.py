"""What the route walkers need to know about the comments' routes (tests/security/walks.py):
who may use each route, valid and wrong data for each POST, the page axe audits. The world's
comments (one of the owner, one hidden by a moderator) are made by tests/security/world.py;
the owner's comment on the world's budget project (/comments/<commentable>/<commented>/<remark>,
issue #18) by `_seed` here."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from participation.comments.models import Comment
from participation.settings import Settings
from tests.security.walks import (
    DENIED,
    DONE,
    FORM,
    HIDDEN,
    LOGIN,
    PAGE,
    Ctx,
    Data,
    Step,
    Walks,
)
from tests.security.world import World


async def _seed(settings: Settings, world: World) -> None:
    project_id = world.ids["project_id"]  # a project of the budget in its vote
    remark = await Comment.create(
        target_kind="budget_project",
        target_id=project_id,
        author_id=world.owner.id,
        body="<p>Un avis sur le projet.</p>",
    )
    world.ids.update(commentable="budget_project", commented=project_id, remark=remark.id)


# fmt: off
# [draft] the comment's proposal is a draft of the owner, [hidden] a comment of the owner
# hidden by a moderator
MATRIX = {
    # route [restricted object]: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /proposals/{id}/comments/{comment}/edit":             (LOGIN,   PAGE,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "GET /proposals/{id}/comments/{comment}/edit [draft]":     (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /proposals/{id}/comments/{comment}/edit [hidden]":    (LOGIN,   PAGE,    HIDDEN,  DENIED,  HIDDEN,  DENIED,  HIDDEN),
    "POST /proposals/{id}/comments":                           (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /proposals/{id}/comments [draft]":                   (LOGIN,   DENIED,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/comments/{comment}/edit":            (LOGIN,   FORM,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /proposals/{id}/comments/{comment}/edit [draft]":    (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/comments/{comment}/edit [hidden]":   (LOGIN,   FORM,    HIDDEN,  DENIED,  HIDDEN,  DENIED,  HIDDEN),
    "POST /proposals/{id}/comments/{comment}/vote":            (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "POST /proposals/{id}/comments/{comment}/vote [draft]":    (LOGIN,   DENIED,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/comments/{comment}/vote [hidden]":   (LOGIN,   DONE,    HIDDEN,  DONE,    HIDDEN,  DONE,    HIDDEN),
    "POST /proposals/{id}/comments/{comment}/delete":          (LOGIN,   DONE,    DENIED,  DONE,    DENIED,  DONE,    DENIED),
    "POST /proposals/{id}/comments/{comment}/delete [draft]":  (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/comments/{comment}/delete [hidden]": (LOGIN,   DONE,    HIDDEN,  DONE,    HIDDEN,  DONE,    HIDDEN),
    # a budget project's comments (issue #18); the reply form is asked for with ?reply=<id>
    "POST /comments/{commentable}/{commented}":                (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "GET /comments/{commentable}/{commented}/reply":           (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /comments/{commentable}/{commented}/{remark}/edit":   (LOGIN,   PAGE,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /comments/{commentable}/{commented}/{remark}/edit":  (LOGIN,   FORM,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /comments/{commentable}/{commented}/{remark}/vote":  (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "POST /comments/{commentable}/{commented}/{remark}/delete": (LOGIN,   DONE,    DENIED,  DONE,    DENIED,  DONE,    DENIED),
    # taken on behalf of a person (participation/counter, issue #20): staff only
    "POST /admin/counter/people/{person_id}/comment":          (LOGIN,   DENIED,  DENIED,  DENIED,  FORM,    FORM,    DENIED),
}
# fmt: on


async def _counter_comment(ctx: Ctx) -> Data:
    return {
        "channel": "meeting",
        "kind": "proposal",
        "target": str(ctx.world.ids["id"]),
        "stance": "for",
        "body": "Dit en réunion publique : bonne idée.",
    }


WALKS = Walks(
    seed=_seed,
    matrix=MATRIX,
    steps=[
        Step("comments:post", "other", {"body": "Bonne idée", "stance": "for"}),
        Step("comments:edit", "owner", {"body": "Version corrigée"}),
        Step("comments:vote", "other", {"vote": "up"}),
        Step("comments:target_post", "other", {"body": "Bon projet", "stance": "for"}),
        Step("comments:target_edit", "owner", {"body": "Avis corrigé"}),
        Step("comments:target_vote", "other", {"vote": "up"}),
        # at the counter, for the world's other person, on the world's published proposal
        Step("comments:counter_comment", "admin", _counter_comment),
    ],
    refused=[
        Step("comments:post", "other", {"body": "  ", "stance": "for"}),
        Step("comments:edit", "owner", {"body": ""}),
        Step("comments:target_post", "other", {"body": "  ", "stance": "for"}),
        Step("comments:target_edit", "owner", {"body": ""}),
        Step("comments:counter_comment", "admin", {"channel": "online", "kind": "proposal"}),
    ],
    last_steps=[Step("comments:delete", "owner"), Step("comments:target_delete", "owner")],
    audited={
        "comments:edit": "browser/test_every_page",
        "comments:target_edit": "browser/test_every_page",
    },
    exempt={
        "comments:target_reply": "a fragment for htmx: the reply form the project page shows "
        "with ?reply= (audited there)",
    },
)
