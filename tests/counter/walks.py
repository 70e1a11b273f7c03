"""What the route walkers need to know about the counter's routes (issue #20; a core concept
walked through `CORE_WALKS`, tests/security/walks.py): who may use each route, valid and wrong
data for each POST, the pages axe audits. The world's `person_id` is `world.other`; the forms
of the person's page belong to the features (proposals: tests/proposals/walks.py)."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from tests.security.walks import DENIED, FORM, LOGIN, MISSING, PAGE, Step, Walks

PERSON = {"name": "Mme Durand", "contact": "06 12 34 56 78", "consent": "on"}

# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /admin/counter":                               (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE,    PAGE,    DENIED),
    "POST /admin/counter/people":                       (LOGIN,   DENIED,  DENIED,  DENIED,  FORM,    FORM,    DENIED),
    "GET /admin/counter/people/{person_id}":            (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE,    PAGE,    DENIED),
}
# fmt: on

WALKS = Walks(
    matrix=MATRIX,
    steps=[Step("counter:new_person", "agent", PERSON)],
    refused=[Step("counter:new_person", "agent", {"name": "Mme Durand"})],  # no consent
    not_found=(f"/admin/counter/people/{MISSING}",),
    audited={
        "counter:index": "counter/test_browser",
        "counter:person": "counter/test_browser",
    },
    menu_words={"counter:index": "Contributions recueillies pour les habitants"},
)
