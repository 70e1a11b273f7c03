"""Rate limits live in Redis: they answer 429 with a clear message and hold across several
app instances (web processes) that share Redis. They are sliding windows decided by one Lua
script, on the clock of the app: the tests freeze it (`app.state.clock`), so a slow machine
never crosses a minute in the middle of a burst."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from participation.accounts.models import User
from participation.app import create_app
from participation.comments.models import Comment
from participation.proposals.models import Proposal
from participation.ratelimit import Limit, attempt
from participation.settings import Settings
from tests.conftest import field_error, log_in, post_form
from tests.moderation.helpers import browser, configure
from tests.participation.proposal_factories import at_proposal, good_form
from tests.services import answers

REAL_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# a minute boundary, where the fixed windows of old restarted their counts
BOUNDARY = 1_800_000_000.0


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(app: Any) -> FakeClock:
    """Every app of these tests reads this clock; it moves only when a test moves it."""
    app.state.clock = FakeClock(BOUNDARY + 30)
    return app.state.clock  # type: ignore[no-any-return]


@pytest.fixture(params=["embedded", "real"])
async def any_redis(request: pytest.FixtureRequest) -> AsyncIterator[Redis]:
    if request.param == "embedded":
        url = str(request.getfixturevalue("embedded_redis").url)
    elif answers(REAL_REDIS_URL, 6379):
        url = REAL_REDIS_URL
    else:
        pytest.skip(f"no Redis server answers at {REAL_REDIS_URL}")
    redis = Redis.from_url(url)
    await redis.delete("ratelimit:test:user:7", "ratelimit:test:ip:1.2.3.4")
    try:
        yield redis
    finally:
        await redis.delete("ratelimit:test:user:7", "ratelimit:test:ip:1.2.3.4")
        await redis.aclose()


PER_USER = (Limit("test", "user", 3, 60), "ratelimit:test:user:7")
PER_IP = (Limit("test", "ip", 5, 60), "ratelimit:test:ip:1.2.3.4")


async def test_a_burst_straddling_a_minute_boundary_is_limited(any_redis: Redis) -> None:
    """Fixed windows accepted 3 attempts before xx:00 and 3 more after; a sliding window
    accepts 3 in any 60 seconds, and says how long until the oldest leaves it."""
    before, after = BOUNDARY - 1, BOUNDARY + 1
    assert [await attempt(any_redis, [PER_USER], before) for _ in range(2)] == [0, 0]
    assert await attempt(any_redis, [PER_USER], after) == 0
    assert await attempt(any_redis, [PER_USER], after) == 58  # the first leaves at BOUNDARY+59
    assert await attempt(any_redis, [PER_USER], BOUNDARY + 58.5) == 1  # at least 1 second
    # a refused attempt was not recorded: once the two first are out, there is room for two
    assert await attempt(any_redis, [PER_USER], BOUNDARY + 59) == 0
    assert await attempt(any_redis, [PER_USER], BOUNDARY + 59) == 0
    assert await attempt(any_redis, [PER_USER], BOUNDARY + 59) == 2  # until after+60


async def test_one_attempt_is_decided_for_every_limit_at_once(any_redis: Redis) -> None:
    for _ in range(3):
        assert await attempt(any_redis, [PER_USER, PER_IP], BOUNDARY) == 0
    # the person's limit is full: the attempt is refused and the IP's count is not touched
    assert await attempt(any_redis, [PER_USER, PER_IP], BOUNDARY + 10) == 50
    assert await any_redis.zcard(PER_IP[1]) == 3
    # peeking records nothing
    assert await attempt(any_redis, [PER_IP], BOUNDARY + 10, record=False) == 0
    assert await any_redis.zcard(PER_IP[1]) == 3
    # a Redis that lost its scripts (restarted) loads the script again
    await any_redis.script_flush()
    assert await attempt(any_redis, [PER_IP], BOUNDARY + 10) == 0
    assert await any_redis.zcard(PER_IP[1]) == 4


async def test_five_failed_log_ins_per_email_across_two_app_instances(
    app: Any, redis_url: str, citizen: User, clock: FakeClock
) -> None:
    second = create_app(app.state.settings)  # another web process: its own Redis client
    second.state.redis = Redis.from_url(redis_url)
    second.state.clock = clock
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
        assert response.headers["retry-after"] == "60"  # the clock did not move
        # even the right password waits: the limit is per e-mail address
        async with browser(second) as c:
            data = {"email": citizen.email.upper(), "password": "Une-phrase-de-passe-solide"}
            assert (await post_form(c, "/account/login", data)).status_code == 429
    finally:
        await second.state.redis.aclose()


async def test_successful_log_ins_do_not_count_toward_the_failed_log_in_limit(
    app: Any, citizen: User
) -> None:
    for _ in range(8):  # a person who logs in and out on several devices
        async with browser(app) as c:
            await log_in(c, citizen)
    async with browser(app) as c:  # then mistypes the password: told so, not locked out
        data = {"email": citizen.email, "password": "mauvais mot de passe"}
        assert (await post_form(c, "/account/login", data)).status_code == 401


async def test_after_five_failed_log_ins_even_the_right_password_waits(
    app: Any, citizen: User, moderator: User, clock: FakeClock
) -> None:
    async with browser(app) as c:
        data = {"email": citizen.email, "password": "mauvais mot de passe"}
        for _ in range(5):
            assert (await post_form(c, "/account/login", data)).status_code == 401
    async with browser(app) as c:
        data = {"email": citizen.email, "password": "Une-phrase-de-passe-solide"}
        response = await post_form(c, "/account/login", data)
        assert response.status_code == 429 and "Attendez" in response.text
        assert response.headers["retry-after"] == "60"
        assert (await c.get("/account")).status_code != 200  # not logged in
        # in English too
        await post_form(c, "/language", {"language": "en", "next": "/"})
        response = await post_form(c, "/account/login", data)
        assert response.status_code == 429 and "Wait" in response.text
    async with browser(app) as c:  # another address from the same IP is not affected
        await log_in(c, moderator)
    clock.now += 60  # a minute after the first failure
    async with browser(app) as c:
        await log_in(c, citizen)


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
    proposal, page = await at_proposal(client, citizen)
    statuses = []
    for i in range(11):
        data = {"body": f"Commentaire numéro {i} sur ce sujet", "stance": "neutral"}
        statuses.append((await post_form(client, f"{page}/comments", data, page=page)).status_code)
    assert statuses == [303] * 10 + [429]
    assert await Comment.all().count() == 10


async def test_comments_straddling_a_minute_boundary_are_limited(
    client: httpx.AsyncClient, citizen: User, clock: FakeClock
) -> None:
    """The flake this replaced: fixed windows let 10 comments before xx:00 and 10 after."""
    proposal, page = await at_proposal(client, citizen)

    async def comment(i: int) -> httpx.Response:
        data = {"body": f"Commentaire numéro {i} sur ce sujet", "stance": "neutral"}
        return await post_form(client, f"{page}/comments", data, page=page)

    clock.now = BOUNDARY - 1
    assert [(await comment(i)).status_code for i in range(5)] == [303] * 5
    clock.now = BOUNDARY + 1
    assert [(await comment(i)).status_code for i in range(5, 10)] == [303] * 5
    refused = await comment(10)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "58"
    assert "Attendez" in refused.text
    clock.now = BOUNDARY + 59  # the 5 first are a minute old: room for 5 more
    assert [(await comment(i)).status_code for i in range(10, 16)] == [303] * 5 + [429]
    assert await Comment.all().count() == 15


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
    proposal, page = await at_proposal(client, citizen)
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


async def test_a_proposal_refused_for_a_field_shows_the_duplicate_at_once_and_costs_no_attempt(
    client: httpx.AsyncClient, citizen: User
) -> None:
    """The proposal form checks the description's anti-abuse rules with its fields: a 422
    names the short title and the text already posted in one sending (issue #20). The rate
    limit stays after every check: it counts a proposal that would be saved (10 an hour per
    person), not a form sent back."""
    await log_in(client, citizen)
    form = await good_form()
    assert (await post_form(client, "/proposals/new", form)).status_code == 303
    both = await post_form(client, "/proposals/new", {**form, "title": "Court"})
    assert both.status_code == 422
    assert field_error(both.text, "title")
    assert "Vous avez déjà publié ce texte" in field_error(both.text, "body")
    resent = [
        (await post_form(client, "/proposals/new", {**form, "title": "Court"})).status_code
        for _ in range(11)
    ]
    assert resent == [422] * 11  # not one of them counted
    for n in range(9):  # 9 more proposals: 10 in the hour
        body = f"Une proposition numéro {n} pour le quartier, avec de quoi la comprendre."
        sent = await post_form(client, "/proposals/new", {**form, "body": body})
        assert sent.status_code == 303, n
    last = {**form, "body": "Une onzième proposition dans l'heure, de trop pour la limite."}
    assert (await post_form(client, "/proposals/new", last)).status_code == 429
    assert await Proposal.filter(author_id=citizen.id).count() == 10
