"""Public pages kept in memory for visitors (participation/pagecache.py): nobody gets another
person's token, name or message, every write shows at once, languages and htmx fragments stay
apart."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from starlette.routing import Mount

from participation import pagecache
from participation.accounts.models import User
from participation.proposals.models import Proposal
from participation.worker import heartbeat, worker_job
from tests.conftest import CSRF_FIELD, count_queries, log_in, logged_queries, post_form
from tests.participation.proposal_factories import good_form, make_proposal

TITLE = "Des arceaux à vélo devant"  # the factory's title, up to its apostrophe
# A stored copy expires after PAGE_CACHE_SECONDS (10 s by default) of the monotonic clock: on a
# loaded machine two requests of one test could be 10 s apart, and a test that expects the
# copy would find it expired. Here copies expire only when a test says so (`expires=0.0`).
pytestmark = pytest.mark.settings(PAGE_CACHE_SECONDS="86400")


def visitor(app: Any, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    )


def token_in(page: httpx.Response) -> str:
    tokens = set(CSRF_FIELD.findall(page.text)) | set(
        re.findall(r'"X-CSRF-Token": "([^"]+)"', page.text)
    )
    assert len(tokens) == 1, tokens
    return tokens.pop()


async def test_visitors_share_a_rendering_but_each_gets_their_own_csrf_token(
    app: Any, citizen: User
) -> None:
    proposal = await make_proposal(citizen)
    for url in ("/", "/proposals", f"/proposals/{proposal.id}"):
        async with visitor(app) as first, visitor(app) as second:
            first_page = await first.get(url)
            queries, second_page = await count_queries(second, url)
            assert first_page.status_code == second_page.status_code == 200
            assert queries == 0, f"{url} was rendered again for the second visitor"
            first_token, second_token = token_in(first_page), token_in(second_page)
            assert first_token != second_token
            assert first_token not in second_page.text
            # each token is the one of its visitor's session: forms keep working
            switch = {"language": "en", "next": "/"}
            stolen = await second.post("/language", data={**switch, "csrf_token": first_token})
            assert stolen.status_code == 403
            own = await second.post("/language", data={**switch, "csrf_token": second_token})
            assert own.status_code == 303
    assert TITLE in second_page.text


async def test_signed_in_people_never_get_nor_leave_a_visitor_page(
    app: Any, client: httpx.AsyncClient, citizen: User
) -> None:
    async with visitor(app) as anonymous:
        assert "/account/login" in (await anonymous.get("/")).text
        await log_in(client, citizen)
        signed_in = await client.get("/")
        assert citizen.display_name in signed_in.text and 'href="/account/login"' not in (
            signed_in.text
        )
        again = await anonymous.get("/")
        assert citizen.display_name not in again.text and "/account/login" in again.text


async def test_a_flash_message_reaches_only_its_visitor(
    app: Any, client: httpx.AsyncClient, citizen: User
) -> None:
    async with visitor(app) as other:
        await other.get("/")  # the home page is now stored
        await log_in(client, citizen)
        response = await post_form(client, "/account/logout", {})
        assert response.status_code == 303
        home = await client.get(response.headers["location"])
        assert "Déconnexion effectuée." in home.text
        assert "Déconnexion effectuée." not in (await other.get("/")).text
        assert "Déconnexion effectuée." not in (await client.get("/")).text  # shown once


async def test_a_change_made_on_the_site_shows_at_once_to_visitors(
    app: Any, client: httpx.AsyncClient, citizen: User
) -> None:
    proposal = await make_proposal(citizen)
    page = f"/proposals/{proposal.id}"
    async with visitor(app) as anonymous:
        assert TITLE in (await anonymous.get(page)).text
        assert TITLE in (await anonymous.get("/proposals")).text
        await log_in(client, citizen)
        form = {**await good_form(), "title": "Des arceaux et un abri à vélos"}
        response = await post_form(client, f"{page}/edit", form, page=f"{page}/edit")
        assert response.status_code == 303
        assert "Des arceaux et un abri à vélos" in (await anonymous.get(page)).text
        assert "Des arceaux et un abri à vélos" in (await anonymous.get("/proposals")).text


async def rename_proposal(ctx: dict[str, Any], proposal_id: int) -> None:
    """A job that declares nothing: taken to change what visitors see."""
    await Proposal.filter(id=proposal_id).update(title="Un titre changé par une tâche")


async def test_a_change_made_by_the_worker_shows_at_once_to_visitors(
    app: Any, citizen: User, redis_url: str
) -> None:
    proposal = await make_proposal(citizen)
    async with visitor(app) as anonymous:
        assert TITLE in (await anonymous.get("/proposals")).text
        redis = Redis.from_url(redis_url)
        try:  # as the worker runs every job
            await worker_job(rename_proposal)({"redis": redis}, proposal.id)
        finally:
            await redis.aclose()
        assert "Un titre changé par une tâche" in (await anonymous.get("/proposals")).text


async def generation(redis_url: str) -> bytes | None:
    redis = Redis.from_url(redis_url)
    try:
        return await redis.get(pagecache.GENERATION_KEY)  # type: ignore[no-any-return]
    finally:
        await redis.aclose()


async def test_what_writes_nothing_visitors_see_keeps_the_stored_pages(
    app: Any, client: httpx.AsyncClient, citizen: User, redis_url: str
) -> None:
    """Refused requests (4xx), logging in and out, heartbeats and schedules that switched
    nothing leave the stored pages; the site stays fast for visitors on a busy evening."""
    from budgets.jobs import apply_phase_schedule

    await make_proposal(citizen)
    async with visitor(app) as anonymous:
        await anonymous.get("/proposals")
    before = await generation(redis_url)
    wrong = await post_form(
        client,
        "/account/login",
        {"email": citizen.email, "password": "pas le bon mot de passe"},
        page="/account/login",
    )
    assert wrong.status_code >= 400
    await log_in(client, citizen)
    empty = await post_form(client, "/proposals/new", {"title": ""}, page="/proposals/new")
    assert empty.status_code == 422  # refused: nothing written
    redis = Redis.from_url(redis_url)
    try:
        ctx = {"redis": redis}
        await worker_job(heartbeat)(ctx)
        assert await worker_job(apply_phase_schedule)(ctx) == []  # nothing due
        assert await generation(redis_url) == before
        sent = await post_form(client, "/proposals/new", await good_form(), page="/proposals/new")
        assert sent.status_code == 303
        assert await generation(redis_url) != before  # a write visitors may see
    finally:
        await redis.aclose()


async def test_a_write_seen_by_nobody_else_keeps_the_stored_pages_a_public_one_empties_them(
    app: Any, client: httpx.AsyncClient, citizen: User, redis_url: str
) -> None:
    """Routes declare the writes nobody else sees (`changes_pages=False`: an account's own
    settings): their successful POSTs leave the stored pages, so a visitor is still served
    the stored copy; a route that declares nothing (a new proposal) empties them."""
    proposal = await make_proposal(citizen)
    await log_in(client, citizen)
    async with visitor(app) as anonymous:
        first = await anonymous.get("/proposals")
        before = await generation(redis_url)
        saved = await post_form(
            client, "/account/notifications", {"kind-comment": "never"}, page="/account"
        )
        assert saved.status_code == 303  # written: the person's own preference
        assert await generation(redis_url) == before
        kept = await anonymous.get("/proposals", headers={"if-none-match": first.headers["etag"]})
        assert kept.status_code == 304  # the same stored rendering

        await Proposal.filter(id=proposal.id).update(title="Changé derrière le site")
        sent = await post_form(client, "/proposals/new", await good_form(), page="/proposals/new")
        assert sent.status_code == 303
        assert await generation(redis_url) != before
        assert "Changé derrière le site" in (await anonymous.get("/proposals")).text


def test_the_routes_that_write_no_page_are_declared_on_the_routes() -> None:
    """No list of paths to keep in step with the routes: the declaration sits on each one."""
    from participation.app import all_routes

    def flat(routes: list[Any]) -> list[Any]:
        return [r for x in routes for r in (flat(x.routes) if isinstance(x, Mount) else [x])]

    quiet = {
        route.name
        for route in flat(all_routes())
        if getattr(route, "changes_visitor_pages", True) is False
    }
    assert {
        "pages:language",
        "accounts:login",
        "accounts:logout",
        "accounts:password",
        "accounts:notifications",
        "budgets:ballot",
        "residents:code",
        "signalements:admin_note",
    } <= quiet
    assert not {"proposals:new", "comments:post", "accounts:name", "accounts:delete"} & quiet
    assert not hasattr(pagecache, "WRITES_THAT_CHANGE_NO_PAGE")


async def test_a_returning_visitor_revalidates_with_the_etag(app: Any, citizen: User) -> None:
    await make_proposal(citizen)
    async with visitor(app) as anonymous, visitor(app) as other:
        first = await anonymous.get("/proposals")
        etag = first.headers["etag"]
        assert "private" in first.headers["cache-control"]
        unchanged = await anonymous.get("/proposals", headers={"if-none-match": etag})
        assert unchanged.status_code == 304 and unchanged.content == b""
        # the ETag carries the visitor's token: another visitor cannot reuse it
        theirs = await other.get("/proposals", headers={"if-none-match": etag})
        assert theirs.status_code == 200 and TITLE in theirs.text


async def test_languages_and_htmx_fragments_are_stored_apart(app: Any, citizen: User) -> None:
    await make_proposal(citizen)
    async with (
        visitor(app, **{"accept-language": "en"}) as english,
        visitor(app, **{"accept-language": "fr"}) as french,
    ):
        for _ in range(2):
            assert "<h1>Proposals</h1>" in (await english.get("/proposals")).text
            assert "<h1>Propositions</h1>" in (await french.get("/proposals")).text
            fragment = await french.get("/proposals", headers={"hx-request": "true"})
            assert "<html" not in fragment.text and TITLE in fragment.text
            assert "<html" in (await french.get("/proposals")).text


async def test_a_forged_query_or_host_is_not_served_to_others(app: Any, citizen: User) -> None:
    await make_proposal(citizen)
    async with visitor(app) as attacker, visitor(app) as anonymous:
        await attacker.get("/proposals?sort=supported&q=<script>alert(1)</script>")
        await attacker.get("/proposals", headers={"host": "evil.example"})
        page = (await anonymous.get("/proposals")).text
        assert "<script>alert" not in page and "evil.example" not in page
        assert TITLE in page


async def test_visitors_arriving_together_after_a_change_wait_for_one_rendering(
    app: Any, citizen: User, redis_url: str
) -> None:
    await make_proposal(citizen)
    async with visitor(app) as first:
        # the settings' version, read from the database once per Redis (sitesettings/live.py)
        await first.get("/aide")
        one_rendering, _ = await count_queries(first, "/proposals")
    redis = Redis.from_url(redis_url)
    try:
        await pagecache.invalidate(redis)  # a write: the stored page is now out of date
    finally:
        await redis.aclose()
    visitors = [visitor(app) for _ in range(10)]
    try:
        with logged_queries() as queries:
            pages = await asyncio.gather(*(v.get("/proposals") for v in visitors))
    finally:
        for v in visitors:
            await v.aclose()
    assert all(page.status_code == 200 and TITLE in page.text for page in pages)
    assert len(queries) == one_rendering, (len(queries), one_rendering)


async def test_a_change_made_behind_the_site_shows_once_the_copy_is_too_old(
    app: Any, citizen: User
) -> None:
    """A script writing to the database does not empty the caches: PAGE_CACHE_SECONDS bounds it."""
    proposal = await make_proposal(citizen)
    async with visitor(app) as anonymous:
        assert TITLE in (await anonymous.get("/proposals")).text
        await Proposal.filter(id=proposal.id).update(title="Un titre changé par un script")
        assert TITLE in (await anonymous.get("/proposals")).text  # the stored copy
        store = app.state.page_cache
        for key, entry in store.items():  # as if PAGE_CACHE_SECONDS had passed
            store[key] = dataclasses.replace(entry, expires=0.0)
        assert "Un titre changé par un script" in (await anonymous.get("/proposals")).text


async def test_each_answer_says_once_how_it_was_served(
    app: Any, client: httpx.AsyncClient, citizen: User
) -> None:
    """X-Page-Cache: the first visitor's page is rendered (miss, said once: never "hit" with
    it), the next ones are served the stored copy (hit, a 304 too), a signed-in person's is
    rendered for them (bypass); the error page of a page that raised (a 404) says nothing."""
    await app.state.redis.incr(pagecache.GENERATION_KEY)  # an earlier test's copy is not fresh
    async with visitor(app) as first, visitor(app) as second:
        rendered = await first.get("/proposals")
        assert rendered.headers.get_list("x-page-cache") == ["miss"]
        stored = await second.get("/proposals")
        assert stored.headers.get_list("x-page-cache") == ["hit"]
        etag = stored.headers["etag"]
        again = await second.get("/proposals", headers={"if-none-match": etag})
        assert again.status_code == 304 and again.headers.get_list("x-page-cache") == ["hit"]
        missing = await first.get("/proposals/999999")
        assert missing.status_code == 404 and "x-page-cache" not in missing.headers
    await log_in(client, citizen)
    signed_in = await client.get("/proposals")
    assert signed_in.headers.get_list("x-page-cache") == ["bypass"]
