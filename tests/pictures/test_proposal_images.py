"""A proposal's image through HTTP (issue #22): uploaded with the form, served at each width
revalidated at each use, replaced, removed; bad files and a missing text alternative refused on
their field (422) with nothing saved; someone else's proposal untouchable; pages without an
image show their category's pattern."""

from __future__ import annotations

import re
from typing import Any

import httpx

from moderation.models import ModerationCase
from participation.accounts.models import User
from participation.contributions import ModerationState
from participation.pictures.models import Picture, PictureRendition
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.conftest import browser_of, create_user, field_error, log_in, logged_in
from tests.moderation.helpers import configure
from tests.participation.proposal_factories import good_form, make_proposal, others_proposal
from tests.pictures.helpers import png, send, stored


def sources(html: str) -> list[str]:
    """The URLs of the srcset of the page's first image of a proposal."""
    tag = re.search(r'<img src="/images/[^"]+" srcset="([^"]+)"', html)
    assert tag, "no image"
    return [part.split(" ")[0] for part in tag.group(1).split(", ")]


async def test_a_proposal_with_an_image_is_shown_in_every_width_and_cached(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await log_in(client, citizen)
    form = {**await good_form(), "image_alt": "Un composteur en bois au square"}
    response = await send(client, "/proposals/new", form, png(1600, 900))
    assert response.status_code == 303, response.text
    proposal = await Proposal.get(title=form["title"])
    picture = await Picture.get(id=proposal.image_id)  # type: ignore[arg-type]
    assert (picture.alt, picture.width, picture.height) == (form["image_alt"], 1200, 675)
    page = await client.get(f"/proposals/{proposal.id}")
    assert 'alt="Un composteur en bois au square"' in page.text
    assert 'width="1200" height="675"' in page.text and 'decoding="async"' in page.text
    urls = sources(page.text)
    assert [u.rsplit("/", 1)[1] for u in urls] == ["400", "800", "1200"]
    for url in urls:
        served = await client.get(url)
        assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
        # the author's own draft: theirs only, asked again at each use (its ETag: no bytes)
        assert served.headers["cache-control"] == "private, no-cache"
        again = await client.get(url, headers={"If-None-Match": served.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
    # the list shows it too, lazily
    await proposal.refresh_from_db()
    await Proposal.filter(id=proposal.id).update(state=ProposalState.PUBLISHED)
    listing = await client.get("/proposals")
    assert f"/images/{picture.key}/400" in listing.text and 'loading="lazy"' in listing.text


async def test_unknown_images_answer_404(client: httpx.AsyncClient, citizen: User) -> None:
    await log_in(client, citizen)
    form = {**await good_form(), "image_alt": "Un banc"}
    assert (await send(client, "/proposals/new", form, png(500, 300))).status_code == 303
    picture = await Picture.get()
    assert (await client.get(f"/images/{picture.key}/500")).status_code == 200
    for path in (
        f"/images/{picture.key}/800",  # a width it was never made at (never upscaled)
        f"/images/{picture.key}/0",
        f"/images/{'A' * 22}/400",  # a key that names nothing
        f"/images/{picture.id}/400",  # an id is not a key
        "/images/../etc/passwd/400",
        f"/images/{picture.key}x/500",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_bad_files_and_a_missing_alternative_are_refused_and_nothing_saved(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await log_in(client, citizen)
    form = await good_form()
    cases = [
        ({**form, "image_alt": "Un banc"}, b"%PDF-1.4 pas une image", "image", "pas une image"),
        ({**form, "image_alt": "Un banc"}, b"\x00" * (5 * 1024 * 1024 + 1), "image", "5\u00a0Mo"),
        ({**form, "image_alt": "Un banc"}, png(5000, 5000), "image", "20\u00a0mégapixels"),
        (form, png(), "image_alt", "Décrivez l’image"),
    ]
    for data, image, field, message in cases:
        response = await send(client, "/proposals/new", data, image)
        assert response.status_code == 422, (field, response.status_code)
        assert message in field_error(response.text, field), field
        assert form["title"] in response.text  # what was typed is kept
    # another field wrong too: both are shown at once
    both = await send(client, "/proposals/new", {**form, "title": "Court"}, b"pas une image")
    assert both.status_code == 422
    assert field_error(both.text, "title") and field_error(both.text, "image")
    # a good image with another field wrong: told to choose the file again
    again = await send(client, "/proposals/new", {**form, "title": "", "image_alt": "x"}, png())
    assert again.status_code == 422 and "choisissez-le à nouveau" in again.text
    assert await Proposal.all().count() == 0
    assert await Picture.all().count() == 0 and await PictureRendition.all().count() == 0


async def test_the_author_replaces_then_removes_the_image(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await log_in(client, citizen)
    form = {**await good_form(), "image_alt": "Un banc"}
    assert (await send(client, "/proposals/new", form, png(900, 600))).status_code == 303
    proposal = await Proposal.get()
    first = await Picture.get()
    edit = f"/proposals/{proposal.id}/edit"
    page = await client.get(edit)
    assert 'enctype="multipart/form-data"' in page.text and 'value="Un banc"' in page.text
    # the text alternative alone, then a new image: a new key (a new URL), the old one gone
    assert (await send(client, edit, {**form, "image_alt": "Un banc vert"})).status_code == 303
    assert (await Picture.get(id=first.id)).alt == "Un banc vert"
    missing = await send(client, edit, {**form, "image_alt": ""})
    assert missing.status_code == 422 and field_error(missing.text, "image_alt")
    response = await send(client, edit, {**form, "image_alt": "Un banc rouge"}, png(700, 700))
    assert response.status_code == 303
    await proposal.refresh_from_db()
    second = await Picture.get(id=proposal.image_id)  # type: ignore[arg-type]
    assert second.key != first.key and not await Picture.exists(id=first.id)
    assert (await client.get(f"/images/{first.key}/400")).status_code == 404
    removed = await send(client, edit, {**form, "remove_image": "yes"})
    assert removed.status_code == 303
    await proposal.refresh_from_db()
    assert proposal.image_id is None and await Picture.all().count() == 0
    page = await client.get(f"/proposals/{proposal.id}")
    assert '<img class="illustration"' in page.text and "/images/" not in page.text


async def test_someone_elses_proposal_cannot_get_an_image(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    author = await create_user(settings, "author@example.org")
    proposal = await make_proposal(author, ProposalState.DRAFT)
    await log_in(client, citizen)
    form = {**await good_form(), "image_alt": "Un intrus"}
    response = await send(client, f"/proposals/{proposal.id}/edit", form, png())
    assert response.status_code in (403, 404)
    forged = await send(client, "/proposals/999999/edit", form, png())
    assert forged.status_code == 404
    assert await Picture.all().count() == 0
    await proposal.refresh_from_db()
    assert proposal.image_id is None


async def test_pages_without_an_image_show_the_pattern_of_their_category(
    client: httpx.AsyncClient, citizen: User
) -> None:
    first = await make_proposal(citizen, title="Des arceaux à vélo devant l'école")
    await make_proposal(citizen, title="Des bancs au square", category_id=first.category_id)
    listing = (await client.get("/proposals")).text
    drawings = re.findall(r'<img class="illustration" src="([^"]+)" alt=""', listing)
    assert len(drawings) == 2 and drawings[0] == drawings[1]  # one category, one pattern
    page = (await client.get(f"/proposals/{first.id}")).text
    assert f'<img class="illustration" src="{drawings[0]}" alt=""' in page
    # one file for every page, cached for a year: its address changes with the drawing
    drawing = await client.get(drawings[0])
    assert drawing.status_code == 200 and drawing.headers["content-type"] == "image/svg+xml"
    assert drawing.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert drawing.content.startswith(b"<svg ") and b"<script" not in drawing.content
    # an older drawing's address (a page cached before it changed): asked again next time
    older = await client.get(drawings[0].split("?")[0] + "?v=000000000000")
    assert older.content == drawing.content and older.headers["cache-control"] == "no-cache"
    assert (await client.get("/static/patterns/not-a-key.svg")).status_code == 404


async def test_a_new_image_on_a_published_proposal_waits_for_approval_under_premoderation(
    app: Any, tmp_path: Any, redis_url: str
) -> None:
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="proposal")
    author, proposal, page = await others_proposal(settings, title="Des bancs au square")
    async with logged_in(app, author) as c:
        form = {**await good_form(), "title": proposal.title, "image_alt": "Un banc"}
        form["body"] = "Installer vingt arceaux à vélo devant l'école Jules-Ferry."
        response = await send(c, f"{page}/edit", form, png(600, 300))
        assert response.status_code == 303
    await proposal.refresh_from_db()
    assert proposal.version == 1  # its text did not change: the image alone sent it back
    assert proposal.moderation_state == ModerationState.PENDING and proposal.image_id
    case = await ModerationCase.get(target_kind="proposal", target_id=proposal.id)
    assert case.status == "open" and case.kind == "pending"


async def test_a_new_text_alternative_alone_waits_for_approval_under_premoderation(
    app: Any, tmp_path: Any, redis_url: str
) -> None:
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="proposal")
    picture = await stored("Un banc face à la Loire")
    author, proposal, page = await others_proposal(
        settings, title="Des bancs au square", image_id=picture.id
    )
    image = f"/images/{picture.key}/400"
    async with browser_of(app) as visitor:
        assert (await visitor.get(image)).status_code == 200
    form = {**await good_form(), "title": proposal.title}
    form["body"] = "Installer vingt arceaux à vélo devant l'école Jules-Ferry."  # as it is
    async with logged_in(app, author) as c:
        # the image taken away: nothing new to see, the proposal stays as approved
        await send(c, f"{page}/edit", {**form, "remove_image": "yes"})
    await proposal.refresh_from_db()
    assert proposal.moderation_state == ModerationState.VISIBLE and proposal.image_id is None
    picture = await stored("Un banc face à la Loire")
    await Proposal.filter(id=proposal.id).update(image_id=picture.id)
    async with logged_in(app, author) as c:
        response = await send(c, f"{page}/edit", {**form, "image_alt": "Achetez ici !"})
        assert response.status_code == 303, response.text
    await proposal.refresh_from_db()
    assert proposal.version == 1 and proposal.image_id == picture.id  # same text, same file
    assert proposal.moderation_state == ModerationState.PENDING  # its new words wait
    case = await ModerationCase.get(target_kind="proposal", target_id=proposal.id)
    assert case.status == "open" and case.kind == "pending"
    async with browser_of(app) as visitor:
        assert (await visitor.get(page)).status_code == 404
        assert (await visitor.get(f"/images/{picture.key}/400")).status_code == 404
