"""The meetings' own catalog (meetings/locale): its strings are in no other catalog, and the
pages show them in French (participation.i18n merges it after the core's)."""

from __future__ import annotations

from pathlib import Path

import httpx
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _msgids(path: str) -> set[str]:
    with (ROOT / path).open("rb") as f:
        return {m.id for m in read_po(f) if isinstance(m.id, str) and m.id}


async def test_a_string_only_in_the_features_catalog_is_translated_on_its_page(
    client: httpx.AsyncClient,
) -> None:
    own = _msgids("meetings/locale/fr/LC_MESSAGES/messages.po")
    core = _msgids("participation/locale/fr/LC_MESSAGES/messages.po")
    assert "Upcoming meetings" in own and "Upcoming meetings" not in core
    assert "Public meetings" in own and "Public meetings" not in core
    page = (await client.get("/meetings")).text
    assert "Réunions à venir" in page and "Upcoming meetings" not in page
    english = (await client.get("/meetings", headers={"Accept-Language": "en"})).text
    assert "Upcoming meetings" in english
