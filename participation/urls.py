"""Paths built from route names: `url("budgets:project", budget_id=1, project_id=2)`.

Templates (the `url` Jinja global) and Python (redirects, e-mails, notifications) never write a
path by hand; a renamed or moved route changes in one place. Names follow "package:route"
(`budgets:ballot`): the package, its template folder and the name's prefix are one word.

The result is a path, never an absolute URL: the app runs behind proxies (e-mails prefix
`settings.base_url` themselves). The query string and the fragment are passed apart (`query=`,
`anchor=`), so a path parameter is never confused with them.

Speed: Starlette's `url_path_for` walks every route and splits the path format on each call (a
list page builds dozens of links). `Paths` compiles each name once into a format string and its
convertors; a call is one dict lookup and one `str.format_map`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.convertors import Convertor
from starlette.routing import BaseRoute, Mount, NoMatchFound, Route


@dataclass(frozen=True, slots=True)
class _Compiled:
    format: str  # "/budgets/{budget_id}/projects/{project_id}"
    convertors: dict[str, Callable[[Any], str]]  # parameter -> its convertor's to_string
    mount: bool = False  # a mounted app (static files): its `path` parameter loses its "/"


def _to_string(convertors: Mapping[str, Convertor[Any]]) -> dict[str, Callable[[Any], str]]:
    return {key: convertor.to_string for key, convertor in convertors.items()}


class Paths:
    """The paths of one app's routes, by name; compiled once."""

    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self._compiled: dict[str, _Compiled] = {}
        self._add(routes, name_prefix="", path_prefix="")

    def _add(self, routes: Iterable[BaseRoute], name_prefix: str, path_prefix: str) -> None:
        for route in routes:
            if isinstance(route, Route) and route.name:
                compiled = _Compiled(
                    path_prefix + route.path_format, _to_string(route.param_convertors)
                )
                self._compiled.setdefault(name_prefix + route.name, compiled)
            elif isinstance(route, Mount):
                prefix = name_prefix + (f"{route.name}:" if route.name else "")
                if route.routes:
                    self._add(route.routes, prefix, path_prefix + route.path)
                elif route.name:
                    compiled = _Compiled(
                        path_prefix + route.path_format,
                        _to_string(route.param_convertors),
                        mount=True,
                    )
                    self._compiled.setdefault(name_prefix + route.name, compiled)

    @property
    def parameters(self) -> dict[str, frozenset[str]]:
        """Route name -> the names of its path parameters (mounted routes included)."""
        return {name: frozenset(c.convertors) for name, c in self._compiled.items()}

    def __call__(
        self,
        name: str,
        /,
        *,
        query: str | Mapping[str, Any] | None = None,
        anchor: str = "",
        **params: Any,
    ) -> str:
        """The path of route `name` with `params`; NoMatchFound for an unknown name or a
        missing or extra parameter (a typo fails the page, never links to nowhere)."""
        compiled = self._compiled.get(name)
        if compiled is None or len(params) != len(compiled.convertors):
            raise NoMatchFound(name, params)
        try:
            if compiled.mount:
                params["path"] = str(params["path"]).lstrip("/")
            path = compiled.format.format_map(
                {key: to_string(params[key]) for key, to_string in compiled.convertors.items()}
            )
        except KeyError:  # a parameter missing (so another one is extra)
            raise NoMatchFound(name, params) from None
        if query:
            encoded = query if isinstance(query, str) else urlencode(query, doseq=True, safe="/")
            if encoded:
                path += "?" + encoded
        if anchor:
            path += "#" + anchor
        return path


_paths: Paths | None = None


def use(routes: Iterable[BaseRoute]) -> Paths:
    """Compile `routes` for `url()` (the app factory calls it, as it sets the time zone)."""
    global _paths
    _paths = Paths(routes)
    return _paths


def current_paths() -> Paths | None:
    """The routes `url()` reads now (`use`): what a path worked out from them was computed with."""
    return _paths


def url(name: str, /, **params: Any) -> str:
    """The path of route `name`: the `url` global of templates, and redirects, e-mail links and
    notifications in Python (the app's routes, compiled by the app factory)."""
    if _paths is None:
        # a process that made no app (the worker, the CLI) compiles the app's routes once; the
        # import is here because the app imports every feature, which import this module
        from participation.app import all_routes

        use(all_routes())
    assert _paths is not None
    return _paths(name, **params)
