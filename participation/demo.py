"""The demo town: a fictional French commune with one account per role and content for each
feature. Idempotent: running it again changes nothing, and it never touches what people
created (their proposals, supports, ballots, the register, the audit log)."""

from __future__ import annotations

from tortoise import timezone

from participation import features
from participation.accounts.models import Role, User
from participation.accounts.services import hash_password
from participation.db import close_database, init_database
from participation.settings import Settings

TOWN = "Villebelle-sur-Loire"
# Demo-only credentials, printed by `participation demo`; never use them on a real site.
DEMO_ACCOUNTS = [
    ("habitante@demo.villebelle.fr", "Camille Martin", Role.CITIZEN, "Villebelle-citoyenne-2026"),
    ("moderateur@demo.villebelle.fr", "Yanis Moreau", Role.MODERATOR, "Villebelle-moderation-2026"),
    (
        "mairie@demo.villebelle.fr",
        "Service démocratie locale",
        Role.ADMIN,
        "Villebelle-mairie-2026",
    ),
]


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
            await user.save()
        users.append(user)
    return users


async def seed(settings: Settings) -> list[str]:
    """Every feature's demo, in order. Each seeds its rows once and recognises them (demo
    accounts, titles), so running it again, as `make run` does at every start, changes
    nothing, and what people created is never touched (tests/participation/test_demo_town.py)."""
    context = features.DemoContext(settings, await create_accounts(settings))
    for feature in features.FEATURES:  # in the order of features.INSTALLED
        if feature.demo is not None:
            await feature.demo(context)
    return context.notes


async def load(settings: Settings) -> None:
    await init_database(settings)
    try:
        notes = await seed(settings)
    finally:
        await close_database()
    print(f"Demo town {TOWN} is ready. Accounts (demo only):")
    for email, _name, role, password in DEMO_ACCOUNTS:
        print(f"  {role.value:<10} {email:<32} {password}")
    for note in notes:  # what a feature's demo tells (the resident register)
        print(note)
