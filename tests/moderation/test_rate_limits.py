"""Rate limits live in Redis: they answer 429 with a clear message and hold across several
app instances (web processes) that share Redis."""

from __future__ import annotations

from typing import Any

import httpx
from redis.asyncio import Redis

from participation.accounts.models import User
from participation.app import create_app
from participation.comments.models import Comment
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.conftest import log_in, post_form
from tests.moderation.helpers import browser, configure
from tests.participation.proposal_factories import good_form, make_proposal


async def test_five_failed_log_ins_per_email_across_two_app_instances(
    app: Any, redis_url: str, citizen: User
) -> None:
    second = create_app(app.state.settings)  # another web process: its own Redis client
    second.state.redis = Redis.from_url(redis_url)
    try:
        statuses = []
        for attempt in range(6):
            target = app if attempt % 2 == 0 else second
            async with browser(target) as c:
                data = {"email": citizen.email, "password": "mauvais mot de passe"}
                response = await post_form(c, "/account/login", data)
                statuses.append(response.status_code)
        assert statuses == [401] * 5 + [429]
        assert "trop de fois" in response.text and "Attendez" in response.text
        assert 1 <= int(response.headers["retry-after"]) <= 60
        # even the right password waits: the limit is per e-mail address
        async with browser(second) as c:
            data = {"email": citizen.email.upper(), "password": "Une-phrase-de-passe-solide"}
            assert (await post_form(c, "/account/login", data)).status_code == 429
    finally:
        await second.state.redis.aclose()


async def test_every_log_in_attempt_counts_per_email_successful_or_not(
    app: Any, citizen: User, moderator: User
) -> None:
    for _ in range(5):
        async with browser(app) as c:
            await log_in(c, citizen)
    async with browser(app) as c:
        data = {"email": citizen.email, "password": "Une-phrase-de-passe-solide"}
        response = await post_form(c, "/account/login", data)
        assert response.status_code == 429 and "Attendez" in response.text
        assert (await c.get("/account")).status_code != 200  # not logged in
        # in English too
        await post_form(c, "/language", {"language": "en", "next": "/"})
        response = await post_form(c, "/account/login", data)
        assert response.status_code == 429 and "Wait" in response.text
    async with browser(app) as c:  # another address from the same IP is not affected
        await log_in(c, moderator)


async def test_failed_log_ins_are_limited_per_ip(app: Any) -> None:
    async with browser(app) as c:
        for i in range(30):
            data = {"email": f"inconnu{i}@example.fr", "password": "mauvais"}
            assert (await post_form(c, "/account/login", data)).status_code == 401
        data = {"email": "encore@example.fr", "password": "mauvais"}
        assert (await post_form(c, "/account/login", data)).status_code == 429


async def test_password_reset_requests_are_limited_per_email(
    client: httpx.AsyncClient, citizen: User
) -> None:
    statuses = [
        (await post_form(client, "/account/reset", {"email": citizen.email})).status_code
        for _ in range(6)
    ]
    assert statuses == [303] * 5 + [429]


async def test_comments_are_limited_per_person(client: httpx.AsyncClient, citizen: User) -> None:
    proposal = await make_proposal(citizen)
    page = f"/proposals/{proposal.id}"
    await log_in(client, citizen)
    statuses = []
    for i in range(11):
        data = {"body": f"Commentaire numéro {i} sur ce sujet", "stance": "neutral"}
        statuses.append((await post_form(client, f"{page}/comments", data, page=page)).status_code)
    assert statuses == [303] * 10 + [429]
    assert await Comment.all().count() == 10


async def test_limits_can_be_turned_off(
    app: Any, tmp_path: Any, redis_url: str, citizen: User
) -> None:
    configure(app, tmp_path, redis_url, RATE_LIMITS="off")
    for _ in range(7):
        async with browser(app) as c:
            data = {"email": citizen.email, "password": "mauvais"}
            assert (await post_form(c, "/account/login", data)).status_code == 401


async def test_duplicate_comments_and_links_from_new_accounts_are_refused(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    proposal = await make_proposal(citizen)
    page = f"/proposals/{proposal.id}"
    await log_in(client, citizen)
    data = {"body": "Exactement le même texte", "stance": "for"}
    await post_form(client, f"{page}/comments", data, page=page)
    await post_form(client, f"{page}/comments", {**data, "body": "exactement  le même TEXTE !"})
    assert await Comment.all().count() == 1
    links = {"body": "Voir https://a.example et https://b.example", "stance": "for"}
    await post_form(client, f"{page}/comments", links, page=page)
    assert await Comment.all().count() == 1  # a new account: one link at most
    form = await good_form()
    assert (await post_form(client, "/proposals/new", form)).status_code == 303
    response = await post_form(client, "/proposals/new", {**form, "title": "Un autre titre"})
    assert response.status_code == 422
    assert "Vous avez déjà publié ce texte" in response.text
    assert await Proposal.filter(author_id=citizen.id).count() == 2  # with make_proposal's
