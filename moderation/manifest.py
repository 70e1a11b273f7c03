"""Moderation, declared once (participation/features.py). It knows contributions only through
the content kinds of the other manifests (participation.contributions)."""

from __future__ import annotations

from moderation import demo, privacy, routes
from moderation.middleware import BlockedUserMiddleware
from participation.features import DemoContext, Feature, NavLink, PersonalData
from participation.i18n import N_


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)


FEATURE = Feature(
    name="moderation",
    routes=routes.routes,
    models=["moderation.models"],
    personal_data=PersonalData(export=privacy.export),
    demo=_demo,
    nav=[NavLink(N_("Moderation"), "/moderation", role="moderator")],
    middleware=[BlockedUserMiddleware],
    # only the demo: it reports and pre-moderates the demo proposals and comments
    depends_on=("proposals", "comments"),
)
