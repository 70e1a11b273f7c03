"""POST, redirect, GET on every POST route of the app, found by walking `app.routes` (as
test_csrf.py does): the back button after a form sent without JavaScript never lands on
« Confirmer le nouvel envoi du formulaire » (issue #15).

- A successful POST answers 303 See Other (never 200, nor 302/307, to a POST): the page the
  person lands on, and goes back to, is a GET.
- A refused one answers 4xx; when it is the person's input that is wrong, 422 with the form and
  what was typed, so it can be corrected (no redirect that would lose it).
- htmx requests may get a fragment (200): they make no history entry.

A route added tomorrow fails `test_every_post_route_is_walked` until it gets a step with valid
data here. The world is tests/security/world.py's, with a few objects more (`_extras`).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from tortoise import timezone

from budgets.models import Budget, Phase
from consultations import queries
from consultations.models import Question
from moderation.models import ModerationCase
from moderation.services import open_pending_case
from participation.accounts import services as accounts
from participation.accounts.models import User
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.mail import OutboxEmail, sent_text
from participation.people.models import StaffInvitation
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.budgets.factories import CENSUS, SHARES, budget_in_voting
from tests.budgets.test_admin import BUDGET_FORM as ADMIN_BUDGET_FORM
from tests.budgets.test_import import SMALL
from tests.conftest import TEST_PASSWORD, create_user, csrf_token
from tests.consultations.factories import valid_answers
from tests.moderation.helpers import make_comment
from tests.participation.proposal_factories import make_proposal
from tests.security.walks import Ctx, Data, Make, Step, feature_walks
from tests.security.world import (
    World,
    client_for,
    log_in,
    seed_world,
    state_changing_routes,
    url_for_route,
)


async def _budget_in(phase: Phase, title: str) -> tuple[Budget, list[Any]]:
    """A budget with five projects, put in `phase` (its rules do not matter here)."""
    budget, projects = await budget_in_voting()
    await Budget.filter(id=budget.id).update(title=title, phase=phase, phase_changed_at=None)
    return budget, projects


async def _extras(ctx: Ctx) -> None:
    submission, _ = await _budget_in(Phase.SUBMISSION, "Budget en dépôt")
    review, in_review = await _budget_in(Phase.REVIEW, "Budget en étude")
    world = ctx.world
    accepted = await make_proposal(world.owner, ProposalState.ACCEPTED, title="Un préau retenu")
    # a comment waiting for a moderator (pre-moderated), for the queue's decision
    pending = await make_comment(
        await _proposal(world), world.other, "<p>En attente.</p>", ModerationState.PENDING
    )
    await open_pending_case("comment", pending.id, world.other.id)
    assert await Comment.exists(id=pending.id)
    ctx.extra = {
        "submission": submission.id,
        "review": review.id,
        "review_project": in_review[0].id,
        "accepted": accepted.id,
        "leaving": await create_user(ctx.settings, "depart@example.org"),
        "forgetful": await create_user(ctx.settings, "oubli@example.org"),
        **world.hidden,
    }


async def _proposal(world: World) -> Proposal:
    return await Proposal.get(id=world.ids["id"])


async def _proposal_form(ctx: Ctx) -> Data:
    proposal = await _proposal(ctx.world)
    return {
        **PROPOSAL,
        "category": str(proposal.category_id),
        "district": str(proposal.district_id),
    }


def _ids(**overrides: str) -> Make:
    """The world's ids, some replaced by objects of `Ctx.extra` (or hidden ones)."""

    async def make(ctx: Ctx) -> Data:
        return {**ctx.world.ids, **{name: ctx.extra[key] for name, key in overrides.items()}}

    return make


async def _answers(ctx: Ctx) -> Data:
    consultation_id = ctx.world.ids["consultation_id"]
    questions = {
        key: await Question.get(consultation_id=consultation_id, text=text)
        for key, text in QUESTION_TEXTS.items()
    }
    return dict(await valid_answers(questions))


QUESTION_TEXTS = {
    "single": "Venez-vous au parc ?",
    "multiple": "Quels équipements ?",
    "ranking": "Classez les priorités",
    "scale": "Le parc est agréable",
    "majority": "Jugez les projets",
    "number": "Combien de visites par mois ?",
    "short": "Un mot pour le parc",
    "why": "Pourquoi ne venez-vous pas ?",
}


async def _free_text(ctx: Ctx) -> Data:
    consultation_id = ctx.world.ids["consultation_id"]
    views = await queries.questionnaire(consultation_id)
    texts = await queries.free_texts(ctx.settings, consultation_id, views)
    assert texts, "the world's consultation has a free text to review"
    text = texts[0]
    return {"question_id": str(text.question.id), "digest": text.digest, "decision": "approve"}


