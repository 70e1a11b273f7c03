"""The throwaway feature's manifest: the only place that declares it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from participation import mail
from participation.accounts.privacy import rows
from participation.contributions import (
    Item,
    ModerationState,
    excerpt,
    hide_pending,
    recent_bodies,
)
from participation.features import (
    AdminLine,
    DemoContext,
    Feature,
    NavLink,
    NotificationKind,
    PersonalData,
)
from participation.related import RelatedLink
from participation.settings import Settings
from participation.templating import public_name
from participation.urls import url
from tests.petitions.models import Petition

DEMO_TITLE = "Une pétition pour le marché du dimanche"


class PetitionKind:
    name = "petition"
    label = "petition"

    def _item(self, p: Any) -> Item:
        return Item(
            "petition",
            p.id,
            p.title,
            excerpt(p.body),
            f"/petitions/{p.id}",
            p.author_id,
            public_name(p.author),
            ModerationState(p.moderation_state),
            p.created_at,
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        rows_ = await Petition.filter(id__in=ids).select_related("author")
        return {p.id: self._item(p) for p in rows_}

    async def visible_to(self, user: Any, target_id: int) -> Item | None:
        return (await self.load([target_id])).get(target_id)

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        moved = await Petition.filter(id=item.id, moderation_state=item.state).update(
            moderation_state=target
        )
        return bool(moved), []

    async def hide_pending_of(self, user_id: int) -> list[int]:
        return await hide_pending(Petition, user_id)

    async def after_commit(self, item: Item, target: ModerationState) -> None:
        return None

    async def recent_texts(self, user_id: int, since: datetime) -> list[str]:
        return await recent_bodies(Petition, user_id, since)

    async def notification_subject(self, item: Item) -> tuple[Any, Any]:
        return None, None


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
)
