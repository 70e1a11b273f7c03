"""Meeting pages: a resident registers and cancels; staff plan, move, cancel, take attendance and
publish minutes linked both ways; bad input is refused field by field; the calendar feed."""

from __future__ import annotations

from datetime import timedelta

import httpx
from icalendar import Calendar
from tortoise import timezone

from meetings import services
from meetings.domain import Seat
from meetings.models import Meeting, Registration
from participation.accounts.models import User
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.conftest import create_user, log_in, post_form
from tests.meetings.factories import MEETING_FORM, meeting_next_week, meeting_started
from tests.participation.test_nav import admin_links, menu
from tests.spaces.factories import space_open_with_a_vote


async def test_a_resident_registers_sees_the_code_and_cancels(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    meeting = await meeting_next_week(capacity=1)
    page = await client.get(f"/meetings/{meeting.id}")
    assert page.status_code == 200
    assert "Salle des fêtes" in page.text and "boucle magnétique" in page.text
    assert "visio.example.org" not in page.text  # the link is for registered people, later
    await log_in(client, citizen)
    response = await post_form(client, f"/meetings/{meeting.id}/register", {})
    assert response.status_code == 303
    registration = await Registration.get(meeting=meeting, user=citizen)
    page = await client.get(f"/meetings/{meeting.id}")
    assert registration.code in page.text
    assert "visio.example.org" not in page.text
    response = await post_form(client, f"/meetings/{meeting.id}/cancel", {})
    assert response.status_code == 303
    assert (await Registration.get(id=registration.id)).seat == Seat.CANCELLED
    again = await post_form(client, f"/meetings/{meeting.id}/cancel", {})
    assert again.status_code == 409


async def test_the_online_link_shows_to_a_seat_holder_once_it_is_near(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    meeting = await meeting_started()
    await Registration.create(
        meeting=meeting,
        user=citizen,
        seat=Seat.CONFIRMED,
        code="ABCD-EFGH",
        joined_at=timezone.now(),
    )
    await log_in(client, citizen)
    page = await client.get(f"/meetings/{meeting.id}")
    assert "https://visio.example.org/parc" in page.text


async def test_registering_needs_an_account_and_the_csrf_token(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    meeting = await meeting_next_week()
    anonymous = await post_form(client, f"/meetings/{meeting.id}/register", {})
    assert anonymous.status_code == 303 and "/account/login" in anonymous.headers["location"]
    await log_in(client, citizen)
    forged = await client.post(f"/meetings/{meeting.id}/register", data={})
    assert forged.status_code == 403
    assert await Registration.filter(meeting=meeting).count() == 0
    missing = await post_form(client, "/meetings/999999/register", {})
    assert missing.status_code == 404
    assert (await client.get("/meetings/999999")).status_code == 404


async def test_staff_form_highlights_the_wrong_field_in_french(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    await log_in(client, admin)
    response = await post_form(
        client,
        "/admin/meetings/new",
        {
            "title": "Conseil de quartier",
            "format": "in-person",
            "starts_at": "2031-05-04T18:30",
            "ends_at": "2031-05-04T17:00",
            "address": "Mairie",
            "capacity": "zéro",
        },
    )
    assert response.status_code == 422
    assert 'id="ends_at-error"' in response.text and 'id="capacity-error"' in response.text
    assert "La fin doit venir après le début." in response.text
    assert await Meeting.all().count() == 0


async def test_staff_plan_move_and_cancel_a_meeting(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    person = await create_user(settings, "habitant@example.org")
    await log_in(client, admin)
    data = {**MEETING_FORM, "capacity": "30"}
    response = await post_form(client, "/admin/meetings/new", data)
    assert response.status_code == 303
    meeting = await Meeting.get(title="Conseil de quartier")
    await services.register(settings, meeting.id, person)
    moved = await post_form(
        client,
        f"/admin/meetings/{meeting.id}",
        {**data, "starts_at": "2031-05-05T18:30", "ends_at": "2031-05-05T20:00"},
    )
    assert moved.status_code == 303
    cancelled = await post_form(client, f"/admin/meetings/{meeting.id}/cancel", {})
    assert cancelled.status_code == 303
    notifications = await client.get("/notifications")
    assert notifications.status_code == 200
    page = await client.get(f"/meetings/{meeting.id}")
    assert "Cette réunion est annulée." in page.text or "This meeting is cancelled." in page.text


async def test_only_staff_reach_the_staff_pages(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    meeting = await meeting_next_week()
    await log_in(client, citizen)
    assert (await client.get("/admin/meetings")).status_code == 403
    response = await post_form(client, f"/admin/meetings/{meeting.id}/cancel", {})
    assert response.status_code == 403
    assert (await Meeting.get(id=meeting.id)).status.value == "scheduled"


async def test_attendance_and_minutes_linked_both_ways(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    meeting = await meeting_started()
    came, absent = [await create_user(settings, f"r{i}@example.org") for i in range(2)]
    for person in (came, absent):
        await Registration.create(
            meeting=meeting,
            user=person,
            seat=Seat.CONFIRMED,
            code=f"ABCD-EFG{person.id}",
            joined_at=timezone.now(),
        )
    proposal = await Proposal.create(
        author=came,
        title="Des bancs au parc",
        body="<p>Oui</p>",
        state=ProposalState.PUBLISHED,
        published_at=timezone.now(),
    )
    await log_in(client, admin)
    response = await post_form(
        client, f"/admin/meetings/{meeting.id}/code", {"code": f"abcd efg{came.id}"}
    )
    assert response.status_code == 303
    unknown = await post_form(client, f"/admin/meetings/{meeting.id}/code", {"code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == 422 and 'id="code-error"' in unknown.text
    attended = dict(await Registration.filter(meeting=meeting).values_list("user_id", "attended"))
    assert attended[came.id] is True and attended[absent.id] is None
    bad = await post_form(
        client, f"/admin/meetings/{meeting.id}/minutes", {"minutes": "CR", "proposals": "987654"}
    )
    assert bad.status_code == 422 and 'id="proposals-error"' in bad.text
    published = await post_form(
        client,
        f"/admin/meetings/{meeting.id}/minutes",
        {
            "minutes": "Nous avons parlé du **parc**.<script>x</script>",
            "proposals": str(proposal.id),
        },
    )
    assert published.status_code == 303
    page = await client.get(f"/meetings/{meeting.id}")
    assert "Nous avons parlé du <strong>parc</strong>." in page.text
    assert "<script>x" not in page.text
    assert f'href="/proposals/{proposal.id}"' in page.text
    back = await client.get(f"/proposals/{proposal.id}")
    assert f'href="/meetings/{meeting.id}"' in back.text


async def test_a_spaces_calendar_feed_carries_its_meetings_only(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    north = await space_open_with_a_vote(title="Quartier Nord", slug="nord")
    south = await space_open_with_a_vote(title="Quartier Sud", slug="sud")
    draft = await space_open_with_a_vote(title="En préparation", slug="brouillon", published=False)
    ours = await meeting_next_week(title="Atelier du Nord", space=north)
    await meeting_next_week(title="Atelier du Sud", space=south)
    await meeting_next_week(title="Réunion de toute la ville")
    space_page = (await client.get("/demarches/nord")).text
    link = f'href="/meetings/calendar.ics?space={north.id}" type="text/calendar"'
    assert link in space_page and space_page.count("calendar.ics") == 1
    response = await client.get(f"/meetings/calendar.ics?space={north.id}")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert [str(e["uid"]) for e in calendar.walk("VEVENT")] == [f"meeting-{ours.id}@testserver"]
    assert "Quartier Nord" in str(calendar["x-wr-calname"])
    for forged in ("abc", "999999", str(draft.id), "-1"):
        assert (await client.get(f"/meetings/calendar.ics?space={forged}")).status_code == 404
    everything = Calendar.from_ical((await client.get("/meetings/calendar.ics")).content)
    assert len(everything.walk("VEVENT")) == 3
    await space_open_with_a_vote(title="Sans réunion", slug="sans-reunion")
    assert "calendar.ics" not in (await client.get("/demarches/sans-reunion")).text


async def test_the_calendar_feed_is_valid_icalendar(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    upcoming = await meeting_next_week(title="Atelier ; vélo, «\u00a0rues\u00a0»")
    cancelled = await meeting_next_week(title="Annulée", status="cancelled", sequence=1)
    response = await client.get("/meetings/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert b"\r\n" in response.content
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        f"meeting-{upcoming.id}@testserver",
        f"meeting-{cancelled.id}@testserver",
    }
    event = events[f"meeting-{upcoming.id}@testserver"]
    assert str(event["summary"]) == upcoming.title
    assert event.decoded("dtstart") == upcoming.starts_at.replace(microsecond=0)
    assert str(event["location"]).startswith("Salle des fêtes")
    assert "visio" not in response.text  # the online link is never public
    assert str(events[f"meeting-{cancelled.id}@testserver"]["status"]) == "CANCELLED"
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75  # RFC 5545 3.1: lines folded at 75 octets


async def test_the_meetings_list_shows_upcoming_and_past(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await meeting_next_week(title="Bientôt")
    start = timezone.now() - timedelta(days=30)
    await meeting_next_week(title="Autrefois", starts_at=start, ends_at=start + timedelta(hours=2))
    page = await client.get("/meetings")
    assert page.status_code == 200
    assert page.text.index("Bientôt") < page.text.index("Autrefois")


async def test_a_consultation_page_links_back_to_the_meeting_that_produced_it(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    from meetings.domain import MinutesForm
    from tests.consultations.factories import consultation_open

    consultation, _questions = await consultation_open()
    meeting = await meeting_started(title="Réunion sur la place du marché")
    await services.publish_minutes(
        meeting.id, MinutesForm("<p>CR</p>", (), (consultation.id,)), admin
    )
    page = await client.get(f"/consultations/{consultation.id}")
    assert f'href="/meetings/{meeting.id}"' in page.text
    assert "Discuté en réunion publique" in page.text
    assert (
        f'href="/consultations/{consultation.id}"'
        in (await client.get(f"/meetings/{meeting.id}")).text
    )


async def test_staff_download_the_registrations(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    meeting = await meeting_next_week(capacity=1)
    first = await create_user(settings, "premier@example.org", display_name="=Premier")
    second = await create_user(settings, "second@example.org", display_name="Seconde")
    seat = await services.register(settings, meeting.id, first)
    waiting = await services.register(settings, meeting.id, second)
    await log_in(client, admin)
    response = await client.get(f"/admin/meetings/{meeting.id}/registrations.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].startswith("Personne,Code,Inscription")
    assert lines[1].startswith(f"'=Premier,{seat.code},Inscrit ou inscrite,")
    assert lines[2].startswith(f"Seconde,{waiting.code},En liste d’attente,")


async def test_the_header_and_the_administration_page_link_the_meetings(
    client: httpx.AsyncClient, admin: User
) -> None:
    """Where its manifest puts them (`nav`, `admin`), in French: the header's "Réunions" (marked
    on its page), and its own line on the Administration page (tests/participation/test_nav.py
    checks the order of the whole menu and page)."""
    assert ("/meetings", True, "Réunions") in menu((await client.get("/meetings")).text)
    assert ("/meetings", False, "Réunions") in menu((await client.get("/")).text)
    await log_in(client, admin)
    assert [("/admin/meetings", "Réunions")] in admin_links((await client.get("/admin")).text)
