"""The `participation` command: createadmin and the demo town."""

from pathlib import Path

import pytest

from participation.accounts.models import Role, User
from participation.cli import main
from participation.counter.services import OFFLINE_DOMAIN
from participation.demo import DEMO_ACCOUNTS


def test_createadmin_and_demo_on_a_fresh_installation(
    fresh_installation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from participation.db import close_database, init_database
    from participation.settings import Settings

    assert main(["createadmin", "--email", "Elu@Mairie.fr", "--password", "court"]) == 2
    assert "au moins 10 caractères" in capsys.readouterr().err  # French first
    assert (
        main(
            ["createadmin", "--email", "Elu@Mairie.fr", "--password", "une phrase de passe solide"]
        )
        == 0
    )
    assert main(["demo"]) == 0
    assert main(["demo"]) == 0  # idempotent
    assert "habitante@demo.villebelle.fr" in capsys.readouterr().out

    async def accounts() -> list[tuple[str, str]]:
        await init_database(Settings.from_env())
        try:
            return [(u.email, u.role.value) for u in await User.all().order_by("id")]
        finally:
            await close_database()

    async def stale() -> dict[str, tuple[int, int]]:
        """Rows of each table of rich text: (all, saying another allow-list)."""
        from tortoise import Tortoise

        from participation.richtext import ALLOW_LIST_VERSION

        await init_database(Settings.from_env())
        try:
            return {
                model.__name__: (
                    await model.all().count(),
                    await model.exclude(sanitized_with=ALLOW_LIST_VERSION).count(),
                )
                for app in Tortoise.apps.values()
                for model in app.values()
                if "sanitized_with" in model._meta.fields_map
            }
        finally:
            await close_database()

    # the demo writes rich text as shown (issue #21): no page shows a demo text as words only
    rows = asyncio.run(stale())
    assert {name: n for name, (_, n) in rows.items() if n} == {}
    assert "TextReview" in rows and rows["Comment"][0] > 0

    found = asyncio.run(accounts())
    assert found[0] == ("elu@mairie.fr", Role.ADMIN.value)
    accounts_per_role = {(e, r.value) for e, _n, r, _p in DEMO_ACCOUNTS}
    assert accounts_per_role <= set(found[1:])
    # the other demo accounts are residents who answered the demo consultations, and people
    # without an account whose proposal was taken at the counter (an address that cannot be)
    others = [account for account in found[1:] if account not in accounts_per_role]
    assert all(
        e.endswith(("@demo.villebelle.fr", f"@{OFFLINE_DOMAIN}")) and r == "citizen"
        for e, r in others
    )
