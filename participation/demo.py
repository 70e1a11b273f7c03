"""The demo town: a fictional French commune with one account per role and content for each
feature. Idempotent: running it again changes nothing, and it never touches what people
created (their proposals, supports, ballots, the register, the audit log)."""

from __future__ import annotations

from tortoise import timezone

from participation import features
from participation.accounts.models import Role, User
from participation.accounts.services import hash_password
from participation.db import close_database, init_database
from participation.people.models import SpaceRole
from participation.settings import Settings
from participation.sitepages import services as sitepages
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


async def seed(settings: Settings) -> list[str]:
    """Every feature's demo, in order. Each seeds its rows once and recognises them (demo
    accounts, titles), so running it again, as `make run` does at every start, changes
    nothing, and what people created is never touched (tests/participation/test_demo_town.py)."""
    users = await create_accounts(settings)
    await sitepages.fill_demo(demo_page_values(settings), users[-1])  # the town's staff
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
