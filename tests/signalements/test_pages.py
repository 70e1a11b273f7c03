"""Signalement pages over HTTP: the form without an account (two steps, no JavaScript), the
duplicate suggestion and "Moi aussi", the tracking link shown once and reopening, the public
page of a private report, the staff desk, and every bad input of the issue (4xx, clear message,
field highlighted, nothing half-written)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

from moderation.domain import CaseStatus
from moderation.models import ModerationCase
from participation import licence, mail
from participation.accounts.models import User
from participation.notifications.models import NotificationPreference
from participation.settings import Settings
from signalements.domain import State
from signalements.models import Follower, Photo, Report, ReportEvent
from signalements.services import UPDATED
from tests.conftest import browser_of, csrf_token, field_error, log_in, logged_in, post_form
from tests.signalements.factories import (
    HERE,
    jpeg_with_gps,
    open_report,
    pothole_category,
    resolved_report,
)


def step1(category_id: int, **changes: str) -> str:
    params = {
        "category": str(category_id),
        "address": "12 rue de la Loire",
        "latitude": str(HERE[0]),
        "longitude": str(HERE[1]),
        **changes,
    }
    return "/signalements/new?" + "&".join(f"{k}={v}" for k, v in params.items())


def report_data(category_id: int, **changes: str) -> dict[str, str]:
    return {
        "category": str(category_id),
        "address": "12 rue de la Loire",
        "latitude": str(HERE[0]),
        "longitude": str(HERE[1]),
        "description": "Nid-de-poule profond devant la boulangerie.",
        **changes,
    }


async def send(
    client: httpx.AsyncClient,
    data: dict[str, str],
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
) -> httpx.Response:
    token = await csrf_token(client, "/signalements/new")
    return await client.post(
        "/signalements/new", data={**data, "csrf_token": token}, files=files or []
    )


async def test_a_visitor_reports_with_a_photo_without_an_account_and_follows_by_the_link(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    category = await pothole_category()
    first = await client.get("/signalements/new")
    assert first.status_code == 200 and "Voirie" in first.text
    second = await client.get(step1(category.id))
    assert second.status_code == 200
    assert 'enctype="multipart/form-data"' in second.text
    photo = jpeg_with_gps()
    sent = await send(
        client,
        report_data(category.id, email="camille@example.org"),
        [("photos", ("trou.jpg", photo, "image/jpeg"))],
    )
    assert sent.status_code == 303, sent.text
    shown = await client.get(sent.headers["location"])
    link = re.search(r'class="tracking-link">([^<]+)<', shown.text)
    assert link and "/signalements/track?token=" in link.group(1)
    assert shown.headers["cache-control"] == "no-store"
    # shown once: the session forgets it
    again = await client.get("/signalements/sent", follow_redirects=False)
    assert again.status_code == 303
    report = await Report.get()
    token = link.group(1).split("token=")[1]
    assert token not in report.token_hash and len(report.token_hash) == 64
    assert report.email == "camille@example.org" and report.author_id is None
    assert report.channel == "online" and report.state == State.RECEIVED
    # the tracking e-mail keeps the link encrypted in the outbox, never in clear
    email = await mail.OutboxEmail.get(recipient="camille@example.org")
    assert token not in email.body and email.secret is not None
    assert token in mail.sent_text(settings, email)
    # the photo: re-encoded, resized, without EXIF nor GPS
    stored = await Photo.get(report_id=report.id)
    assert max(stored.width, stored.height) == 1600
    assert b"Exif" not in stored.data and b"PhoneMaker" not in stored.data
    served = await client.get(f"/signalements/photos/{stored.id}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    # the visitor follows it by the link
    tracked = await client.get(f"/signalements/track?token={token}")
    assert tracked.status_code == 200 and "12 rue de la Loire" in tracked.text
    assert await Follower.filter(report_id=report.id, key="e:camille@example.org").exists()
    assert (await client.get("/signalements/track?token=forged")).status_code == 404


async def test_a_second_visitor_nearby_gets_the_suggestion_and_follows_instead(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    category = await pothole_category()
    other = await pothole_category(name="Éclairage", icon="light", service="Éclairage")
    near = await open_report(category, HERE[0] + 0.0002, HERE[1])  # 22 m
    await open_report(category, HERE[0] + 0.001, HERE[1])  # 111 m: not suggested
    await open_report(other, *HERE)  # another category: not suggested
    await open_report(category, *HERE, state=State.RESOLVED)  # closed: not suggested
    page = await client.get(step1(category.id))
    assert page.status_code == 200
    suggested = re.findall(r'action="/signalements/(\d+)/follow"', page.text)
    assert suggested == [str(near.id)]
    response = await post_form(
        client, f"/signalements/{near.id}/follow", {"email": "voisin@example.org"}
    )
    assert response.status_code == 303
    twice = await post_form(
        client, f"/signalements/{near.id}/follow", {"email": "VOISIN@example.org "}
    )
    assert twice.status_code == 303
    assert await Follower.filter(report_id=near.id).count() == 1
    assert await Report.all().count() == 4  # no new report
    bad = await post_form(client, f"/signalements/{near.id}/follow", {"email": "nope"})
    assert bad.status_code == 422 and field_error(bad.text, "email")


async def test_a_point_outside_the_town_is_refused_at_both_steps(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    category = await pothole_category()
    page = await client.get(step1(category.id, latitude="48.8566", longitude="2.3522"))
    assert page.status_code == 422
    assert "en dehors de la commune" in field_error(page.text, "latitude")
    sent = await send(client, report_data(category.id, latitude="48.8566", longitude="2.3522"))
    assert sent.status_code == 422 and "en dehors de la commune" in sent.text
    assert await Report.all().count() == 0


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("script.jpg", b"<script>alert(1)</script>", "image/jpeg"),
        ("doc.pdf", b"%PDF-1.4 not an image", "application/pdf"),
        ("cut.jpg", jpeg_with_gps()[:300], "image/jpeg"),  # truncated
    ],
)
async def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient, settings: Settings, name: str, content: bytes, kind: str
) -> None:
    category = await pothole_category()
    sent = await send(client, report_data(category.id), [("photos", (name, content, kind))])
    assert sent.status_code == 422
    assert "n’est pas une photo" in field_error(sent.text, "photos")
    assert await Report.all().count() == 0 and await Photo.all().count() == 0


async def test_more_than_10_mb_is_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    category = await pothole_category()
    big = b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10)
    sent = await send(
        client, report_data(category.id), [("photos", ("big.jpg", big, "image/jpeg"))]
    )
    assert sent.status_code == 413
    assert await Report.all().count() == 0


async def test_four_photos_are_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    category = await pothole_category()
    small = jpeg_with_gps((40, 30))
    files = [("photos", (f"p{i}.jpg", small, "image/jpeg")) for i in range(4)]
    sent = await send(client, report_data(category.id), files)
    assert sent.status_code == 422 and "trois photos au plus" in field_error(sent.text, "photos")
    assert await Report.all().count() == 0


async def test_every_problem_of_the_form_shows_in_one_sending(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """The photos and the description's anti-abuse rules are checked with the fields, not
    after them: one 422 names the e-mail, the photos and the links at once (issue #20)."""
    category = await pothole_category()
    links = "Voir https://a.example/1 https://b.example/2 : un trou devant la boulangerie."
    files = [("photos", ("doc.pdf", b"%PDF-1.4 not an image", "application/pdf"))]
    sent = await send(client, report_data(category.id, email="x@", description=links), files)
    assert sent.status_code == 422
    assert field_error(sent.text, "email")
    assert "n’est pas une photo" in field_error(sent.text, "photos")
    assert "au plus un lien" in field_error(sent.text, "description")
    four = [("photos", (f"p{i}.jpg", jpeg_with_gps((40, 30)), "image/jpeg")) for i in range(4)]
    both = await send(client, report_data(category.id, description="trou"), four)
    assert both.status_code == 422 and field_error(both.text, "description")
    assert "trois photos au plus" in field_error(both.text, "photos")
    # the address refused (outside the town) and the photo too: still one sending
    outside = report_data(category.id, latitude="48.8566", longitude="2.3522")
    placed = await send(client, outside, files)
    assert placed.status_code == 422 and "en dehors de la commune" in placed.text
    assert "n’est pas une photo" in field_error(placed.text, "photos")
    assert await Report.all().count() == 0 and await Photo.all().count() == 0


async def test_twenty_reports_a_minute_from_one_address_are_refused(
    client: httpx.AsyncClient, app: Any, settings: Settings
) -> None:
    app.state.clock = lambda: 1_000_000.0  # one instant: every attempt in the same minute
    category = await pothole_category()
    statuses = []
    for number in range(20):
        data = report_data(category.id, description=f"Trou numéro {number} dans la chaussée.")
        statuses.append((await send(client, data)).status_code)
    assert statuses[:10] == [303] * 10
    assert set(statuses[10:]) == {429}
    assert await Report.all().count() == 10


async def test_bad_description_and_email_are_highlighted(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    category = await pothole_category()
    sent = await send(client, report_data(category.id, description="trou", email="x@"))
    assert sent.status_code == 422
    assert "10 caractères" in field_error(sent.text, "description")
    assert field_error(sent.text, "email")
    forged = await send(client, report_data(999_999))
    assert forged.status_code == 422
    assert await Report.all().count() == 0


async def test_the_form_needs_the_csrf_token(client: httpx.AsyncClient, settings: Settings) -> None:
    category = await pothole_category()
    await client.get("/signalements/new")
    forged = await client.post("/signalements/new", data=report_data(category.id))
    assert forged.status_code == 403
    assert await Report.all().count() == 0


async def test_descriptions_are_escaped(client: httpx.AsyncClient, settings: Settings) -> None:
    category = await pothole_category()
    report = await open_report(category, description="<script>alert('x')</script> trou profond")
    page = await client.get(f"/signalements/{report.id}")
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text


async def test_a_private_report_hides_its_address_and_photos(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    category = await pothole_category()
    report = await open_report(
        category, private=True, address="3 impasse des Lilas", email="temoin@example.org"
    )
    photo = await Photo.create(report=report, data=jpeg_with_gps((20, 20)), width=20, height=20)
    page = await client.get(f"/signalements/{report.id}")
    assert page.status_code == 200
    assert "impasse des Lilas" not in page.text and "temoin@example.org" not in page.text
    assert str(HERE[0])[:6] not in page.text
    assert (await client.get(f"/signalements/photos/{photo.id}")).status_code == 404
    listing = await client.get("/signalements")
    assert "impasse des Lilas" not in listing.text
    exported = json.loads((await client.get("/signalements/export.json")).text)
    assert exported["reports"][0]["adresse"] == "" and exported["reports"][0]["latitude"] == ""
    assert "temoin" not in (await client.get("/signalements/export.csv")).text
    await log_in(client, admin)
    desk = await client.get(f"/admin/signalements/{report.id}")
    assert "impasse des Lilas" in desk.text and "temoin@example.org" in desk.text


async def test_reopening_by_the_tracking_link_within_15_days(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    category = await pothole_category()
    recent = await resolved_report(category, 3, token="recent-token-0123456789")
    old = await resolved_report(category, 20, token="old-token-0123456789")

    async def reopen(token: str, message: str) -> httpx.Response:
        data = {"token": token, "message": message}
        return await post_form(client, "/signalements/track/reopen", data)

    page = await client.get("/signalements/track?token=old-token-0123456789")
    assert "Rouvrir le signalement" not in page.text
    page = await client.get("/signalements/track?token=recent-token-0123456789")
    assert "Rouvrir le signalement" in page.text
    assert (await reopen("old-token-0123456789", "Le trou est revenu.")).status_code == 409
    assert (await Report.get(id=old.id)).state == State.RESOLVED
    empty = await reopen("recent-token-0123456789", "")
    assert empty.status_code == 422 and field_error(empty.text, "message")
    done = await reopen("recent-token-0123456789", "Le trou est revenu après la pluie.")
    assert done.status_code == 303
    assert (await Report.get(id=recent.id)).state == State.RECEIVED
    assert (await reopen("forged", "x")).status_code == 404


async def test_staff_take_plan_and_resolve_with_an_after_photo_and_followers_are_told_once(
    client: httpx.AsyncClient, settings: Settings, admin: User, citizen: User
) -> None:
    category = await pothole_category()
    report = await open_report(category)
    await Follower.create(report=report, key=f"u:{citizen.id}", user_id=citizen.id)
    await Follower.create(report=report, key="e:voisin@example.org", email="voisin@example.org")
    await log_in(client, admin)
    page = f"/admin/signalements/{report.id}"
    for state in ("taken", "planned"):
        done = await post_form(
            client,
            f"{page}/state",
            {"state": state, "message": "Transmis à l’équipe voirie."},
            page=page,
        )
        assert done.status_code == 303, done.text
    token = await csrf_token(client, page)
    resolved = await client.post(
        f"{page}/state",
        data={"state": "resolved", "message": "Trou rebouché.", "csrf_token": token},
        files=[("photo", ("apres.jpg", jpeg_with_gps((300, 200)), "image/jpeg"))],
    )
    assert resolved.status_code == 303
    report = await Report.get(id=report.id)
    assert report.state == State.RESOLVED and report.resolved_at is not None
    assert await Photo.filter(report_id=report.id, event_id__isnull=False).count() == 1
    # each follower told once per change: three changes, two followers
    assert await mail.OutboxEmail.filter(recipient="voisin@example.org").count() == 3
    assert await mail.OutboxEmail.filter(recipient=citizen.email).count() == 3
    public = await client.get(f"/signalements/{report.id}")
    assert "Trou rebouché." in public.text and "Photo après l’intervention" in public.text
    # out of order: resolved -> received is refused (only reopening does it)
    back = await post_form(
        client, f"{page}/state", {"state": "received", "message": "Oups."}, page=page
    )
    assert back.status_code == 409
    assert (await Report.get(id=report.id)).state == State.RESOLVED
    assert await mail.OutboxEmail.filter(recipient="voisin@example.org").count() == 3


async def test_a_follower_without_an_account_stops_the_emails_in_one_click(
    app: Any, settings: Settings, admin: User, citizen: User
) -> None:
    category = await pothole_category()
    report = await open_report(category)
    neighbour = await Follower.create(
        report=report, key="e:voisin@example.org", email="voisin@example.org"
    )
    await Follower.create(report=report, key=f"u:{citizen.id}", user_id=citizen.id)
    await NotificationPreference.create(user=citizen, kind=UPDATED, channel="digest")
    page = f"/admin/signalements/{report.id}"

    async def move(state: str) -> None:
        async with logged_in(app, admin) as staff:
            data = {"state": state, "message": "Transmis à l’équipe voirie."}
            assert (await post_form(staff, f"{page}/state", data, page=page)).status_code == 303

    await move("taken")
    [email] = await mail.OutboxEmail.filter(recipient="voisin@example.org")
    # the account chose the daily digest: nothing at once (the digest tells it later)
    assert not await mail.OutboxEmail.filter(recipient=citizen.email).exists()
    message = mail.message_of(settings, email)
    header = re.fullmatch(
        r"<(http://testserver(/account/unsubscribe/\S+))>", message["List-Unsubscribe"]
    )
    assert header is not None and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/account/unsubscribe" not in email.body  # the token is made at send time, not stored
    text = message.get_content()  # the text's link is the header's, signed once
    assert f"Pour ne plus suivre ce signalement\u00a0: {header.group(1)}" in text
    async with browser_of(app) as mail_client:  # a mail client: no cookie, no CSRF token
        shown = await mail_client.get(header.group(2))
        assert (
            "Vous recevez les e-mails «\u00a0un signalement que vous suivez a changé\u00a0»"
            in shown.text
        )
        assert (await mail_client.get(header.group(2))).status_code == 200  # GET changes nothing
        assert await Follower.exists(id=neighbour.id)
        stopped = await mail_client.post(header.group(2), data={"List-Unsubscribe": "One-Click"})
        assert stopped.status_code == 303
        done = await mail_client.get(stopped.headers["location"])
        assert "C’est fait\u00a0: vous ne recevrez plus les e-mails" in done.text
        assert "Préférences de notification" not in done.text  # no account to go to
        again = await mail_client.post(header.group(2), data={"List-Unsubscribe": "One-Click"})
        assert again.status_code == 303  # twice is harmless
        forged = header.group(2)[:-3] + "xyz"
        assert (await mail_client.post(forged)).status_code == 400
    assert not await Follower.exists(id=neighbour.id)
    assert await Follower.exists(report_id=report.id, user_id=citizen.id)  # the other stays
    await move("planned")
    assert await mail.OutboxEmail.filter(recipient="voisin@example.org").count() == 1


async def test_internal_notes_are_never_public(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    category = await pothole_category()
    report = await open_report(category)
    await log_in(client, admin)
    page = f"/admin/signalements/{report.id}"
    done = await post_form(client, f"{page}/note", {"note": "Voir avec la métropole."}, page=page)
    assert done.status_code == 303
    assert "Voir avec la métropole." in (await client.get(page)).text
    async with browser_of(app) as visitor:
        assert (
            "Voir avec la métropole." not in (await visitor.get(f"/signalements/{report.id}")).text
        )
    empty = await post_form(client, f"{page}/note", {"note": " "}, page=page)
    assert empty.status_code == 422 and field_error(empty.text, "note")


async def test_merging_keeps_followers_and_refuses_itself(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    category = await pothole_category()
    kept = await open_report(category)
    duplicate = await open_report(category)
    await Follower.create(report=kept, key="e:a@example.org", email="a@example.org")
    await Follower.create(report=duplicate, key="e:b@example.org", email="b@example.org")
    await Follower.create(report=duplicate, key="e:a@example.org", email="a@example.org")
    await log_in(client, admin)
    page = f"/admin/signalements/{duplicate.id}"
    itself = await post_form(client, f"{page}/merge", {"target": str(duplicate.id)}, page=page)
    assert itself.status_code == 409 and "avec lui-même" in itself.text
    missing = await post_form(client, f"{page}/merge", {"target": "999999"}, page=page)
    assert missing.status_code == 422 and field_error(missing.text, "target")
    done = await post_form(client, f"{page}/merge", {"target": str(kept.id)}, page=page)
    assert done.status_code == 303
    duplicate = await Report.get(id=duplicate.id)
    assert duplicate.state == State.MERGED and duplicate.merged_into_id == kept.id
    keys = set(await Follower.filter(report_id=kept.id).values_list("key", flat=True))
    assert keys == {"e:a@example.org", "e:b@example.org"}
    # both notified, each once
    assert await mail.OutboxEmail.filter(recipient="a@example.org").count() == 1
    assert await mail.OutboxEmail.filter(recipient="b@example.org").count() == 1
    public = await client.get(f"/signalements/{duplicate.id}")
    assert f'href="/signalements/{kept.id}"' in public.text


async def test_the_desk_filters_and_highlights_overdue_and_assigns_in_bulk(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    category = await pothole_category()
    late = await open_report(category, due_at=timezone.now().replace(year=2020))
    fresh = await open_report(category)
    await log_in(client, admin)
    desk = await client.get("/admin/signalements?overdue=on")
    assert desk.status_code == 200
    assert f"/admin/signalements/{late.id}" in desk.text
    assert f"/admin/signalements/{fresh.id}" not in desk.text
    assert 'class="overdue"' in desk.text
    done = await post_form(
        client,
        "/admin/signalements/assign",
        {"reports": str(late.id), "assignee": str(admin.id)},
        page="/admin/signalements",
    )
    assert done.status_code == 303
    assert (await Report.get(id=late.id)).assignee_id == admin.id
    forged = await post_form(
        client,
        "/admin/signalements/assign",
        {"reports": str(late.id), "assignee": "999999"},
        page="/admin/signalements",
    )
    assert forged.status_code == 422
    assert (await ReportEvent.filter(report_id=late.id, kind="assigned").count()) == 1


async def test_figures_and_exports(client: httpx.AsyncClient, settings: Settings) -> None:
    category = await pothole_category()
    await open_report(category, description='=HYPERLINK("http://evil")', district="Gare")
    resolved = await resolved_report(category, 1, token="t-0123456789")
    await Report.filter(id=resolved.id).update(district="Centre")
    await open_report(category, description="Sans quartier connu.", district="")
    figures = await client.get("/signalements/figures")
    assert figures.status_code == 200 and "Voirie" in figures.text
    [_, per_district] = re.findall(r"<table.*?</table>", figures.text, re.S)
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td[^>]*>(\d+)</td>', per_district)
    assert rows == [("Centre", "1"), ("Gare", "1"), ("Quartier non précisé", "1")]
    csv_text = (await client.get("/signalements/export.csv")).text
    assert csv_text.splitlines()[0].startswith("numero,categorie")
    table = list(csv.reader(io.StringIO(csv_text)))
    assert table[0][-1] == "licence" and {row[-1] for row in table[1:]} == {licence.VALUE}
    assert "HYPERLINK" not in csv_text  # descriptions are not exported
    exported = json.loads((await client.get("/signalements/export.json")).text)
    assert "Licence Ouverte" in exported["licence"] and len(exported["reports"]) == 3


async def test_my_reports(client: httpx.AsyncClient, settings: Settings, citizen: User) -> None:
    category = await pothole_category()
    await log_in(client, citizen)
    sent = await send(client, report_data(category.id))
    assert sent.status_code == 303
    report = await Report.get()
    assert report.author_id == citizen.id
    mine = await client.get("/signalements/mine")
    assert f"/signalements/{report.id}" in mine.text


async def test_a_resident_reports_an_abusive_report_to_the_moderators(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    category = await pothole_category()
    report = await open_report(category, description="Texte injurieux envers un voisin.")
    page = f"/signalements/{report.id}"
    abuse_link = f"/moderation/report/signalement/{report.id}"
    assert abuse_link not in (await client.get(page)).text  # visitors cannot report
    await log_in(client, citizen)
    assert abuse_link in (await client.get(page)).text
    sent = await post_form(client, abuse_link, {"reason": "offensive", "text": "Insulte."})
    assert sent.status_code == 303
    case = await ModerationCase.get(target_kind="signalement", target_id=report.id)
    assert case.status == CaseStatus.OPEN and case.open_reports == 1
    await Report.filter(id=report.id).update(author_id=citizen.id)
    assert abuse_link not in (await client.get(page)).text  # not one's own report


async def test_the_public_list_pages_and_filters(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    category = await pothole_category()
    light = await pothole_category(name="Éclairage", icon="light", service="Éclairage")
    for _ in range(31):
        await open_report(category)
    dark = await open_report(light, address="Impasse sombre")
    first = await client.get("/signalements")
    assert 'rel="next"' in first.text and "Impasse sombre" in first.text
    second = await client.get("/signalements?page=2")
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    filtered = await client.get(f"/signalements?category={light.id}&state=received")
    assert f"/signalements/{dark.id}" in filtered.text and filtered.text.count('class="card"') == 1
    forged = await client.get("/signalements?category=abc&state=<script>&page=-4")
    assert forged.status_code == 200 and "<script>" not in forged.text


async def test_the_queue_merges_the_open_states_by_due_date_across_pages(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    category = await pothole_category()
    other = await pothole_category(name="Tags", icon="graffiti", service="Propreté")
    start = timezone.now()
    states = [State.RECEIVED, State.TAKEN, State.PLANNED]
    made = []
    for number in range(40):  # due dates interleaved across the three open states
        report = await open_report(
            category, state=states[number % 3], due_at=start + timedelta(hours=number)
        )
        made.append(report.id)
    await open_report(category, state=State.RESOLVED, due_at=start)  # closed: not listed
    tag = await open_report(other, due_at=start - timedelta(days=1))
    await log_in(client, admin)
    first = await client.get("/admin/signalements?service=Voirie")
    links = [int(i) for i in re.findall(r'href="/admin/signalements/(\d+)"', first.text)]
    assert links == made[:30] and 'rel="next"' in first.text
    second = await client.get("/admin/signalements?service=Voirie&page=2")
    links = [int(i) for i in re.findall(r'href="/admin/signalements/(\d+)"', second.text)]
    assert links == made[30:] and 'rel="next"' not in second.text
    everything = await client.get("/admin/signalements")
    assert f'href="/admin/signalements/{tag.id}"' in everything.text  # the earliest due first
    assert everything.text.index(f'/admin/signalements/{tag.id}"') < everything.text.index(
        f'/admin/signalements/{made[0]}"'
    )


async def test_staff_record_a_phone_report_through_the_same_form(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    category = await pothole_category()
    await log_in(client, admin)
    page = await client.get(step1(category.id))
    assert 'name="channel"' in page.text
    sent = await send(client, report_data(category.id, channel="phone", email="appel@example.org"))
    assert sent.status_code == 303
    report = await Report.get()
    assert report.channel == "phone" and report.author_id is None  # staff are not the reporter
    assert await Follower.filter(report_id=report.id, key="e:appel@example.org").exists()


async def test_a_report_awaiting_moderation_is_not_public_nor_suggested(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    category = await pothole_category(premoderated=True)
    sent = await send(client, report_data(category.id))
    assert sent.status_code == 303
    report = await Report.get()
    assert report.moderation_state == "pending"
    assert (await client.get(f"/signalements/{report.id}")).status_code == 404
    assert f"/signalements/{report.id}" not in (await client.get("/signalements")).text
    suggestion = await client.get(step1(category.id))
    assert f'action="/signalements/{report.id}/follow"' not in suggestion.text
    follow = await post_form(client, f"/signalements/{report.id}/follow", {"email": "a@b.fr"})
    assert follow.status_code == 404
    assert json.loads((await client.get("/signalements/export.json")).text)["reports"] == []
