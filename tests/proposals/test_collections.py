"""Proposals collections (issue #18): administrators create and edit them from the browser
(audited, a version check); the proposal form asks for one when several are open and says so
when none is; a collection's threshold, pre-moderation, amendments and opening apply to its
proposals; its space's comments switch closes their comments; the space's page lists it; the
list is filtered by space and collection; a space's moderators see its proposals and their
comments."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from tortoise import timezone

from moderation import services as moderation
from moderation.models import ModerationCase
from participation.accounts.models import User
from participation.app import create_app
from participation.audit import AuditLogEntry
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.counter import services as counter
from participation.pagecache import invalidate
from participation.people.models import SpaceRole
from participation.proposals.collections import services
from participation.proposals.counter import record_proposal
from participation.proposals.domain import ProposalState, form_of
from participation.proposals.models import Amendment, Proposal, ProposalCollection
from participation.refusals import Refused
from participation.spaces.models import Space
from participation.territory import Category
from tests.conftest import create_user, field_error, logged_in, post_form
from tests.participation.proposal_factories import good_form, make_proposal, make_territory
from tests.participation.test_sitesettings import save as save_settings
from tests.proposals.factories import ideas_box

NEW = "/admin/collections/new"


def _collection_form(in_space: Space, **changes: str) -> dict[str, str]:
    return {
        "title": "Boîte à idées 2027",
        "space": str(in_space.id),
        "support_threshold": "2",
        "premoderated": "on",
        "amendments_open": "on",
        "accepting": "on",
        "opens_at": "",
        "closes_at": "",
        **changes,
    }


async def _space(**fields: Any) -> Space:
    values: dict[str, Any] = {
        "title": "Quartier du port",
        "slug": "port",
        "starts_at": timezone.now() - timedelta(days=3),
        "published": True,
        **fields,
    }
    return await Space.create(**values)


async def test_an_administrator_creates_and_edits_a_collection_audited(
    app: Any, admin: User
) -> None:
    space = await _space()
    async with logged_in(app, admin) as c:
        page = await c.get(NEW)
        assert page.status_code == 200 and "Quartier du port" in page.text
        created = await post_form(c, NEW, _collection_form(space), page=NEW)
        assert created.status_code == 303
        collection = await ProposalCollection.get(title="Boîte à idées 2027")
        assert (collection.space_id, collection.support_threshold) == (space.id, 2)
        assert collection.premoderated and collection.accepting and collection.amendments_open
        edit = f"/admin/collections/{collection.id}"
        assert created.headers["location"] == edit
        data = _collection_form(
            space, support_threshold="150", premoderated="", version=str(collection.version)
        )
        saved = await post_form(c, edit, data, page=edit)
        assert saved.status_code == 303
        listing = await c.get("/admin/collections")
        assert "Boîte à idées 2027" in listing.text and "Ouverte aux propositions" in listing.text
        audit_page = (await c.get("/admin/audit")).text
    again = await ProposalCollection.get(id=collection.id)
    assert (again.support_threshold, again.premoderated, again.version) == (150, False, 2)
    entries = await AuditLogEntry.filter(target_kind="proposal_collection").order_by("id")
    assert [e.action for e in entries] == [
        "proposal_collection_created",
        "proposal_collection_updated",
    ]
    assert json.loads(entries[1].before) == {"support_threshold": 2, "premoderated": True}
    assert json.loads(entries[1].after) == {"support_threshold": 150, "premoderated": False}
    assert "la collection de propositions «\u00a0Boîte à idées 2027\u00a0»" in audit_page


async def test_a_wrong_form_writes_nothing_and_names_each_field(app: Any, admin: User) -> None:
    space = await _space()
    async with logged_in(app, admin) as c:
        wrong = _collection_form(
            space, title="", support_threshold="0", closes_at="2020-01-01T10:00",
            opens_at="2021-01-01T10:00",
        )  # fmt: skip
        response = await post_form(c, NEW, wrong, page=NEW)
        assert response.status_code == 422
        assert field_error(response.text, "title")
        assert "1\u00a0000\u00a0000" in field_error(response.text, "support_threshold")
        assert field_error(response.text, "closes_at")
        forged = await post_form(c, NEW, _collection_form(space, space="999999"), page=NEW)
        assert forged.status_code == 422
        assert "Choisissez une démarche" in field_error(forged.text, "space")
        xss = _collection_form(space, title='<script>alert("x")</script>')
        assert (await post_form(c, NEW, xss, page=NEW)).status_code == 303
        listing = (await c.get("/admin/collections")).text
        assert "<script>alert" not in listing and "&lt;script&gt;" in listing
    assert await ProposalCollection.all().count() == 1


async def test_two_saves_from_one_version_the_second_is_told(app: Any, admin: User) -> None:
    collection = await ideas_box()
    edit = f"/admin/collections/{collection.id}"
    space = await Space.get(id=collection.space_id)
    async with logged_in(app, admin) as c:
        first = _collection_form(space, title="Première", version="1")
        assert (await post_form(c, edit, first, page=edit)).status_code == 303
        second = _collection_form(space, title="Seconde", version="1")
        response = await post_form(c, edit, second, page=edit)
        assert response.status_code == 409
        assert "Seconde" in response.text and "Première" in response.text  # theirs shown
    assert (await ProposalCollection.get(id=collection.id)).title == "Première"


async def test_only_administrators_reach_the_collections(
    app: Any, moderator: User, citizen: User
) -> None:
    space = await _space()
    for person in (moderator, citizen):
        async with logged_in(app, person) as c:
            assert (await c.get("/admin/collections")).status_code == 403
            response = await post_form(c, NEW, _collection_form(space))
            assert response.status_code == 403
    assert await ProposalCollection.all().count() == 0


async def test_the_only_open_collection_takes_the_proposal_without_asking(
    app: Any, citizen: User
) -> None:
    collection = await ideas_box()
    await ideas_box(await _space(), title="Fermée", accepting=False)
    async with logged_in(app, citizen) as c:
        form = await c.get("/proposals/new")
        assert 'name="collection"' not in form.text
        assert "Votre proposition ira dans" in form.text
        response = await post_form(c, "/proposals/new", await good_form(), page="/proposals/new")
        assert response.status_code == 303
    assert (await Proposal.get(author_id=citizen.id)).collection_id == collection.id


async def test_with_two_open_collections_the_form_asks(app: Any, citizen: User) -> None:
    await ideas_box()
    port = await ideas_box(await _space(), title="Idées pour le port")
    async with logged_in(app, citizen) as c:
        form = await c.get("/proposals/new")
        assert 'name="collection"' in form.text and "Idées pour le port" in form.text
        data = await good_form()
        unchosen = await post_form(c, "/proposals/new", data, page="/proposals/new")
        assert unchosen.status_code == 422
        assert "Choisissez une collection" in field_error(unchosen.text, "collection")
        chosen = {**data, "collection": str(port.id)}
        assert (
            await post_form(c, "/proposals/new", chosen, page="/proposals/new")
        ).status_code == 303
    assert (await Proposal.get(author_id=citizen.id)).collection_id == port.id


async def test_with_none_open_the_form_says_so_and_nothing_is_written(
    app: Any, citizen: User
) -> None:
    closed = await ideas_box(closes_at=timezone.now() - timedelta(days=1))
    await ideas_box(await _space(), opens_at=timezone.now() + timedelta(days=3))
    async with logged_in(app, citizen) as c:
        form = await c.get("/proposals/new")
        assert form.status_code == 200
        assert "Aucune collection ne reçoit de nouvelles propositions" in form.text
        assert 'name="title"' not in form.text
        forced = {**(await good_form()), "collection": str(closed.id)}
        response = await post_form(c, "/proposals/new", forced, page="/proposals")
        assert response.status_code == 422
        assert "Aucune collection ne reçoit" in response.text
    assert await Proposal.all().count() == 0


async def test_a_draft_is_not_published_once_its_collection_closed(app: Any, citizen: User) -> None:
    collection = await ideas_box()
    draft = await make_proposal(citizen, ProposalState.DRAFT, collection_id=collection.id)
    await ProposalCollection.filter(id=collection.id).update(accepting=False)
    async with logged_in(app, citizen) as c:
        page = f"/proposals/{draft.id}"
        response = await post_form(c, f"{page}/state", {"state": "published"}, page=page)
        assert response.status_code == 409
    assert (await Proposal.get(id=draft.id)).state == ProposalState.DRAFT


async def test_the_collections_threshold_and_premoderation_apply(
    app: Any, settings: Any, citizen: User
) -> None:
    collection = await ideas_box(support_threshold=2, premoderated=True)
    assert not settings.premoderates("proposal") and settings.proposal_support_threshold > 2
    draft = await make_proposal(citizen, ProposalState.DRAFT, collection_id=collection.id)
    async with logged_in(app, citizen) as c:
        page = f"/proposals/{draft.id}"
        assert (
            await post_form(c, f"{page}/state", {"state": "published"}, page=page)
        ).status_code == 303
    assert (await Proposal.get(id=draft.id)).state == ProposalState.PENDING  # pre-moderated
    published = await make_proposal(citizen, collection_id=collection.id)
    for n in range(2):
        supporter = await create_user(settings, f"soutien{n}@example.org")
        async with logged_in(app, supporter) as c:
            page = f"/proposals/{published.id}"
            assert (await post_form(c, f"{page}/support", {}, page=page)).status_code == 303
    assert (await Proposal.get(id=published.id)).state == ProposalState.THRESHOLD_REACHED
    async with logged_in(app, citizen) as c:
        assert "2 soutiens" in (await c.get(f"/proposals/{published.id}")).text


async def test_amendments_closed_by_the_collection(app: Any, settings: Any, citizen: User) -> None:
    collection = await ideas_box(amendments_open=False)
    proposal = await make_proposal(citizen, collection_id=collection.id)
    other = await create_user(settings, "autre@example.org")
    async with logged_in(app, other) as c:
        assert (await c.get(f"/proposals/{proposal.id}/amendments/new")).status_code == 403


async def test_the_spaces_switch_closes_the_comments_of_its_proposals(
    app: Any, settings: Any, citizen: User
) -> None:
    collection = await ideas_box()
    proposal = await make_proposal(citizen, collection_id=collection.id)
    other = await create_user(settings, "autre@example.org")
    page = f"/proposals/{proposal.id}"
    comment = {"body": "Bonne idée, le square en a besoin.", "stance": "for"}
    async with logged_in(app, other) as c:
        assert 'name="stance"' in (await c.get(page)).text
        await Space.filter(id=collection.space_id).update(comments_open=False)
        await invalidate(app.state.redis)  # as the space's form does (every write empties pages)
        assert 'name="stance"' not in (await c.get(page)).text
        response = await post_form(c, f"{page}/comments", comment, page=page)
        assert response.status_code == 403
    assert await Comment.all().count() == 0


async def test_the_space_page_lists_its_collections_with_their_state(
    app: Any, citizen: User
) -> None:
    collection = await ideas_box(closes_at=timezone.now() + timedelta(days=20))
    await ideas_box(
        await Space.get(id=collection.space_id), title="Idées de l'an prochain",
        opens_at=timezone.now() + timedelta(days=40),
    )  # fmt: skip
    async with logged_in(app, citizen) as c:
        html = (await c.get("/demarches/boite-a-idees")).text
    assert "Idées pour la ville" in html and "Ouverte aux propositions" in html
    assert "Idées de l&#39;an prochain" in html and "Pas encore ouverte" in html
    assert f"/proposals?collection={collection.id}" in html


async def test_the_list_is_filtered_by_space_and_collection(app: Any, citizen: User) -> None:
    town = await ideas_box()
    port = await ideas_box(await _space(), title="Idées pour le port")
    await make_proposal(citizen, title="Des arceaux à vélo en ville", collection_id=town.id)
    await make_proposal(citizen, title="Une cale pour les kayaks", collection_id=port.id)
    async with logged_in(app, citizen) as c:
        everything = (await c.get("/proposals")).text
        assert 'id="space"' in everything and 'id="collection"' in everything
        # search first, then the other filters in a disclosure, closed until one is chosen
        form = everything[everything.index('<form id="filters"') :]
        assert form.index('id="q"') < form.index("<details") < form.index('id="state"')
        assert '<details class="more-filters">' in everything
        by_space = (await c.get("/proposals?space=port")).text
        by_collection = (await c.get(f"/proposals?collection={town.id}")).text
        unknown = await c.get("/proposals?space=nulle-part&collection=abc")
    assert "Une cale pour les kayaks" in by_space and "arceaux" not in by_space
    assert '<details class="more-filters" open>' in by_space and "1 actif" in by_space
    assert "arceaux" in by_collection and "kayaks" not in by_collection
    assert unknown.status_code == 200 and "kayaks" not in unknown.text


async def test_the_map_is_filtered_by_space_like_the_list(app: Any, citizen: User) -> None:
    town = await ideas_box()
    port = await ideas_box(await _space(), title="Idées pour le port")
    for title, collection in (("Des arceaux à vélo", town), ("Une cale pour kayaks", port)):
        await make_proposal(citizen, title=title, collection_id=collection.id, address="Quai Sud")
    async with logged_in(app, citizen) as c:
        by_space = (await c.get(f"/proposals/map?space=port&collection={port.id}")).text
        listed = (await c.get("/proposals?space=port&sort=supported")).text
    assert "Une cale pour kayaks" in by_space and "arceaux" not in by_space
    # the list's form, with the choices made; each view links to the other with the filters
    assert '<option value="port" selected>' in by_space
    assert f'<option value="{port.id}" selected>' in by_space
    assert f'href="/proposals?space=port&amp;collection={port.id}"' in by_space
    assert 'href="/proposals/map?space=port"' in listed
    # the open data names each proposal's collection and space (proposals.csv)
    async with logged_in(app, citizen) as c:
        exported = list(csv.DictReader(io.StringIO((await c.get("/proposals.csv")).text)))
    kayaks = next(row for row in exported if row["title"] == "Une cale pour kayaks")
    assert (kayaks["collection"], kayaks["collection_id"]) == (port.title, str(port.id))


async def test_a_space_moderator_sees_the_proposals_and_comments_of_their_space(
    app: Any, settings: Any, citizen: User, admin: User
) -> None:
    """...and no longer once staff move the collection, with its proposals, to another space:
    the cases of its proposals and of their comments go with it (audited)."""
    ours = await ideas_box(premoderated=True)
    theirs = await ideas_box(await _space(), title="Idées pour le port", premoderated=True)
    keeper = await create_user(settings, "gardien@example.org")
    await SpaceRole.create(user=keeper, space_id=ours.space_id, role="moderator")
    mine = await make_proposal(citizen, ProposalState.DRAFT, title="Un banc au square",
                               collection_id=ours.id)  # fmt: skip
    other = await make_proposal(citizen, ProposalState.DRAFT, title="Une cale pour kayaks",
                                collection_id=theirs.id)  # fmt: skip
    async with logged_in(app, citizen) as c:
        assert 'href="/moderation"' not in (await c.get("/")).text
        for draft in (mine, other):
            page = f"/proposals/{draft.id}"
            await post_form(c, f"{page}/state", {"state": "published"}, page=page)
    commented = await make_proposal(citizen, collection_id=ours.id, title="Un potager")
    await Space.filter(id=ours.space_id).update(comments_open=True)
    commenter = await create_user(settings, "voisine@example.org")
    await Comment.create(
        proposal_id=commented.id, target_kind="proposal", target_id=commented.id,
        author_id=commenter.id, body="<p>Un commentaire à relire</p>",
        moderation_state=ModerationState.PENDING,
    )  # fmt: skip
    comment = await Comment.get(author_id=commenter.id)
    await moderation.open_pending_case("comment", comment.id, commenter.id)
    cases = {c.target_kind + str(c.target_id): c for c in await ModerationCase.all()}
    assert cases[f"proposal{mine.id}"].space_id == ours.space_id
    assert cases[f"proposal{other.id}"].space_id == theirs.space_id
    assert cases[f"comment{comment.id}"].space_id == ours.space_id
    async with logged_in(app, keeper) as c:
        assert 'href="/moderation"' in (await c.get("/")).text  # the header leads there
        queue = (await c.get("/moderation")).text
        assert "Un banc au square" in queue and "Un commentaire à relire" in queue
        assert "Une cale pour kayaks" not in queue
        decision = {
            "case": str(cases[f"proposal{other.id}"].id),
            "action": "approve",
            "reason": "Ok",
        }
        response = await post_form(c, "/moderation/decide", decision, page="/moderation")
        assert response.status_code == 404  # as an id that does not exist: nothing shown
        decision = {
            "case": str(cases[f"proposal{mine.id}"].id),
            "action": "approve",
            "reason": "Ok",
        }
        response = await post_form(c, "/moderation/decide", decision, page="/moderation")
        assert response.status_code == 303
    assert (await Proposal.get(id=mine.id)).state == ProposalState.PUBLISHED
    assert (await Proposal.get(id=other.id)).state == ProposalState.PENDING
    async with logged_in(app, admin) as c:
        page = f"/admin/collections/{ours.id}/move"
        assert "Elle emporte ses 2 propositions." in (await c.get(page)).text
        moved = await post_form(c, page, {"space": str(theirs.space_id)}, page=page)
        assert moved.status_code == 303
        audit_page = (await c.get("/admin/audit")).text
    assert "a déplacé la collection de propositions" in audit_page
    assert "vers «\u00a0Quartier du port\u00a0»" in audit_page
    assert (await ProposalCollection.get(id=ours.id)).space_id == theirs.space_id
    assert not await ModerationCase.filter(space_id=ours.space_id).exists()
    for key in (f"proposal{mine.id}", f"comment{comment.id}"):  # gone with it to the port
        assert (await ModerationCase.get(id=cases[key].id)).space_id == theirs.space_id
    async with logged_in(app, keeper) as c:
        assert "Un commentaire à relire" not in (await c.get("/moderation")).text


HOLDS = "Cette collection contient des propositions\u00a0: elle ne peut pas être supprimée."


async def test_a_collection_is_deleted_only_empty_and_moved_only_to_another_open_space(
    app: Any, admin: User, citizen: User
) -> None:
    collection = await ideas_box()
    await make_proposal(citizen, collection_id=collection.id)
    archived = await _space(slug="archive", archived_at=timezone.now())
    empty = await ideas_box(await _space(), title="Boîte vide")
    async with logged_in(app, admin) as c:
        move = f"/admin/collections/{collection.id}/move"
        for forged in (str(collection.space_id), str(archived.id), "999999", "x"):
            refused = await post_form(c, move, {"space": forged}, page=move)
            assert refused.status_code == 422 and field_error(refused.text, "space"), forged
        delete = f"/admin/collections/{collection.id}/delete"
        shown = (await c.get(delete)).text
        assert HOLDS in shown and "Supprimer définitivement" not in shown
        kept = await post_form(c, delete, {}, page=delete)
        assert kept.status_code == 409 and HOLDS in kept.text
        gone = f"/admin/collections/{empty.id}/delete"
        assert "Supprimer définitivement la collection" in (await c.get(gone)).text
        deleted = await post_form(c, gone, {}, page=gone)
        assert deleted.headers["location"] == "/admin/collections"
        audit_page = (await c.get("/admin/audit")).text
    assert (await ProposalCollection.get(id=collection.id)).space_id == collection.space_id
    assert not await ProposalCollection.exists(id=empty.id)
    assert "a supprimé la collection de propositions «\u00a0Boîte vide\u00a0»" in audit_page


async def test_a_space_holding_a_collection_is_not_deleted(app: Any, admin: User) -> None:
    collection = await ideas_box()
    async with logged_in(app, admin) as c:
        page = f"/admin/spaces/{collection.space_id}"
        response = await post_form(c, f"{page}/delete", {}, page=page)
        assert response.status_code == 409
    assert await Space.exists(id=collection.space_id)


async def test_at_the_counter_the_agent_chooses_the_collection_when_several_are_open(
    app: Any, admin: User
) -> None:
    await ideas_box()
    port = await ideas_box(await _space(), title="Idées pour le port", premoderated=True)
    person = await counter.record_person(admin, "Mme Roux", "", True)
    desk = f"/admin/counter/people/{person.id}"
    async with logged_in(app, admin) as c:
        assert 'name="collection"' in (await c.get(desk)).text
        data = {**(await good_form()), "channel": "paper"}
        unchosen = await post_form(c, f"{desk}/proposal", data, page=desk)
        assert unchosen.status_code == 422
        assert "Choisissez une collection" in field_error(unchosen.text, "collection")
        chosen = {**data, "collection": str(port.id)}
        assert (await post_form(c, f"{desk}/proposal", chosen, page=desk)).status_code == 303
    proposal = await Proposal.get(author_id=person.id)
    assert proposal.collection_id == port.id
    assert proposal.state == ProposalState.PENDING  # the port's collection is pre-moderated


async def test_a_collection_offers_its_own_categories(app: Any, admin: User, citizen: User) -> None:
    """Staff tick the categories of a collection (a forged one is refused on the field); its
    proposal form offers only those, a forged one is refused; the list's filter follows."""
    mobility, _ = await make_territory()
    nature = await Category.create(name="Nature en ville", slug="nature")
    space = await _space()
    async with logged_in(app, admin) as c:
        forged: dict[str, Any] = {**_collection_form(space), "categories": ["999999"]}
        refused = await post_form(c, NEW, forged, page=NEW)
        assert refused.status_code == 422
        assert "Choisissez" in field_error(refused.text, "categories")
        chosen: dict[str, Any] = {**_collection_form(space), "categories": [str(nature.id)]}
        assert (await post_form(c, NEW, chosen, page=NEW)).status_code == 303
    collection = await ProposalCollection.get(title="Boîte à idées 2027")
    assert await services.category_ids(collection.id) == [nature.id]
    async with logged_in(app, citizen) as c:
        form = (await c.get("/proposals/new")).text
        assert "Nature en ville" in form and "Mobilité" not in form
        data = {**(await good_form()), "category": str(mobility.id)}
        wrong = await post_form(c, "/proposals/new", data, page="/proposals/new")
        assert wrong.status_code == 422 and field_error(wrong.text, "category")
        data["category"] = str(nature.id)
        assert (
            await post_form(c, "/proposals/new", data, page="/proposals/new")
        ).status_code == 303
        listed = (await c.get(f"/proposals?collection={collection.id}")).text
    assert 'value="nature"' in listed and 'value="mobilite"' not in listed
    assert (await Proposal.get(author_id=citizen.id)).category_id == nature.id  # type: ignore[attr-defined]


