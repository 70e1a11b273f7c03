"""The demo town's participatory spaces: a budget, a consultation and an ongoing ideas box,
with their timelines and images drawn here with Pillow (shapes and colours: no photo is
downloaded). Created before the features' demos, which attach their content by the spaces'
slugs (`space_id`); `finish` then ends each "until the component's deadline" step when the
attached content's deadline ends (the vote closes when the budget's vote closes).
Idempotent: a space that exists is left alone."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from PIL import Image, ImageDraw
from tortoise import timezone

from participation.pictures import images
from participation.pictures import services as pictures
from participation.richtext import ALLOW_LIST_VERSION, sanitize
from participation.spaces import services
from participation.spaces.domain import Audience
from participation.spaces.models import Space, SpaceStep

BUDGET = "budget-participatif-2026"
CONSULTATION = "parc-des-tilleuls"
IDEAS = "boite-a-idees"
SIZE = (1200, 600)


def _budget_drawing(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 0, *SIZE), fill=(214, 234, 248))  # sky
    draw.ellipse((930, 60, 1090, 220), fill=(244, 196, 48))  # sun
    draw.polygon(
        [(0, 600), (0, 380), (300, 300), (620, 390), (900, 320), (1200, 400), (1200, 600)],
        fill=(88, 160, 90),
    )
    for x, h in ((180, 170), (330, 230), (480, 150), (700, 260), (860, 190)):  # houses
        draw.rectangle(
            (x, 560 - h, x + 110, 560), fill=(235, 228, 214), outline=(90, 70, 60), width=4
        )
        draw.polygon([(x - 10, 560 - h), (x + 55, 500 - h), (x + 120, 560 - h)], fill=(184, 84, 64))


def _park_drawing(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 0, *SIZE), fill=(232, 244, 226))
    draw.rectangle((0, 430, 1200, 600), fill=(120, 180, 100))  # lawn
    draw.ellipse((420, 440, 780, 560), fill=(150, 200, 230))  # pond
    for x, r in ((140, 110), (330, 80), (900, 120), (1080, 90)):  # lime trees
        draw.rectangle((x - 14, 300, x + 14, 460), fill=(110, 80, 50))
        draw.ellipse((x - r, 300 - 2 * r, x + r, 330), fill=(60, 130, 70))
    draw.line((560, 420, 640, 420), fill=(90, 70, 60), width=10)  # a bench
    draw.line((560, 400, 640, 400), fill=(90, 70, 60), width=8)


def _ideas_drawing(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 0, *SIZE), fill=(250, 240, 220))
    for i, colour in enumerate(((240, 170, 60), (90, 150, 220), (220, 100, 120), (120, 190, 130))):
        draw.ellipse(
            (80 + i * 260, 60 + (i % 2) * 60, 260 + i * 260, 240 + (i % 2) * 60), fill=colour
        )
    draw.ellipse(
        (480, 180, 720, 420), fill=(255, 226, 90), outline=(120, 100, 40), width=6
    )  # a bulb
    draw.rectangle((550, 410, 650, 500), fill=(150, 150, 160), outline=(80, 80, 90), width=6)


@dataclass(frozen=True)
class DemoStep:
    title: str
    start: int  # days from now
    end: int | None  # days from now; None: no end
    follows_components: bool = False  # ends when the attached content's deadline ends


@dataclass(frozen=True)
class DemoSpace:
    slug: str
    title: str
    summary: str
    description: str
    alt: str
    draw: Callable[[ImageDraw.ImageDraw], None]
    audience: Audience
    start: int
    end: int | None
    steps: tuple[DemoStep, ...]


SPACES = (
    DemoSpace(
        BUDGET,
        "Budget participatif 2026",
        "800\u00a0000\u00a0€ pour les projets des habitants\u00a0: votez pour vos préférés.",
        "<p>Chaque année, la ville consacre une part de son budget d’investissement aux projets "
        "proposés par les habitants. Les projets déposés ont été étudiés par les services\u00a0; "
        "ceux qui sont réalisables sont soumis au vote.</p>",
        "Un dessin de maisons aux toits rouges sur une colline verte, sous le soleil",
        _budget_drawing,
        Audience.RESIDENTS,
        -120,
        60,
        (
            DemoStep("Dépôt des projets", -120, -60),
            DemoStep("Analyse", -60, -3),
            DemoStep("Vote", -3, 25, follows_components=True),
            DemoStep("Résultats", 30, None),
            DemoStep("Réalisation", 60, None),
        ),
    ),
    DemoSpace(
        CONSULTATION,
        "Rénovation du parc des Tilleuls",
        "Dites-nous ce que vous attendez du parc avant que le projet soit dessiné.",
        "<p>Le parc des Tilleuls sera rénové en 2027. Un questionnaire, puis une réunion "
        "publique, permettent de recueillir vos usages et vos envies.</p>",
        "Un dessin de parc\u00a0: des tilleuls, une pelouse, un bassin et un banc",
        _park_drawing,
        Audience.SIGNED_IN,
        -10,
        90,
        (
            DemoStep("Questionnaire", -3, 25, follows_components=True),
            DemoStep("Synthèse", 25, 55),
            DemoStep("Décision du conseil municipal", 55, None),
        ),
    ),
    DemoSpace(
        IDEAS,
        "Boîte à idées",
        "Une idée pour Villebelle\u00a0? Proposez-la à tout moment.",
        "<p>La boîte à idées reste ouverte toute l’année. Les idées les plus soutenues "
        "reçoivent une réponse officielle de la mairie.</p>",
        "Un dessin d’ampoule entourée de bulles de couleur",
        _ideas_drawing,
        Audience.SIGNED_IN,
        -365,
        None,
        (DemoStep("Dépôt et soutien des idées", -365, None),),
    ),
)


@cache
def prepared(space: DemoSpace) -> images.Prepared:
    """`space`'s picture as an upload gives it, prepared once per process (the same bytes each
    time; every test that loads the demo town encoded them again)."""
    return images.prepare(drawing(space))


def drawing(space: DemoSpace) -> bytes:
    picture = Image.new("RGB", SIZE)
    space.draw(ImageDraw.Draw(picture))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


async def create_spaces() -> None:
    """The three spaces and their timelines, published (once)."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for demo in SPACES:
        if await Space.exists(slug=demo.slug):
            continue
        picture = await pictures.store(prepared(demo), demo.alt)
        space = await Space.create(
            title=demo.title,
            slug=demo.slug,
            summary=demo.summary,
            description=sanitize(demo.description),
            sanitized_with=ALLOW_LIST_VERSION,  # stored as shown (issue #21)
            image_id=picture.id,
            audience=demo.audience,
            starts_at=now + timedelta(days=demo.start),
            ends_at=None if demo.end is None else now + timedelta(days=demo.end),
            published=True,
        )
        for position, step in enumerate(demo.steps, start=1):
            await SpaceStep.create(
                space=space,
                title=step.title,
                position=position,
                starts_at=now + timedelta(days=step.start),
                ends_at=None if step.end is None else now + timedelta(days=step.end),
            )


async def space_id(slug: str) -> int | None:
    """The demo space a feature's demo attaches its content to (None: not created)."""
    space = await Space.get_or_none(slug=slug)
    return space.id if space else None


async def finish() -> None:
    """Each step that follows its components ends at their first deadline (the vote closes
    when the budget's vote closes)."""
    for demo in SPACES:
        space = await Space.get_or_none(slug=demo.slug)
        if space is None:
            continue
        deadlines = [c.deadline for c in await services.components(space.id) if c.deadline]
        if not deadlines:
            continue
        for position, step in enumerate(demo.steps, start=1):
            if step.follows_components:
                await SpaceStep.filter(space_id=space.id, position=position).update(
                    ends_at=min(deadlines)
                )
