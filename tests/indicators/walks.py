"""What the route walkers need to know about the indicators' routes (tests/security/walks.py):
who may use each route, the refresh's POST, the open-data export and the texts it shows, the
pages axe audits. The world's figures are computed by tests/security/world.py."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from indicators import services as indicator_services
from participation.settings import Settings
from tests.security.walks import (
    DENIED,
    DONE,
    LOGIN,
    MISSING,
    PAGE,
    Step,
    Walks,
)
from tests.security.world import World

# fmt: off
MATRIX = {
    # indicators and follow-up (issue #9): figures are aggregated and public, the dashboard is staff's
    "GET /indicators":                          (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /indicators/export.csv":               (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /indicators/export.json":              (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /admin/indicators":                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/indicators/{kind}/{target_id}": (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/indicators/refresh":           (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
}
# fmt: on


async def _formulas(settings: Settings, world: World, formula: str) -> None:
    """The figures again, once every feature put its formulas in its texts (installed last)."""
    await indicator_services.compute_all()


WALKS = Walks(
    matrix=MATRIX,
    steps=[Step("indicators:refresh", "admin")],
    formulas=_formulas,
    csv_exports=frozenset({"GET /indicators/export.csv"}),
    not_found=(f"/admin/indicators/budget/{MISSING}", "/admin/indicators/nothing/1"),
    audited={
        "indicators:summary": "browser/test_resident_journey",
        "indicators:dashboard": "browser/test_admin_journey",
        "indicators:process": "browser/test_every_page",
    },
    exempt={
        "indicators:csv": "CSV open data (its content is the participation page)",
        "indicators:json": "JSON open data",
    },
    menu_words={
        "indicators:summary": "Qui participe",
        "indicators:dashboard": "Tableau de bord de la participation",
    },
)