async def test_outside_the_spaces_audience_one_sees_why_and_a_forged_post_is_403(
    app: Any, settings: Any, citizen: User, admin: User
) -> None:
    """A space for verified residents: a person with an account only is told why instead of
    the proposal, support, amendment and comment forms and of the button publishing their
    draft (written before the rule changed), and whatever they send anyway is refused (403,
    nothing written); staff propose there as before, and the counter's agent cannot publish in
    such a person's name either."""
    collection = await ideas_box()
    draft = await make_proposal(citizen, ProposalState.DRAFT, collection_id=collection.id)
    await Space.filter(id=collection.space_id).update(audience="residents")
    proposal = await make_proposal(admin, collection_id=collection.id)
    page = f"/proposals/{proposal.id}"
    why = "Cette démarche est réservée aux habitants vérifiés."
    async with logged_in(app, citizen) as c:
        form = await c.get("/proposals/new")
        assert form.status_code == 403 and why in form.text and 'name="title"' not in form.text
        forged = await post_form(c, "/proposals/new", await good_form(), page=page)
        shown = (await c.get(page)).text
        assert why in shown and 'name="stance"' not in shown
        assert f"/proposals/{proposal.id}/support" not in shown
        assert f"{page}/amendments/new" not in shown
        supported = await post_form(c, f"{page}/support", {}, page=page)
        comment = {"body": "Bonne idée, le square en a besoin.", "stance": "for"}
        commented = await post_form(c, f"{page}/comments", comment, page=page)
        amend = await c.get(f"{page}/amendments/new")
        assert amend.status_code == 403 and why in amend.text
        text = {"title": "Un banc ombragé au square", "body": "Avec un arbre.", "reason": ""}
        amended = await post_form(c, f"{page}/amendments/new", text, page=page)
        mine = f"/proposals/{draft.id}"
        shown = (await c.get(mine)).text
        assert why in shown and 'value="published"' not in shown
        published = await post_form(c, f"{mine}/state", {"state": "published"}, page=mine)
        assert published.status_code == 403 and why in published.text
    assert (forged.status_code, supported.status_code, commented.status_code) == (403, 403, 403)
    assert amended.status_code == 403 and await Amendment.all().count() == 0
    assert (await Proposal.get(id=draft.id)).state == ProposalState.DRAFT
    assert await Proposal.all().count() == 2 and await Comment.all().count() == 0
    assert (await Proposal.get(id=proposal.id)).support_count == 0
    async with logged_in(app, admin) as c:
        assert 'name="title"' in (await c.get("/proposals/new")).text
    # the counter asks the same rule of the person (tests/counter: and what to do)
    person = await counter.record_person(admin, "Mme Roux", "", True)
    form, _ = form_of(await good_form())
    with pytest.raises(Refused):
        await record_proposal(settings, admin, person.id, form, "counter")
    assert await Proposal.all().count() == 2


