"""A small, real stand-in for the national address API (api-adresse.data.gouv.fr), served on a
free local port (tests/localserver.py), as the tests' OpenID Connect provider is:
`GET /search/?q=…&limit=…&citycode=…` answers a GeoJSON FeatureCollection of the `places`
whose label contains every word of `q` (properties label, score, citycode; geometry
coordinates [longitude, latitude]), and 400 for a query under 3 characters, as the API does.
`queries` records what was asked."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.localserver import StandIn

# (label, score, latitude, longitude, citycode): the demo town's box is 47.16,-1.66,47.30,-1.46
PLACES = [
    ("8 Rue Pasteur 44000 Nantes", 0.92, 47.21, -1.55, "44109"),
    ("Rue de la Gare 44000 Nantes", 0.61, 47.22, -1.54, "44109"),
    ("Rue de la Gare 44400 Rezé", 0.60, 47.18, -1.55, "44143"),
    ("1 Place du Capitole 31000 Toulouse", 0.95, 43.60, 1.44, "31555"),
]


class LocalGeocoder(StandIn):
    def __init__(self) -> None:
        self.places = list(PLACES)
        self.queries: list[dict[str, str]] = []

    async def search(self, request: Request) -> Response:
        asked = dict(request.query_params)
        self.queries.append(asked)
        q = asked.get("q", "")
        if len(q.strip()) < 3:
            return JSONResponse({"code": 400, "message": "q must contain 3 chars"}, 400)
        words = q.casefold().split()
        features: list[dict[str, Any]] = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"label": label, "score": score, "citycode": code, "type": "street"},
            }
            for label, score, lat, lon, code in self.places
            if all(w in label.casefold() for w in words) and asked.get("citycode", code) == code
        ]
        limit = int(asked.get("limit", "5"))
        return JSONResponse(
            {
                "type": "FeatureCollection",
                "version": "draft",
                "features": features[:limit],
                "attribution": "BAN",
                "licence": "ETALAB-2.0",
                "query": q,
                "limit": limit,
            }
        )

    def routes(self) -> list[BaseRoute]:
        return [Route("/search/", self.search)]
