"""The demo town: a fictional French commune with one account per role and content for each
feature. Idempotent: running it again changes nothing, and it never touches what people
created (their proposals, supports, ballots, the register, the audit log)."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw
from tortoise import timezone

from participation import features, ratelimit
from participation.accounts.models import Role, User
from participation.accounts.services import hash_password
from participation.db import close_database, init_database
from participation.people.models import SpaceRole
from participation.settings import Settings
from participation.sitepages import services as sitepages
from participation.sitesettings import services as site_settings
from participation.sitesettings.domain import SettingsForm
from participation.spaces import demo as spaces

TOWN = "Villebelle-sur-Loire"
# Demo-only credentials, printed by `participation demo`; never use them on a real site. The
# first three are the people the features' demos write in the name of (resident, moderator,
# the town's staff: `create_accounts` returns them); the evaluator (issue #18) reviews the
# projects of the budget space's budgets, and the desk officer (issue #19) tries the counter:
# both only log in, and write nothing in the demo.
DEMO_ACCOUNTS = [
    ("habitante@demo.villebelle.fr", "Camille Martin", Role.CITIZEN, "Villebelle-citoyenne-2026"),
    ("moderateur@demo.villebelle.fr", "Yanis Moreau", Role.MODERATOR, "Villebelle-moderation-2026"),
    (
        "mairie@demo.villebelle.fr",
        "Service démocratie locale",
        Role.ADMIN,
        "Villebelle-mairie-2026",
    ),
    # evaluator of the budget projects of the budget space (issue #18: a role in that space)
    ("evaluation@demo.villebelle.fr", "Lucie Garnier", Role.CITIZEN, "Villebelle-evaluation-2026"),
    ("accueil@demo.villebelle.fr", "Inès Bernard", Role.AGENT, "Villebelle-accueil-2026"),
]
EVALUATOR = "evaluation@demo.villebelle.fr"
PARTICIPANTS = 3  # the resident, the moderator and the staff: what the features' demos unpack


def demo_account(email: str, name: str, password_hash: str, role: Role = Role.CITIZEN) -> User:
    """A demo person's account, confirmed and in French (not saved yet)."""
    return User(
        email=email,
        display_name=name,
        role=role,
        password_hash=password_hash,
        email_confirmed_at=timezone.now(),
        language="fr",
    )


async def create_accounts(settings: Settings) -> list[User]:
    users = []
    for email, name, role, password in DEMO_ACCOUNTS:
        user = await User.get_or_none(email=email)
        if user is None:
            user = demo_account(email, name, await hash_password(settings, password), role)
            user.terms_version = await sitepages.current_terms_version()  # they signed up
            user.terms_accepted_at = timezone.now()
            await user.save()
        users.append(user)
    return users[:PARTICIPANTS]


TOWN_HALL = "Hôtel de ville, 1 place de la Mairie, 44000 Villebelle-sur-Loire"


def demo_page_values(settings: Settings) -> dict[str, str]:
    """What the town fills in the default texts of its content pages (participation/sitepages):
    fictional, as the whole town is."""
    office = "democratie@demo.villebelle.fr"
    host = "Hébergeur Exemple (fictif), 2 rue des Serveurs, 44000 Villebelle-sur-Loire"
    return {
        "[Nom de la collectivité]": f"Ville de {TOWN}",
        "[adresse du site]": settings.base_url,
        "[date]": "1er décembre 2026",
        "[Adresse postale de la mairie]": TOWN_HALL,
        "[Town hall's postal address]": TOWN_HALL,
        "[numéro de téléphone]": "02 00 00 00 00",
        "[telephone number]": "+33 2 00 00 00 00",
        "[numéro SIRET]": "000 000 000 00000 (fictif)",
        "[adresse électronique de contact]": office,
        "[contact address]": office,
        "[Nom et fonction, en général le maire ou la maire]": "Claire Dubois, maire",
        "[Name and office, usually the mayor]": "Claire Dubois, mayor",
        "[Nom de l'hébergeur]<br>[Adresse et numéro de téléphone de l'hébergeur]": host,
        "[Host's name]<br>[Host's address and telephone number]": host,
        "[service, adresse électronique, formulaire, téléphone de la collectivité]": (
            f"le service démocratie locale, {office}, 02 00 00 00 00"
        ),
        "[service, adresse électronique, téléphone de la collectivité]": (
            f"{office} (service démocratie locale, 02 00 00 00 00)"
        ),
        "[service, e-mail address, telephone of the council]": (
            f"{office} (local democracy office, +33 2 00 00 00 00)"
        ),
        "[Service, adresse électronique de la collectivité]": (
            f"Service démocratie locale, {office}"
        ),
    }


