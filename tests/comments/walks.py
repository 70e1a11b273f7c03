"""What the route walkers need to know about the comments' routes (tests/security/walks.py):
who may use each route, valid and wrong data for each POST, the page axe audits. The world's
comments (one of the owner, one hidden by a moderator) are made by tests/security/world.py."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from tests.security.walks import (
    DENIED,
    DONE,
    FORM,
    HIDDEN,
    LOGIN,
    PAGE,
    Step,
    Walks,
)

# fmt: off
# [draft] the comment's proposal is a draft of the owner, [hidden] a comment of the owner
# hidden by a moderator
MATRIX = {
    # route [restricted object]: (anonymous, owner, other, moderator, admin)
    "GET /proposals/{id}/comments/{comment}/edit":             (LOGIN,   PAGE,    DENIED,  DENIED,  DENIED),
    "GET /proposals/{id}/comments/{comment}/edit [draft]":     (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /proposals/{id}/comments/{comment}/edit [hidden]":    (LOGIN,   PAGE,    HIDDEN,  DENIED,  DENIED),
    "POST /proposals/{id}/comments":                           (LOGIN,   FORM,    FORM,    FORM,    FORM),
    "POST /proposals/{id}/comments [draft]":                   (LOGIN,   DENIED,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/comments/{comment}/edit":            (LOGIN,   FORM,    DENIED,  DENIED,  DENIED),
    "POST /proposals/{id}/comments/{comment}/edit [draft]":    (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/comments/{comment}/edit [hidden]":   (LOGIN,   FORM,    HIDDEN,  DENIED,  DENIED),
    "POST /proposals/{id}/comments/{comment}/vote":            (LOGIN,   DONE,    DONE,    DONE,    DONE),
    "POST /proposals/{id}/comments/{comment}/vote [draft]":    (LOGIN,   DENIED,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/comments/{comment}/vote [hidden]":   (LOGIN,   DONE,    HIDDEN,  DONE,    DONE),
    "POST /proposals/{id}/comments/{comment}/delete":          (LOGIN,   DONE,    DENIED,  DONE,    DONE),
    "POST /proposals/{id}/comments/{comment}/delete [draft]":  (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/comments/{comment}/delete [hidden]": (LOGIN,   DONE,    HIDDEN,  DONE,    DONE),
}
# fmt: on

WALKS = Walks(
    matrix=MATRIX,
    steps=[
        Step("comments:post", "other", {"body": "Bonne idée", "stance": "for"}),
        Step("comments:edit", "owner", {"body": "Version corrigée"}),
        Step("comments:vote", "other", {"vote": "up"}),
    ],
    refused=[
        Step("comments:post", "other", {"body": "  ", "stance": "for"}),
        Step("comments:edit", "owner", {"body": ""}),
    ],
    last_steps=[Step("comments:delete", "owner")],
    audited={
        "comments:edit": "browser/test_every_page",
    },
)
