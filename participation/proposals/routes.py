"""Proposal pages: thin handlers, permission -> service -> response.

One route, two renderings: the list and the support button answer htmx with a fragment.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import astuple, dataclass, replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from tortoise import timezone

from participation import formatting, licence, ratelimit, related, sharedparts, spreadsheet, web
from participation.accounts.models import AnonymousUser
from participation.comments import domain as comments
from participation.comments.domain import STANCE_LABELS
from participation.comments.domain import can_edit as can_edit_comment
from participation.comments.models import Comment
from participation.comments.queries import ThreadCursor, thread_page
from participation.i18n import N_, gettext
from participation.numbers import parse_id
from participation.pagecache import cached_for_visitors
from participation.permissions import is_signed_in, is_staff
from participation.pictures import web as pictures_web
from participation.proposals import api, audience, domain, queries, services
from participation.proposals.collections import services as collections
from participation.proposals.domain import (
    STATE_LABELS,
    Actor,
    DomainError,
    ProposalForm,
    ProposalState,
)
from participation.proposals.models import Proposal
from participation.refusals import NotFound, Refused
from participation.richtext import markdown_of, source_of, summary, to_text
from participation.richtext import render as rich_text
from participation.spaces.audience import text_of
from participation.templating import (
    csrf_token,
    flash,
    is_htmx,
    picture_of,
    render,
    render_part,
    templates,
)
from participation.territory import Pin, place_map, town_box, town_map
from participation.urls import url


async def visible_proposal(request: Request) -> Proposal:
    """The proposal of the URL, if this visitor may see it (else 404)."""
    proposal = await queries.get_visible(request.scope["user"], request.path_params["id"])
    if proposal is None:
        raise NotFound()
    return proposal


async def proposal_allowing(
    request: Request, allowed: Callable[[Any, domain.ProposalFacts], bool]
) -> tuple[Any, Proposal]:
    """The signed-in user and the proposal of the URL, when `allowed(user, facts)` (else 403)."""
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    facts, _ = await queries.facts(proposal)
    if not allowed(user, facts):
        raise services.NotAllowed()
    return user, proposal


def proposal_url(proposal: Proposal, anchor: str = "") -> str:
    return url("proposals:detail", id=proposal.id, anchor=anchor)


# --- list and exports -------------------------------------------------------------------------


async def _filter_categories(
    params: queries.ListParams, collections: list[Any], site: list[Any]
) -> list[Any]:
    """The category filter's choices: those of the collection chosen, else the site's."""
    chosen = [c.id for c in collections if str(c.id) == params.collection]
    return await queries.offered_categories(chosen, site) if chosen else site


async def index(request: Request) -> Response:
    user = request.scope["user"]
    params = queries.ListParams.from_query(request.query_params)
    if _may_share_list(user, params):
        shared = await _shared_index(request, params)
        if shared is not None:
            return shared
    seed = request.session.get("shuffle")
    if params.sort == "random" and not (isinstance(seed, list) and len(seed) == 2):
        seed = request.session["shuffle"] = queries.new_seed()
    context = await _list_context(request, user, params, seed or [1, 0])
    return render(request, "proposals/index.html", context, fragment="proposals/_list.html")


async def _list_context(
    request: Request, user: Any, params: queries.ListParams, seed: list[int]
) -> dict[str, Any]:
    """What templates/proposals/_index_body.html shows: the page of proposals `user` sees,
    the filters' choices."""
    categories, districts = await queries.territory()
    collections = await queries.public_collections()
    categories = await _filter_categories(params, collections, categories)
    page = await queries.list_page(user, params, seed, categories, districts, collections)
    return {
        "page": page,
        # a card's progress: its collection's threshold, else the site's (domain.support_threshold)
        "site_threshold": web.settings_of(request).proposal_support_threshold,
        **_filters(params, categories, districts, collections),
        # the filters resolved, kept with a shared list (`_shared_index`): whether the list
        # would show the viewer a proposal of their own that visitors do not see
        "narrowing": queries.narrowing(params, categories, districts, collections),
    }


def _may_share_list(user: Any, params: queries.ListParams) -> bool:
    """Whether the list may be the one shared by every resident (`_shared_index`): not for a
    visitor (the page cache serves them), a moderator (they see what awaits moderation and
    what is hidden), nor in random order (each session's own shuffle and cursors: a part
    nobody else would be served)."""
    return user.is_authenticated and not user.is_moderator and params.sort != "random"


@dataclass(frozen=True)
class SharedList:
    """What a request served the shared list needs besides its HTML (kept with the part)."""

    shown: tuple[int, ...]  # the proposals on the page, for the viewer's supports among them
    narrowing: queries.Narrowing | None  # its filters resolved (None: they name nothing)


