"""What the route walkers need to know about the verified residents' routes (issue #19;
tests/security/walks.py walks the core concepts of `CORE_WALKS` like the features): who may use
each route, valid and wrong data for each POST, the pages axe audits. The world's `person_id`
is `world.other`, who is not verified: the desk verifies them, then the verification is
withdrawn."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from tests.security.walks import DENIED, FORM, LOGIN, MISSING, PAGE, Step, Walks

DESK = {"proof": "rent_receipt", "district": "Sud", "birth_date": "1990-04-01"}

# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, admin)
    "GET /admin/residents":                             (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE),
    "GET /admin/residents/{person_id}":                 (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE),
    "POST /admin/residents/{person_id}":                (LOGIN,   DENIED,  DENIED,  DENIED,  FORM),
    "POST /admin/residents/{person_id}/revoke":         (LOGIN,   DENIED,  DENIED,  DENIED,  FORM),
}
# fmt: on

WALKS = Walks(
    matrix=MATRIX,
    steps=[
        Step("residents:person", "admin", DESK),  # at the counter, then withdrawn
        Step("residents:revoke", "admin", {"reason": "Justificatif de domicile expiré"}),
    ],
    refused=[
        Step("residents:revoke", "admin", {"reason": " "}),
        Step("residents:person", "admin", {**DESK, "district": "outside"}),
    ],
    # the world's person is not verified when the crawl runs: no withdrawal form
    no_form_in_the_world={"POST /admin/residents/{person_id:id}/revoke": ("reason",)},
    not_found=(f"/admin/residents/{MISSING}",),
    audited={
        "residents:index": "residents/test_browser",
        "residents:person": "residents/test_browser",
    },
)
