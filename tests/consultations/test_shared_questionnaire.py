"""The questionnaire shared by every resident (issue #23, consultations/routes.py
`_shared_answer_body`): whoever asked it first, each resident gets their own answers in it, byte
for byte the page rendered for them alone; a request served from the store reads no question,
nor the consultation."""

from __future__ import annotations

from typing import Any

import pytest

from consultations.models import Audience, Option
from participation.pagecache import invalidate
from participation.settings import Settings
from tests.conftest import browser_of, create_user, log_in, logged_queries, post_form
from tests.consultations.factories import consultation_open, options, valid_answers
from tests.participation.test_shared_parts import rendered_alone, tokens


@pytest.mark.parametrize("anonymous", [True, False])
async def test_each_resident_gets_their_own_answers_in_the_shared_questionnaire(
    settings: Settings, app: Any, anonymous: bool
) -> None:
    consultation, questions = await consultation_open(anonymous=anonymous)
    page = f"/consultations/{consultation.id}/answer"
    browsers, contexts = {}, []
    for name in ("fresh", "full", "other"):
        user = await create_user(settings, f"{name}@example.org", display_name=name.title())
        context = browser_of(app)
        contexts.append(context)
        browser = browsers[name] = await context.__aenter__()
        await log_in(browser, user)
        await browser.get("/")  # their "logged in" message
    full = {
        **await valid_answers(questions),
        f"q{questions['short'].id}": '<b>"Ombre" & co</b>',
        f"q{questions['single'].id}": "0",  # « Other », written out
        f"q{questions['single'].id}-other": "Autre chose & « rien »",
    }
    assert (await post_form(browsers["full"], page, full, page)).status_code == 303
    no = await Option.get(question=questions["single"], label="Non")
    other = {
        **await valid_answers(questions),
        f"q{questions['single'].id}": str(no.id),  # « Non »: « why » is asked
        f"q{questions['multiple'].id}": [str((await options(questions["multiple"]))[2])],
        f"q{questions['why'].id}": "Parce que\nc'est loin",
    }
    assert (await post_form(browsers["other"], page, other, page)).status_code == 303
    for name in browsers:
        await browsers[name].get("/")  # their "thank you" message
    for first in browsers:  # who stores the part
        order = [first, *(n for n in browsers if n != first)]
        shared = {n: (await browsers[n].get(page)).text for n in order}
        assert app.state.shared_parts
        alone = await rendered_alone(app, {n: browsers[n] for n in order}, page)
        for n in order:
            assert shared[n] == alone[n], n
        await invalidate(app.state.redis)  # as every write: parts go
    assert 'value="&#34;Ombre&#34; &amp; co"' in shared["full"]  # as typed, tags left out
    assert "Ombre&#34;" not in shared["fresh"] + shared["other"]
    assert 'value="Autre chose &amp; « rien »"' in shared["full"]
    assert "Autre chose" not in shared["other"] + shared["fresh"]
    assert "c&#39;est loin" in shared["other"] and "loin" not in shared["full"]
    assert "Modifier mes réponses" in shared["full"]
    assert "Modifier mes réponses" not in shared["fresh"]
    form = shared["fresh"].split(f'action="{page}"')[1].split("</form>")[0]
    assert "checked" not in form and "selected" not in form  # nothing of the others'
    assert form.count("checked") < shared["full"].split(f'action="{page}"')[1].count("checked")
    assert len({frozenset(tokens(html)) for html in shared.values()}) == 3
    for context in contexts:
        await context.__aexit__(None, None, None)


async def test_a_resident_served_the_stored_questionnaire_reads_no_question(
    settings: Settings, app: Any
) -> None:
    consultation, _ = await consultation_open()
    page = f"/consultations/{consultation.id}/answer"
    browsers, contexts = [], []
    for name in ("first", "second"):
        context = browser_of(app)
        contexts.append(context)
        browser = await context.__aenter__()
        await log_in(browser, await create_user(settings, f"{name}@example.org"))
        await browser.get("/")
        browsers.append(browser)
    await browsers[0].get(page)
    with logged_queries() as statements:
        html = (await browsers[1].get(page)).text
    assert "Venez-vous au parc ?" in html
    for table in ("consultations_question", "consultations_option"):
        assert not [s for s in statements if f'FROM "{table}"' in s], statements
    # the session and their response (one statement for its token and the one before issue
    # #16): not the consultation either, nor the register (anyone signed in may answer)
    assert len(statements) <= 2, statements
    assert not [s for s in statements if 'FROM "budgets_residency"' in s], statements
    assert not [s for s in statements if 'FROM "consultations_consultation"' in s], statements
    for context in contexts:
        await context.__aexit__(None, None, None)


