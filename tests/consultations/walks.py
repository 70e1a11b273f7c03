"""What the route walkers need to know about the consultations' routes
(tests/security/walks.py): who may use each route, valid and wrong data for each POST, the CSV
exports and the texts they show, the pages axe audits. The world's consultations (an open one,
one in preparation, a closed one the owner answered, published results with free texts) are
made by tests/security/world.py."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from consultations import queries
from consultations import services as consultation_services
from consultations.models import Consultation, Option, Question
from participation.settings import Settings
from tests.consultations.factories import valid_answers
from tests.security.walks import (
    BAD,
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
    ids_with,
)
from tests.security.world import World

# fmt: off
# [preparation] a consultation staff are preparing
MATRIX = {
    # route [restricted object]: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /consultations":                                                                       (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /consultations/{consultation_id}":                                                     (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /consultations/{consultation_id} [preparation]":                                       (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /consultations/{consultation_id}/answer":                                              (DENIED,  PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /consultations/{consultation_id}/answer [preparation]":                                (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  DENIED,  HIDDEN),
    "GET /consultations/{consultation_id}/results":                                             (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /consultations/{consultation_id}/results [preparation]":                               (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /consultations/{consultation_id}/results.pdf":                                         (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /consultations/{consultation_id}/results.pdf [preparation]":                           (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /consultations/{consultation_id}/results.csv":                                         (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /consultations/{consultation_id}/results.csv [preparation]":                           (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /consultations/{consultation_id}/results.json":                                        (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /consultations/{consultation_id}/questionnaire.pdf":                                   (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /consultations/{consultation_id}/questionnaire.pdf [preparation]":                     (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /consultations/{consultation_id}/results.json [preparation]":                          (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /consultations/{consultation_id}/responses.csv":                                       (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /consultations/{consultation_id}/responses.csv [preparation]":                         (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /consultations/{consultation_id}/outcome":                                             (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /consultations/{consultation_id}/outcome [preparation]":                               (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /admin/consultations":                                                                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/new":                                                             (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}":                                               (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id} [preparation]":                                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/edit":                                          (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/close":                                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/close [preparation]":                           (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "GET /admin/consultations/{consultation_id}/edit [preparation]":                            (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/questions/new":                                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/questions/new [preparation]":                   (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/questions/{question_id}":                       (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/questions/{question_id} [preparation]":         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN,  DENIED),
    "GET /admin/consultations/{consultation_id}/texts":                                         (LOGIN,   DENIED,  DENIED,  PAGE,    DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/texts [preparation]":                           (LOGIN,   DENIED,  DENIED,  PAGE,    DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/outcome":                                       (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/consultations/{consultation_id}/outcome [preparation]":                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /consultations/{consultation_id}/answer":                                             (DENIED,  FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /consultations/{consultation_id}/answer [preparation]":                               (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  DENIED,  HIDDEN),
    "POST /admin/consultations/new":                                                            (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/consultations/{consultation_id}/edit":                                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/consultations/{consultation_id}/edit [preparation]":                           (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/consultations/{consultation_id}/phase":                                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  BAD,     DENIED),
    "POST /admin/consultations/{consultation_id}/phase [preparation]":                          (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  BAD,     DENIED),
    "POST /admin/consultations/{consultation_id}/questions/new":                                (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/consultations/{consultation_id}/questions/new [preparation]":                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/consultations/{consultation_id}/questions/{question_id}":                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/consultations/{consultation_id}/questions/{question_id} [preparation]":        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN,  DENIED),
    "POST /admin/consultations/{consultation_id}/results":                                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/consultations/{consultation_id}/results [preparation]":                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/consultations/{consultation_id}/texts":                                        (LOGIN,   DENIED,  DENIED,  HIDDEN,  DENIED,  HIDDEN,  DENIED),
    "POST /admin/consultations/{consultation_id}/texts [preparation]":                          (LOGIN,   DENIED,  DENIED,  HIDDEN,  DENIED,  HIDDEN,  DENIED),
    "POST /admin/consultations/{consultation_id}/outcome":                                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/consultations/{consultation_id}/outcome [preparation]":                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/consultations/{consultation_id}/questions/{question_id}/delete":               (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/consultations/{consultation_id}/questions/{question_id}/delete [preparation]": (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN,  DENIED),
    # taken on behalf of a person at the counter (consultations/counter.py): staff only
    "GET /admin/counter/people/{person_id}/consultations/{consultation_id}":                    (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE,    PAGE,    DENIED),
    "GET /admin/counter/people/{person_id}/consultations/{consultation_id} [preparation]":      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /admin/counter/people/{person_id}/consultations/{consultation_id}":                   (LOGIN,   DENIED,  DENIED,  DENIED,  FORM,    FORM,    DENIED),
    "POST /admin/counter/people/{person_id}/consultations/{consultation_id} [preparation]":     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
}
# fmt: on

CONSULTATION_FORM = {"title": "Une nouvelle consultation", "context": "<p>Votre avis</p>"}
QUESTION_TEXTS = {
    "single": "Venez-vous au parc ?",
    "multiple": "Quels équipements ?",
    "ranking": "Classez les priorités",
    "scale": "Le parc est agréable",
    "majority": "Jugez les projets",
    "number": "Combien de visites par mois ?",
    "short": "Un mot pour le parc",
    "why": "Pourquoi ne venez-vous pas ?",
}


async def _answers(ctx: Ctx) -> Data:
    consultation_id = ctx.world.ids["consultation_id"]
    questions = {
        key: await Question.get(consultation_id=consultation_id, text=text)
        for key, text in QUESTION_TEXTS.items()
    }
    return dict(await valid_answers(questions))


async def _counter_answers(ctx: Ctx) -> Data:
    return {**(await _answers(ctx)), "channel": "phone"}


async def _free_text(ctx: Ctx) -> Data:
    consultation_id = ctx.world.ids["consultation_id"]
    views = await queries.questionnaire(consultation_id)
    await consultation_services.compute_results(ctx.settings, consultation_id)  # its texts
    texts = await queries.free_texts(views)
    assert texts, "the world's consultation has a free text to review"
    text = texts[0]
    return {"question_id": str(text.question.id), "digest": text.digest, "decision": "approve"}


async def _new_question(ctx: Ctx) -> Data:
    """The question the admin added to the consultation in preparation (a step above)."""
    consultation_id = ctx.extra["consultation_in_preparation"]
    question = await Question.filter(consultation_id=consultation_id).order_by("-id").first()
    assert question is not None
    return {**ctx.world.ids, "consultation_id": consultation_id, "question_id": question.id}


async def _formulas(settings: Settings, world: World, formula: str) -> None:
    await Consultation.all().update(title=formula)
    await Question.all().update(text="+" + formula)
    await Option.all().update(label="-" + formula)
    for consultation in await Consultation.filter(phase="closed"):
        await consultation_services.compute_results(settings, consultation.id)


WALKS = Walks(
    matrix=MATRIX,
    steps=[
        Step("consultations:admin_new", "admin", CONSULTATION_FORM),
        Step(
            "consultations:admin_edit",
            "admin",
            CONSULTATION_FORM,
            ids=ids_with(consultation_id="consultation_in_preparation"),
        ),
        Step(
            "consultations:admin_new_question",
            "admin",
            {"kind": "scale", "text": "Le quartier est calme"},
            ids=ids_with(consultation_id="consultation_in_preparation"),
        ),
        Step(
            "consultations:admin_question",
            "admin",
            {"kind": "single", "text": "Venez-vous au parc ?", "options": "Oui\nNon"},
        ),
        Step("consultations:admin_delete_question", "admin", ids=_new_question),
        Step("consultations:answer", "other", _answers),
        # the other person again, at the counter: replaces their answer (before the free text)
        Step("consultations:counter_answer", "agent", _counter_answers),
        Step("consultations:admin_texts", "moderator", _free_text),
        Step("consultations:admin_results", "admin"),
        Step("consultations:admin_phase", "admin", {"phase": "closed", "confirm": "yes"}),
        Step(
            "consultations:admin_outcome",
            "admin",
            {"heard": "De l'ombre.", "decided": "Des arbres."},
        ),
    ],
    refused=[
        Step("consultations:admin_new", "admin", {"title": " "}),
        Step("consultations:answer", "other", {}),
        Step("consultations:counter_answer", "agent", {"channel": "online"}),
    ],
    formulas=_formulas,
    csv_exports=frozenset(
        {
            "GET /consultations/{consultation_id:id}/results.csv",
            "GET /consultations/{consultation_id:id}/responses.csv",
        }
    ),
    not_found=(
        f"/consultations/{MISSING}",
        f"/consultations/{MISSING}/results.json",
        f"/consultations/{MISSING}/questionnaire.pdf",
        f"/consultations/{MISSING}/results.pdf",
    ),
    audited={
        "consultations:counter_answer": "counter/test_browser",
        "consultations:index": "browser/test_resident_journey",
        "consultations:detail": "browser/test_resident_journey",
        "consultations:answer": "browser/test_resident_journey",
        "consultations:results": "browser/test_every_page",
        "consultations:outcome": "browser/test_every_page",
        "consultations:admin_index": "browser/test_admin_journey",
        "consultations:admin": "browser/test_admin_journey",
        "consultations:admin_outcome": "browser/test_admin_journey",
        "consultations:admin_close": "browser/test_admin_journey",
        "consultations:admin_new": "browser/test_every_page",
        "consultations:admin_edit": "browser/test_every_page",
        "consultations:admin_new_question": "browser/test_every_page",
        "consultations:admin_question": "browser/test_every_page",
        "consultations:admin_texts": "browser/test_every_page",
    },
    exempt={
        "consultations:results_csv": "CSV download (its content is the results page's tables)",
        "consultations:results_json": "JSON open data",
        "consultations:questionnaire_pdf": "PDF to print (tests/consultations/test_print.py reads it)",
        "consultations:results_pdf": "PDF to print (the results page's content; tests/consultations/test_print.py)",
        "consultations:responses_csv": "CSV download for staff",
    },
    menu_words={
        "consultations:index": "Consultations",
        "consultations:admin_index": "Gérer les consultations",
    },
)