async def test_thresholds_changed_in_one_web_process_apply_in_another(
    app: Any, settings: Any, admin: User, citizen: User, redis_url: str
) -> None:
    """Two app instances on one database and one Redis (two web processes): a collection's
    threshold and the site's threshold (proposals in no collection) saved through the first
    are what the second applies at its next support, without restart."""
    second = create_app(app.state.settings)  # another web process: its own memory and client
    second.state.redis = Redis.from_url(redis_url)
    collection = await ideas_box(support_threshold=10)
    in_collection = await make_proposal(citizen, collection_id=collection.id)
    in_none = await make_proposal(citizen, title="Un composteur partagé rue Haute")
    supporters = [await create_user(settings, f"soutien{n}@example.org") for n in range(4)]

    async def supported(proposal: Proposal, supporter: User) -> None:
        async with logged_in(second, supporter) as c:
            page = f"/proposals/{proposal.id}"
            assert (await post_form(c, f"{page}/support", {}, page=page)).status_code == 303

    try:
        await supported(in_collection, supporters[0])  # the second process has seen 10
        await supported(in_none, supporters[0])
        async with logged_in(app, admin) as c:
            edit = f"/admin/collections/{collection.id}"
            data = _collection_form(
                await Space.get(id=collection.space_id),
                support_threshold="2",
                premoderated="",
                version=str(collection.version),
            )
            assert (await post_form(c, edit, data, page=edit)).status_code == 303
            assert (
                await save_settings(c, proposal_support_threshold="2", site_name="Ville")
            ).status_code == 303
        await supported(in_collection, supporters[1])
        await supported(in_none, supporters[1])
    finally:
        await second.state.redis.aclose()
    for proposal in (in_collection, in_none):
        assert (await Proposal.get(id=proposal.id)).state == ProposalState.THRESHOLD_REACHED
