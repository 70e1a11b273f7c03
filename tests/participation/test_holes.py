"""Holes filled in one pass (participation/holes.py, participation/sharedparts.py, issue #23):
what a request puts in a shared part is what the old one-call-per-hole fill put, escaped once,
and the head's needs kept with a part are those its filled HTML is read for."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape
from starlette.requests import Request

from participation import assets, holes, pagecache, sharedparts
from participation.holes import hole

STAFF = next(iter(assets.staff_classes()))  # a class only the staff stylesheet defines


def _old_fill(pieces: tuple[Any, ...], filler: Any) -> str:
    """The fill of the tenth round (one call per hole, skipping replaced ranges): the
    reference the one-pass fill must agree with."""
    out: list[str] = []
    skipping = False
    for piece in pieces:
        if isinstance(piece, str):
            if not skipping:
                out.append(piece)
        elif piece[0] == "]":
            skipping = False
        elif not skipping:
            value = filler(piece)
            if piece[0].startswith("["):
                if value is not None:
                    out.append(value)
                    skipping = True
            elif value is None:
                raise ValueError(f"a hole nobody fills: {piece}")
            else:
                out.append(value)
    return "".join(out)


THREAD = "".join(
    f'<li id="c{c}"><input type="hidden" value="{hole("csrf")}">'
    f'<button aria-pressed="{hole("vote", c, 1)}">+</button>'
    f'<button aria-pressed="{hole("vote", c, -1)}">-</button>'
    f'{hole("[mine", c)}<a href="/report/{c}">Report</a>{hole("csrf")}{hole("]")}</li>'
    for c in range(1, 6)
)


def test_a_part_is_filled_by_kind_and_by_name_as_one_call_per_hole_filled_it() -> None:
    cut = holes.split(THREAD)
    votes, mine = {2: 1, 4: -1}, {3: "<b>mine</b>"}

    def filler(names: tuple[str, ...]) -> str | None:
        if names[0] == "csrf":
            return "TOKEN"
        if names[0] == "vote":
            return "true" if votes.get(int(names[1])) == int(names[2]) else "false"
        return mine.get(int(names[1])) if names[0] == "[mine" else None

    expected = _old_fill(cut.pieces, filler)
    named: dict[tuple[str, ...], str] = {
        ("vote", str(c), str(way)): "true" for c, way in votes.items()
    }
    named.update({("[mine", str(c)): html for c, html in mine.items()})
    named["vote", "99", "1"] = "true"  # a comment the part does not show: ignored
    assert holes.fill(cut, {"csrf": "TOKEN", "vote": "false"}, named) == expected
    assert 'id="c2"><input type="hidden" value="TOKEN"><button aria-pressed="true">' in expected
    assert '<b>mine</b></li><li id="c4">' in expected and "/report/3" not in expected
    # a range given "" by kind is left out, one given None by name kept as rendered
    kept = holes.fill(cut, {"csrf": "T", "vote": "false", "[mine": ""}, {("[mine", "5"): None})
    assert kept.count("Report") == 1 and "/report/5" in kept


def test_a_hole_with_no_value_is_an_error_and_ranges_do_not_nest() -> None:
    cut = holes.split(THREAD)
    with pytest.raises(ValueError, match="a hole nobody fills"):
        holes.fill(cut, {"csrf": "T"})
    with pytest.raises(ValueError, match="a hole nobody fills"):
        holes.fill(cut, {"csrf": "T", "vote": None})
    # a hole inside a replaced range needs no value: what it was in is gone
    assert holes.fill(holes.split(f"a{hole('[x')}{hole('y')}{hole(']')}b"), {"[x": "-"}) == "a-b"
    with pytest.raises(ValueError, match="do not nest"):
        holes.split(f"{hole('[a')}{hole('[b')}{hole(']')}{hole(']')}")
    with pytest.raises(ValueError):
        holes.split(f"{hole('[a')}x")


def test_a_value_full_of_html_specials_is_put_as_escaped_once() -> None:
    """Values are text escaped by the caller (as `{{ }}` would): the fill adds no escaping nor
    removes any, and a marker inside a value is that value's text, not a hole."""
    cut = holes.split(f'<input value="{hole("first", "q1")}"><p>{hole("csrf")}</p>')
    typed = "<script>\"&'</script>" + str(hole("csrf"))
    html = holes.fill(cut, {"csrf": "T", "first": ""}, {("first", "q1"): str(escape(typed))})
    assert html.startswith('<input value="&lt;script&gt;&#34;&amp;&#39;&lt;/script&gt;')
    assert html.endswith("<p>T</p>") and str(hole("csrf")) in html


def _filled_needs_agree(part: sharedparts.Part, kinds: Any, named: Any) -> assets.Needs:
    filled = sharedparts.fill_in(part, kinds, named)
    assert isinstance(filled, assets.Known)
    assert filled.needs == assets.needs(str(filled))  # kept == read
    return filled.needs


def test_the_needs_kept_with_a_part_are_those_of_its_filled_html() -> None:
    def part_of(html: str) -> sharedparts.Part:
        cut = holes.split(html)
        return sharedparts.Part(cut, None, sharedparts._needs_of(cut))

    plain = part_of(THREAD)
    assert plain.needs == assets.NOTHING
    values = {"csrf": "T", "vote": "false"}
    assert _filled_needs_agree(plain, values, {}) == assets.NOTHING
    # a viewer's own links that need htmx and the staff stylesheet: read, added
    theirs = {("[mine", "2"): f'<form hx-post="/x" class="{STAFF}"></form>'}
    assert _filled_needs_agree(plain, values, theirs) == assets.Needs(True, True)
    # ... not when the part has no such range (nothing of it is put in the page)
    assert _filled_needs_agree(plain, values, {("[mine", "9"): theirs["[mine", "2"]}) == (
        assets.NOTHING
    )
    # a range whose own text needs more than the rest: the filled HTML is read
    ranged = part_of(f'<p hx-get="/a">{hole("[r", 1)}<b class="{STAFF}"></b>{hole("]")}</p>')
    assert ranged.needs is None
    assert _filled_needs_agree(ranged, {}, {}) == assets.Needs(True, True)
    assert _filled_needs_agree(ranged, {"[r": ""}, {}) == assets.Needs(True, False)


def test_a_page_reads_the_rest_of_its_content_around_its_known_parts() -> None:
    cut = holes.split(f'<ol hx-boost="true">{hole("csrf")}</ol>')
    part = sharedparts.Part(cut, None, sharedparts._needs_of(cut))
    filled = sharedparts.fill_in(part, {"csrf": "T"})
    for around in ("<h1>Titre</h1>\n{}\n", f'<h1 class="{STAFF}">{{}}</h1>', "{}"):
        content = around.format(filled)
        assert assets.needs(content, [filled]) == assets.needs(content)
    # a part the page changed is not found: the whole content is read
    assert assets.needs(f"<p>{filled[:-3]}</p>", [filled]) == assets.Needs(True, False)


async def test_the_generation_is_read_once_per_request(app: Any) -> None:
    """Every part of a request is looked up at the generation its first lookup read; the next
    request reads it again (a write in between: its parts are rendered again)."""
    redis = app.state.redis

    def request() -> Request:
        return Request({"type": "http", "app": app, "method": "GET", "headers": []})

    first = request()
    before = await pagecache.current_generation(first)
    await redis.incr(pagecache.GENERATION_KEY)
    assert await pagecache.current_generation(first) == before
    after = await pagecache.current_generation(request())
    assert after is not None and after != before
