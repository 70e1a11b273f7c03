"""What the route walkers need to know about the verified residents' routes (issue #19;
tests/security/walks.py walks the core concepts of `CORE_WALKS` like the features): who may use
each route, valid and wrong data for each POST, the pages axe audits. The world's `person_id`
is `world.other`, who is not verified: the desk verifies them, then the verification is
withdrawn."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from tortoise import timezone

from participation.residents.census import census_key
from participation.residents.methods import letter
from participation.residents.models import LetterCode
from tests.security.walks import DENIED, DONE, FORM, LOGIN, MISSING, PAGE, Ctx, Data, Step, Walks

# the world has a census file: the agent says the person is not on it (or no anchor is made)
DESK = {"proof": "rent_receipt", "district": "Sud", "birth_date": "1990-04-01", "not_on_file": "on"}
ADDRESS = {
    "recipient": "Dominique Autre",
    "street": "3 place de la Mairie",
    "postcode": "44000",
    "city": "Villebelle",
    "district": "Nord",
}
KNOWN_CODE = "K7MQ2XPR4W"


async def _known_code(ctx: Ctx) -> Data:
    """The letter just printed for the world's other person, its code replaced by one the walk
    knows (the printed one exists in clear only in the PDF)."""
    user_id = ctx.world.other.id
    key = census_key(ctx.settings.secret_key)
    await LetterCode.filter(user_id=user_id).update(
        code_hash=letter.code_hash(key, user_id, KNOWN_CODE), printed_at=timezone.now()
    )
    return {"code": "k7mq2 xpr4w"}


# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /admin/residents":                             (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE,    PAGE,    DENIED),
    "GET /admin/residents/{person_id}":                 (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE,    PAGE,    DENIED),
    "POST /admin/residents/{person_id}":                (LOGIN,   DENIED,  DENIED,  DENIED,  FORM,    FORM,    DENIED),
    "POST /admin/residents/{person_id}/revoke":         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    # the postal letter: the resident's page, the code; the staff's batch (nothing waits: back)
    "GET /account/verification":                        (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /account/verification":                       (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /account/verification/code":                  (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "GET /admin/residents/letters":                     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/residents/letters":                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    # the town's register (census file), once under the budgets: the old address answers 301
    "GET /admin/residents/census":                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/residents/census":                     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/census":                                ("301",   "301",   "301",   "301",   "301",   "301",   "301"),
}
# fmt: on

WALKS = Walks(
    matrix=MATRIX,
    steps=[
        Step("residents:person", "agent", DESK),  # a desk officer, then withdrawn
        Step("residents:revoke", "admin", {"reason": "Justificatif de domicile expiré"}),
        # withdrawn, they ask for a letter, staff print it, they type its code
        Step("residents:mine", "other", ADDRESS),
        Step("residents:print_letters", "admin"),
        Step("residents:code", "other", _known_code),
        # withdrawn again: the features' steps verify them their own way (the budgets' census)
        Step("residents:revoke", "admin", {"reason": "Vérifié par erreur"}),
    ],
    refused=[
        Step("residents:revoke", "admin", {"reason": " "}),
        Step("residents:person", "agent", {**DESK, "district": "outside"}),
        Step("residents:mine", "owner", {**ADDRESS, "district": "Ailleurs"}),
        Step("residents:code", "owner", {"code": "AAAAA AAAAA"}),
    ],
    shown_once=frozenset({"residents:print_letters"}),  # the codes exist only in the PDF
    # the world's person is not verified when the crawl runs: no withdrawal form; nobody is
    # waiting for a letter: no code form and no print button
    no_form_in_the_world={
        "POST /admin/residents/{person_id:id}/revoke": ("reason",),
        "POST /account/verification/code": ("code",),
        "POST /admin/residents/letters": (),
    },
    not_found=(f"/admin/residents/{MISSING}",),
    audited={
        "residents:index": "residents/test_browser",
        "residents:person": "residents/test_browser",
        "residents:mine": "residents/test_browser",
        "residents:letters": "residents/test_browser",
        "residents:census": "browser/test_every_page",
    },
    exempt={"residents:census_moved": "the register's old address: a 301 to residents:census"},
    menu_words={"residents:census": "Registre des habitants"},
)
