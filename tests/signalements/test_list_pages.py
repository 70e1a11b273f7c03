"""The public list by keyset pages (issue #24): `?after=` / `?before=` an opaque cursor, the
old `?page=N` links, forged cursors; the statements each public page and the staff queue run
(the same with one report as with sixty: no N+1)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

from participation.accounts.models import User
from participation.contributions import ModerationState
from signalements import queries
from signalements.domain import State
from signalements.queries import Key, decode_cursor, encode_cursor
from tests.conftest import count_queries, logged_in
from tests.signalements.factories import open_report, pothole_category

STATEMENTS = 6  # a public page or the staff queue, at most


@pytest.mark.parametrize(
    "key",
    [
        Key(datetime(2026, 12, 6, 10, 38, 1, 123456, tzinfo=UTC), 1),
        Key(datetime(1970, 1, 1, tzinfo=UTC), 2**62),
        Key(datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), 7),
    ],
)
def test_a_cursor_gives_back_its_key(key: Key) -> None:
    cursor = encode_cursor(key)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)  # nothing to escape in a link
    assert decode_cursor(cursor) == key


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "abc",  # not base64 of a key
        "!!!!",
        "MTIz",  # "123": no id
        "MTIzLg",  # "123."
        "LjQ",  # ".4"
        "eC40",  # "x.4"
        "MTIzLi00",  # "123.-4"
        "MTIzLjA",  # "123.0": no report 0
        "OTk5OTk5OTk5OTk5OTk5OTk5OS40",  # 9999999999999999999.4: beyond any date
        "MS4xMDAwMDAwMDAwMDAwMDAwMDAwMDAw",  # an id beyond any
        "w6kuNA",  # non-ASCII
        "A" * 200,
    ],
)
def test_a_forged_cursor_is_no_key(forged: str) -> None:
    assert decode_cursor(forged) is None


def _listed(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<h3><a href="/signalements/(\d+)"', page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', page)
    return found[1].replace("&amp;", "&") if found else None


async def test_walking_the_pages_shows_each_public_report_once(
    client: httpx.AsyncClient, app: Any
) -> None:
    road = await pothole_category()
    start = timezone.now() - timedelta(days=3)
    public = []
    for i in range(64):  # ties on created_at, by fours: the id decides
        moment = start + timedelta(minutes=i // 4)
        public.append((await open_report(road, created_at=moment)).id)
    private = await open_report(road, created_at=start, private=True, address="Impasse secrète")
    public.append(private.id)
    hidden = [
        await open_report(road, moderation_state=ModerationState.PENDING, created_at=start),
        await open_report(road, moderation_state=ModerationState.HIDDEN, created_at=start),
        await open_report(road, state=State.MERGED, created_at=start),
    ]
    seen: list[int] = []
    pages = []
    link: str | None = "/signalements"
    while link:
        page = await client.get(link)
        assert page.status_code == 200
        pages.append(page.text)
        seen += _listed(page.text)
        link = _link(page.text, "next")
    assert sorted(seen) == sorted(public) and len(seen) == len(set(seen)) == 65
    assert len(pages) == 3 and _link(pages[0], "prev") is None
    for r in hidden:
        assert all(f'/signalements/{r.id}"' not in p for p in pages)
    assert all("Impasse secrète" not in p for p in pages)
    # and back: "page précédente" gives the same pages, the first one without a cursor
    back = _link(pages[2], "prev")
    assert back and "before=" in back
    middle = await client.get(back)
    assert _listed(middle.text) == _listed(pages[1])
    top = await client.get(_link(middle.text, "prev") or "")
    assert _listed(top.text) == _listed(pages[0]) and _link(top.text, "prev") is None
    assert _link(top.text, "next") == _link(pages[0], "next")


async def test_old_page_links_and_forged_cursors(client: httpx.AsyncClient, app: Any) -> None:
    road = await pothole_category()
    light = await pothole_category(name="Éclairage", icon="light", service="Éclairage")
    made = [(await open_report(road)).id for _ in range(31)]
    first = _listed((await client.get("/signalements")).text)
    second = await client.get("/signalements?page=2")  # a link of before: still the 2nd page
    assert _listed(second.text) == [made[0]] and _link(second.text, "prev")
    deep = await client.get(f"/signalements?page=400&category={light.id}")
    assert deep.status_code == 302
    assert deep.headers["location"] == f"/signalements?category={light.id}"
    for forged in ("abc", "MTIzLjA", "<script>", "A" * 500, "w6kuNA"):
        for name in ("after", "before"):
            page = await client.get("/signalements", params={name: forged})
            assert page.status_code == 200, (name, forged)
            assert _listed(page.text) == first and "<script>" not in page.text
    # a well-made cursor pointing nowhere: an empty page, a way back to the first
    nowhere = encode_cursor(Key(datetime(2000, 1, 1, tzinfo=UTC), 1))
    empty = await client.get("/signalements", params={"after": nowhere})
    assert empty.status_code == 200 and _listed(empty.text) == []
    assert _link(empty.text, "prev") == "/signalements?category=&state=&district="


async def test_statements_per_page_do_not_grow_with_the_reports(
    client: httpx.AsyncClient, app: Any, admin: User
) -> None:
    road = await pothole_category()
    first = await open_report(road)
    pages = ["/signalements", "/signalements/map", f"/signalements/{first.id}"]
    counts = {}
    await client.get("/signalements")  # the site's settings, read once per process
    for volume in (1, 60):
        for _ in range(volume - 1):
            await open_report(road, state=State.TAKEN)
        after = encode_cursor(Key(timezone.now() + timedelta(days=1), 1))
        for path in [*pages, f"/signalements?after={after}"]:
            n, response = await count_queries(client, path)
            assert response.status_code == 200, path
            counts[path, volume] = n
            assert n <= STATEMENTS, (path, volume, n)
    for path in pages:
        assert counts[path, 1] == counts[path, 60], path
    async with logged_in(app, admin) as staff:
        for path in ("/admin/signalements", "/admin/signalements?service=Voirie&overdue=on"):
            n, response = await count_queries(staff, path)
            # a signed-in page: at most 8 (issue #23), the open states read one by one
            assert response.status_code == 200 and n <= 8, (path, n)
    assert queries.PAGE_SIZE == 30