async def _case(ctx: Ctx) -> Data:
    case = await ModerationCase.filter(status="open").order_by("id").first()
    assert case is not None, "the world has an open moderation case"
    return {"case": str(case.id), "action": "approve", "reason": "Conforme à la charte."}


async def _reset_token(ctx: Ctx) -> Data:
    other = ctx.extra["forgetful"]  # not a person of the world: the steps after log them in
    await accounts.request_password_reset(ctx.settings, other.email)
    message = await OutboxEmail.filter(recipient=other.email).order_by("-id").first()
    assert message is not None
    body = sent_text(ctx.settings, message)
    match = re.search(r"/account/reset/(\S+)", body)
    assert match, body
    return {**ctx.world.ids, "token": match.group(1)}


async def _ballot(ctx: Ctx) -> Data:
    return {"project": [str(ctx.world.ids["project_id"])]}


async def _preview(ctx: Ctx) -> Data:
    return {**await _ballot(ctx), "action": "preview"}


async def _paper_identity(ctx: Ctx) -> Data:
    return {"identifier": "VB-004", "birth_date": "1975-01-30", "postcode": "44000"}


async def _paper_preview(ctx: Ctx) -> Data:
    return {**await _paper_ballot(ctx), "action": "preview"}


async def _paper_ballot(ctx: Ctx) -> Data:
    return {"project": [str(ctx.world.ids["project_id"])]}


async def _ceremony(ctx: Ctx) -> Data:
    return {"trustee": [str(ctx.world.admin.id)], "threshold": "1"}


async def _tally_budget(ctx: Ctx) -> Data:
    return {**ctx.world.ids, "budget_id": ctx.world.phases["budget_id"]["tally"]}


async def _tally_share(ctx: Ctx) -> Data:
    return {"share": SHARES[ctx.world.phases["budget_id"]["tally"]][0]}


async def _new_question(ctx: Ctx) -> Data:
    """The question the admin added to the consultation in preparation (a step above)."""
    consultation_id = ctx.extra["consultation_in_preparation"]
    question = await Question.filter(consultation_id=consultation_id).order_by("-id").first()
    assert question is not None
    return {**ctx.world.ids, "consultation_id": consultation_id, "question_id": question.id}


async def _commitment(ctx: Ctx) -> Data:
    return {"kind": "proposal", "target_id": str(ctx.extra["accepted"])}


NEW_PASSWORD = "Une-autre-phrase-de-passe-solide"
PROPOSAL = {
    "title": "Un abri à vélos devant la médiathèque",
    "body": "Un abri couvert d'une vingtaine de places, éclairé le soir, devant l'entrée.",
}
# the staff budget form of tests/budgets, as an approval budget with one district and category
BUDGET_FORM = {
    **ADMIN_BUDGET_FORM,
    "description": "<p>Vos idées</p>",
    "districts": "Nord: 50000",
    "categories": "Nature",
    "ballot_kind": "approval",
    "winner_rule": "greedy",
}
CONSULTATION_FORM = {"title": "Une nouvelle consultation", "context": "<p>Votre avis</p>"}
REASON = {"text_fr": "Hors sujet.", "text_en": "Off topic."}


async def _invitation_for_the_owner(ctx: Ctx) -> dict[str, Any]:
    """An invitation to the owner's address that leaves their role as it is (the steps after
    it expect a resident): accepted, it redirects."""
    await StaffInvitation.create(
        token_hash=accounts.token_hash("walk-invitation"),
        email=ctx.world.owner.email,
        role="citizen",
        expires_at=timezone.now() + timedelta(days=1),
    )
    return {**ctx.world.ids, "token": "walk-invitation"}


SITE_SETTINGS = {
    "version": "0",
    "site_name": "Ville de Test",
    "default_language": "fr",
    "primary_colour": "#000091",
    "proposal_support_threshold": "300",
    "moderation_report_threshold": "3",
    "premoderated_content": ["consultation_answer"],
    "rate_limited_actions": ["signup", "login_failure"],
}

