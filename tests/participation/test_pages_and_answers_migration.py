"""participation.0036 and consultations.0007 on databases written before them (issue #21,
"stored as shown"): the content pages' texts and versions, and the free-text answers listed in
stored consultation results, are stored again, once, as their pages showed them (a script or
an event handler written by another path is gone, a page's tables stack on phones) and say the
current allow-list; a listed answer keeps the digest of the text as answered, so moderation
still knows it (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

from tortoise import timezone

from consultations import texts
from consultations.models import Consultation, Question, QuestionKind, Result, TextReview
from participation.contributions import ModerationState
from participation.richtext import ALLOW_LIST_VERSION, page_again, stored_again
from participation.sitepages.models import SitePage, SitePageVersion
from tests.conftest import database_at, insert_as_before, upgrade

WRITTEN_ELSEWHERE = (
    '<p>Des <strong>arceaux</strong> <img src=x onerror="alert(1)"></p>'
    '<script>alert(2)</script><p onclick="alert(3)">rue des Écoles</p>'
)
TABLE = (
    '<table><thead><tr><th scope="col">Donnée</th></tr></thead>'
    "<tbody><tr><td>E-mail</td></tr></tbody></table>"
)


async def test_old_content_pages_are_stored_as_shown(tmp_path: Path, redis_url: str) -> None:
    async with database_at(tmp_path, redis_url, "participation.0035_search_vector") as old:
        now = timezone.now()
        page = await insert_as_before(
            SitePage(slug="aide", version=2, body_fr=WRITTEN_ELSEWHERE + TABLE, published_at=now),
            "sanitized_with",
        )
        versions = [
            await insert_as_before(
                SitePageVersion(
                    page_id=page.id, version=v, body_fr=body, body_en=body, published_at=now
                ),
                "sanitized_with",
            )
            for v, body in ((1, "<p>Défaut</p>"), (2, WRITTEN_ELSEWHERE + TABLE))
        ]
        await upgrade(old)
        again = await SitePage.get(id=page.id)
        assert again.sanitized_with == ALLOW_LIST_VERSION
        assert again.body_fr == page_again(WRITTEN_ELSEWHERE + TABLE)
        assert "<script" not in again.body_fr and "onerror" not in again.body_fr
        assert '<table class="stack">' in again.body_fr and 'data-label="Donnée"' in again.body_fr
        first, second = [await SitePageVersion.get(id=v.id) for v in versions]
        assert first.sanitized_with == second.sanitized_with == ALLOW_LIST_VERSION
        assert first.body_fr == first.body_en == "<p>Défaut</p>"
        assert second.body_en == again.body_fr


async def test_old_results_list_their_answers_as_shown(tmp_path: Path, redis_url: str) -> None:
    async with database_at(tmp_path, redis_url, "consultations.0006_sanitized") as old:
        consultation = await insert_as_before(Consultation(title="Le parc", anonymous=True))
        question = await insert_as_before(
            Question(
                consultation_id=consultation.id,
                position=1,
                kind=QuestionKind.LONG_TEXT,
                text="Pourquoi ?",
            )
        )
        digest = texts.text_digest(WRITTEN_ELSEWHERE)
        review = await insert_as_before(
            TextReview(
                id=texts.new_id(),
                question_id=question.id,
                text_digest=digest,
                text=WRITTEN_ELSEWHERE,
                moderation_state=ModerationState.VISIBLE,
            ),
            "sanitized_with",  # consultations.0008
        )
        item = {"answered": 2, "kind": "long-text"}
        content = {
            "questions": {
                str(question.id): {**item, "texts": {"approved": [WRITTEN_ELSEWHERE] * 2}}
            },
            "responses": 2,
        }
        result = await insert_as_before(
            Result(
                consultation_id=consultation.id,
                content=json.dumps(content, ensure_ascii=False),
                responses_count=2,
                input_digest="0" * 64,
            ),
            "sanitized_with",
        )
        await upgrade(old)
        again = await Result.get(id=result.id)
        assert again.sanitized_with == ALLOW_LIST_VERSION
        listed = json.loads(again.content)["questions"][str(question.id)]["texts"]
        shown = stored_again(WRITTEN_ELSEWHERE)
        assert "<script" not in shown and "onerror" not in shown and "arceaux" in shown
        assert listed == {"approved": [shown] * 2, "digests": [digest] * 2}
        assert again.input_digest == "0" * 64  # the same responses: not a new result
        # moderation still knows the answer by the text as answered
        published = await texts.published(consultation.id)
        public, ids = texts.published_content(json.loads(again.content), published)
        assert public["questions"][str(question.id)]["texts"] == {"approved": [shown] * 2}
        assert ids == {(question.id, shown): review.id}
        # the row staff review holds the same text, as shown (consultations.0008)
        reviewed = await TextReview.get(id=review.id)
        assert (reviewed.text, reviewed.sanitized_with) == (shown, ALLOW_LIST_VERSION)
