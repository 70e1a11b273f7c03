"""Demo meetings for Villebelle-sur-Loire: two past ones (minutes published, linked to a demo
proposal), two upcoming ones (one hybrid, one full with a waiting list). Recognised by their
titles: running the demo again changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise import timezone

from meetings import services
from meetings.domain import Format, Seat
from meetings.models import Meeting, Outcome, Registration
from participation import richtext
from participation.pictures import demo as pictures
from participation.proposals.models import Proposal
from participation.settings import Settings
from participation.spaces import demo as spaces_demo
from participation.territory import demo_spot, town_box

HALL = "Salle des fêtes, 2 place de la Mairie, Villebelle-sur-Loire"
ACCESS = (
    "Accès de plain-pied par l’entrée principale, boucle magnétique, toilettes adaptées. "
    "Interprète en langue des signes sur demande une semaine avant."
)


async def load(settings: Settings, users: list[Any]) -> None:
    if await Meeting.filter(title__startswith="Villebelle · ").exists():
        return
    citizen, _moderator, admin = users
    hall, library = demo_spot(town_box(settings), 0), demo_spot(town_box(settings), 7)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    past = [
        ("Villebelle · Réunion de quartier Centre", now - 40 * day, Format.IN_PERSON),
        ("Villebelle · Budget participatif\u00a0: bilan", now - 12 * day, Format.HYBRID),
    ]
    for title, start, format_ in past:
        meeting = await Meeting.create(
            title=title,
            description=richtext.sanitize("Échanges avec les élus et les services de la ville."),
            format=format_,
            starts_at=start.replace(hour=17),
            ends_at=start.replace(hour=19),
            address=HALL,
            latitude=hall[0],
            longitude=hall[1],
            accessibility=ACCESS,
            online_url="https://visio.villebelle.example/bilan"
            if format_ != Format.IN_PERSON
            else "",
            capacity=80,
            confirmed=1,
            minutes=richtext.sanitize(
                "Une quarantaine d’habitants présents. Les idées retenues sont devenues des "
                "propositions citoyennes, ouvertes aux soutiens."
            ),
            minutes_published_at=start + day,
            sanitized_with=richtext.ALLOW_LIST_VERSION,  # stored as shown (issue #21)
        )
        await Registration.create(
            meeting=meeting,
            user=citizen,
            seat=Seat.CONFIRMED,
            code=f"DEMO-{meeting.id:04d}"[:9],
            joined_at=start - 5 * day,
            attended=True,
        )
        proposal = await Proposal.filter(author=citizen).order_by("id").first()
        if proposal is not None:
            await Outcome.create(meeting=meeting, target_kind="proposal", target_id=proposal.id)
    soon = now + 3 * day
    await Meeting.create(
        title="Villebelle · Atelier mobilités douces",
        # drawn by the demo (participation/pictures/demo.py); the other meetings show a pattern
        image_id=await pictures.stored("velo", "Deux vélos garés à des arceaux bleus"),
        description=richtext.sanitize(
            "Pistes cyclables, trottoirs, zones apaisées\u00a0: venez dessiner."
        ),
        format=Format.HYBRID,
        starts_at=soon.replace(hour=17),
        ends_at=soon.replace(hour=19),
        address=HALL,
        latitude=hall[0],
        longitude=hall[1],
        accessibility=ACCESS,
        online_url="https://visio.villebelle.example/mobilites",
        capacity=40,
        sanitized_with=richtext.ALLOW_LIST_VERSION,
    )
    later = now + 10 * day
    full = await Meeting.create(
        title="Villebelle · Visite du chantier de la médiathèque",
        description=richtext.sanitize("Visite guidée du chantier, en petit groupe."),
        sanitized_with=richtext.ALLOW_LIST_VERSION,
        format=Format.IN_PERSON,
        starts_at=later.replace(hour=9),
        ends_at=later.replace(hour=11),
        address="Médiathèque (chantier), rue des Tilleuls",
        latitude=library[0],
        longitude=library[1],
        accessibility="Chantier\u00a0: chaussures fermées\u202f; parcours accessible en fauteuil.",
        capacity=1,
    )
    await services.register(settings, full.id, admin)  # the one seat: the demo shows a full visit
    # meetings of the demo's spaces (participation/spaces/demo.py)
    for title, slug in (
        ("Villebelle · Budget participatif\u00a0: bilan", spaces_demo.BUDGET),
        ("Villebelle · Atelier mobilités douces", spaces_demo.IDEAS),
    ):
        await Meeting.filter(title=title, space_id=None).update(
            space_id=await spaces_demo.space_id(slug)
        )
