"""What the route walkers need to know about the proposals' routes (tests/security/walks.py):
who may use each route, valid and wrong data for each POST, the forms no page of the world
shows, the open-data export, the pages axe audits. The world's proposals (a published one of
the owner, a draft, an amendment) are made by tests/security/world.py."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from tortoise import timezone

from participation.proposals.models import Proposal, ProposalCollection
from participation.settings import Settings
from participation.spaces.models import Space
from tests.pictures.helpers import png
from tests.security.walks import (
    DENIED,
    DONE,
    FORM,
    HIDDEN,
    LOGIN,
    MISSING,
    PAGE,
    REFUSED,
    Ctx,
    Data,
    Step,
    Walks,
    ids_with,
)
from tests.security.world import World

# fmt: off
# [draft] a draft proposal of the owner
MATRIX = {
    # route [restricted object]: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /proposals":                                                 (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /proposals.csv":                                             (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /proposals.json":                                            (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /proposals/new":                                             (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /proposals/{id}":                                            (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /proposals/{id} [draft]":                                    (HIDDEN,  PAGE,    HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /proposals/{id}/edit":                                       (LOGIN,   PAGE,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "GET /proposals/{id}/edit [draft]":                               (LOGIN,   PAGE,    HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /proposals/{id}/history":                                    (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /proposals/{id}/history [draft]":                            (HIDDEN,  PAGE,    HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /proposals/{id}/amendments/new":                             (LOGIN,   DENIED,  PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /proposals/{id}/amendments/new [draft]":                     (LOGIN,   DENIED,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/new":                                            (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /proposals/{id}/edit":                                      (LOGIN,   FORM,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /proposals/{id}/edit [draft]":                              (LOGIN,   FORM,    HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/answer":                                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /proposals/{id}/answer [draft]":                            (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN,  DENIED),
    "POST /proposals/{id}/support":                                   (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "POST /proposals/{id}/support [draft]":                           (LOGIN,   DENIED,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/unsupport":                                 (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "POST /proposals/{id}/unsupport [draft]":                         (LOGIN,   REFUSED, HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/coauthors":                                 (LOGIN,   FORM,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /proposals/{id}/coauthors [draft]":                         (LOGIN,   FORM,    HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/coauthors/accept":                          (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /proposals/{id}/coauthors/accept [draft]":                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /proposals/{id}/amendments/new":                            (LOGIN,   DENIED,  FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /proposals/{id}/amendments/new [draft]":                    (LOGIN,   DENIED,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/amendments/{amendment}/{decision}":         (LOGIN,   DONE,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /proposals/{id}/amendments/{amendment}/{decision} [draft]": (LOGIN,   DENIED,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "POST /proposals/{id}/state":                                     (LOGIN,   DONE,    DENIED,  REFUSED, DENIED,  REFUSED, DENIED),
    "POST /proposals/{id}/state [draft]":                             (LOGIN,   DONE,    HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    # route [restricted object]: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /proposals/map":                                             (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    # proposals collections (issue #18): administrators only, an empty form refused
    "GET /admin/collections":                                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/collections/new":                                     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/collections/new":                                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/collections/{collection_id}":                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/collections/{collection_id}":                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/collections/{collection_id}/move":                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/collections/{collection_id}/move":                   (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "GET /admin/collections/{collection_id}/delete":                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "POST /admin/collections/{collection_id}/delete":                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    # taken on behalf of a person (participation/counter): staff only, an empty form refused
    "POST /admin/counter/people/{person_id}/proposal":                (LOGIN,   DENIED,  DENIED,  DENIED,  FORM,    FORM,    DENIED),
    "POST /admin/counter/people/{person_id}/support":                 (LOGIN,   DENIED,  DENIED,  DENIED,  FORM,    FORM,    DENIED),
}
# fmt: on

PROPOSAL = {
    "title": "Un abri à vélos devant la médiathèque",
    "body": "Un abri couvert d'une vingtaine de places, éclairé le soir, devant l'entrée.",
}


async def _proposal_form(ctx: Ctx) -> Data:
    proposal = await Proposal.get(id=ctx.world.ids["id"])
    return {
        **PROPOSAL,
        "category": str(proposal.category_id),
        "district": str(proposal.district_id),
    }


async def _proposal_with_image(ctx: Ctx) -> Data:
    return {**(await _proposal_form(ctx)), "image_alt": "Un dessin"}


async def _counter_proposal(ctx: Ctx) -> Data:
    return {**(await _proposal_form(ctx)), "channel": "counter"}


async def _counter_support(ctx: Ctx) -> Data:
    return {"channel": "phone", "proposal": str(ctx.world.ids["id"])}


async def _seed(settings: Settings, world: World) -> None:
    """An open collection in a space of its own (the world's space is deleted by a step): the
    only one open, so new proposals go into it without the form asking; the world's proposals
    stay in none (the site's rules)."""
    space = await Space.create(
        title="Démarche des collections",
        slug="collections-du-monde",
        starts_at=timezone.now(),
        published=True,
    )
    collection = await ProposalCollection.create(
        space_id=space.id,
        title="Boîte à idées du monde",
        support_threshold=3,
        accepting=True,
    )
    world.ids["collection_id"] = collection.id


async def _new_collection(ctx: Ctx) -> Data:
    """A closed one: the world's collection stays the only one open (the counter's step, after
    this one, does not choose)."""
    return {
        key: value for key, value in (await _collection_form(ctx)).items() if key != "accepting"
    }


async def _collection_form(ctx: Ctx) -> Data:
    collection = await ProposalCollection.get(id=ctx.world.ids["collection_id"])
    return {
        "title": "Idées pour le quartier",
        "space": str(collection.space_id),
        "support_threshold": "5",
        "accepting": "on",
        "amendments_open": "on",
        "version": str(collection.version),
    }


async def _another_space(ctx: Ctx) -> Data:
    """Where the world's collection moves (with its proposals, once the steps wrote some)."""
    space = await Space.create(
        title="Démarche d'accueil",
        slug="demarche-accueil",
        starts_at=timezone.now(),
        published=True,
    )
    return {"space": str(space.id)}


async def _empty_collection(ctx: Ctx) -> Data:
    """A collection holding no proposal: the one that may be deleted."""
    collection = await ProposalCollection.get(id=ctx.world.ids["collection_id"])
    empty = await ProposalCollection.create(
        space_id=collection.space_id, title="Boîte vide", support_threshold=3, accepting=False
    )
    return {**ctx.world.ids, "collection_id": empty.id}


async def _formulas(settings: Settings, world: World, formula: str) -> None:
    await Proposal.all().update(title=formula, address="@" + formula, body=f"<p>{formula}</p>")


WALKS = Walks(
    seed=_seed,
    matrix=MATRIX,
    steps=[
        Step("proposals:new", "owner", _proposal_with_image, files={"image": ("d.png", png(40, 20))}),
        Step("proposals:edit", "owner", _proposal_form, ids=ids_with(id="draft_proposal")),
        Step("proposals:state", "owner", {"state": "published"}, ids=ids_with(id="draft_proposal")),
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
        Step("proposals:collection_new", "admin", _new_collection),
        Step("proposals:collection_edit", "admin", _collection_form),
        Step("proposals:collection_move", "admin", _another_space),
        Step("proposals:collection_delete", "admin", ids=_empty_collection),
        # at the counter, for the world's other person (their online support was withdrawn)
        Step("proposals:counter_proposal", "agent", _counter_proposal),
        Step("proposals:counter_support", "agent", _counter_support),
    ],
    refused=[
        Step("proposals:new", "owner", {"title": " ", "body": ""}),
        Step("proposals:new", "owner", _proposal_with_image, files={"image": ("x.png", b"pas une image")}),
        Step("proposals:amend", "other", {"title": "", "body": "", "reason": ""}),
        Step("proposals:counter_proposal", "agent", {"channel": "online", "title": "Court"}),
        Step("proposals:collection_new", "admin", {"title": "", "support_threshold": "0"}),
        Step("proposals:collection_move", "admin", {"space": str(MISSING)}),
        Step("proposals:counter_support", "agent", {"channel": "phone", "proposal": "x"}),
    ],
    no_form_in_the_world={
        # an invitation of the other person, a support of the owner's
        "POST /proposals/{id:id}/coauthors/accept": (),
        "POST /proposals/{id:id}/unsupport": (),
    },
    formulas=_formulas,
    csv_exports=frozenset({"GET /proposals.csv"}),
    not_found=(f"/proposals/{MISSING}",),
    audited={
        "proposals:index": "browser/test_resident_journey",
        "proposals:new": "browser/test_resident_journey",
        "proposals:detail": "browser/test_resident_journey",
        "proposals:edit": "browser/test_every_page",
        "proposals:history": "browser/test_every_page",
        "proposals:amend": "browser/test_every_page",
        "proposals:map": "proposals/test_map_browser",
        "proposals:collections": "proposals/test_browser",
        "proposals:collection_new": "proposals/test_browser",
        "proposals:collection_edit": "proposals/test_browser",
        "proposals:collection_move": "proposals/test_browser",
        "proposals:collection_delete": "proposals/test_browser",
    },
    exempt={
        "proposals:csv": "CSV open data (its content is the proposals list)",
        "proposals:json": "JSON open data",
    },
    menu_words={
        "proposals:index": "Propositions",
        "proposals:collections": "Collections de propositions",
    },
)
