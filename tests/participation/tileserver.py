"""A small, real tile server for the maps' tests (issue #20), served on a free local port
(tests/localserver.py) as the address API's stand-in is: `GET /{z}/{x}/{y}.png` answers a
256 x 256 PNG (a pale square with a thin edge, so that a screenshot shows the tiles' grid) and
`requests` records the tiles asked, as (z, x, y). The tests set MAP_TILE_URL to
`{url}/{z}/{x}/{y}.png`: never OpenStreetMap's servers."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tests.localserver import StandIn


def tile_png() -> bytes:
    image = Image.new("RGB", (256, 256), "#eef0e6")
    ImageDraw.Draw(image).rectangle((0, 0, 255, 255), outline="#c9ccbd")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class LocalTileServer(StandIn):
    def __init__(self) -> None:
        self.png = tile_png()
        self.requests: list[tuple[int, int, int]] = []

    @property
    def template(self) -> str:
        """The MAP_TILE_URL of this server."""
        return self.url + "/{z}/{x}/{y}.png"

    async def tile(self, request: Request) -> Response:
        p = request.path_params
        self.requests.append((p["z"], p["x"], p["y"]))
        return Response(self.png, media_type="image/png")

    def routes(self) -> list[BaseRoute]:
        return [Route("/{z:int}/{x:int}/{y:int}.png", self.tile)]
