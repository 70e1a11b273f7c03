"""Issue #16: an attacker with a copy of the database (and, separately, with SECRET_KEY too)
tries to pair the participants of an anonymous consultation with their answers.

300 distinct accounts answer (in concurrent batches), each with a free text that names them
(`Idée de la personne <n>`), then the results job runs as the worker would. The attacker then
uses SQL only: rowid and id order (SQLite), `xmin`/`ctid` order (PostgreSQL), dates, sizes,
the moderation queue's order, text searches in every response, and the lookup token computed
with SECRET_KEY.

The statistical check: the text rows (and their moderation cases) are written in an order
drawn uniformly at random by the results job, independently of who answered when; pairing the
k-th participant with the k-th text under any ordering of the attacker's choice is then a
uniformly random permutation, whose number of correct pairings k satisfies
P(k >= 13) <= 1/13! < 1.7e-10 (the number of permutations with a given set of 13 fixed points,
(n-13)!, times the C(n, 13) sets, over n!). With at most 6 orderings tried per database, the
test fails by chance with probability < 1e-9; an order that followed the submissions would
pair all 300.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Any

import pytest
from tortoise import connections

from consultations import services
from consultations.models import Consultation, Question, Response, Result
from participation import sealing
from participation.accounts.models import User
from participation.settings import Settings
from tests.conftest import TEST_PASSWORD
from tests.consultations.factories import consultation_open, valid_answers

PEOPLE = 300
BATCH = 10  # submissions in flight at once
BOUND = 12  # correct pairings allowed per ordering (see the module's docstring)


def _items(fields: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]


def text_of(n: int) -> str:
    return f"<p>Idée de la personne {n}</p>"


async def answered(settings: Settings) -> tuple[Consultation, dict[str, Question], dict[int, int]]:
    """The consultation after PEOPLE answers and a run of the results job; user id -> n."""
    from participation.accounts.services import hash_password

    consultation, questions = await consultation_open(anonymous=True)
    password = await hash_password(settings, TEST_PASSWORD)
    await User.bulk_create(
        [
            User(email=f"p{n}@example.org", display_name=f"Personne {n}", password_hash=password)
            for n in range(PEOPLE)
        ]
    )
    people = await User.filter(email__startswith="p").order_by("id")
    number = {user.id: int(user.email[1:].split("@")[0]) for user in people}
    base = await valid_answers(questions)

    async def answer(user: User) -> None:
        fields = {**base, f"q{questions['short'].id}": text_of(number[user.id])[3:-4]}
        fields[f"q{questions['number'].id}"] = str(number[user.id] % 101)
        await services.submit_response(settings, consultation.id, user, None, _items(fields))

    for start in range(0, PEOPLE, BATCH):
        await asyncio.gather(*(answer(user) for user in people[start : start + BATCH]))
    await services.compute_results(settings, consultation.id)
    return consultation, questions, number


async def rows(sql: str) -> list[Any]:
    _, found = await connections.get("default").execute_query(sql)
    return [tuple(dict(row).values()) for row in found]


def correct(participants: list[int], texts: list[str], number: dict[int, int]) -> int:
    """How many of the k-th participant / k-th text pairs are right."""
    assert len(participants) == len(texts) == PEOPLE
    return sum(
        text == text_of(number[user]) for user, text in zip(participants, texts, strict=True)
    )


async def test_a_copy_of_the_database_pairs_no_participant_with_their_answer(
    app: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "OPEN_IN_THREADS_FROM", 100)  # the large-consultation path
    consultation, questions, number = await answered(settings)
    c = consultation.id
    postgres = not settings.uses_sqlite
    # the orders an attacker can read: system columns, ids, dates
    physical = "xmin::text::bigint, ctid" if postgres else "rowid"
    participant_orders = {
        "physical": await rows(
            f"SELECT user_id FROM consultations_participant WHERE consultation_id = {c} "
            f"ORDER BY {physical}"
        ),
        "id": await rows(
            f"SELECT user_id FROM consultations_participant WHERE consultation_id = {c} "
            "ORDER BY answered_on, id"
        ),
    }
    texts_of_c = (
        "FROM consultations_text_review t JOIN consultations_question q ON q.id = t.question_id "
        f"WHERE q.consultation_id = {c}"
    )
    physical_t = "t.xmin::text::bigint, t.ctid" if postgres else "t.rowid"
    text_orders = {
        "physical": await rows(f"SELECT t.text {texts_of_c} ORDER BY {physical_t}"),
        "id": await rows(f"SELECT t.text {texts_of_c} ORDER BY t.created_on, t.id"),
        "queue": await rows(
            "SELECT t.text FROM moderation_case m "
            "JOIN consultations_text_review t ON t.id = m.content_id "
            "JOIN consultations_question q ON q.id = t.question_id "
            f"WHERE m.content_type = 'consultation_answer' AND q.consultation_id = {c} "
            "ORDER BY m.opened_at, m.id"
        ),
    }
    assert {len(found) for found in text_orders.values()} == {PEOPLE}
    for who, participants in participant_orders.items():
        for what, texts in text_orders.items():
            hits = correct([p for (p,) in participants], [t for (t,) in texts], number)
            assert hits <= BOUND, (who, what, hits)
    if postgres:  # every text row was written by one statement of the results job
        assert len(await rows(f"SELECT DISTINCT t.xmin::text {texts_of_c}")) == 1
    else:  # rows deleted by the rewrite are overwritten, not left in the file's free pages
        assert await rows("PRAGMA secure_delete") == [(1,)]

    # the responses line up with the participants (written at submission), but hold nothing
    # readable: no answer in clear, no text in the sealed bytes, one size for all
    responses = await rows(
        f"SELECT answers, sealed FROM consultations_response WHERE consultation_id = {c}"
    )
    assert len(responses) == PEOPLE
    assert {answers for answers, _ in responses} == {""}
    assert len({len(bytes(sealed)) for _, sealed in responses}) == 1
    for _, sealed in responses:
        assert b"personne" not in bytes(sealed) and "personne".encode("utf-16-le") not in bytes(
            sealed
        )

    # with SECRET_KEY: the lookup token of a person cannot be computed, and no key derived from
    # SECRET_KEY opens a response
    tokens = {token for (token,) in await rows("SELECT token FROM consultations_response")}
    for user in number:
        message = f"consultation|{c}|user:{user}".encode()
        assert hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest() not in (
            tokens
        )
    from_secret = hashlib.sha256(settings.secret_key.encode()).digest()
    box = bytes(responses[0][1])
    for key in (from_secret, settings.secret_key.encode()[:32].ljust(32, b"\0")):
        try:
            sealing.unseal(sealing.private_key(key, c), box)
        except sealing.SealingError:
            continue
        raise AssertionError("a key derived from SECRET_KEY opened a response")

    # whoever holds ANSWERS_KEY (the results job) reads them all, and the results are right
    opened = [services.open_answers(settings, c, "", bytes(sealed)) for _, sealed in responses]
    assert sorted(opened) == sorted(await services.stored_answers(settings, c))
    stored = await Result.get(consultation_id=c)
    assert stored.responses_count == PEOPLE


async def test_responses_stored_in_clear_before_are_sealed_with_the_same_results(
    app: Any, settings: Settings
) -> None:
    consultation, questions = await consultation_open(anonymous=True)
    base = await valid_answers(questions)
    for n in range(3):
        user = await User.create(email=f"old{n}@example.org", display_name="A", password_hash="x")
        fields = {**base, f"q{questions['short'].id}": f"Ancienne idée {n}"}
        await services.submit_response(settings, consultation.id, user, None, _items(fields))
    before = await services.compute_results(settings, consultation.id)
    # as stored before issue #16: in clear
    for response in await Response.filter(consultation_id=consultation.id):
        clear = services.open_answers(settings, consultation.id, "", response.sealed)
        await Response.filter(id=response.id).update(answers=clear, sealed=None)
    assert await Response.filter(sealed=None).count() == 3

    assert await services.seal_clear_responses(settings) == 3
    stored = await Response.filter(consultation_id=consultation.id)
    assert all(r.answers == "" and r.sealed for r in stored)
    assert await services.compute_results(settings, consultation.id) == before
    assert await services.seal_clear_responses(settings) == 0
