"""A missing object answers the same way on every feature: the project's `NotFound`, shown as
the translated 404 page (not Starlette's bare HTTPException). One route of each module that
used to raise HTTPException(404), and those each feature names (tests/<name>/walks.py)."""

from __future__ import annotations

import httpx
import pytest

from participation.accounts.models import User
from tests.conftest import log_in
from tests.security.walks import MISSING, feature_walks
from tests.sources import ROOT, source_files


@pytest.mark.parametrize(
    "url",
    [
        f"/budgets/{MISSING}",
        f"/budgets/{MISSING}/results.csv",
        f"/budgets/{MISSING}/results.pdf",
        f"/admin/budgets/{MISSING}/ballot.pdf",
        f"/consultations/{MISSING}",
        f"/consultations/{MISSING}/results.json",
        f"/consultations/{MISSING}/questionnaire.pdf",
        f"/proposals/{MISSING}",
        f"/followup/{MISSING}",
        f"/moderation/users/{MISSING}",
        f"/admin/indicators/budget/{MISSING}",
        "/admin/indicators/nothing/1",
        "/feeds/nothing.atom",
        *(path for walks in feature_walks() for path in walks.not_found),
    ],
)
async def test_a_missing_object_shows_the_translated_not_found_page(
    client: httpx.AsyncClient, admin: User, url: str
) -> None:
    await log_in(client, admin)
    french = await client.get(url)
    assert french.status_code == 404
    assert "Page introuvable" in french.text and "<h1" in french.text
    english = await client.get(url, headers={"Accept-Language": "en"})
    assert english.status_code == 404 and "Page not found" in english.text


def test_routes_say_not_found_the_projects_way() -> None:
    raising = [
        str(path.relative_to(ROOT))
        for path in source_files()
        if "HTTPException(status_code=404)" in path.read_text()
    ]
    assert not raising, f"raise refusals.NotFound() instead of HTTPException(404) in {raising}"