# In order: a step may need what an earlier one made (a support before its withdrawal...).
STEPS: list[Step] = [
    Step("pages:language", "anonymous", {"language": "en", "next": "/"}),
    Step(
        "accounts:signup",
        "anonymous",
        {
            "email": "nouvelle@example.org",
            "display_name": "Nouvelle Venue",
            "password": TEST_PASSWORD,
            "password_confirmation": TEST_PASSWORD,
            "accept_terms": "yes",
        },
    ),
    Step("accounts:login", "anonymous", {"email": "other@example.org", "password": TEST_PASSWORD}),
    Step("accounts:resend_confirmation", "other"),
    Step("accounts:reset", "anonymous", {"email": "other@example.org"}),
    Step(
        "accounts:reset_password",
        "anonymous",
        {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
        ids=_reset_token,
    ),
    # proposals and comments
    Step("proposals:new", "owner", _proposal_form),
    Step("proposals:edit", "owner", _proposal_form, ids=_ids(id="draft_proposal")),
    Step("proposals:state", "owner", {"state": "published"}, ids=_ids(id="draft_proposal")),
    Step("proposals:support", "other"),
    Step("proposals:unsupport", "other"),
    Step("proposals:invite", "owner", {"email": "other@example.org"}),
    Step("proposals:accept_invitation", "other"),
    Step(
        "proposals:amend",
        "moderator",
        {
            "title": "Des arceaux à vélo devant l'école",
            "body": "Installer trente arceaux à vélo devant l'école Jules-Ferry et la crèche.",
            "reason": "Plus de places.",
        },
    ),
    Step("proposals:decide_amendment", "owner"),
    Step("proposals:answer", "admin", {"answer": "La mairie étudie la demande."}),
    Step("comments:post", "other", {"body": "Bonne idée", "stance": "for"}),
    Step("comments:edit", "owner", {"body": "Version corrigée"}),
    Step("comments:vote", "other", {"vote": "up"}),
    Step("notifications:read", "owner"),
    # moderation
    Step("moderation:report", "other", {"reason": "spam", "text": ""}),
    Step("moderation:decide", "moderator", _case),
    Step("moderation:review", "owner", {"text": "Je parlais bien du projet."}),
    Step("moderation:reasons", "admin", REASON),
    Step("moderation:reason_edit", "admin", REASON),
    Step("moderation:reason_delete", "admin"),
    # budgets
    Step("budgets:ballot", "owner", _preview),  # "Check my ballot" without JavaScript
    Step("budgets:ballot", "owner", _ballot),
    Step(
        "budgets:residency",
        "other",
        {"identifier": "VB-002", "birth_date": "1990-12-01", "postcode": "44000"},
    ),
    Step(
        "budgets:new_project",
        "owner",
        {"title": "Un jardin", "description": "<p>Des arbres</p>", "cost": "9000"},
        ids=_ids(budget_id="submission"),
    ),
    Step("budgets:admin_new", "admin", BUDGET_FORM),
    Step("budgets:admin_edit", "admin", BUDGET_FORM, ids=_ids(budget_id="budget_in_preparation")),
    Step(
        "budgets:admin_edit_project",
        "admin",
        {"title": "Jardin partagé", "description": "<p>Détails</p>", "reason": "Coquille."},
    ),
    # the key ceremony (the admin is the one trustee), then the trustee takes their share
    Step(
        "budgets:admin_key",
        "admin",
        _ceremony,
        ids=_ids(budget_id="budget_in_preparation"),
    ),
    Step("budgets:admin_key_share", "admin", ids=_ids(budget_id="budget_in_preparation")),
    # the count: a trustee's share for the budget whose vote is closed
    Step("budgets:admin_shares", "admin", _tally_share, ids=_tally_budget),
    # the desk: the resident at the first screen, the choices (checked, then recorded) at the next
    Step("budgets:admin_paper_ballot", "admin", _paper_identity),
    Step("budgets:admin_paper_choices", "admin", _paper_preview),
    Step("budgets:admin_paper_choices", "admin", _paper_ballot),
    Step("budgets:admin_census", "admin", files={"file": ("census.csv", CENSUS.encode())}),
    Step("budgets:admin_import", "admin", files={"file": ("test.pb", SMALL.encode())}),
    Step("budgets:admin_phase", "admin", {"phase": "tally"}),
    Step("budgets:admin_tally", "admin"),
    Step(
        "budgets:admin_review",
        "admin",
        {"feasibility": "feasible", "adjusted_cost": ""},
        ids=_ids(budget_id="review", project_id="review_project"),
    ),
    # consultations
    Step("consultations:admin_new", "admin", CONSULTATION_FORM),
    Step(
        "consultations:admin_edit",
        "admin",
        CONSULTATION_FORM,
        ids=_ids(consultation_id="consultation_in_preparation"),
    ),
    Step(
        "consultations:admin_new_question",
        "admin",
        {"kind": "scale", "text": "Le quartier est calme"},
        ids=_ids(consultation_id="consultation_in_preparation"),
    ),
    Step(
        "consultations:admin_question",
        "admin",
        {"kind": "single", "text": "Venez-vous au parc ?", "options": "Oui\nNon"},
    ),
    Step(
        "consultations:admin_delete_question",
        "admin",
        ids=_new_question,
    ),
    Step("consultations:answer", "other", _answers),
    Step("consultations:admin_texts", "moderator", _free_text),
    Step("consultations:admin_results", "admin"),
    Step("consultations:admin_phase", "admin", {"phase": "closed", "confirm": "yes"}),
    Step(
        "consultations:admin_outcome", "admin", {"heard": "De l'ombre.", "decided": "Des arbres."}
    ),
    # follow-up and indicators
    Step("followup:admin_new", "admin", _commitment),
    Step("followup:admin_status", "admin", {"status": "in-progress", "progress": "10"}),
    Step(
        "followup:admin_milestone", "admin", {"on": "2026-04-01", "text": "Premières plantations"}
    ),
    Step("indicators:refresh", "admin"),
    # content pages (issue #18): staff publish a version, then bring version 1 back; a person
    # accepts the conditions of use
    Step("sitepages:admin_edit", "admin", {"version": "1", "body_fr": "<p>Mentions.</p>"}),
    Step("sitesettings:edit", "admin", SITE_SETTINGS),
    Step("people:role", "admin", {"role": "citizen", "reason": "Vérification"}),  # unchanged
    Step(
        "people:invite",
        "admin",
        {"invite_email": "renfort@example.org", "invite_role": "moderator"},
    ),
    Step("people:invitation", "owner", ids=_invitation_for_the_owner),
    Step("sitepages:admin_restore", "admin", {"version": "2"}),
    Step("sitepages:accept", "owner", {"version": "1", "accept_terms": "yes", "next": "/"}),
]
# after the features' steps (tests/<name>/walks.py): steps that delete, block and log out
LAST_STEPS: list[Step] = [
    Step("comments:delete", "owner"),
    Step("moderation:block", "moderator", {"duration": "1d", "reason": "Abus."}),
    Step("moderation:unblock", "admin", {"reason": "Excuses présentées."}),
    # last: the world loses a person
    Step("accounts:delete", "leaving", {"password": TEST_PASSWORD}),
    Step("accounts:logout", "owner"),
]

# what a refused request sends: input a person could type, wrongly (422 with the form)
REFUSED: list[Step] = [
    Step(
        "accounts:signup",
        "anonymous",
        {"email": "x@example.org", "password": TEST_PASSWORD, "password_confirmation": "autre"},
    ),
    Step("accounts:delete", "other", {"password": "pas-le-bon-mot-de-passe"}),
    Step("proposals:new", "owner", {"title": " ", "body": ""}),
    Step("proposals:amend", "other", {"title": "", "body": "", "reason": ""}),
    Step("comments:post", "other", {"body": "  ", "stance": "for"}),
    Step("comments:edit", "owner", {"body": ""}),
    Step("moderation:reasons", "admin", {"text_fr": "", "text_en": ""}),
    Step("budgets:residency", "other", {"identifier": "", "birth_date": "hier", "postcode": ""}),
    Step("budgets:admin_new", "admin", {**BUDGET_FORM, "title": " "}),
    Step("consultations:admin_new", "admin", {"title": " "}),
    Step("consultations:answer", "other", {}),
    Step("followup:admin_milestone", "admin", {"on": "31/02/2026", "text": ""}),
    Step("sitepages:admin_edit", "admin", {"version": "1", "body_fr": " "}),
    Step("sitesettings:edit", "admin", {**SITE_SETTINGS, "proposal_support_threshold": "0"}),
    Step("people:role", "admin", {"role": "superuser"}),
    Step("people:invite", "admin", {"invite_email": "pas une adresse", "invite_role": "admin"}),
    Step("sitepages:accept", "other", {"version": "1", "next": "/"}),
]


def steps() -> list[Step]:
    """The core's steps, each installed feature's (tests/<name>/walks.py), then the last ones."""
    return [*STEPS, *(s for walks in feature_walks() for s in walks.steps), *LAST_STEPS]


def refused() -> list[Step]:
    return [*REFUSED, *(s for walks in feature_walks() for s in walks.refused)]


async def _send(
    app: Any, ctx: Ctx, step: Step, extra_headers: dict[str, str] | None = None
) -> httpx.Response:
    """The step as a browser without JavaScript sends it: logged in, the form's CSRF token."""
    world = ctx.world
    user: User | None = ctx.extra["leaving"] if step.role == "leaving" else world.user(step.role)
    endpoint = next(e for e in state_changing_routes(app) if e.route.name == step.route)
    ids = await step.ids(ctx) if step.ids is not None else world.ids
    url = url_for_route(endpoint, ids)
    data = await step.data(ctx) if callable(step.data) else dict(step.data)
    # one browser per person (logging in again and again would meet the login rate limit);
    # logging out or leaving ends that browser's session: those get a browser of their own
    own = step.route in ("accounts:logout", "accounts:delete")
    client = None if own else ctx.clients.get(step.role)
    if client is None:
        client = client_for(app)
        if user is not None:
            await log_in(client, user)
        if not own:
            ctx.clients[step.role] = client
    data["csrf_token"] = await csrf_token(client)
    try:
        return await client.post(url, data=data, files=step.files, headers=extra_headers or {})
    finally:
        if own:
            await client.aclose()


def test_every_post_route_is_walked(app: Any) -> None:
    routes = {e.route.name for e in state_changing_routes(app)}
    walked = {step.route for step in steps()}
    assert {e.method for e in state_changing_routes(app)} == {"POST"}
    assert sorted(routes - walked) == [], "a POST route without valid data in STEPS"
    assert sorted(walked - routes) == [], "STEPS names routes that are gone"
    assert len(routes) > 50


# A secret shown once answers its POST itself, never cached: a redirect would have to carry it
# in the session cookie (signed, not encrypted). Going back re-posts, and finds nothing left.
SHOWN_ONCE = {"budgets:admin_key_share"}


async def test_a_successful_post_answers_303_see_other(app: Any, settings: Settings) -> None:
    ctx = Ctx(await seed_world(settings), settings)
    await _extras(ctx)
    answered = []
    for step in steps():
        response = await _send(app, ctx, step)
        if step.route in SHOWN_ONCE:
            if response.status_code != 200 or response.headers.get("cache-control") != "no-store":
                answered.append((step.route, response.status_code, _summary(response)))
            continue
        if response.status_code != 303:
            answered.append((step.route, response.status_code, _summary(response)))
            continue
        # where the person lands, and comes back with the back button, is a page that answers
        landing = response.headers["location"].split("#")[0]
        async with client_for(app) as visitor:
            client = ctx.clients.get(step.role, visitor)
            status = (await client.get(landing)).status_code
        if status not in (200, 303):
            answered.append((step.route, f"303 to {landing}", status))
    await ctx.close()
    assert answered == [], "\n".join(map(str, answered))


async def test_a_refused_post_answers_422_with_the_form(app: Any, settings: Settings) -> None:
    ctx = Ctx(await seed_world(settings), settings)
    await _extras(ctx)
    answered = []
    for step in refused():
        response = await _send(app, ctx, step)
        if response.status_code != 422 or "<form" not in response.text:
            answered.append((step.route, response.status_code, _summary(response)))
    await ctx.close()
    assert answered == [], "\n".join(map(str, answered))


async def test_no_post_answers_200_or_a_temporary_redirect(app: Any, settings: Settings) -> None:
    """Whatever is sent (here: nothing but the token) by whoever, a POST without htmx gets a
    303 or a refusal (4xx), never a page (200) nor a redirect that repeats the POST."""
    ctx = Ctx(await seed_world(settings), settings)
    await _extras(ctx)
    answered = []
    for role in ("anonymous", "other", "admin"):
        for endpoint in state_changing_routes(app):
            if endpoint.route.name in ("accounts:logout", "accounts:delete"):
                continue  # walked above; here they would end the session of the next steps
            response = await _send(app, ctx, Step(endpoint.route.name, role))
            status = response.status_code
            if not (status == 303 or 400 <= status < 500):
                answered.append((role, endpoint.route.name, status))
            elif status == 422 and "<form" not in response.text:
                answered.append((role, endpoint.route.name, "422 without its form"))
    await ctx.close()
    assert answered == [], "\n".join(map(str, answered))


def _summary(response: httpx.Response) -> str:
    """Enough of the answer to see why (the first error message, or the location)."""
    if response.status_code in (301, 302, 303, 307, 308):
        return response.headers.get("location", "")
    found = re.search(r'class="error-message"[^>]*>(.*?)</p>', response.text, re.S)
    if found:
        return re.sub(r"<[^>]+>", "", found.group(1)).strip()
    title = re.search(r"<title>(.*?)</title>", response.text, re.S)
    return (found.group(1) if found else title.group(1) if title else response.text[:120]).strip()
