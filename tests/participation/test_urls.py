"""Paths come from route names (participation/urls.py); a template naming a route that does not
exist, or forgetting one of its parameters, fails here rather than linking to nowhere."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from jinja2 import nodes
from starlette.routing import Mount, NoMatchFound, Route
from starlette.staticfiles import StaticFiles

from participation import features
from participation.app import all_routes
from participation.templating import TEMPLATE_DIR, templates
from participation.urls import Paths


async def _page(request: object) -> None:  # pragma: no cover - never called
    return None


ROUTES = [
    Route("/", _page, name="pages:home"),
    Route("/budgets/{budget_id:int}/projects/{project_id:int}", _page, name="budgets:project"),
    Route("/account/confirm/{token}", _page, name="accounts:confirm"),
    Mount("/static", StaticFiles(directory=".", check_dir=False), name="static"),
    Mount("/meetings", routes=[Route("/{meeting_id:int}", _page, name="detail")], name="meetings"),
]


def test_a_name_gives_its_path_with_the_parameters_filled_in() -> None:
    url = Paths(ROUTES)
    assert url.parameters["budgets:project"] == {"budget_id", "project_id"}
    assert url("pages:home") == "/"
    assert url("budgets:project", budget_id=3, project_id=14) == "/budgets/3/projects/14"
    assert url("accounts:confirm", token="abc-def") == "/account/confirm/abc-def"
    assert url("static", path="css/app.css") == "/static/css/app.css"
    assert url("static", path="/css/app.css") == "/static/css/app.css"
    assert url("meetings:detail", meeting_id=7) == "/meetings/7"


def test_the_same_paths_as_starlette() -> None:
    url = Paths(all_routes())
    router = Mount("", routes=all_routes())
    for route in all_routes():
        if isinstance(route, Route):
            params = {name: "7" for name in route.param_convertors}
            assert url(route.name, **params) == router.url_path_for(route.name, **params)


def test_query_string_and_fragment_are_passed_apart() -> None:
    url = Paths(ROUTES)
    assert url("pages:home", query="page=2&q=v%C3%A9lo") == "/?page=2&q=v%C3%A9lo"
    assert url("pages:home", query={"next": "/budgets/1/ballot"}) == "/?next=/budgets/1/ballot"
    assert url("pages:home", query={"district": "Nord Est"}) == "/?district=Nord+Est"
    assert url("pages:home", query="") == url("pages:home", query=None) == "/"
    assert url("pages:home", query={"page": 2}, anchor="results") == "/?page=2#results"


@pytest.mark.parametrize(
    "name, params",
    [
        ("budgets:nowhere", {}),
        ("budgets:project", {"budget_id": 3}),  # a parameter missing
        ("pages:home", {"id": 3}),  # a parameter too many
        ("budgets:project", {"budget_id": 3, "id": 4}),  # one missing, one extra
        ("static", {"file": "app.css"}),
    ],
)
def test_an_unknown_name_or_a_wrong_parameter_is_an_error(name: str, params: dict) -> None:
    with pytest.raises(NoMatchFound):
        Paths(ROUTES)(name, **params)


def test_every_route_is_named_package_colon_route() -> None:
    names = [r.name for r in all_routes() if isinstance(r, Route)]
    assert len(names) == len(set(names))
    wrong = [n for n in Paths(all_routes()).parameters if not re.fullmatch(r"[a-z]+:[a-z_0-9]+", n)]
    assert wrong == ["static"]


# The only url() calls whose name is not written in the template: checked where the data is.
NAMES_FROM_DATA = {  # the header and the Administration page: test_every_*_link_names_a_route*
    ("_header.html", "link.route"),
    ("admin/index.html", "link.route"),
    # the content pages' links (participation/sitepages/domain.py::PAGES): test_sitepages.py
    ("_footer.html", "page.route"),
    ("sitepages/admin_index.html", "page.route"),
    ("sitepages/admin_edit.html", "page.route"),
}


def _source_of(node: nodes.Node) -> str:
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        return f"{node.node.name}.{node.attr}"
    return ""


def test_every_header_link_names_a_route_without_parameters() -> None:
    parameters = Paths(all_routes()).parameters
    links = [link for feature in features.FEATURES for link in feature.nav]
    assert links
    assert [link.route for link in links if parameters.get(link.route) != set()] == []


def test_every_administration_link_names_a_route_without_parameters() -> None:
    parameters = Paths(all_routes()).parameters
    links = [link for f in features.FEATURES for line in f.admin for link in line.links]
    assert links
    assert [link.route for link in links if parameters.get(link.route) != set()] == []


def _url_calls(template: str) -> list[tuple[str, set[str], int]]:
    """Each `url(...)` call in a template: its route name, its keyword names, its line."""
    source = (TEMPLATE_DIR / template).read_text(encoding="utf-8")
    tree = templates.env.parse(source)
    calls = []
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "url":
            if (template, _source_of(call.args[0])) in NAMES_FROM_DATA:
                continue
            assert call.args and isinstance(call.args[0], nodes.Const), (template, call.lineno)
            keywords = {k.key for k in call.kwargs} - {"query", "anchor"}
            calls.append((call.args[0].value, keywords, call.lineno))
    return calls


TEMPLATES = sorted(str(p.relative_to(TEMPLATE_DIR)) for p in TEMPLATE_DIR.rglob("*.html"))


def test_every_url_in_the_templates_names_a_route_with_its_parameters() -> None:
    parameters = Paths(all_routes()).parameters
    wrong = [
        (template, line, name, sorted(keywords))
        for template in TEMPLATES
        for name, keywords, line in _url_calls(template)
        if parameters.get(name) != keywords
    ]
    assert not wrong
    assert sum(len(_url_calls(t)) for t in TEMPLATES) > 150


LITERAL_PATH = re.compile(r"""(?:href|action|src|hx-[a-z]+)=["']/(?!/)""")


@pytest.mark.parametrize("template", TEMPLATES)
def test_no_template_writes_a_path_by_hand(template: str) -> None:
    source = Path(TEMPLATE_DIR / template).read_text(encoding="utf-8")
    assert not LITERAL_PATH.findall(source)


ROOT = TEMPLATE_DIR.parent
PACKAGES = ("participation", "budgets", "consultations", "moderation", "indicators", "followup")


def test_every_url_in_the_python_code_names_a_route_with_its_parameters() -> None:
    """Redirects, e-mail links and notifications: `url("name", ...)` with a literal name."""
    parameters = Paths(all_routes()).parameters
    wrong, seen = [], 0
    for package in PACKAGES:
        for module in sorted((ROOT / package).rglob("*.py")):
            for call in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                    continue
                if call.func.id != "url" or not call.args:
                    continue
                if not isinstance(call.args[0], ast.Constant):
                    continue  # participation/urls.py passes a name it was given
                seen += 1
                keywords = {k.arg for k in call.keywords} - {"query", "anchor"}
                if parameters.get(call.args[0].value) != keywords:
                    wrong.append((str(module.relative_to(ROOT)), call.lineno, call.args[0].value))
    assert not wrong
    assert seen > 50
