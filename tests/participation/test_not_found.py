"""A missing object answers the same way on every feature: the project's `NotFound`, shown as
the translated 404 page (not Starlette's bare HTTPException). The paths each feature names
(`not_found` in tests/<name>/walks.py): one route of each module that used to raise
HTTPException(404), and more."""

from __future__ import annotations

import httpx
import pytest

from participation.accounts.models import User
from tests.conftest import log_in
from tests.security.walks import feature_walks
from tests.sources import ROOT, source_files

# the core's paths of missing objects; each feature's are in its tests/<name>/walks.py
CORE_NOT_FOUND = ("/feeds/nothing.atom",)


@pytest.mark.parametrize(
    "url", [*CORE_NOT_FOUND, *(path for walks in feature_walks() for path in walks.not_found)]
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
