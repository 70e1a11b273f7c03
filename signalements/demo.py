"""Demo signalements for Villebelle-sur-Loire: six categories and three dozen reports over the
last three months, in every state, with the answers a town's services really write.
Recognised by the categories: running the demo again changes nothing. Written as rows with
their own dates (a service would date everything now)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from tortoise import timezone

from participation.settings import Settings
from signalements import domain
from signalements.domain import Channel, State
from signalements.models import (
    Category,
    EventKind,
    Follower,
    Report,
    ReportEvent,
    ResponseTemplate,
)

CATEGORIES = [
    # name, icon, service, SLA days
    ("Voirie (nid-de-poule, trottoir abîmé)", "road", "Voirie", 15),
    ("Éclairage public en panne", "light", "Éclairage public", 7),
    ("Dépôt sauvage", "waste", "Propreté urbaine", 3),
    ("Tag ou graffiti", "graffiti", "Propreté urbaine", 10),
    ("Traversée dangereuse", "crossing", "Mobilités", 30),
    ("Arbre ou espace vert", "tree", "Espaces verts", 20),
]
STREETS = [
    "rue de la Loire",
    "avenue Jean-Jaurès",
    "place de la Mairie",
    "rue des Tanneurs",
    "boulevard Victor-Hugo",
    "chemin du Moulin",
    "rue Pasteur",
    "allée des Tilleuls",
    "quai de la Poissonnerie",
    "rue du Général-Leclerc",
]
DESCRIPTIONS = {
    "road": [
        "Nid-de-poule profond devant le numéro, dangereux pour les vélos.",
        "Trottoir soulevé par des racines, une poussette ne passe plus.",
        "Plaque d’égout qui claque à chaque passage de voiture.",
    ],
    "light": [
        "Lampadaire éteint depuis une semaine, la rue est très sombre le soir.",
        "Trois réverbères clignotent toute la nuit.",
    ],
    "waste": [
        "Matelas et cartons déposés au pied des conteneurs.",
        "Sacs de gravats abandonnés sur le bas-côté.",
    ],
    "graffiti": [
        "Tag sur la façade de l’école, côté cour.",
        "Graffitis sur l’abribus, la carte du réseau est illisible.",
    ],
    "crossing": [
        "Passage piéton effacé à la sortie de l’école, les voitures ne s’arrêtent pas.",
        "Visibilité nulle au carrefour à cause d’une haie trop haute.",
    ],
    "tree": [
        "Branche cassée qui pend au-dessus du trottoir après la tempête.",
        "Pelouse du square non tondue, les herbes dépassent un mètre.",
    ],
}
NBSP, NNBSP = "\u00a0", "\u202f"  # before ":" and before ";", "!", "?"
ANSWERS = {
    State.TAKEN: (
        "Votre signalement est transmis au service {service}, qui passe sur place cette semaine."
    ),
    State.PLANNED: (
        f"Intervention programmée avec l’entreprise titulaire du marché{NBSP}: passage prévu "
        "sous quinze jours."
    ),
    State.RESOLVED: (
        "L’équipe du service {service} est intervenue : le problème est réglé. Merci pour "
        "votre vigilance."
    ).replace(" :", f"{NBSP}:"),
    State.REJECTED: (
        "Après passage sur place, nous n’avons pas constaté le problème décrit. N’hésitez pas "
        "à nous le signaler à nouveau avec une photo."
    ),
    State.NOT_OURS: (
        f"Cette voie relève du Département{NBSP}: nous avons transmis votre signalement, que "
        "vous pouvez aussi suivre auprès de lui."
    ),
}
NOT_OURS_BODY = f"Conseil départemental, service des routes{NBSP}: 02 40 00 00 00"
NOTE = f"Équipe de nuit prévenue{NNBSP}; voir avec le prestataire pour la nacelle."
TEMPLATES = [
    # category index (None: every category), title, text
    (None, "Transmis au service", ANSWERS[State.TAKEN].replace("{service}", "concerné")),
    (None, "Problème non constaté", ANSWERS[State.REJECTED]),
    (
        0,
        "Nid-de-poule rebouché",
        f"Le nid-de-poule a été rebouché à l’enrobé à froid{NBSP}; une réfection définitive de "
        "la chaussée est inscrite au programme de voirie.",
    ),
    (
        1,
        "Lampe remplacée",
        "La lampe du lampadaire a été remplacée par une LED. Merci pour votre signalement.",
    ),
    (
        2,
        "Dépôt enlevé",
        f"Le dépôt a été enlevé par la propreté urbaine{NBSP}; une enquête est ouverte pour "
        "retrouver son auteur.",
    ),
]
PATHS = [
    [],
    [State.TAKEN],
    [State.TAKEN, State.PLANNED],
    [State.TAKEN, State.RESOLVED],
    [State.TAKEN, State.PLANNED, State.RESOLVED],
    [State.RESOLVED],
    [State.REJECTED],
    [State.NOT_OURS],
]


async def load(settings: Settings, users: list[Any]) -> None:
    if await Category.exists(name=CATEGORIES[0][0]):
        return
    citizen, _moderator, admin = users
    rng = random.Random(24)  # the same demo every time
    now = timezone.now().replace(second=0, microsecond=0)
    south, west, north, east = settings.signalements_town_box
    categories = [
        await Category.create(name=n, icon=i, service=s, sla_days=d) for n, i, s, d in CATEGORIES
    ]
    for index, title, text in TEMPLATES:
        await ResponseTemplate.create(
            category=None if index is None else categories[index], title=title, text=text
        )
    for number in range(36):
        category = categories[number % len(categories)]
        created = now - timedelta(days=rng.uniform(1, 90), hours=rng.uniform(0, 10))
        path = PATHS[number % len(PATHS)]
        street = STREETS[number % len(STREETS)]
        report = await Report.create(
            category=category,
            description=rng.choice(DESCRIPTIONS[category.icon]),
            address=f"{rng.randint(1, 80)} {street}, Villebelle-sur-Loire",
            latitude=rng.uniform(south + 0.02, north - 0.02) if number % 5 else None,
            longitude=rng.uniform(west + 0.02, east - 0.02) if number % 5 else None,
            channel=[Channel.ONLINE, Channel.ONLINE, Channel.PHONE, Channel.COUNTER][number % 4],
            private=number == 7,
            token_hash=domain.token_hash(domain.new_token()),
            author_id=citizen.id if number % 6 == 0 else None,
            due_at=domain.due_at(created, category.sla_days),
            created_at=created,
        )
        await ReportEvent.create(
            report=report,
            kind=EventKind.CREATED,
            public=True,
            state=State.RECEIVED,
            created_at=created,
        )
        if report.author_id:
            await Follower.create(report=report, key=f"u:{citizen.id}", user_id=citizen.id)
        moment = created
        for state in path:
            moment = min(now, moment + timedelta(days=rng.uniform(0.5, category.sla_days * 0.8)))
            await ReportEvent.create(
                report=report,
                kind=EventKind.STATE,
                public=True,
                state=state,
                message=ANSWERS[state].format(service=category.service.lower()),
                body=NOT_OURS_BODY if state == State.NOT_OURS else "",
                author_id=admin.id,
                created_at=moment,
            )
        if path:
            resolved = moment if path[-1] == State.RESOLVED else None
            await Report.filter(id=report.id).update(state=path[-1], resolved_at=resolved)
        if number % 9 == 4:
            await ReportEvent.create(
                report=report,
                kind=EventKind.NOTE,
                public=False,
                message=NOTE,
                author_id=admin.id,
                created_at=moment,
            )
