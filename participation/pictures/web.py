"""An image field in a route: the file read from the multipart form, checked with the rest.

    raw = await pictures_web.upload(request)  # before web.form_page reads the fields
    ...
    async def save(data):
        image = await pictures_web.checked(request, raw, data, has_image, lambda: check(data))
        ... the feature's service, with `image`, in its transaction (services.apply)

The form must be `enctype="multipart/form-data"`; the other fields are read as usual
(`web.form_data`: the form is parsed once, its files closed).

Rate limit (the core's action `image_upload`, participation/ratelimit.py): checks first, then
the count, as every form does: a new image is counted once the image and the form's own checks
passed (what would be saved; a form sent back for a field costs nothing). Decoding and encoding
an image is the costliest thing a form asks of the server, so a full limit (the image's, and
the actions the form names, `limits`: a new proposal's `post`) refuses it first (429), counting
nothing, before any pixel is decoded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from starlette.datastructures import FormData
from starlette.requests import Request

from participation import ratelimit
from participation.pictures.forms import FIELD, ImageChange, image_change
from participation.pictures.images import MAX_BYTES
from participation.refusals import Refused


async def upload(request: Request, field: str = FIELD) -> bytes | None:
    """The bytes of the file sent in `field` (`read`), None when no file was chosen or the
    request is not a POST."""
    if request.method != "POST":
        return None
    async with request.form() as form:
        return await read(form, field)


async def read(form: FormData, field: str = FIELD) -> bytes | None:
    """The bytes of the image file sent in `field` of an open multipart `form`, at most one
    byte over `images.MAX_BYTES` (enough to refuse it: `images.opened`), None when no file was
    chosen. The one reader of an uploaded image's file, for every form that takes one."""
    sent = form.get(field)
    if sent is None or isinstance(sent, str) or not sent.filename:
        return None
    return await sent.read(MAX_BYTES + 1) or None  # empty: no file chosen


UPLOAD_LIMIT = "image_upload"  # the core's rate-limited action (participation/ratelimit.py)


async def checked(
    request: Request,
    raw: bytes | None,
    data: Mapping[str, str],
    has_image: bool,
    others: Callable[[], Awaitable[object]],
    limits: tuple[str, ...] = (),
) -> ImageChange | None:
    """The image change the form asks for (`forms.image_change`), checked with the form's other
    checks (`others`, which write nothing) so that every wrong field is shown at once, and a
    new image counted in its rate limit once both passed. `limits`: the form's own rate-limited
    actions, which a new file may not bypass (see the module's docstring)."""
    if raw is None:  # nothing to decode: the form's own checks come in the feature's service
        return image_change(raw, data, has_image)
    for action in (UPLOAD_LIMIT, *limits):  # full: 429 before any decoding, nothing counted
        await ratelimit.refuse_if_exhausted(request, action)
    try:
        # decoding up to 20 megapixels and encoding three widths takes a while: in a thread,
        # so that the server's other requests go on meanwhile
        change = await asyncio.to_thread(image_change, raw, data, has_image)
    except Refused as refused:
        try:
            await others()
        except Refused as other:
            raise Refused([*other.problems, *refused.problems]) from None
        raise
    if change is not None and change.prepared is not None:
        await others()  # a form sent back for a field would not save it: not counted
        await ratelimit.check(request, UPLOAD_LIMIT)
    return change
