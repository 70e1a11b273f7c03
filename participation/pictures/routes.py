"""The one route that serves stored images: /images/<key>/<width>, to whoever may see what holds
the image (issue #22: its owner's own rule, asked through `Feature.picture_owners`), 404 for
anyone else. Revalidated at every use (`no-cache` with an ETag: a 304 carries no bytes), so an
image disappears with its owner at once: hidden by moderation, withdrawn, a project no longer
public (docs/images.md says why not a year's cache)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import web  # noqa: F401  (registers the "id" convertor of the route)
from participation.pictures import services
from participation.pictures.models import KEY_LENGTH
from participation.refusals import NotFound

# a visitor's answer is the same for every visitor: a shared cache may keep it, but asks again
# at every use; a signed-in person's may depend on who they are (staff, the author): theirs only
PUBLIC_CACHE = "public, no-cache"
PRIVATE_CACHE = "private, no-cache"
KEY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def etag_of(key: str, width: int) -> str:
    """A rendition never changes (a new image gets a new key): its key and width name it."""
    return f'"{key}-{width}"'


def _matches(request: Request, etag: str) -> bool:
    # api.matches' weak comparison, without "*": the key and width are known only as a tag this
    # route gave, so a 304 never answers for a width that was not made
    sent = request.headers.get("if-none-match", "")
    return any(tag.strip().removeprefix("W/") == etag for tag in sent.split(","))


async def image(request: Request) -> Response:
    key, width = request.path_params["key"], request.path_params["width"]
    if len(key) != KEY_LENGTH or not set(key) <= KEY_CHARACTERS:
        raise NotFound(key)
    user = request.scope["user"]
    picture_id = await services.picture_id(key)
    if picture_id is None or not await services.seen(user, picture_id):
        raise NotFound(key)  # as if it never existed: what holds it is not this person's to see
    etag = etag_of(key, width)
    headers = {
        "Cache-Control": PRIVATE_CACHE if user.is_authenticated else PUBLIC_CACHE,
        "ETag": etag,
        "Vary": "Cookie",
    }
    if _matches(request, etag):
        return Response(status_code=304, headers=headers)
    found = await services.rendition(key, width)
    return Response(
        bytes(found.data),
        media_type=found.content_type,
        headers={**headers, "Content-Disposition": "inline"},
    )


routes = [Route("/images/{key}/{width:id}", image, name="pictures:image")]
