"""Every GET route of the app is either audited by axe in a browser test or exempt with a
reason (tests/browser/pages.py, and each feature's tests/<name>/walks.py), so a new page cannot
slip past the audit unnoticed. That the audit really reached each listed page is checked at the
end of a full browser run (`pytest_sessionfinish` in tests/browser/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from participation.app import create_app
from participation.settings import Settings
from tests.browser.pages import audited, exempt
from tests.security.world import app_routes


async def test_every_get_route_is_audited_or_exempt_with_a_reason() -> None:
    app = create_app(Settings.from_env({"ENVIRONMENT": "test", "SECRET_KEY": "coverage"}))
    listed, exempted = audited(), exempt()  # the core's pages and the features'

    names = {e.route.name: e.path for e in app_routes(app) if e.method == "GET"}
    missing = sorted(
        f"{name} ({path})" for name, path in names.items() if name not in listed | exempted
    )
    assert not missing, (
        "GET routes neither audited by axe nor exempt: add them to a browser test and to "
        "AUDITED, or to EXEMPT with the reason, in tests/browser/pages.py (a feature's: in "
        "tests/<name>/walks.py): " + ", ".join(missing)
    )
    assert not set(listed) & set(exempted), "a route is both audited and exempt"
    assert not (set(listed) | set(exempted)) - set(names), "pages.py names routes that are gone"
    assert all(reason.strip() for reason in exempted.values()), "an exemption without a reason"
    here = Path(__file__).parent
    assert all((here / f"{module}.py").exists() for module in listed.values())
