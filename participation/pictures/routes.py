"""The routes that serve images, public, cached for a year (`immutable`: a URL never changes
meaning): stored ones at /images/<key>/<width> (a new image gets a new key), and the patterns
drawn for what has none at /static/patterns/<key>.svg (the drawing's version in the query)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import web  # noqa: F401  (registers the "id" convertor of the route)
from participation.pictures import illustration, services
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


async def pattern(request: Request) -> Response:
    """The pattern drawn for what has no image (participation/pictures/illustration.py), by its
    key: the same file for ever (its address carries its version), so cached for a year."""
    key = request.path_params["pattern"]
    if not illustration.is_key(key):
        raise NotFound(key)
    body, _version = illustration.drawing(key)
    return Response(body, media_type="image/svg+xml", headers={"Cache-Control": CACHE})


routes = [
    Route("/images/{key}/{width:id}", image, name="pictures:image"),
    # under /static/: a file that reads no setting (participation/sitesettings/live.py)
    Route("/static/patterns/{pattern}.svg", pattern, name="pictures:pattern"),
]