async def _shared_index(request: Request, params: queries.ListParams) -> Response | None:
    """The list as every resident sees it, read and rendered once per write and shared
    (participation/sharedparts.py), with this viewer's own state filled in: their CSRF token,
    "You support it" on the cards they support. Its key is what decides its content without
    reading it: the list's parameters as read from the address (`ListParams`: the filters,
    the search, the order, the page and its keyset cursor, normalised, so that addresses
    meaning the same list share it and others never do), whether htmx asks for the list alone,
    the language, the settings' version, and the generation (every write that may change a
    page empties the parts: a proposal published, edited, supported, commented, moderated).
    Its rows are read with its rendering, by a visitor's rules; a request served from the store
    reads none of them, only the viewer's own state, in one statement (`queries.list_state`):
    whether they have a proposal of their own that visitors do not see, and their supports
    among the ids kept with the part; only if they have one, whether the list would show it
    (one EXISTS: a draft, one awaiting moderation or hidden, matching the filters). None (the
    page reads and renders the list for them alone) when parts are not kept (the cache off,
    Redis down) or when the list would show them such a proposal."""
    user, htmx = request.scope["user"], is_htmx(request)
    key = sharedparts.key_of(request, "list", htmx, query=astuple(params))

    async def read_and_render() -> tuple[str, SharedList]:
        # what a resident with no proposal of their own the list would show sees: what a
        # visitor sees, the same rows in the same order
        context = await _list_context(request, AnonymousUser(), params, [1, 0])
        html = render_part(
            request,
            "proposals/_list.html" if htmx else "proposals/_index_body.html",
            {  # nothing of the viewer's: a resident with no id, holes for the rest
                **context,
                "user": sharedparts.SHARED_RESIDENT,
                "csrf_token": sharedparts.hole("csrf"),
                "shared": True,
                "shared_list": None,
            },
        )
        shown = tuple(p.id for p in context["page"].proposals)
        return html, SharedList(shown, context["narrowing"])

    part = await sharedparts.shared(request, key, read_and_render)
    if part is None:
        return None
    kept: SharedList = part.data
    # one statement: whether they have a proposal that visitors do not see, their supports
    own_unlisted, supported = await queries.list_state(user, kept.shown)
    if (
        own_unlisted
        and kept.narrowing is not None
        and await queries.has_own_unlisted(user, kept.narrowing)
    ):
        return None  # their own draft or pending proposal is in their list: theirs alone
    # "You support it" kept on the cards they support (None: the range as rendered), gone
    # from the others
    body = sharedparts.fill_in(
        part,
        {"csrf": csrf_token(request), "[supported": ""},
        {("[supported", str(i)): None for i in supported},
    )
    context = {"shared_list": body} if htmx else {"shared_page": body, "shared_list": None}
    return render(request, "proposals/index.html", context, fragment="proposals/_list.html")


def _filters(
    params: queries.ListParams,
    categories: list[Any],
    districts: list[Any],
    collections: list[Any],
) -> dict[str, Any]:
    """What templates/proposals/_filters.html needs: the list's and the map's one form."""
    spaces = {c.space.slug: c.space.title for c in collections}
    return {
        "params": params,
        "categories": categories,
        "districts": districts,
        # the space and collection filters, offered when there is a choice to make
        "space_options": list(spaces.items()) if len(spaces) > 1 else [],
        "collection_options": [
            (str(c.id), f"{c.title} ({c.space.title})" if len(spaces) > 1 else c.title)
            for c in collections
        ]
        if len(collections) > 1
        else [],
        "states": [s for s in ProposalState if s in domain.PUBLIC_STATES],
        "STATE_LABELS": STATE_LABELS,
    }


async def map_page(request: Request) -> Response:
    """/proposals/map: the proposals with a place, with the list's filters, on the town's map
    (server-drawn SVG, a link per point) and as a list with their addresses (the map's text
    alternative; a proposal with an address and no point is listed, not drawn)."""
    user = request.scope["user"]
    params = queries.ListParams.from_query(request.query_params)
    categories, districts = await queries.territory()
    collections = await queries.public_collections()  # the space and collection filters
    categories = await _filter_categories(params, collections, categories)
    rows, more = await queries.map_rows(user, params, categories, districts, collections)
    pins = [
        Pin(
            url("proposals:detail", id=r["id"]),
            r["title"],
            r["address"],
            r["latitude"],
            r["longitude"],
        )
        for r in rows
    ]
    context = {
        **_filters(params, categories, districts, collections),
        "map": town_map(town_box(web.settings_of(request)), pins),
        "more": more,
        "limit": queries.MAP_LIMIT,
    }
    return render(request, "proposals/map.html", context)


def in_random_order(request: Request) -> bool:
    """The random order is each visitor's own shuffle (kept in their session)."""
    return request.query_params.get("sort") == "random"


EXPORT_FIELDS = [
    "id",
    "title",
    "body",
    "state",
    "category",
    "district",
    "address",
    "latitude",
    "longitude",
    "author",
    "support_count",
    "comment_count",
    "published_at",
    "answered_at",
    "answer",
    "collection_id",
    "collection",
    "space_id",
    "space",
]


def _exported(proposal: Any) -> dict[str, Any]:
    """The API's row, its dates in the town's time for people opening the file."""
    row = api.public_row(proposal)
    for moment in ("published_at", "answered_at"):
        row[moment] = formatting.iso_local(row[moment])
    return row


