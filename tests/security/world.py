"""What the attack tests need: every route of the app, and one object of each kind to aim at.

`app_routes(app)` walks `app.routes` (Mounts included), so a route added tomorrow is attacked
automatically. `seed_world()` creates, through the services, one object of each kind owned by
one resident (`owner`), plus `other` (a resident who owns nothing), a moderator and an admin;
a feature with a `tests/<name>/walks.py` adds its own objects (tests/security/walks.py).
`url_for_route()` fills a route's path with the ids of that world.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image
from starlette.routing import Match, Mount, Route
from tortoise import Tortoise

from budgets import ballot_services
from budgets import domain as budget_domain
from budgets import services as budget_services
from budgets.models import BallotKind, WinnerRule
from consultations import services as consultation_services
from moderation import services as moderation_services
from participation import feeds
from participation.accounts.models import Role, User
from participation.notifications.models import Notification
from participation.pictures import illustration
from participation.proposals import services as proposal_services
from participation.proposals.domain import ProposalState
from participation.residents import services as residents
from participation.settings import Settings
from participation.sitesettings.logo import prepare as prepare_logo
from participation.sitesettings.models import SiteLogo
from tests.budgets.factories import budget_in_voting, open_and_count, verified
from tests.conftest import create_user, log_in
from tests.consultations.factories import consultation_open
from tests.moderation.helpers import make_comment
from tests.participation.proposal_factories import make_proposal
from tests.security.walks import feature_walks

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROLES = ("anonymous", "owner", "other", "moderator", "agent", "admin", "evaluator")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as declared, e.g. /proposals/{id:id}/edit
    route: Any

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def app_routes(app: Any) -> list[Endpoint]:
    """Every (method, path) the app answers, Mounts included (static files: GET)."""
    found: list[Endpoint] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Mount):
                if route.routes:
                    walk(list(route.routes), prefix + route.path)
                else:  # an ASGI app such as StaticFiles: it serves GET and HEAD
                    found.append(Endpoint("GET", prefix + route.path + "/{path}", route))
            elif isinstance(route, Route):
                for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                    found.append(Endpoint(method, prefix + route.path, route))

    walk(list(app.routes), "")
    return found


def state_changing_routes(app: Any) -> list[Endpoint]:
    return [e for e in app_routes(app) if e.method in STATE_CHANGING]


@dataclass
class World:
    owner: User
    other: User
    moderator: User
    agent: User  # a town-hall desk officer (issue #19)
    admin: User
    # a resident who evaluates the budget projects of the world's space (issue #18: a role in
    # one space, given by tests/budgets/walks.py, which puts the world's budgets in that space)
    evaluator: User
    ids: dict[str, Any] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)
    # path parameter -> phase -> the id of an object of that kind in that phase (every phase of
    # budgets and consultations): pages and forms answer differently in each
    phases: dict[str, dict[str, int]] = field(default_factory=dict)
    settings: Settings | None = None  # what the world was seeded with (background jobs need it)

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


async def seed_world(settings: Settings) -> World:
    world = World(
        settings=settings,
        owner=await create_user(settings, "owner@example.org", display_name="Olivia Owner"),
        other=await create_user(settings, "other@example.org", display_name="Oscar Other"),
        moderator=await create_user(settings, "moderator@example.org", Role.MODERATOR),
        agent=await create_user(
            settings, "agent@example.org", Role.AGENT, display_name="Ada Agent"
        ),
        admin=await create_user(settings, "admin@example.org", Role.ADMIN),
        evaluator=await create_user(
            settings, "evaluator@example.org", display_name="Eva Évaluatrice"
        ),
    )
    proposal = await make_proposal(world.owner)
    comment = await make_comment(proposal, world.owner)
    amendment = await proposal_services.suggest_amendment(
        settings,
        proposal,
        world.other,
        "Des arceaux et un abri",
        "<p>Installer vingt arceaux à vélo et un abri contre la pluie.</p>",
        "Pluie",
    )
    # a comment of the owner, hidden by a moderator: the decision the owner may ask to review
    rejected = await make_comment(proposal, world.owner, body="<p>Un second avis.</p>")
    await moderation_services.report(settings, world.other, "comment", rejected.id, "offensive", "")
    from moderation.models import ModerationCase, ModerationDecision

    case = await ModerationCase.get(target_kind="comment", target_id=rejected.id)
    await moderation_services.decide(settings, world.moderator, [case.id], "hide", "Propos vifs.")
    decision = await ModerationDecision.get(case_id=case.id)
    budget, projects = await budget_in_voting()
    await verified(settings, world.owner)
    _, residency = await residents.resident_of(world.owner)
    assert residency is not None
    voter, _ = await residents.resident_of(world.owner)
    await ballot_services.cast_ballot(
        settings, budget.id, residency.census_entry, voter, {projects[0].id: 1}, budget=budget
    )
    consultation, questions = await consultation_open()
    answer, hidden_answer = await _free_text_answers(settings, world)
    from indicators import services as indicator_services

    await Notification.create(
        user_id=world.owner.id, kind="comment", event_key="comment:owner", proposal_id=proposal.id
    )
    # the same kinds in states only some people may see
    draft = await make_proposal(world.owner, ProposalState.DRAFT, title="Brouillon d'Olivia")
    draft_consultation = await consultation_services.save_consultation(
        consultation_services.ConsultationForm(title="Consultation en préparation")
    )
    draft_budget = await budget_services.save_budget(
        budget_services.BudgetForm(
            title="Budget en préparation",
            description="Pas encore annoncé.",
            total_amount=50_000,
            districts={},
            categories=(),
            rule=budget_domain.BallotRule(BallotKind.APPROVAL),
            winner_rule=WinnerRule.GREEDY,
        )
    )
    # a commitment followed by the council (an accepted proposal of the owner), a ready-made
    # moderation reason
    from followup.domain import TargetKind
    from followup.services import create_commitment
    from moderation.models import ReasonTemplate

    accepted = await make_proposal(world.owner, ProposalState.ACCEPTED, title="Proposition retenue")
    commitment = await create_commitment(TargetKind.PROPOSAL, accepted.id)
    reason = await ReasonTemplate.create(text_fr="Propos injurieux.", text_en="Abusive words.")
    world.hidden = {
        "draft_proposal": draft.id,
        "hidden_comment": rejected.id,
        "consultation_in_preparation": draft_consultation,
        "budget_in_preparation": draft_budget.id,
        "hidden_answer": hidden_answer,
    }
    world.ids = {
        "id": proposal.id,
        "comment": comment.id,
        "amendment": amendment.id,
        "decision": "accept",
        "budget_id": budget.id,
        "project_id": projects[0].id,
        "consultation_id": consultation.id,
        "question_id": questions["single"].id,
        "type": "comment",
        "token": "not-a-real-token",
        "path": "css/app.css",
        "pattern": illustration.key("Mobilité"),  # a pattern drawn for what has no image
        "moderation_decision": decision.id,
        "user": world.owner.id,
        "commitment_id": commitment.id,
        "kind": "budget",
        "target_id": budget.id,
        "reason": reason.id,
        "answer": answer,
        # content pages (issue #18): a page, and its version 1 (the default text)
        "slug": "mentions-legales",
        "version": 1,
        "feed": feeds.sources()[0].name,  # an Atom feed (participation/feeds.py)
        # settings from the browser (issue #18): a logo as the settings page stores it
        "digest": await _logo_digest(),
        "person_id": world.other.id,  # people and roles (issue #18)
        # the town's categories and districts (/admin/classification): the proposal's
        "category_id": proposal.category_id,
        "district_id": proposal.district_id,
        # the public read API and open data (issue #21): a collection, a dataset's file
        "name": "proposals",
        "file": "proposals.csv",
    }
    for walks in feature_walks():  # each feature's objects (tests/<name>/walks.py)
        if walks.seed is not None:
            await walks.seed(settings, world)
    world.phases = {
        "budget_id": await _budgets_in_every_phase(settings, world, budget.id, draft_budget.id),
        "consultation_id": await _consultations_in_every_phase(
            settings, world, consultation.id, draft_consultation
        ),
    }
    await indicator_services.compute_all()  # the dashboard's pages read stored figures
    return world


async def _budgets_in_every_phase(
    settings: Settings, world: World, voting: int, preparation: int
) -> dict[str, int]:
    """The world's budgets (voting, preparation) and one in each other phase; the one with
    results holds a ballot of the owner, so its receipt check reaches the ballots table."""
    from budgets.models import Phase

    ids = {Phase.PREPARATION.value: preparation, Phase.VOTING.value: voting}
    for phase in (Phase.SUBMISSION, Phase.REVIEW):
        budget, _ = await budget_in_voting()
        await budget_services.Budget.filter(id=budget.id).update(phase=phase)
        ids[phase.value] = budget.id
    for phase in (Phase.TALLY, Phase.RESULTS):
        budget, projects = await budget_in_voting()
        voter, residency = await residents.resident_of(world.owner)
        assert residency is not None
        await ballot_services.cast_ballot(
            settings, budget.id, residency.census_entry, voter, {projects[1].id: 1}, budget=budget
        )
        await budget_services.switch_phase(budget.id, Phase.TALLY, by_user=None)
        if phase == Phase.RESULTS:  # the trustees' count, then the results
            await open_and_count(budget.id)
            await budget_services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
        ids[phase.value] = budget.id
    return ids


async def _consultations_in_every_phase(
    settings: Settings, world: World, open_id: int, preparation: int
) -> dict[str, int]:
    """The world's consultations (open, preparation) and a closed one the owner answered."""
    from consultations.models import Phase
    from tests.consultations.factories import valid_answers

    closed, questions = await consultation_open(title="Consultation close")
    fields = await valid_answers(questions)
    items = [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    await consultation_services.submit_response(settings, closed.id, world.owner, None, items)
    await consultation_services.switch_phase(closed.id, Phase.CLOSED, by_user=None)
    await consultation_services.compute_results(settings, closed.id)
    return {
        Phase.PREPARATION.value: preparation,
        Phase.OPEN.value: open_id,
        Phase.CLOSED.value: closed.id,
    }


def urls_in_every_phase(endpoint: Endpoint, world: World) -> list[tuple[str, str]]:
    """(phase label, url) of the route once per phase of the budget or consultation its path
    names (one url, label "", for other routes)."""
    names = set(getattr(endpoint.route, "param_convertors", {}))
    if endpoint.path.startswith("/admin/indicators/"):  # a process id, not a budget page
        names = set()
    for name, by_phase in world.phases.items():
        if name in names:
            return [
                (f"{name}={phase}", url_for_route(endpoint, {**world.ids, name: object_id}))
                for phase, object_id in by_phase.items()
            ]
    return [("", url_for_route(endpoint, world.ids))]


async def _free_text_answers(settings: Settings, world: World) -> tuple[int, int]:
    """Two free-text answers of the owner in results published while open (an anonymous
    consultation: nothing tells who wrote them): one approved, one hidden by a moderator."""
    from consultations.models import TextReview
    from moderation.models import ModerationCase
    from tests.consultations.factories import valid_answers

    consultation, questions = await consultation_open(visible=True, title="Résultats publiés")
    ids = []
    for person, text in ((world.owner, "Une idée publiée"), (world.other, "Une idée masquée")):
        fields = await valid_answers(questions)
        fields[f"q{questions['short'].id}"] = text
        items = [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
        await consultation_services.submit_response(settings, consultation.id, person, None, items)
        await consultation_services.compute_results(settings, consultation.id)  # registers it
        row = await TextReview.get(text=f"<p>{text}</p>")
        case = await ModerationCase.get(target_kind="consultation_answer", target_id=row.id)
        decision = "approve" if not ids else "hide"
        await moderation_services.decide(settings, world.moderator, [case.id], decision, "Vu.")
        ids.append(row.id)
    await consultation_services.compute_results(settings, consultation.id)
    return ids[0], ids[1]


# path parameters whose name is shared by several routes: which object the route means
_ID_BY_ROUTE_PREFIX = [
    ("/moderation/decisions/", "moderation_decision"),
    ("/moderation/users/", "user"),
    ("/moderation/report/", "comment"),
    ("/admin/moderation/reasons/", "reason"),
    ("/admin/indicators/", "budget_id"),
]


def url_for_route(endpoint: Endpoint, ids: dict[str, Any]) -> str:
    """The route's path with the world's ids; fails when the result does not reach the route."""
    values = dict(ids)
    for prefix, key in _ID_BY_ROUTE_PREFIX:
        if endpoint.path.startswith(prefix):
            values["id"] = ids[key]
    path = endpoint.path
    for name in getattr(endpoint.route, "param_convertors", {}):
        raw = values[name]
        for suffix in ("", ":id", ":int", ":str", ":path"):
            path = path.replace("{" + name + suffix + "}", str(raw))
    if "{" in path:  # a Mount of an ASGI app: its parameter is our own placeholder
        path = path.replace("{path}", str(values["path"]))
    scope = {"type": "http", "path": path, "method": endpoint.method, "root_path": ""}
    if isinstance(endpoint.route, Route):
        match, _ = endpoint.route.matches(scope)
        assert match == Match.FULL, f"{endpoint}: {path} does not reach the route"
    return path


def client_for(app: Any) -> httpx.AsyncClient:
    """A browser of its own (cookies), that sees 500 answers instead of raising."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@asynccontextmanager
async def logged_in_client(app: Any, user: User | None) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as client:
        if user is not None:
            await log_in(client, user)
        yield client


async def database_snapshot() -> dict[str, list[str]]:
    """Every row of every table (the world is small): a refused request changes none."""
    snapshot = {}
    for app_models in Tortoise.apps.values():
        for name, model in app_models.items():
            rows = await model.all().values()
            snapshot[name] = sorted(repr(sorted(row.items())) for row in rows)
    return snapshot


async def _logo_digest() -> str:
    """A stored logo (participation/sitesettings): the address of /site/logo/<digest>.png."""
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(out, format="PNG")
    logo = prepare_logo(out.getvalue())
    await SiteLogo.create(digest=logo.digest, png=logo.png)
    return logo.digest
