"""The staff's page of a consultation's free-text answers (/admin/consultations/<id>/texts), issue
#21's last item: it lists the texts that the results job registered (`TextReview`, stored as the
results show them), so that rendering it runs no code of bleach and opens no sealed answer
(issue #16); what staff review is what residents read in the published results; a script, an
event handler or a `javascript:` link typed in an answer is shown inert; a response that the
results job has not read yet is announced, and its texts are listed once the job has run."""

from __future__ import annotations

import re
from typing import Any

from consultations import services
from consultations.models import Option, Response, TextReview
from participation.accounts.models import User
from participation.richtext import ALLOW_LIST_VERSION, sanitize, stored_again
from participation.settings import Settings
from tests.conftest import create_user, logged_in, post_form
from tests.consultations.factories import consultation_open, valid_answers
from tests.consultations.test_results import items
from tests.security.test_stored_as_shown import bleach_calls
from tests.security.xss import PAYLOADS, all_payloads, injected_markup

BLOCKQUOTE = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)
LISTED = re.compile(r"<li>(.*?)(?: <a class=\"report-link\"[^>]*>.*?</a>)?</li>", re.S)
# an answer is plain text or the allowed tags (`richtext.sanitize`), not Markdown
LINK = 'Voir <a href="https://example.org/plan">le plan</a> et <strong>surtout</strong> les bancs.'


async def _answered(settings: Settings) -> tuple[int, dict[str, Any]]:
    """An anonymous consultation (sealed responses) whose results show while it is open; two
    people answer the long question with the XSS corpus and a text with a link and emphasis,
    the short one with a line each; the results job has not run."""
    consultation, questions = await consultation_open(visible=True)
    assert consultation.anonymous
    no = await Option.get(question=questions["single"], label="Non")
    for n, why in enumerate((all_payloads("Ma réponse "), LINK)):
        fields = await valid_answers(questions)
        fields[f"q{questions['single'].id}"] = str(no.id)
        fields[f"q{questions['why'].id}"] = why
        fields[f"q{questions['short'].id}"] = f"Idée numéro {n}"
        person = await create_user(settings, f"repondant{n}@example.org")
        await services.submit_response(settings, consultation.id, person, None, items(fields))
    assert await Response.filter(consultation_id=consultation.id, sealed__isnull=True).count() == 0
    return consultation.id, questions


async def test_the_texts_page_lists_the_rows_as_shown_without_bleach_and_inert(
    app: Any, settings: Settings, moderator: User
) -> None:
    consultation_id, questions = await _answered(settings)
    page = f"/admin/consultations/{consultation_id}/texts"
    async with logged_in(app, moderator) as staff:
        waiting = (await staff.get(page)).text
        assert "2 réponses sont arrivées depuis le dernier calcul des résultats" in waiting
        assert "Idée numéro 0" not in waiting  # nothing is written at submission (issue #16)
        assert await TextReview.all().count() == 0

        await services.compute_results(settings, consultation_id)  # every 5 minutes while open
        rows = await TextReview.filter(question__consultation_id=consultation_id)
        assert len(rows) == 4 and {r.sanitized_with for r in rows} == {ALLOW_LIST_VERSION}
        for row in rows:  # stored as the results show it, known by the digest as answered
            assert row.text == stored_again(row.text)
            assert "<script" not in row.text and "onerror" not in row.text
        # the page reads the rows, not the responses: gone, the texts are still listed
        await Response.filter(consultation_id=consultation_id).delete()
        with bleach_calls() as calls:
            shown = await staff.get(page)
        assert shown.status_code == 200
        assert calls[0] == 0, f"bleach ran {calls[0]} times"
        assert "depuis le dernier calcul" not in shown.text
        assert injected_markup(shown.text) == []
        quotes = BLOCKQUOTE.findall(shown.text)
        assert len(quotes) == 4 and "Idée numéro 1" in shown.text
        corpus = next(q for q in quotes if "Ma réponse" in q)
        assert "__xss" in corpus  # the payloads are there, as inert text
        assert "<script" not in corpus and "javascript:" not in corpus.lower()
        assert 'href="https://example.org/plan"' in shown.text and "<strong>surtout</strong>" in (
            shown.text
        )


async def test_staff_review_what_residents_read(
    app: Any, settings: Settings, moderator: User, citizen: User
) -> None:
    """Each text the texts page shows is, character for character, what the published results
    list once it is approved; a decision made there still works, and so does a forged one not."""
    consultation_id, questions = await _answered(settings)
    await services.compute_results(settings, consultation_id)
    page = f"/admin/consultations/{consultation_id}/texts"
    async with logged_in(app, moderator) as staff:
        listed = await staff.get(page)
        for row in await TextReview.filter(question__consultation_id=consultation_id):
            decision = {"question_id": str(row.question_id), "digest": row.text_digest}
            done = await post_form(staff, page, {**decision, "decision": "approve"}, page=page)
            assert done.status_code == 303
        forged = {"question_id": str(questions["why"].id), "digest": "0" * 64}
        refused = await post_form(staff, page, {**forged, "decision": "approve"}, page=page)
        assert refused.status_code == 404
        after = await staff.get(page)
        assert after.text.count("— approuvée") == 4 and "à examiner" not in after.text
    await services.compute_results(settings, consultation_id)  # as the decision asked
    async with logged_in(app, citizen) as resident:
        results = await resident.get(f"/consultations/{consultation_id}/results")
    assert results.status_code == 200 and injected_markup(results.text) == []
    shown_to_staff = sorted(q.strip() for q in BLOCKQUOTE.findall(listed.text))
    read_by_residents = sorted(
        t.strip() for t in LISTED.findall(results.text) if t.strip() in shown_to_staff
    )
    assert read_by_residents == shown_to_staff and len(shown_to_staff) == 4
    # the staff's blockquote holds the text as the results job stored it (a link, emphasis)
    assert any(text == sanitize(LINK) for text in shown_to_staff)


async def test_a_row_written_before_is_stored_as_shown_by_the_next_run(
    app: Any, settings: Settings
) -> None:
    """A text row that says another allow-list (written before rows said it) is stored as the
    results show it when the results job rewrites the rows (a new text), state and id kept."""
    consultation_id, questions = await _answered(settings)
    await services.compute_results(settings, consultation_id)
    raw = "<p>Écrit avant</p>" + "".join(PAYLOADS[:3])
    old = await TextReview.filter(question__consultation_id=consultation_id).first()
    assert old is not None
    await TextReview.filter(id=old.id).update(text=raw, sanitized_with=0)
    fields = await valid_answers(questions)
    fields[f"q{questions['short'].id}"] = "Un texte de plus"
    person = await create_user(settings, "tard@example.org")
    await services.submit_response(settings, consultation_id, person, None, items(fields))
    await services.compute_results(settings, consultation_id)
    again = await TextReview.get(id=old.id)
    assert again.sanitized_with == ALLOW_LIST_VERSION and again.text == stored_again(raw)
    assert again.moderation_state == old.moderation_state
    assert again.text_digest == old.text_digest and "<script" not in again.text
    assert sanitize("Un texte de plus") in {
        r.text for r in await TextReview.filter(question__consultation_id=consultation_id)
    }