async def _csv_chunks() -> AsyncIterator[str]:
    """The CSV, one chunk per batch of proposals (`queries.public_in_batches`): the web process
    holds one batch at a time, whatever the number of proposals (issue #23)."""
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, licensed=True)  # open data, often opened in a spreadsheet
    writer.writerow(EXPORT_FIELDS)
    async for batch in queries.public_in_batches(api.RELATED):
        writer.writerows([row[key] for key in EXPORT_FIELDS] for row in map(_exported, batch))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # no proposal: the header alone
        yield buffer.getvalue()


async def export_csv(request: Request) -> Response:
    return web.streamed_attachment(
        _csv_chunks(), "text/csv; charset=utf-8", "proposals.csv", open_data=True
    )


async def _json_chunks() -> AsyncIterator[str]:
    """`{"proposals": [...]}`, one chunk per batch of proposals, as the CSV (issue #23): the
    same text `json.dumps` of the whole list gave, never the whole list in memory. Public
    proposals only, and no personal data beyond the public display name."""
    yield '{"proposals": ['
    separator = ""
    async for batch in queries.public_in_batches(api.RELATED):
        rows = ", ".join(json.dumps(_exported(p), ensure_ascii=False) for p in batch)
        yield separator + rows
        separator = ", "
    yield "]}"


async def export_json(request: Request) -> Response:
    return StreamingResponse(_json_chunks(), media_type="application/json", headers=licence.HEADER)


# --- create and edit --------------------------------------------------------------------------


_form = domain.form_of  # the form as typed (also the counter's: participation/proposals/counter)


async def _proposal_form(
    request: Request,
    proposal: Proposal | None,
    values: dict[str, str],
    save: Callable[[ProposalForm, tuple[str, str], dict[str, str]], Awaitable[str]],
    check: Callable[[ProposalForm, tuple[str, str], dict[str, str]], Awaitable[object]],
    image_sent: bool = False,
) -> Response:
    """The proposal form (new or edit): `save(form, coordinates as typed, data)` on POST,
    `check` (the same arguments) its checks alone, when its address is refused. A
    new proposal asks for its collection when more than one is open, and says so when none
    is (the form is then not shown). The categories are those of its collection (when the
    person chooses among several, those of the one chosen, else of every open one)."""
    categories, districts = await queries.territory()
    in_play: list[int] = []  # the collections whose categories are offered
    if proposal is not None and proposal.collection_id is not None:
        in_play = [proposal.collection_id]
    context: dict[str, Any] = {
        "proposal": proposal,
        "values": values,
        "district_options": [(d.id, d.name) for d in districts],
        **web.place_picker(request),
        "collection_options": [],
        "none_open": False,
        "image_sent": image_sent,  # a file came with the form: choose it again on errors
    }
    if proposal is None and await collections.any_exists():
        # those whose space admits the person (issue #18): the others are not offered
        every_open, open_now, refusal = await audience.open_to(request.scope["user"])
        if refusal is not None:  # every open one refuses them: why, and no form
            context["refusal"] = text_of(refusal)
            return render(request, "proposals/form.html", {**context, "errors": {}}, 403)
        spaces = {c.space_id for c in open_now}
        context["none_open"] = not every_open
        in_play = [c.id for c in open_now]
        if len(open_now) > 1:
            context["collection_options"] = [
                (c.id, f"{c.title} ({c.space.title})" if len(spaces) > 1 else c.title)
                for c in open_now
            ]
            # the one chosen: sent with the form, or named by the link (?collection=)
            if request.method == "POST":
                raw = (await web.form_data(request)).get("collection", "")
            else:
                raw = request.query_params.get("collection", "")
                values.setdefault("collection", raw)
            chosen = parse_id(raw)
            if chosen is not None and chosen in in_play:
                in_play = [chosen]
        elif open_now:
            context["collection"] = open_now[0]
    offered = await queries.offered_categories(in_play, categories)
    context["category_options"] = [(c.id, c.name) for c in offered]

    async def send(data: dict[str, str]) -> str:
        return await save(*_form(data), data)

    async def checked(data: dict[str, str]) -> object:
        return await check(*_form(data), data)

    place = web.Place(checked)  # the address's point (participation/geocoding.py)
    return await web.form_page(request, "proposals/form.html", context, send, place=place)


async def new(request: Request) -> Response:
    user = web.require(request, is_signed_in)

    async def admit() -> None:
        # after every check of the form (services.create): the limit counts a proposal that
        # would be saved, not a form sent back for a field; a full one answers 429
        await ratelimit.check(request, "post")

    upload = await pictures_web.upload(request)  # its image's file (issue #22), if any

    def draft_of(form: ProposalForm, raw: tuple[str, str], data: dict[str, str]) -> services.Draft:
        town = town_box(web.settings_of(request))
        return services.Draft(form, raw, town=town, collection=data.get("collection", ""))

    async def create(form: ProposalForm, raw: tuple[str, str], data: dict[str, str]) -> str:
        draft = draft_of(form, raw, data)
        image = await pictures_web.checked(
            request,
            upload,
            data,
            False,
            lambda: services.checked_draft(draft, user),
            limits=("post",),  # a full limit refuses the file before it is decoded
        )
        proposal = await services.create(replace(draft, image=image), user, admit)
        flash(request, gettext("Your draft is saved. Publish it when it is ready."))
        return proposal_url(proposal)

    async def check(form: ProposalForm, raw: tuple[str, str], data: dict[str, str]) -> object:
        return await services.checked_draft(draft_of(form, raw, data), user)

    return await _proposal_form(request, None, {}, create, check, upload is not None)


