"""The routes that serve images. Stored ones at /images/<key>/<width>, to whoever may see what
holds the image (issue #22: its owner's own rule, asked through `Feature.picture_owners`), 404
for anyone else, revalidated at every use (`no-cache` with an ETag: a 304 carries no bytes), so
an image disappears with its owner at once (docs/images.md says why not a year's cache). The
patterns drawn for what has no image at /static/patterns/<key>.svg, public and cached a year
(`immutable`: the drawing's version is in the query)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import api, assets, web  # noqa: F401  (web registers the route's "id" convertor)
from participation.pictures import illustration, services
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


async def image(request: Request) -> Response:
    key, width = request.path_params["key"], request.path_params["width"]
    if len(key) != KEY_LENGTH or not set(key) <= KEY_CHARACTERS:
        raise NotFound(key)
    user = request.scope["user"]
    found = await services.found(key, width)  # one statement: the rendition, what holds it
    if found is None or not await services.seen(user, found.picture_id, found.held_by):
        raise NotFound(key)  # as if it never existed: what holds it is not this person's to see
    etag = etag_of(key, width)
    headers = {
        "Cache-Control": PRIVATE_CACHE if user.is_authenticated else PUBLIC_CACHE,
        "ETag": etag,
        "Vary": "Cookie",
    }
    # without "*": the key and width are known only as a tag this route gave, so a 304 never
    # answers for a width that was not made
    if api.matches(request.headers.get("if-none-match"), etag, star=False):
        return Response(status_code=304, headers=headers)
    rendition = await services.rendition(found.rendition_id)
    return Response(
        bytes(rendition.data),
        media_type=rendition.content_type,
        headers={**headers, "Content-Disposition": "inline"},
    )


async def pattern(request: Request) -> Response:
    """The pattern drawn for what has no image (participation/pictures/illustration.py), by its
    key: the same file for ever at the address of its version (`?v=`), so cached for a year as
    the hashed assets are; at another version's address (a page cached before the drawing
    changed) the current drawing, asked again next time (participation/assets.py's rule)."""
    key = request.path_params["pattern"]
    if not illustration.is_key(key):
        raise NotFound(key)
    body, version = illustration.drawing(key)
    fresh = request.query_params.get("v") == version
    return Response(
        body,
        media_type="image/svg+xml",
        headers={"Cache-Control": assets.CACHE if fresh else assets.STALE},
    )


routes = [
    Route("/images/{key}/{width:id}", image, name="pictures:image"),
    # under /static/: a file that reads no setting (participation/sitesettings/live.py)
    Route("/static/patterns/{pattern}.svg", pattern, name="pictures:pattern"),
]
