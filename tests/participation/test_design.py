"""The design system's living page (/design, docs/design.md): it shows every component the
documentation lists, each defined in the stylesheet. Who may see it is the access matrix's row
(staff; tests/security/test_access_matrix.py); here, a development install shows it to anyone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import browser_of

ROOT = Path(__file__).resolve().parents[2]


def documented_components() -> dict[str, list[str]]:
    """docs/design.md's table of components: name -> its classes (the first is the component)."""
    text = (ROOT / "docs" / "design.md").read_text()
    table = text.split("## Components", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in table.splitlines() if line.startswith("| ")]
    return {
        name.strip(): re.findall(r"`\.([\w-]+)`", classes)
        for name, classes in rows[1:]  # the header row
    }


STYLESHEETS = ("app.css", "staff.css")


@pytest.mark.settings(ENVIRONMENT="development")
async def test_the_living_page_shows_every_documented_component(app: object) -> None:
    components = documented_components()
    assert len(components) >= 15 and all(components.values())
    # the residents' stylesheet and the staff pages' (issue #22: linked where it is used)
    stylesheet = "".join((ROOT / "static" / "css" / f).read_text() for f in STYLESHEETS)
    async with browser_of(app) as visitor:  # anyone, in development
        page = await visitor.get("/design", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "<h1>Système de design</h1>" in page.text
    classes = set(re.findall(r'class="([^"]*)"', page.text))
    shown = {name for value in classes for name in value.split()}
    for component, names in components.items():
        undefined = [n for n in names if not re.search(rf"\.{n}\b", stylesheet)]
        assert not undefined, f"{component}: {undefined} not in static/css/app.css or staff.css"
        assert names[0] in shown, f"{component} (.{names[0]}) is not shown on /design"


def test_every_component_is_used_on_a_real_page() -> None:
    """No rule of the stylesheet is kept for /design alone: every documented component class
    is used by a template other than /design's, or by the code that renders one."""
    sources = [p for p in (ROOT / "templates").rglob("*.html") if p.name != "design.html"]
    sources += [
        p
        for package in ("participation", "budgets", "consultations", "meetings", "signalements")
        for p in (ROOT / package).rglob("*.py")
    ]
    used = "\n".join(p.read_text() for p in sources)
    unused = [
        name
        for names in documented_components().values()
        for name in names
        if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", used)
    ]
    assert unused == []