async def edit(request: Request) -> Response:
    user, proposal = await proposal_allowing(request, domain.can_edit)

    upload = await pictures_web.upload(request)  # a new image's file (issue #22), if any

    async def update(form: ProposalForm, raw: tuple[str, str], data: dict[str, str]) -> str:
        settings = web.settings_of(request)
        image = await pictures_web.checked(
            request,
            upload,
            data,
            proposal.image_id is not None,
            lambda: services.checked_edit(settings, proposal, form, raw),
        )
        await services.update(settings, proposal, form, user, raw, image)
        flash(request, gettext("The proposal is saved."))
        return proposal_url(proposal)

    async def check(form: ProposalForm, raw: tuple[str, str], _data: dict[str, str]) -> object:
        return await services.checked_edit(web.settings_of(request), proposal, form, raw)

    values = {
        "title": proposal.title,
        "body": source_of(proposal.body_source, proposal.body),
        "category": str(proposal.category_id or ""),  # type: ignore[attr-defined]
        "district": str(proposal.district_id or ""),  # type: ignore[attr-defined]
        "address": proposal.address,
        "geocoded": proposal.address,  # looked up when it changes (participation/geocoding.py)
        "latitude": "" if proposal.latitude is None else str(proposal.latitude),
        "longitude": "" if proposal.longitude is None else str(proposal.longitude),
        "image_alt": getattr(picture_of(proposal), "alt", ""),  # read with the proposal
    }
    return await _proposal_form(request, proposal, values, update, check, upload is not None)


# --- the proposal page ------------------------------------------------------------------------


@dataclass(frozen=True)
class FailedForm:
    """A form of the proposal page sent back with its errors (422): which one ("answer",
    "coauthor", "comment-new", "comment-<parent id>"), what was typed, and field -> message."""

    name: str
    values: dict[str, str]
    errors: dict[str, str]


async def show(request: Request) -> Response:
    shared_page, own = await _shared_page(request)
    if shared_page is not None:
        return shared_page
    return await proposal_page(request, await visible_proposal(request), own=own)


@dataclass(frozen=True)
class SharedProposal:
    """What the proposal page shows every resident alike, read once per write by a visitor's
    rules (`_shared_page`); never changed once kept. `proposal` None: not public (the page is
    read for the viewer alone). `token`: drawn at each reading, in the key of the bodies
    rendered from it, so that a body is never served with other facts than its own."""

    proposal: Proposal | None
    facts: domain.ProposalFacts | None = None
    coauthors: tuple[Any, ...] = ()
    collection: Any = None
    detail: queries.Detail | None = None  # its lists (amendments, history, thread's page)
    related: tuple[Any, ...] = ()
    token: str = ""
    # the page's meta description (its text's summary: base.html), None when its text is empty
    description: str | None = None


