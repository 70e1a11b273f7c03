"""An image field in a route: the file read from the multipart form, checked with the rest.

    raw = await pictures_web.upload(request)  # before web.form_page reads the fields
    ...
    async def save(data):
        image = await pictures_web.checked(raw, data, has_image, lambda: check(data))
        ... the feature's service, with `image`, in its transaction (services.apply)

The form must be `enctype="multipart/form-data"`; the other fields are read as usual
(`web.form_data`: the form is parsed once, its files closed)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from starlette.datastructures import FormData
from starlette.requests import Request

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


async def checked(
    raw: bytes | None,
    data: Mapping[str, str],
    has_image: bool,
    others: Callable[[], Awaitable[object]],
) -> ImageChange | None:
    """The image change the form asks for (`forms.image_change`); when it is refused, the
    form's other checks (`others`, which write nothing) run too, so that every wrong field is
    shown at once."""
    try:
        if raw is None:
            return image_change(raw, data, has_image)
        # decoding up to 20 megapixels and encoding three widths takes a while: in a thread,
        # so that the server's other requests go on meanwhile
        return await asyncio.to_thread(image_change, raw, data, has_image)
    except Refused as refused:
        try:
            await others()
        except Refused as other:
            raise Refused([*other.problems, *refused.problems]) from None
        raise