def demo_logo() -> bytes:
    """The demo town's emblem, drawn here (nothing downloaded): a shield in the default colour
    with the Loire's three waves under a sun, as a PNG (its header shows it beside its name)."""
    k = 4  # drawn four times larger, then reduced: smooth edges without anti-aliasing
    image = Image.new("RGBA", (160 * k, 160 * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    blue, white, gold = (0, 0, 145, 255), (255, 255, 255, 255), (246, 196, 69, 255)
    shield = [(16, 12), (144, 12), (144, 88), (80, 150), (16, 88)]
    draw.polygon([(x * k, y * k) for x, y in shield], fill=blue)
    draw.ellipse((58 * k, 26 * k, 102 * k, 70 * k), fill=gold)
    for top in (80, 98, 116):
        inset = (top - 80) + 24  # narrower toward the point of the shield
        wave = [
            (x * k, (top + 4 * math.sin((x - inset) / 8 * math.pi / 1.5)) * k)
            for x in range(inset, 137 - inset + 24)
        ]
        draw.line(wave, fill=white, width=5 * k, joint="curve")
    image = image.resize((160, 160), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def site_identity(
    settings: Settings, staff: User, name: str = TOWN, logo: bytes | None = None
) -> None:
    """The town's name and logo (the demo's emblem unless `logo`, a PNG, is given) in the site
    settings, the first time only: a town that saved its settings keeps them (and running the
    demo again writes no audit entry)."""
    actions = ratelimit.actions()
    now = await site_settings.current(settings, actions)
    if now.version:
        return
    v = now.values
    form = SettingsForm(
        site_name=name,
        contact_email=v.contact_email or "democratie@demo.villebelle.fr",
        default_language=v.default_language,
        primary_colour=v.primary_colour,
        proposal_support_threshold=str(v.proposal_support_threshold),
        moderation_report_threshold=str(v.moderation_report_threshold),
        premoderated_content=tuple(sorted(v.premoderated_content)),
        rate_limited_actions=tuple(sorted(v.rate_limited_actions)),
        map_tile_url=v.map_tile_url,  # the environment's (MAP_TILE_URL), as for no row
        map_tile_attribution=v.map_tile_attribution,
        base_version="0",
    )
    await site_settings.save(settings, actions, form, staff, logo_upload=logo or demo_logo())


async def seed(settings: Settings) -> list[str]:
    """Every feature's demo, in order. Each seeds its rows once and recognises them (demo
    accounts, titles), so running it again, as `make run` does at every start, changes
    nothing, and what people created is never touched (tests/participation/test_demo_town.py)."""
    users = await create_accounts(settings)
    await sitepages.fill_demo(demo_page_values(settings), users[-1])  # the town's staff
    await site_identity(settings, users[-1])  # the header says Villebelle-sur-Loire
    await spaces.create_spaces()  # the features' demos attach their content to them
    await _evaluator_role()
    context = features.DemoContext(settings, users)
    for feature in features.FEATURES:  # in the order of features.INSTALLED
        if feature.demo is not None:
            await feature.demo(context)
    await spaces.finish()
    return context.notes


async def _evaluator_role() -> None:
    """The demo's evaluator evaluates the budget projects of the budget space (once)."""
    user = await User.get_or_none(email=EVALUATOR)
    space_id = await spaces.space_id(spaces.BUDGET)
    if user is not None and space_id is not None:
        await SpaceRole.get_or_create(user_id=user.id, space_id=space_id, role="evaluator")


async def load(settings: Settings) -> None:
    await init_database(settings)
    try:
        notes = await seed(settings)
    finally:
        await close_database()
    print(f"Demo town {TOWN} is ready. Accounts (demo only):")
    for email, _name, role, password in DEMO_ACCOUNTS:
        label = "evaluator" if email == EVALUATOR else role.value  # a role in the budget space
        print(f"  {label:<10} {email:<32} {password}")
    for note in notes:  # what a feature's demo tells (the resident register)
        print(note)