async def _shared_page(request: Request) -> tuple[Response | None, queries.PageFacts | None]:
    """The proposal page of a resident who sees it as every resident does, its content read and
    rendered once per write and shared (participation/sharedparts.py), with this viewer's own
    state filled in: their CSRF token, their votes on the comments, their own comments' links.

    Two parts: what the page shows (the proposal, its facts and co-authors, amendments,
    history, related links, the thread's page at the address's cursor), read by a visitor's
    rules (key: the proposal and the address with its query); and its content rendered from
    it for what decides the viewer's forms (key: those facts' token, whether they may support,
    suggest an amendment, comment, why their space refuses them, whether they support it).
    A request served from the store runs the viewer's own statement (`queries.page_facts`:
    their support, votes and comments) and their space's register check when its rule asks
    for one; the first request after a write reads what the page shows (by a visitor's rules)
    and, in the same statement as the number of versions, the viewer's own state.

    With the viewer's own state when it was read (the page rendered for them alone does not read
    it again). No page (it is read and rendered for them alone) for a visitor (the page cache), a
    moderator or staff (they see more), the proposal's author, a co-author or someone invited
    (their forms), a reply form asked for (`?reply=`), a proposal that is not public, a
    comment of theirs awaiting moderation or hidden, or when parts are not kept (the cache
    off, Redis down)."""
    if not _may_share_thread(request, None):  # the same viewers as the shared thread
        return None, None
    user = request.scope["user"]
    proposal_id = request.path_params["id"]
    cursor = ThreadCursor.from_query(request.query_params)

    read_now: list[queries.PageFacts] = []  # the viewer's own state, when this request reads

    async def read() -> SharedProposal:
        visitor = AnonymousUser()  # what every resident sees: what a visitor sees
        proposal = await queries.get_visible(visitor, proposal_id)
        if proposal is None:
            return SharedProposal(None)
        # the lists are the same for everyone; the viewer's own facts come in the same
        # statement as the number of versions (`page_facts`), kept for this request only
        detail = await queries.detail(user, proposal, read_thread=False)
        read_now.append(
            queries.PageFacts(
                detail.version_count, detail.supported, detail.my_votes, detail.my_comments
            )
        )
        page = await thread_page(visitor, "proposal", proposal.id, cursor)
        everyone = replace(
            detail,
            comments=page.comments,
            thread=page,
            my_votes={},
            supported=False,
            my_comments={},
        )
        text = rich_text(proposal.body, proposal.sanitized_with)
        return SharedProposal(
            proposal,
            detail.facts,
            tuple(detail.coauthors),
            await queries.collection_of(proposal),  # read with the proposal
            everyone,
            tuple(await related.links_for("proposal", proposal.id)),
            secrets.token_hex(8),
            summary(text) if text else None,
        )

    # keyed by the thread's page read from the address, not the query as written: an unknown
    # parameter shares the part (it read none), instead of reading the proposal again
    where = astuple(cursor)
    data: SharedProposal | None = await sharedparts.kept(
        request, sharedparts.key_of(request, "page", proposal_id, query=where), read
    )
    if data is None or data.proposal is None:
        return None, None
    facts, proposal, shared_detail = data.facts, data.proposal, data.detail
    assert facts is not None and proposal is not None and shared_detail is not None
    if domain.is_author(user, facts) or any(c.email == user.email for c in data.coauthors):
        # their forms (edit, invite, amendments to decide, an invitation); their own state,
        # if this request read it, is not read again
        return None, (read_now[0] if read_now else None)
    own = read_now[0] if read_now else await queries.page_facts(user, proposal.id)
    if any(own.mine.values()):  # theirs awaiting moderation or hidden: their thread
        return None, own  # (read once: the page rendered for them does not read it again)
    refusal = await audience.problem_in_collection(user, data.collection)
    may_comment = domain.can_comment(user, facts) and refusal is None
    may_support = domain.can_support(user, facts) and refusal is None
    may_amend = domain.can_amend(user, facts) and refusal is None
    refusal_text = text_of(refusal) if refusal is not None else ""
    thread_context = {
        "comments_prefix": url("comments:post", id=proposal.id),
        "comments_page": proposal_url(proposal),
        "comments_reply": proposal_url(proposal),
        "now": timezone.now(),
    }

    pin = Pin("", proposal.title, proposal.address, proposal.latitude, proposal.longitude)

    def render_body() -> str:
        thread = shared_detail.thread
        return render_part(
            request,
            "proposals/_detail_body.html",
            {  # nothing of the viewer's but what the key names: holes for the rest
                "user": sharedparts.SHARED_RESIDENT,
                "csrf_token": sharedparts.hole("csrf"),
                "shared": True,
                "proposal": proposal,
                "detail": shared_detail,
                "thread": comments.build_thread(shared_detail.comments),
                "thread_page": thread,
                **thread_context,
                "reply_to": None,
                "reply_asked": False,
                "invited": False,
                "moves": [],
                "answer_states": [],
                "may": {
                    "edit": False,
                    "invite": False,
                    "support": may_support,
                    "amend": may_amend,
                    "decide": False,
                    "comment": may_comment,
                    "answer": False,
                    "is_author": False,
                },
                "answer_source": "",
                "can_edit_comment": can_edit_comment,
                "STATE_LABELS": STATE_LABELS,
                "STANCE_LABELS": STANCE_LABELS,
                "threshold": domain.support_threshold(
                    facts.collection, web.settings_of(request).proposal_support_threshold
                ),
                "collection": data.collection,
                "audience_refusal": refusal_text,
                "supported": own.supported,
                "can_support": may_support,
                "failed": None,
                "related": list(data.related),
                "place": place_map(town_box(web.settings_of(request)), pin),
                "shared_thread": None,
            },
        )

    key = sharedparts.key_of(
        request,
        "page-body",
        proposal_id,
        data.token,
        may_support,
        may_amend,
        may_comment,
        refusal_text,
        own.supported,
        query=where,
    )
    part = await sharedparts.shared(request, key, render_body)
    if part is None:
        return None, own
    # their comments shown (all visible to everyone, else they got their own page): the rows
    # kept with the part, read by a visitor's rules, are the ones they would read
    mine_rows = {c.id: c for c in shared_detail.comments if c.id in own.mine}
    body = sharedparts.fill_in(
        part, *_viewer_values(request, user, thread_context, own.votes, mine_rows)
    )
    page = render(
        request,
        "proposals/detail.html",
        {"proposal": proposal, "shared_body": body, "description": data.description},
    )
    return page, own


