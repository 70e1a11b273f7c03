"""The throwaway feature's manifest: the only place that declares it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from participation.accounts.privacy import rows
from participation.contributions import Item, ModerationState, RowKind, excerpt
from participation.features import (
    AdminLine,
    DemoContext,
    Feature,
    NavLink,
    NotificationKind,
    PersonalData,
)
from participation.ratelimit import HOUR, Limit, RateLimitedAction
from participation.related import RelatedLink
from participation.urls import url
from tests.petitions.models import Petition

DEMO_TITLE = "Une pétition pour le marché du dimanche"


class PetitionKind(RowKind):
    """A kind that takes every default of `RowKind`: its model and how an item reads."""

    name = "petition"
    label = "petition"
    model = Petition

    def _item(self, p: Any) -> Item:
        return self.row_item(p, p.title, excerpt(p.body), f"/petitions/{p.id}")


async def export(user: Any, translate: Callable[[str], str]) -> dict[str, Any]:
    values = await Petition.filter(author_id=user.id).values("title", "contact_phone")
    return {"petitions": rows(values)}


async def erase(user: Any) -> None:
    await Petition.filter(author_id=user.id).update(contact_phone="")


async def demo(context: DemoContext) -> None:
    if not await Petition.exists(title=DEMO_TITLE):
        await Petition.create(
            title=DEMO_TITLE,
            body="<p>Ouvrir le marché le dimanche matin, place de la Mairie.</p>",
            author_id=context.users[0].id,
            moderation_state=ModerationState.VISIBLE,
        )


async def petition_page(request: Request) -> PlainTextResponse:
    petition = await Petition.get(id=request.path_params["petition_id"])
    return PlainTextResponse(petition.title)


async def petitions_page(request: Request) -> PlainTextResponse:
    return PlainTextResponse("\n".join(await Petition.all().values_list("title", flat=True)))


ANSWERED = "petition_answered"  # a notification kind: the council answered a petition


def _petition_of(event_key: str) -> str:  # event keys: "petition:<id>:answered"
    return url("petitions:detail", petition_id=int(event_key.split(":")[1]))


async def related_links(kind: str, target_id: int) -> list[RelatedLink]:
    """Proposals show the petitions that quote them (here: a petition whose body names
    "proposal <id>")."""
    if kind != "proposal":
        return []
    quoting = await Petition.filter(body__contains=f"proposal {target_id}").order_by("id")
    return [
        RelatedLink("Quoted by a petition", p.title, url("petitions:detail", petition_id=p.id))
        for p in quoting
    ]


FEATURE = Feature(
    name="petitions",
    routes=[
        Route("/petitions/{petition_id:id}", petition_page, name="petitions:detail"),
        Route("/admin/petitions", petitions_page, name="petitions:admin_index"),
    ],
    models=["tests.petitions.models"],
    content_kinds=[PetitionKind()],
    personal_data=PersonalData(export=export, erase=erase),
    demo=demo,
    admin=[AdminLine(55, (NavLink("Petitions to answer", "petitions:admin_index"),))],
    notification_kinds=[
        NotificationKind(
            ANSWERED,
            "A petition was answered",
            "The council answered the petition “{title}”.",
            _petition_of,
        )
    ],
    related_links=related_links,
    rate_limits=[
        RateLimitedAction(
            "petition_sign", "Petition signatures", (Limit("petition_sign", "ip", 5, HOUR),)
        )
    ],
)
