"""French first, English second: negotiation, the switch, and a complete French catalog."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po

from participation.i18n import negotiate_language
from tests.conftest import post_form

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", "fr"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9", "fr"),
        ("de,en;q=0.5,fr;q=0.8", "fr"),
        ("en;q=0.9,fr;q=0.4", "en"),
        ("en;q=nonsense", "fr"),
    ],
)
def test_accept_language_negotiation(header: str, expected: str) -> None:
    assert negotiate_language(header, "fr") == expected


async def test_pages_are_french_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert '<html lang="fr">' in response.text
    assert "Propositions" in response.text and "Budgets participatifs" in response.text


async def test_browser_language_english(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in response.text
    assert "Participatory budgets" in response.text


async def test_language_switch_is_remembered(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/language", {"language": "en", "next": "/budgets"})
    assert response.status_code == 303 and response.headers["location"] == "/budgets"
    page = await client.get("/budgets")
    assert '<html lang="en">' in page.text and "No participatory budget yet." in page.text
    await post_form(client, "/language", {"language": "fr", "next": "/"})
    assert '<html lang="fr">' in (await client.get("/")).text


async def test_language_switch_ignores_foreign_redirects(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/language", {"language": "en", "next": "//evil.example"})
    assert response.headers["location"] == "/"


def test_every_message_has_a_french_translation(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-o",
            str(template),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (ROOT / "participation/locale/fr/LC_MESSAGES/messages.po").open("rb") as f:
        translated = {m.id for m in read_po(f, locale="fr") if m.id and m.string}
    assert sorted(wanted - translated) == [], "translate these in the French catalog"