async def proposal_page(
    request: Request,
    proposal: Proposal,
    failed: FailedForm | None = None,
    own: queries.PageFacts | None = None,
) -> Response:
    """The proposal page; with `failed`, that form shows its errors next to its fields and
    the page answers 422 (nothing was saved); `own`: the viewer's own state, read before."""
    user = request.scope["user"]
    thread = ThreadCursor.from_query(request.query_params)
    # the page of the comment whose reply form is asked for (or sent back with errors)
    wanted = comments.reply_wanted(
        failed.name if failed else None, request.query_params.get("reply", "")
    )
    if wanted.isdigit() and len(wanted) < 12 and not thread.at:
        thread = ThreadCursor(at=int(wanted))
    # the thread shared by every resident is read only when it is rendered (`_shared_thread`)
    may_share = _may_share_thread(request, failed)
    detail = await queries.detail(user, proposal, thread=thread, read_thread=not may_share, own=own)
    facts = detail.facts
    invited = (
        user.is_authenticated
        and user.email_confirmed_at is not None
        and any(c.email == user.email and c.accepted_at is None for c in detail.coauthors)
    )
    actor = domain.actor_for(user, facts)
    moves = [
        s
        for s in (domain.next_states(facts.state, actor) if actor else [])
        if s not in domain.ANSWER_STATES
        and s != ProposalState.PENDING
        and not (facts.state == ProposalState.PENDING and s == ProposalState.PUBLISHED)
    ]
    collection = await queries.collection_of(proposal)  # read with the proposal
    # outside its space's audience (issue #18): why, instead of the support and comment forms
    refusal = None
    if user.is_authenticated:
        refusal = await audience.problem_in_collection(user, collection)
    may_comment = domain.can_comment(user, facts) and refusal is None
    may_support = domain.can_support(user, facts) and refusal is None
    if refusal is not None and proposal.channel == "online":  # nor publish a draft: why instead
        moves = [s for s in moves if s != ProposalState.PUBLISHED]
    now = timezone.now()
    thread_context = {
        # its comments' actions (participation/comments/routes.py) and the page they are on
        "comments_prefix": url("comments:post", id=proposal.id),
        "comments_page": proposal_url(proposal),
        "comments_reply": proposal_url(proposal),  # the page answers htmx with the reply form
        "now": now,
    }
    shared_thread = None
    if may_share:
        shared_thread = await _shared_thread(
            request, proposal, detail, thread, may_comment, thread_context
        )
        if shared_thread is None:  # the cache is off, or the viewer has their own hidden comments
            detail.thread = await thread_page(user, "proposal", proposal.id, thread)
            detail.comments = detail.thread.comments
    reply_to = _reply_to(request, detail, may_comment, failed)
    context = {
        "proposal": proposal,
        "detail": detail,
        "thread": comments.build_thread(detail.comments),
        "thread_page": detail.thread,  # its links to the thread's previous and next pages
        **thread_context,
        "reply_to": reply_to,
        # a reply form asked for with ?reply= (not one sent back with errors): focus moves to it
        "reply_asked": failed is None and reply_to is not None,
        "invited": invited,
        "moves": moves,
        "answer_states": [
            s for s in domain.next_states(facts.state, Actor.STAFF) if s in domain.ANSWER_STATES
        ],
        "may": {
            "edit": domain.can_edit(user, facts),
            "invite": domain.can_invite(user, facts),
            "support": may_support,
            "amend": domain.can_amend(user, facts) and refusal is None,
            "decide": domain.can_decide_amendment(user, facts),
            "comment": may_comment,
            "answer": domain.can_answer(user, facts),
            "is_author": domain.is_author(user, facts),
        },
        # staff write the official answer in Markdown, as residents write (issue #21)
        "answer_source": (
            markdown_of(proposal.answer_body) if domain.can_answer(user, facts) else ""
        ),
        "can_edit_comment": can_edit_comment,
        "STATE_LABELS": STATE_LABELS,
        "STANCE_LABELS": STANCE_LABELS,
        "threshold": domain.support_threshold(
            facts.collection, web.settings_of(request).proposal_support_threshold
        ),
        "collection": collection,
        "audience_refusal": text_of(refusal) if refusal is not None else "",
        "supported": detail.supported,
        "can_support": may_support,
        "failed": failed,
        "related": await related.links_for("proposal", proposal.id),
        "place": place_map(
            town_box(web.settings_of(request)),
            Pin("", proposal.title, proposal.address, proposal.latitude, proposal.longitude),
        ),
    }
    context["shared_thread"] = shared_thread
    if is_htmx(request) and "reply" in request.query_params and failed is None:
        if reply_to is None:
            raise NotFound()
        # htmx puts the one reply form in place of the comment's "Reply" link
        return render(request, "proposals/detail.html", context, fragment="comments/_reply.html")
    return render(request, "proposals/detail.html", context, status_code=422 if failed else 200)


def _may_share_thread(request: Request, failed: FailedForm | None) -> bool:
    """Whether the page may show the thread shared by every resident (`_shared_thread`): not
    for a visitor (the page cache serves them), a moderator or staff (they see more), a reply
    form asked for (`?reply=`) or sent back with errors (it is in the thread)."""
    user = request.scope["user"]
    return (
        user.is_authenticated
        and not user.is_moderator
        and not is_staff(user)
        and failed is None
        and "reply" not in request.query_params
    )