async def test_a_response_stored_before_sealed_answers_is_found_again(
    settings: Settings, app: Any
) -> None:
    """A response stored under the token of before issue #16 (keyed with SECRET_KEY) is still
    the person's: their questionnaire shows their answers, found in the same statement as a
    response under the current token would be."""
    from consultations.models import Response
    from consultations.services import legacy_token

    consultation, questions = await consultation_open(anonymous=False)
    page = f"/consultations/{consultation.id}/answer"
    user = await create_user(settings, "ancien@example.org")
    context = browser_of(app)
    browser = await context.__aenter__()
    await log_in(browser, user)
    answers = {**await valid_answers(questions), f"q{questions['short'].id}": "Des arbres"}
    assert (await post_form(browser, page, answers, page)).status_code == 303
    await browser.get("/")  # the "thank you" message
    old = legacy_token(settings, consultation.id, f"user:{user.id}")
    assert await Response.filter(consultation_id=consultation.id).update(token=old) == 1
    await invalidate(app.state.redis)
    html = (await browser.get(page)).text
    assert 'value="Des arbres"' in html and "Modifier mes réponses" in html
    await context.__aexit__(None, None, None)


@pytest.mark.parametrize("audience", [Audience.EVERYONE, Audience.SIGNED_IN, Audience.VERIFIED])
async def test_the_register_is_read_only_when_the_audience_asks_for_it(
    settings: Settings, app: Any, audience: Audience
) -> None:
    """What the register says of a person is read to answer a questionnaire only when its
    audience asks for verified residents (issue #23): for "everyone" and "anyone signed in",
    the questionnaire, asked and sent, reads nothing of it, and still refuses nobody signed in."""
    from participation.residents import services as residents
    from tests.budgets.factories import CENSUS, PERSON

    consultation, questions = await consultation_open(audience)
    page = f"/consultations/{consultation.id}/answer"
    person = await create_user(settings, "qui@example.org")
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_residency(settings, person, *PERSON.values())
    async with browser_of(app) as browser:
        await log_in(browser, person)
        await browser.get("/")
        await browser.get(page)  # the shared part stored
        with logged_queries() as asked:
            shown = await browser.get(page)
        fields = await valid_answers(questions)
        with logged_queries() as sent:
            answered = await post_form(browser, page, fields, page)
    assert shown.status_code == 200 and "Venez-vous au parc ?" in shown.text
    assert answered.status_code == 303
    reads = [s for s in asked + sent if 'FROM "budgets_residency"' in s]
    if audience == Audience.VERIFIED:
        assert reads  # the person's word from the register, for both
        assert len(asked) <= 3, asked
    else:
        assert not reads, reads
        assert len(asked) <= 2, asked


@pytest.mark.parametrize("anonymous", [True, False])
async def test_the_one_statement_finds_what_the_models_read(
    settings: Settings, app: Any, anonymous: bool
) -> None:
    """`current_answers` reads the person's response in one plain statement (issue #23): none
    before they answer; then what the models' row holds, opened (sealed or not); under the
    token of before issue #16 as well; and their current response rather than an older row."""
    import json
    import uuid

    from tortoise import timezone

    from consultations import services
    from consultations.models import Response
    from tests.consultations.factories import opened

    consultation, questions = await consultation_open(anonymous=anonymous)
    person = await create_user(settings, "une@example.org")
    who = services.who_of(person, None)
    assert await services.current_answers(settings, consultation.id, who) is None
    assert await services.current_answers(settings, consultation.id, None) is None
    fields = {**await valid_answers(questions), f"q{questions['short'].id}": "Des <b>bancs</b>"}
    items = [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    await services.submit_response(settings, consultation.id, person, None, items)
    row = await Response.get(consultation_id=consultation.id)
    read = await services.current_answers(settings, consultation.id, who)
    assert read == opened(settings, row) and read
    old = services.legacy_token(settings, consultation.id, who)
    await Response.filter(id=row.id).update(token=old)
    assert await services.current_answers(settings, consultation.id, who) == read
    current = services.response_token(settings, consultation.id, who)
    newer = {str(questions["number"].id): 7}
    await Response.create(
        id=uuid.uuid4(),
        consultation_id=consultation.id,
        token=current,
        answers=json.dumps(newer),
        submitted_on=timezone.now().date(),
    )
    assert await services.current_answers(settings, consultation.id, who) == newer
