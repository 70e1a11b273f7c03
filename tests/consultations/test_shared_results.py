"""A consultation's public results shared by every signed-in viewer (issue #23,
consultations/routes.py `_kept_results`): whoever asked first, each viewer gets byte for byte the
page rendered for them alone (their header, token and name filled around it); a request served
from the store reads nothing but the session; staff's preview of results not public yet is
never kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from consultations import services
from consultations.models import Phase, Response
from consultations.services import text_digest
from participation.accounts.models import Role
from participation.pagecache import invalidate
from participation.settings import Settings
from tests.conftest import browser_of, create_user, log_in, logged_queries, post_form
from tests.consultations.factories import consultation_open, opened, valid_answers
from tests.consultations.test_results import items
from tests.participation.test_shared_parts import rendered_alone, tokens

SPECIAL = "<b>\"A&B\"</b> 'x'"


@pytest.fixture
async def browsers(settings: Settings, app: Any) -> AsyncIterator[dict[str, Any]]:
    """Browsers: two residents with names full of HTML specials, a moderator, staff, and a
    visitor who is not signed in; closed after the test."""
    browsers, contexts = {}, []
    people = {
        "alice": ("alice@example.org", Role.CITIZEN, f"Alice {SPECIAL}"),
        "bob": ("bob@example.org", Role.CITIZEN, "Bob & <i>Durand</i>"),
        "moderator": ("mod@example.org", Role.MODERATOR, "Modo"),
        "staff": ("staff@example.org", Role.ADMIN, "Mairie"),
    }
    for name, (email, role, display) in people.items():
        user = await create_user(settings, email, role, display_name=display)
        context = browser_of(app)
        contexts.append(context)
        browser = browsers[name] = await context.__aenter__()
        await log_in(browser, user)
        await browser.get("/")  # their "logged in" message
    context = browser_of(app)
    contexts.append(context)
    browsers["visitor"] = await context.__aenter__()
    yield browsers
    for context in contexts:
        await context.__aexit__(None, None, None)


async def closed_with_a_published_text(settings: Settings, browsers: dict[str, Any]) -> Any:
    """A closed consultation, a title and a free text full of HTML specials, the text approved
    (its report link shown to the signed in), the results computed."""
    consultation, questions = await consultation_open(title=f"Le parc {SPECIAL}")
    person = await create_user(settings, "p@example.org", display_name="Personne Secrète")
    fields = {**await valid_answers(questions), f"q{questions['short'].id}": f"Idée {SPECIAL}"}
    await services.submit_response(settings, consultation.id, person, None, items(fields))
    await services.switch_phase(consultation.id, Phase.CLOSED, None)
    await services.compute_results(settings, consultation.id)
    stored = opened(settings, await Response.first())  # type: ignore[arg-type]
    approve = {
        "question_id": str(questions["short"].id),
        "digest": text_digest(stored[str(questions["short"].id)]),
        "decision": "approve",
    }
    texts = f"/admin/consultations/{consultation.id}/texts"
    assert (await post_form(browsers["moderator"], texts, approve)).status_code == 303
    await services.compute_results(settings, consultation.id)
    for browser in browsers.values():
        await browser.get("/")  # the moderator's "saved" message
    return consultation


async def test_each_viewer_gets_the_results_page_rendered_for_them_alone(
    settings: Settings, app: Any, browsers: dict[str, Any]
) -> None:
    consultation = await closed_with_a_published_text(settings, browsers)
    page = f"/consultations/{consultation.id}/results"
    names = list(browsers)
    for first in names:  # who stores the part
        await invalidate(app.state.redis)  # as every write: parts go
        order = [first, *(n for n in names if n != first)]
        shared = {n: (await browsers[n].get(page)).text for n in order}
        shared_again = {n: (await browsers[n].get(page)).text for n in reversed(order)}
        assert app.state.shared_parts
        alone = await rendered_alone(app, {n: browsers[n] for n in order}, page)
        for n in order:
            assert shared[n] == alone[n] == shared_again[n], (first, n)
    assert "Idée" in shared["visitor"] and "Idée <b>" not in shared["alice"]  # its report link
    assert "Alice &lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt;" in shared["alice"]
    for other in ("bob", "moderator", "staff", "visitor"):
        assert "Alice" not in shared[other], other
    assert "Bob &amp; &lt;i&gt;Durand&lt;/i&gt;" in shared["bob"] and "Bob" not in shared["alice"]
    assert "report-link" in shared["alice"] and "report-link" not in shared["visitor"]
    signed_in = [n for n in names if n != "visitor"]
    assert len({frozenset(tokens(shared[n])) for n in signed_in}) == len(signed_in)


async def test_a_resident_served_the_stored_results_reads_only_their_session(
    settings: Settings, app: Any, browsers: dict[str, Any]
) -> None:
    consultation = await closed_with_a_published_text(settings, browsers)
    page = f"/consultations/{consultation.id}/results"
    await browsers["bob"].get(page)
    with logged_queries() as statements:
        html = (await browsers["alice"].get(page)).text
    assert "Venez-vous au parc ?" in html and "Alice" in html and "Bob" not in html
    assert len(statements) == 1, statements  # the session


async def test_staff_preview_of_results_not_public_is_not_kept(
    settings: Settings, app: Any, browsers: dict[str, Any]
) -> None:
    consultation, _ = await consultation_open()  # open, results not shown while open
    await services.compute_results(settings, consultation.id)
    page = f"/consultations/{consultation.id}/results"
    preview = await browsers["staff"].get(page)
    assert preview.status_code == 200 and "Aperçu" in preview.text
    assert (await browsers["alice"].get(page)).status_code == 404
    with logged_queries() as statements:
        again = await browsers["staff"].get(page)
    assert "Aperçu" in again.text
    assert [s for s in statements if 'FROM "consultations_result"' in s], statements


async def test_a_text_rejected_leaves_the_kept_results_at_once(
    settings: Settings, app: Any, browsers: dict[str, Any]
) -> None:
    # the results kept for the signed in are emptied by the moderator's decision (a write:
    # participation/pagecache.py), without the results computed again
    consultation = await closed_with_a_published_text(settings, browsers)
    page = f"/consultations/{consultation.id}/results"
    assert "Idée" in (await browsers["alice"].get(page)).text
    assert "Idée" in (await browsers["bob"].get(page)).text  # served from the store
    stored = opened(settings, await Response.first())  # type: ignore[arg-type]
    question_id = next(key for key, value in stored.items() if str(value).startswith("Idée"))
    reject = {
        "question_id": question_id,
        "digest": text_digest(stored[question_id]),
        "decision": "reject",
    }
    texts = f"/admin/consultations/{consultation.id}/texts"
    assert (await post_form(browsers["moderator"], texts, reject)).status_code == 303
    for name in ("alice", "bob", "staff"):
        assert "Idée" not in (await browsers[name].get(page)).text, name