async def _shared_thread(
    request: Request,
    proposal: Proposal,
    detail: queries.Detail,
    cursor: ThreadCursor,
    may_comment: bool,
    thread_context: dict[str, Any],
) -> Any:
    """The comment thread as every resident sees it, read and rendered once per write and
    shared (participation/sharedparts.py), with this viewer's own state filled in: their CSRF
    token, their votes (`detail.my_votes`), their own comments' links. Its key is what decides
    its content without reading it: the proposal, the address with its query (the thread's
    page), the language, whether the viewer may comment, and the generation (every write that
    may change a page empties the parts: a comment, a vote, an edit, a deletion, a moderation
    decision); its rows are read with its rendering, by a visitor's rules. A request served
    from the store reads none of them: the viewer's votes and the ids of their own comments on
    the proposal come with the page's other facts (`queries.page_facts`), and their comments
    among those shown are read (one small statement) only when there are some. None (the page
    reads and renders the thread for them alone) when parts are not kept (the cache off, Redis
    down) or when the viewer has a comment on the proposal awaiting moderation or hidden
    (anywhere in the thread: only they see it, so their thread is not everyone's)."""
    user = request.scope["user"]
    if any(detail.my_comments.values()):  # theirs awaiting moderation or hidden: their thread
        return None
    key = sharedparts.key_of(request, "thread", proposal.id, may_comment)
    read: list[Comment] = []  # the rows, when this request reads them

    async def read_and_render() -> tuple[str, tuple[list[int], queries.ThreadPage]]:
        # what a resident with no comment of their own that is not public sees: what a visitor
        # sees (visible comments only), the same rows in the same order
        page = await thread_page(AnonymousUser(), "proposal", proposal.id, cursor)
        read.extend(page.comments)
        html = render_part(
            request,
            "comments/_thread_shared.html",
            {  # nothing of the viewer's: a resident with no id, holes for the rest
                **thread_context,
                "user": sharedparts.SHARED_RESIDENT,
                "csrf_token": sharedparts.hole("csrf"),
                "shared": True,
                "thread": comments.build_thread(page.comments),
                "may": {"comment": may_comment},
                "reply_to": None,
                "can_edit_comment": can_edit_comment,
                "STANCE_LABELS": STANCE_LABELS,
            },
        )
        # kept with the part: the ids shown, and the page's links (not the rows)
        return html, ([c.id for c in page.comments], replace(page, comments=[]))

    part = await sharedparts.shared(request, key, read_and_render)
    if part is None:
        return None
    shown, detail_page = part.data
    mine = [i for i in shown if i in detail.my_comments]  # their own links go there
    own: dict[int, Comment] = {c.id: c for c in read if c.id in detail.my_comments}
    if mine and not own:  # served from the store: their few comments shown, read
        own = {c.id: c for c in await Comment.filter(id__in=mine)}
    detail.thread = detail_page
    return sharedparts.fill_in(
        part, *_viewer_values(request, user, thread_context, detail.my_votes, own)
    )


def _viewer_values(
    request: Request,
    user: Any,
    thread_context: dict[str, Any],
    votes: dict[int, int],
    own: dict[int, Comment],
) -> tuple[dict[str, str], dict[tuple[str, ...], str]]:
    """What fills a shared thread's holes for `user` (participation/sharedparts.py `fill_in`),
    by kind and by name: their CSRF token, their `votes` on its comments (every button
    "false" but theirs), the edit and delete links of their `own` comments shown in place of
    "Report" (every other comment's range kept)."""
    token = csrf_token(request)
    named: dict[tuple[str, ...], str] = {
        ("vote", str(c), str(way)): "true" for c, way in votes.items()
    }
    if own:  # the thread template's macros with the viewer
        actions: Any = templates.env.get_template("comments/_thread.html").make_module(
            {
                "user": user,
                "csrf_token": token,
                "comments_prefix": thread_context["comments_prefix"],
                "can_edit_comment": can_edit_comment,
                "now": thread_context["now"],
            }
        )
        for c, comment in own.items():
            named["[mine", str(c)] = "  " + str(actions.comment_actions(comment)) + "\n"
    return {"csrf": token, "vote": "false"}, named


def _reply_to(
    request: Request, detail: queries.Detail, may_comment: bool, failed: FailedForm | None
) -> Comment | None:
    """The comment whose reply form the page shows (participation/comments/domain.py)."""
    if not may_comment:
        return None
    asked = request.query_params.get("reply", "")
    wanted = comments.reply_wanted(failed.name if failed else None, asked)
    found: Comment | None = comments.reply_target(detail.comments, wanted)
    return found


async def comment_refused(request: Request, proposal_id: int, failed: Any) -> Response:
    """The proposal page with a comment form sent back with its errors (Commentable.refused_page:
    participation/comments/routes.py)."""
    proposal = await queries.get_visible(request.scope["user"], proposal_id)
    if proposal is None:
        raise NotFound()
    return await proposal_page(
        request, proposal, FailedForm(failed.name, failed.values, failed.errors)
    )


async def history(request: Request) -> Response:
    proposal = await visible_proposal(request)
    detail = await queries.detail(request.scope["user"], proposal, with_versions=True)
    steps = []
    previous = None
    for version in detail.versions:
        old = f"{previous.title}\n{to_text(previous.body)}" if previous else ""
        new = f"{version.title}\n{to_text(version.body)}"
        steps.append({"version": version, "diff": domain.word_diff(old, new)})
        previous = version
    context = {"proposal": proposal, "steps": list(reversed(steps))}
    return render(request, "proposals/history.html", context)


# --- actions ----------------------------------------------------------------------------------


