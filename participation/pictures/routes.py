"""The one route that serves stored images: /images/<key>/<width>, public, cached for a year
(`immutable`: a new image gets a new key, so a URL never changes meaning)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import web  # noqa: F401  (registers the "id" convertor of the route)
from participation.pictures import services
from participation.pictures.models import KEY_LENGTH
from participation.refusals import NotFound

CACHE = "public, max-age=31536000, immutable"
KEY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


async def image(request: Request) -> Response:
    key = request.path_params["key"]
    if len(key) != KEY_LENGTH or not set(key) <= KEY_CHARACTERS:
        raise NotFound(key)
    found = await services.rendition(key, request.path_params["width"])
    return Response(
        bytes(found.data),
        media_type=found.content_type,
        headers={"Cache-Control": CACHE, "Content-Disposition": "inline"},
    )


routes = [Route("/images/{key}/{width:id}", image, name="pictures:image")]
