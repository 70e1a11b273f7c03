"""What the route walkers need to know about the signalements' routes (tests/security/walks.py):
the world's category, report and photo, who may use each route, valid and wrong data for each
POST, the forms no page of the world shows, the exports, the pages axe audits."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from typing import Any

from participation.settings import Settings
from signalements.models import Category, Photo, Report, ResponseTemplate
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
from tests.security.world import World
from tests.signalements.factories import (
    jpeg_with_gps,
    open_report,
    pothole_category,
    resolved_report,
)

ANSWER = "Votre signalement est transmis au service voirie."
TRACKING_TOKEN = "walks-tracking-token-0123456789"


async def _seed(settings: Settings, world: World) -> None:
    category = await pothole_category()
    report = await open_report(category, author_id=world.owner.id)
    photo = await Photo.create(report=report, data=jpeg_with_gps((40, 30)), width=40, height=30)
    template = await ResponseTemplate.create(category=category, title="Transmis", text=ANSWER)
    world.ids.update(
        category_id=category.id, report_id=report.id, photo_id=photo.id, template_id=template.id
    )


# fmt: off
MATRIX = {
    # route: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /signalements":                                    (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /signalements/new":                                (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /signalements/new":                               (FORM,    FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "GET /signalements/sent":                               (DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "GET /signalements/track":                              (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /signalements/track/reopen":                      (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /signalements/mine":                               (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /signalements/figures":                            (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /signalements/map":                                (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /signalements/export.csv":                         (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /signalements/export.json":                        (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /signalements/photos/{photo_id}":                  (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /signalements/{report_id}":                        (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "POST /signalements/{report_id}/follow":                (FORM,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "GET /admin/signalements":                              (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/signalements/assign":                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/signalements/categories":                   (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/signalements/categories":                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/signalements/categories/{category_id}":     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/signalements/categories/{category_id}":    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/signalements/templates":                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/signalements/templates":                   (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/signalements/templates/{template_id}":      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/signalements/templates/{template_id}":     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/signalements/templates/{template_id}/delete": (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "GET /admin/signalements/{report_id}":                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/signalements/{report_id}/state":           (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/signalements/{report_id}/reopen":          (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/signalements/{report_id}/note":            (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/signalements/{report_id}/merge":           (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
}
# fmt: on

CATEGORY = {"name": "Mobilier urbain", "icon": "furniture", "service": "Voirie", "sla_days": "10"}


async def _report(ctx: Ctx) -> Data:
    return {
        "category": str(ctx.world.ids["category_id"]),
        "address": "12 rue de la Loire",
        "latitude": "47.2184",
        "longitude": "-1.5536",
        "description": "Banc cassé devant l’école, une planche manque.",
    }


async def _resolved(ctx: Ctx) -> dict[str, Any]:
    category = await Category.get(id=ctx.world.ids["category_id"])
    report = await resolved_report(
        category, 2, token=TRACKING_TOKEN + str(ctx.extra.setdefault("n", 0))
    )
    ctx.extra["n"] += 1
    return {**ctx.world.ids, "report_id": report.id}


async def _reopen_by_link(ctx: Ctx) -> Data:
    await _resolved(ctx)
    return {
        "token": TRACKING_TOKEN + str(ctx.extra["n"] - 1),
        "message": "Le banc est de nouveau cassé.",
    }


async def _duplicate(ctx: Ctx) -> dict[str, Any]:
    category = await Category.get(id=ctx.world.ids["category_id"])
    report = await open_report(category)
    return {**ctx.world.ids, "report_id": report.id}


TEMPLATE = {"category": "", "title": "Pris en charge", "text": ANSWER}


async def _spare_template(ctx: Ctx) -> dict[str, Any]:
    template = await ResponseTemplate.create(title="À supprimer", text=ANSWER)
    return {**ctx.world.ids, "template_id": template.id}


async def _merge_target(ctx: Ctx) -> Data:
    return {"target": str(ctx.world.ids["report_id"])}


async def _assign(ctx: Ctx) -> Data:
    return {"reports": str(ctx.world.ids["report_id"]), "assignee": str(ctx.world.admin.id)}


async def _formulas(settings: Settings, world: World, formula: str) -> None:
    await Category.all().update(name=formula, service=formula)
    await Report.all().update(address=formula, district=formula)


WALKS = Walks(
    seed=_seed,
    matrix=MATRIX,
    steps=[
        Step("signalements:new", "other", _report),
        Step("signalements:follow", "other"),
        Step("signalements:reopen", "anonymous", _reopen_by_link),
        Step("signalements:assign", "admin", _assign),
        Step("signalements:admin_categories", "admin", CATEGORY),
        Step("signalements:admin_category", "admin", CATEGORY),
        Step("signalements:admin_templates", "admin", TEMPLATE),
        Step("signalements:admin_template", "admin", TEMPLATE),
        Step("signalements:admin_template_delete", "admin", ids=_spare_template),
        Step("signalements:admin_note", "admin", {"note": "Voir avec le prestataire."}),
        Step(
            "signalements:admin_state",
            "admin",
            {"state": "taken", "message": "Transmis au service voirie."},
        ),
        Step(
            "signalements:admin_reopen",
            "admin",
            {"message": "Le problème est revenu."},
            ids=_resolved,
        ),
        Step("signalements:admin_merge", "admin", _merge_target, ids=_duplicate),
    ],
    refused=[
        Step("signalements:new", "other", {"category": "1", "address": "ici", "description": "x"}),
        Step("signalements:follow", "anonymous", {"email": "pas-une-adresse"}),
        Step(
            "signalements:admin_state",
            "admin",
            {"state": "not_ours", "message": "Voie départementale."},
        ),
        Step("signalements:admin_categories", "admin", {**CATEGORY, "sla_days": "0"}),
        Step("signalements:admin_merge", "admin", {"target": str(MISSING)}),
        Step("signalements:admin_templates", "admin", {**TEMPLATE, "title": ""}),
        Step("signalements:admin_template", "admin", {**TEMPLATE, "category": str(MISSING)}),
    ],
    # the new report's POST form is shown at the form's second step (a URL with the place);
    # reopening needs a resolved report: by its tracking link, or at the desk
    no_form_in_the_world={
        "POST /signalements/new": (
            "category",
            "address",
            "latitude",
            "longitude",
            "description",
            "email",
            "district",
            "channel",
        ),
        "POST /signalements/track/reopen": ("token", "message"),
        "POST /admin/signalements/{report_id:id}/reopen": ("message",),
    },
    formulas=_formulas,
    csv_exports=frozenset({"GET /signalements/export.csv"}),
    not_found=(
        f"/signalements/{MISSING}",
        f"/admin/signalements/{MISSING}",
        f"/admin/signalements/templates/{MISSING}",
    ),
    audited={
        "signalements:index": "signalements/test_browser",
        "signalements:new": "signalements/test_browser",
        "signalements:detail": "signalements/test_browser",
        "signalements:mine": "signalements/test_browser",
        "signalements:figures": "signalements/test_browser",
        "signalements:map": "signalements/test_browser",
        "signalements:track": "signalements/test_browser",
        "signalements:sent": "signalements/test_browser",
        "signalements:desk": "signalements/test_browser",
        "signalements:admin": "signalements/test_browser",
        "signalements:admin_categories": "signalements/test_browser",
        "signalements:admin_category": "signalements/test_browser",
        "signalements:admin_templates": "signalements/test_browser",
        "signalements:admin_template": "signalements/test_browser",
    },
    exempt={
        "signalements:export_csv": "CSV download (its content is the public list)",
        "signalements:export_json": "JSON download (its content is the public list)",
        "signalements:photo": "a JPEG image, shown inside the audited report pages",
    },
)