async def change_state(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    data = await web.form_data(request)
    try:
        target = ProposalState(data.get("state", ""))
    except ValueError:
        raise DomainError(N_("This change of state is not possible.")) from None
    await services.change_state(web.settings_of(request), proposal, target, user)
    state = ProposalState(proposal.state)  # pre-moderation may have made it pending
    flash(
        request,
        gettext("The proposal is now: {state}.").format(state=gettext(STATE_LABELS[state])),
    )
    return web.redirect(proposal_url(proposal))


async def answer(request: Request) -> Response:
    user = web.require(request, is_staff)
    proposal = await visible_proposal(request)
    data = await web.form_data(request)
    raw_state = data.get("state", "")
    try:
        target = ProposalState(raw_state) if raw_state else None
    except ValueError:
        raise DomainError(N_("This change of state is not possible.")) from None
    try:
        await services.answer(
            web.settings_of(request), proposal, user, data.get("answer", ""), target
        )
    except Refused as refused:
        failed = FailedForm("answer", data, web.errors_of(refused.problems))
        return await proposal_page(request, proposal, failed)
    flash(request, gettext("The official answer is published."))
    return web.redirect(proposal_url(proposal, "answer"))


async def _support_response(request: Request, proposal: Proposal, supported: bool) -> Response:
    if is_htmx(request):
        await proposal.refresh_from_db(fields=["support_count"])
        facts, _ = await queries.facts(proposal)
        context = {
            "proposal": proposal,
            "supported": supported,
            "can_support": domain.can_support(request.scope["user"], facts),
            "threshold": domain.support_threshold(
                facts.collection, web.settings_of(request).proposal_support_threshold
            ),
        }
        return render(
            request, "proposals/_support.html", context, fragment="proposals/_support.html"
        )
    return web.redirect(proposal_url(proposal, "support"))


async def support(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    await services.support(web.settings_of(request), proposal, user)
    return await _support_response(request, proposal, True)


async def unsupport(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    await services.unsupport(proposal, user)
    return await _support_response(request, proposal, False)


async def invite(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    data = await web.form_data(request)
    try:
        await services.invite_coauthor(
            web.settings_of(request), proposal, user, data.get("email", "")
        )
    except Refused as refused:
        failed = FailedForm("coauthor", data, web.errors_of(refused.problems))
        return await proposal_page(request, proposal, failed)
    flash(request, gettext("The invitation is sent."))
    return web.redirect(proposal_url(proposal, "coauthors"))


async def accept_invitation(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await web.object_or_404(request, Proposal)
    await services.accept_invitation(proposal, user)
    flash(request, gettext("You are now a co-author of this proposal."))
    return web.redirect(proposal_url(proposal))


async def new_amendment(request: Request) -> Response:
    user, proposal = await proposal_allowing(request, domain.can_amend)
    await services.check_audience(user, proposal)  # outside its space's audience: why (403)

    async def suggest(data: dict[str, str]) -> str:
        await services.suggest_amendment(
            web.settings_of(request),
            proposal,
            user,
            data.get("title", ""),
            data.get("body", ""),
            data.get("reason", ""),
        )
        flash(request, gettext("Your amendment is sent to the authors."))
        return proposal_url(proposal, "amendments")

    context = {
        "proposal": proposal,
        "values": {"title": proposal.title, "body": source_of(proposal.body_source, proposal.body)},
    }
    return await web.form_page(request, "proposals/amendment_form.html", context, suggest)


async def decide_amendment(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    if request.path_params["decision"] not in ("accept", "reject"):
        raise NotFound()
    accept = request.path_params["decision"] == "accept"
    await services.decide_amendment(
        web.settings_of(request), proposal, request.path_params["amendment"], user, accept
    )
    flash(
        request,
        gettext("The amendment is accepted: a new version is published.")
        if accept
        else gettext("The amendment is rejected."),
    )
    return web.redirect(proposal_url(proposal, "amendments"))


P = "/proposals/{id:id}"  # a proposal's pages and actions
routes = [
    Route("/proposals", cached_for_visitors(index, unless=in_random_order), name="proposals:index"),
    Route("/proposals.csv", export_csv, name="proposals:csv"),
    Route("/proposals/map", map_page, name="proposals:map"),
    Route("/proposals.json", export_json, name="proposals:json"),
    web.form_route("/proposals/new", new, "proposals:new"),
    Route(P, cached_for_visitors(show), name="proposals:detail"),
    web.form_route(P + "/edit", edit, "proposals:edit"),
    Route(P + "/history", history, name="proposals:history"),
    web.action_route(P + "/state", change_state, "proposals:state"),
    web.action_route(P + "/answer", answer, "proposals:answer"),
    web.action_route(P + "/support", support, "proposals:support"),
    web.action_route(P + "/unsupport", unsupport, "proposals:unsupport"),
    web.action_route(P + "/coauthors", invite, "proposals:invite"),
    web.action_route(P + "/coauthors/accept", accept_invitation, "proposals:accept_invitation"),
    web.form_route(P + "/amendments/new", new_amendment, "proposals:amend"),
    web.action_route(
        P + "/amendments/{amendment:id}/{decision:str}",
        decide_amendment,
        "proposals:decide_amendment",
    ),
]
