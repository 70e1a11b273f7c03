"""Reads: the one visibility helper, the listing (a fixed number of queries), the detail page.

Every listing, count, export and JSON of proposals starts from `visible_proposals(user)`, so the
moderation issue only has to change what "visible" means here.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pypika_tortoise.terms import Criterion
from pypika_tortoise.terms import Field as PypikaField
from tortoise.expressions import F, Q, RawSQL, ResolveContext, Subquery
from tortoise.query_utils import QueryModifier
from tortoise.queryset import QuerySet

from participation import features, textsearch
from participation.accounts.models import AnonymousUser, User
from participation.comments.models import Comment
from participation.comments.queries import ThreadCursor, ThreadPage, thread_page
from participation.contributions import excerpt
from participation.db import fetch_rows
from participation.features import CommentTarget, FeedEntry
from participation.formatting import colon
from participation.i18n import N_, gettext
from participation.outcomes import latest_published
from participation.participants import Since, user_keys
from participation.proposals.collections import services as collections
from participation.proposals.domain import (
    PUBLIC_STATES,
    STATE_LABELS,
    CollectionRules,
    ModerationState,
    ProposalFacts,
    ProposalState,
    comments_open,
    offered_category_ids,
)
from participation.proposals.models import (
    Amendment,
    Proposal,
    ProposalCoauthor,
    ProposalCollection,
    ProposalEvent,
    ProposalVersion,
    Support,
)
from participation.residents.models import District
from participation.territory import Category
from participation.urls import url
from participation.web import query_choice, query_page, query_string

PAGE_SIZE = 20
SORTS = ("recent", "supported", "commented", "random")
SHUFFLE_MODULUS = 1_000_003


def visible_proposals(user: Any) -> QuerySet[Proposal]:
    """Proposals `user` may see: public and visible ones; moderators also see pending (awaiting
    pre-moderation) and hidden ones; authors and accepted co-authors see their own in every
    state (marked as pending or hidden on the page)."""
    if getattr(user, "is_moderator", False):  # they also see what waits for their approval
        public = Q(state__in=[*PUBLIC_STATES, ProposalState.PENDING])
    else:
        public = Q(state__in=list(PUBLIC_STATES), moderation_state=ModerationState.VISIBLE)
    if not user.is_authenticated:
        return Proposal.filter(public)
    return Proposal.filter(public | _own(user))


def _own(user: Any) -> Q:
    """`user`'s own proposals: authored, or co-authored and accepted."""
    coauthored = ProposalCoauthor.filter(user_id=user.id, accepted_at__isnull=False)
    return Q(author_id=user.id) | Q(id__in=Subquery(coauthored.values("proposal_id")))


async def picture_seen(user: Any, picture_id: int) -> bool:
    """Whether `user` may see the proposal holding the picture (PictureOwner, issue #22): its
    page's rule, `visible_proposals`."""
    return await visible_proposals(user).filter(image_id=picture_id).exists()


def public_proposals() -> QuerySet[Proposal]:
    """What anybody sees: used by the open-data exports."""
    return visible_proposals(AnonymousUser())


EXPORT_BATCH = 1000  # proposals read per statement by an export


async def public_in_batches(
    related: Iterable[str], size: int | None = None
) -> AsyncIterator[list[Proposal]]:
    """Every public proposal with `related`, by id, `size` at a time (keyset on the id: each
    batch is one indexed statement, however far in): an export streams them without holding
    them all (`size`: EXPORT_BATCH). A proposal published while it runs may be in it or not."""
    size = size or EXPORT_BATCH
    last = 0
    while True:
        batch = list(
            await public_proposals()
            .filter(id__gt=last)
            .select_related(*related)
            .order_by("id")
            .limit(size)
        )
        if batch:
            yield batch
        if len(batch) < size:
            return
        last = batch[-1].id


@dataclass(frozen=True)
class ListParams:
    state: str = ""
    category: str = ""
    district: str = ""
    answered: str = ""  # "yes", "no" or ""
    space: str = ""  # a participatory space's address (slug)
    collection: str = ""  # a collection's id
    sort: str = "recent"
    q: str = ""
    page: int = 1  # the number shown; the rows are those after (or before) the cursor if any
    after: str = ""  # keyset cursors: the sort key of the previous page's last row
    before: str = ""  # (of the next page's first row)

    @classmethod
    def from_query(cls, query: Any) -> ListParams:
        sort = query_choice(query, "sort", SORTS, "recent")
        after, before = (
            query.get(name, "") if cursor_of(query.get(name, ""), sort) else ""
            for name in ("after", "before")
        )
        return cls(
            state=query_choice(query, "state", ProposalState),
            category=query.get("category", "")[:100],
            district=query.get("district", "")[:100],
            answered=query_choice(query, "answered", ("yes", "no")),
            space=query.get("space", "")[:100],
            collection=query.get("collection", "")[:12],
            sort=sort,
            q=query.get("q", "")[:100].strip(),
            page=query_page(query, MAX_PAGE),
            after=after,
            before="" if after else before,
        )

    def query_string(self, **changes: Any) -> str:
        """The list's address with `changes`: without a cursor unless one is given (a link
        to another filter or sort starts from the first page)."""
        return query_string({**self.__dict__, "after": "", "before": "", **changes}, sort="recent")


MAX_PAGE = 5000
MAX_OFFSET_PAGE = 1000  # an old `?page=N` address without a cursor: read by OFFSET up to here


def cursor_of(text: str, sort: str) -> tuple[int, ...] | None:
    """A keyset cursor read from the address: the sort key of a row, its integers joined by
    dots (`id`; `support_count.id`, `comment_count.id`; the shuffle's key in random order),
    or None for anything else (then ignored: the first page)."""
    parts = text.split(".") if 0 < len(text) <= 40 else []
    width = 1 if sort in ("recent", "random") else 2
    if len(parts) != width or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


@dataclass
class Page:
    proposals: list[Proposal]
    has_next: bool
    params: ListParams
    supported_ids: set[int]
    has_previous: bool = False
    # the cursors of the links: the key of the last row (next page), of the first (previous)
    next_cursor: str = ""
    previous_cursor: str = ""


async def id_set(queryset: Any, field: str = "id") -> set[int]:
    """The values of one integer column of a queryset, as a set."""
    return set(await queryset.values_list(field, flat=True))


def new_seed() -> list[int]:
    """A visitor's shuffle: kept in the session, so "random" order is stable while browsing.

    The multiplier is drawn from the middle of the range: a small one (or one close to the
    modulus) leaves consecutive ids in order, so about one visitor in 30 saw the newest
    proposals in plain ascending or descending order; from the middle, every step of 4 ids
    wraps around the modulus."""
    quarter = SHUFFLE_MODULUS // 4
    return [random.randrange(quarter, 3 * quarter), random.randrange(0, SHUFFLE_MODULUS)]


@dataclass(frozen=True)
class Narrowing:
    """What the list's filters name, resolved against the choices the list offers (the ids of
    the space's collections, the collection's, the category's, the district's), with the
    filters that need no resolving: what narrows any set of proposals as the list is narrowed
    (`narrowed`). `filtered` narrows what a person sees; `has_own_unlisted` what only they see."""

    space_collection_ids: tuple[int, ...] | None = None  # None: no space chosen
    collection_id: int | None = None
    state: str = ""
    category_id: int | None = None
    district_id: int | None = None
    answered: str = ""
    q: str = ""


def narrowing(
    params: ListParams,
    categories: list[Category],
    districts: list[District],
    collections: list[ProposalCollection] | None = None,
) -> Narrowing | None:
    """The filters of `params` resolved, or None when one names nothing (an empty result,
    whoever asks). `collections`: those the list offers (with their space)."""
    offered = collections or []
    found = Narrowing(state=params.state, answered=params.answered, q=params.q)
    if params.space:
        ids = tuple(c.id for c in offered if c.space.slug == params.space)
        if not ids:
            return None
        found = replace(found, space_collection_ids=ids)
    if params.collection:
        chosen = next((c for c in offered if str(c.id) == params.collection), None)
        if chosen is None:
            return None
        found = replace(found, collection_id=chosen.id)
    if params.category:
        category = next((c for c in categories if c.slug == params.category), None)
        if category is None:
            return None
        found = replace(found, category_id=category.id)
    if params.district:
        district = next((d for d in districts if d.slug == params.district), None)
        if district is None:
            return None
        found = replace(found, district_id=district.id)
    return found


def narrowed(qs: QuerySet[Proposal], n: Narrowing) -> QuerySet[Proposal]:
    """`qs` narrowed by the list's filters (`narrowing`)."""
    if n.space_collection_ids is not None:
        qs = qs.filter(collection_id__in=list(n.space_collection_ids))
    if n.collection_id is not None:
        qs = qs.filter(collection_id=n.collection_id)
    if n.state:
        qs = qs.filter(state=n.state)
    if n.category_id is not None:
        qs = qs.filter(category_id=n.category_id)
    if n.district_id is not None:
        qs = qs.filter(district_id=n.district_id)
    if n.answered:
        qs = qs.filter(answered_at__isnull=n.answered == "no")
    return textsearch.matching(qs, "search_text", n.q)


def filtered(
    user: Any,
    params: ListParams,
    categories: list[Category],
    districts: list[District],
    collections: list[ProposalCollection] | None = None,
) -> QuerySet[Proposal] | None:
    """The filtered queryset, or None when a filter names nothing (an empty result).
    `collections`: those the list offers (with their space), for the space and collection
    filters."""
    found = narrowing(params, categories, districts, collections)
    return None if found is None else narrowed(visible_proposals(user), found)


def own_unlisted(user: Any) -> QuerySet[Proposal]:
    """The proposals `user` sees (`visible_proposals`) that a visitor does not: their own
    (authored, or co-authored and accepted) that are not public and shown (drafts, withdrawn,
    awaiting moderation, hidden). A resident who is not a moderator and has none among those a
    list's filters keep sees that list as a visitor does (`has_own_unlisted`)."""
    # not (public and shown), written out: Tortoise's exclude(a=..., b=...) negates each
    return Proposal.filter(
        _own(user),
        Q(state__not_in=list(PUBLIC_STATES)) | Q(moderation_state__not=ModerationState.VISIBLE),
    )


async def has_own_unlisted(user: Any, n: Narrowing) -> bool:
    """Whether the list narrowed by `n` would show `user` one of their own proposals that
    visitors do not see (one EXISTS statement): then their list is not everyone's."""
    return bool(await narrowed(own_unlisted(user), n).exists())


# Whether the viewer has a proposal of their own that is not public and shown (0: the row
# that says so; `own_unlisted`, unnarrowed), and their supports among the ids a list shows
# ($2...): one statement, no query builder (the list's hot path, issue #23)
_LIST_STATE = (
    """SELECT 0 AS "id" WHERE EXISTS (SELECT 1 FROM "proposals_proposal" AS "p"
  WHERE ("p"."author_id" = $1 OR "p"."id" IN (SELECT "proposal_id" FROM "proposals_coauthor"
    WHERE "user_id" = $1 AND "accepted_at" IS NOT NULL))
  AND ("p"."state" NOT IN ("""
    + ", ".join(f"'{state.value}'" for state in sorted(PUBLIC_STATES))
    + f""") OR "p"."moderation_state" <> '{ModerationState.VISIBLE.value}'))"""
)
_SUPPORTS = """
UNION ALL
SELECT "proposal_id" FROM "proposals_support" WHERE "user_id" = $1 AND "proposal_id" IN ({})"""


async def list_state(user: Any, ids: Iterable[int]) -> tuple[bool, set[int]]:
    """For the shared list (participation/proposals/routes.py): whether `user` has any
    proposal of their own that visitors do not see (`own_unlisted`, whatever the list's
    filters: only then is `has_own_unlisted` asked), and their supports among `ids`; one
    plain statement."""
    ids = list(ids)
    sql = _LIST_STATE
    if ids:
        sql += _SUPPORTS.format(", ".join(f"${n}" for n in range(2, len(ids) + 2)))
    found = {int(row["id"]) for row in await fetch_rows(sql, [user.id, *ids])}
    return 0 in found, found - {0}


async def supported_among(user: Any, ids: Iterable[int]) -> set[int]:
    """The proposals among `ids` that `user` supports (one statement; none without ids)."""
    ids = list(ids)
    if not ids:
        return set()
    return await id_set(Support.filter(user_id=user.id, proposal_id__in=ids), "proposal_id")


MAP_LIMIT = 500  # places on a map: the newest matching proposals


async def map_rows(
    user: Any,
    params: ListParams,
    categories: list[Category],
    districts: list[District],
    collections: list[ProposalCollection],
) -> tuple[list[dict[str, Any]], bool]:
    """The proposals `user` sees, filtered like the list, that have a place (an address or a
    point), newest first, at most MAP_LIMIT, and whether there were more: only the columns the
    map draws."""
    qs = filtered(user, params, categories, districts, collections)
    if qs is None:
        return [], False
    rows = (
        await qs.filter(Q(address__not="") | Q(latitude__isnull=False))
        .order_by("-id")
        .limit(MAP_LIMIT + 1)
        .values("id", "title", "address", "latitude", "longitude")
    )
    return rows[:MAP_LIMIT], len(rows) > MAP_LIMIT


async def list_page(
    user: Any,
    params: ListParams,
    seed: list[int],
    categories: list[Category],
    districts: list[District],
    collections: list[ProposalCollection] | None = None,
) -> Page:
    """One page: one query for the page's ids (by keyset: `_keyset_page`), one for those
    proposals (with author, category, district and collection, whose threshold the card's
    progress shows), one for what the visitor supports among them; nothing depends on the page
    size, the depth or the data."""
    qs = filtered(user, params, categories, districts, collections)
    if qs is None:
        return Page([], False, params, set())
    rows, has_previous, has_next = await _keyset_page(qs, params, seed)
    if params.before and not has_previous:  # back at the start: the first page, whole
        params = replace(params, page=1, before="")
        rows, has_previous, has_next = await _keyset_page(qs, params, seed)
    proposals = rows[:PAGE_SIZE]
    supported: set[int] = set()
    if user.is_authenticated:
        supported = await supported_among(user, [p.id for p in proposals])
    key = sort_key(params.sort, seed)
    return Page(
        proposals,
        has_next,
        params,
        supported,
        has_previous=has_previous and params.page > 1,
        next_cursor=key(proposals[-1]) if proposals else "",
        previous_cursor=key(proposals[0]) if proposals else "",
    )


# The keyset of each order (issue #23): the columns of the sort, the id last, so that ties are
# ordered and a cursor names one row. "Most supported" and "most commented" read their index
# (moderation_state, count, id) from the cursor on; "recent" the primary key.
KEYS = {
    "recent": ("id",),
    "supported": ("support_count", "id"),
    "commented": ("comment_count", "id"),
}


def shuffle_key(proposal_id: int, seed: list[int]) -> int:
    """A proposal's place in the visitor's shuffle (`new_seed`): distinct for every id below
    SHUFFLE_MODULUS (a prime; the multiplier is not a multiple of it), so the key alone
    orders the rows without ties."""
    a, b = seed
    return (proposal_id * int(a) + int(b)) % SHUFFLE_MODULUS


def sort_key(sort: str, seed: list[int]) -> Any:
    """The function giving a row's cursor in `sort` (cursor_of reads it back)."""
    if sort == "random":
        return lambda p: str(shuffle_key(p.id, seed))
    return lambda p: ".".join(str(getattr(p, column)) for column in KEYS[sort])


class _RowCompare(Criterion):  # type: ignore[misc]
    """`(a, b) < (x, y)`: a row comparison, which PostgreSQL reads in an index on (…, a, b)
    as one range (SQLite knows it too, since 3.15)."""

    def __init__(self, terms: list[PypikaField], op: str, values: tuple[int, ...]) -> None:
        super().__init__()
        self.terms, self.op, self.values = terms, op, values

    def get_sql(self, ctx: Any) -> str:
        named = ctx.copy(with_namespace=True)  # `id` is in every joined table too
        columns = ", ".join(term.get_sql(named) for term in self.terms)
        values = ", ".join(str(int(v)) for v in self.values)
        return f"({columns}) {self.op} ({values})"


class _Beyond(Q):
    def __init__(self, fields: tuple[str, ...], op: str, values: tuple[int, ...]) -> None:
        super().__init__()
        self.fields, self.op, self.values = fields, op, values

    def resolve(self, resolve_context: ResolveContext) -> QueryModifier:
        table, columns = resolve_context.table, resolve_context.model._meta.fields_db_projection
        terms = [PypikaField(columns[field], table=table) for field in self.fields]
        return QueryModifier(where_criterion=_RowCompare(terms, self.op, self.values))


async def _keyset_page(
    qs: QuerySet[Proposal], params: ListParams, seed: list[int]
) -> tuple[list[Proposal], bool, bool]:
    """The page's rows and one more (is there a next page?), and whether there is a previous
    one: after the cursor `after` (or before `before`) in the list's order, or, for an
    address without a cursor, page `page` by OFFSET (an old `?page=N` link, up to
    MAX_OFFSET_PAGE, read on the proposals table alone). Each page by cursor is one indexed
    range whatever its depth; random order reads and sorts every visible row each time, as
    its first page does (no index on a visitor's shuffle: its cost is the filtered count's,
    ~10 ms at 20,000 proposals)."""
    if params.sort == "random":
        a, b = seed
        # portable on SQLite and PostgreSQL; BIGINT so that id * a does not overflow
        key: Any = RawSQL(
            f'(CAST("proposals_proposal"."id" AS BIGINT) * {int(a)} + {int(b)}) % {SHUFFLE_MODULUS}'
        )
        qs = qs.annotate(shuffle=key)
        columns: tuple[str, ...] = ("shuffle",)
        descending = False
    else:
        columns, descending = KEYS[params.sort], True
    forward = tuple(f"-{c}" if descending else c for c in columns)
    backward = tuple(c if descending else f"-{c}" for c in columns)
    after = cursor_of(params.after, params.sort)
    before = cursor_of(params.before, params.sort)
    for cursor, smaller in ((after, descending), (before, not descending)):
        if cursor is None:
            continue
        if params.sort == "random":  # one key, no ties (`shuffle_key`)
            qs = qs.filter(**{"shuffle__lt" if smaller else "shuffle__gt": cursor[0]})
        else:
            qs = qs.filter(_Beyond(columns, "<" if smaller else ">", cursor))
    if before:
        rows = await _rows(qs.order_by(*backward), 0, params.sort == "random")
        return list(reversed(rows[:PAGE_SIZE])), len(rows) > PAGE_SIZE, True
    offset = 0 if after else (min(params.page, MAX_OFFSET_PAGE) - 1) * PAGE_SIZE
    rows = await _rows(qs.order_by(*forward), offset, params.sort == "random")
    return rows, bool(after) or offset > 0, len(rows) > PAGE_SIZE


CARD = ("author", "category", "district", "image", "collection")  # what a card shows


async def _rows(ordered: QuerySet[Proposal], offset: int, shuffled: bool) -> list[Proposal]:
    """A page's rows and one more, with what their cards show, in `ordered`'s order, from
    `offset` on. One statement from a cursor (an index range, joined, LIMIT 21); by OFFSET or
    in a shuffle, the page's ids first, on the proposals table alone, then those rows with
    their joins (a second statement): joining every row before sorting or skipping them took
    the time (0.8 s for page 900 of 20,000)."""
    if not offset and not shuffled:
        return list(await ordered.select_related(*CARD).limit(PAGE_SIZE + 1))
    found = await ordered.offset(offset).limit(PAGE_SIZE + 1).values_list("id", flat=True)
    ids = [int(i) for i in found]  # type: ignore[call-overload]
    if not ids:
        return []
    rows = await Proposal.filter(id__in=ids).select_related(*CARD)
    position = {proposal_id: n for n, proposal_id in enumerate(ids)}
    return sorted(rows, key=lambda proposal: position[proposal.id])


async def territory() -> tuple[list[Category], list[District]]:
    return await territory_categories(), list(await District.all())


async def territory_categories() -> list[Category]:
    """The site's categories, by name (/admin/classification)."""
    return list(await Category.all())


async def offered_categories(
    collection_ids: Iterable[int], site: list[Category] | None = None
) -> list[Category]:
    """The categories offered for proposals of these collections (domain.offered_category_ids:
    each collection's own, or the site's for one that chose none; every site category when
    no collection is given), by name; `site`: the site's categories when already read."""
    ids = list(collection_ids)
    site = await territory_categories() if site is None else site
    chosen = await collections.own_categories(ids)
    offered = offered_category_ids([chosen.get(i, set()) for i in ids], [c.id for c in site])
    return [c for c in site if c.id in offered]


async def public_collections() -> list[ProposalCollection]:
    """The collections the list may be filtered by: those of published spaces, with their
    space (one query)."""
    return list(
        await ProposalCollection.filter(space__published=True)
        .select_related("space")
        .order_by("space__title", "title", "id")
    )


async def get_visible(user: Any, proposal_id: int) -> Proposal | None:
    return (
        await visible_proposals(user)
        .filter(id=proposal_id)
        .select_related(
            "author",
            "category",
            "district",
            "answered_by",
            "collection",
            "collection__space",
            "image",
        )
        .first()
    )


async def collection_of(proposal: Proposal) -> ProposalCollection | None:
    """A proposal's collection with its space: read with the proposal (`get_visible`) or in
    one query; None when it is in no collection."""
    if proposal.collection_id is None:
        return None
    loaded = proposal.__dict__.get("_collection")
    if isinstance(loaded, ProposalCollection) and "_space" in loaded.__dict__:
        return loaded
    return await ProposalCollection.get_or_none(id=proposal.collection_id).select_related("space")


async def collection_rules(collection_id: int | None) -> tuple[CollectionRules | None, bool]:
    """A proposal's collection rules (None: in no collection, the site's rules) and whether
    its space takes comments (`Space.comments_open`), in one query (none without collection)."""
    if collection_id is None:
        return None, True
    row = await ProposalCollection.get_or_none(id=collection_id).select_related("space")
    return _rules(row)


def _rules(row: ProposalCollection | None) -> tuple[CollectionRules | None, bool]:
    if row is None:
        return None, True
    return row.rules(), bool(row.space.comments_open)


async def facts(proposal: Proposal) -> tuple[ProposalFacts, list[ProposalCoauthor]]:
    coauthors = list(
        await ProposalCoauthor.filter(proposal_id=proposal.id).select_related("user").order_by("id")
    )
    accepted = frozenset(c.user_id for c in coauthors if c.accepted_at and c.user_id)
    rules, comments_open = _rules(await collection_of(proposal))
    return (
        ProposalFacts(
            author_id=proposal.author_id,
            state=ProposalState(proposal.state),
            moderation_state=ModerationState(proposal.moderation_state),
            coauthor_ids=accepted,
            amendments_open=rules.amendments_open if rules is not None else True,
            comments_open=comments_open,
            collection=rules,
        ),
        coauthors,
    )


def _comment_target(proposal: Proposal, coauthor_ids: Iterable[int]) -> CommentTarget:
    collection = getattr(proposal, "_collection", None)  # loaded by select_related, or not
    facts = ProposalFacts(
        author_id=proposal.author_id,
        state=ProposalState(proposal.state),
        moderation_state=ModerationState(proposal.moderation_state),
        coauthor_ids=frozenset(coauthor_ids),
    )
    return CommentTarget(
        title=proposal.title,
        url=url("proposals:detail", id=proposal.id),
        # its collection's space (issue #18); read with it, or none (a site without collections)
        space_id=collection.space_id if collection is not None else None,  # type: ignore[attr-defined]
        open=comments_open(facts),
        author_ids=(proposal.author_id, *sorted(facts.coauthor_ids)),
        subject=proposal,
    )


async def comment_target(viewer: Any, proposal_id: int) -> CommentTarget | None:
    """The proposal `proposal_id` as its comments see it (Feature.commentables), if `viewer`
    may see it (None: moderation's view): open while it is public and shown."""
    proposals = visible_proposals(viewer) if viewer is not None else Proposal.all()
    proposal = await proposals.filter(id=proposal_id).select_related("collection").first()
    if proposal is None:
        return None
    coauthors = await ProposalCoauthor.filter(
        proposal_id=proposal.id, accepted_at__isnull=False, user_id__isnull=False
    ).values_list("user_id", flat=True)
    return _comment_target(proposal, coauthors)  # type: ignore[arg-type]


def listed_comment_target(proposal: Proposal) -> CommentTarget:
    """The proposal as a list of comments shows it (Commentable.listed), from the row read
    with them: its co-authors are not read (who is told is read by `comment_target`)."""
    return _comment_target(proposal, ())


async def count_comments(proposal_id: int, step: int) -> None:
    """The proposal's `comment_count` moved by `step`, atomically (Commentable.counted)."""
    await Proposal.filter(id=proposal_id).update(comment_count=F("comment_count") + step)


@dataclass
class Detail:
    proposal: Proposal
    facts: ProposalFacts
    coauthors: list[ProposalCoauthor]
    comments: list[Comment]
    my_votes: dict[int, int]
    versions: list[ProposalVersion]  # read for the history page only (`with_versions`)
    amendments: list[Amendment]
    events: list[ProposalEvent]
    supported: bool
    version_count: int
    thread: ThreadPage | None = None  # which page of the comments, and its neighbours
    # the viewer's comments on it: id -> whether it is not visible to everyone
    my_comments: dict[int, bool] = field(default_factory=dict)


# What the proposal page needs besides its lists, in one statement: how many versions the
# text has, and the viewer's own state ($2: their id, 0 for a visitor): their support and
# their votes on its comments, their own comments on it (whether each is visible to everyone:
# one that is not keeps the shared thread from them, participation/proposals/routes.py). One
# row per fact: ("versions", count, 0), ("support", 1, 0), ("vote", comment id, value),
# ("mine", comment id, 1 if it awaits moderation or is hidden else 0).
PAGE_FACTS = """
SELECT 'versions' AS "fact", COUNT(*) AS "key", 0 AS "value"
  FROM "proposals_version" WHERE "proposal_id" = $1
UNION ALL
SELECT 'support', 1, 0 FROM "proposals_support" WHERE "proposal_id" = $1 AND "user_id" = $2
UNION ALL
SELECT 'vote', "v"."comment_id", "v"."value" FROM "comments_vote" AS "v"
  JOIN "comments_comment" AS "c" ON "c"."id" = "v"."comment_id"
  WHERE "c"."target_kind" = 'proposal' AND "c"."target_id" = $1 AND "v"."user_id" = $2
UNION ALL
SELECT 'mine', "id", CASE WHEN "moderation_state" = 'visible' THEN 0 ELSE 1 END
  FROM "comments_comment"
  WHERE "target_kind" = 'proposal' AND "target_id" = $1 AND "author_id" = $2
"""


@dataclass(frozen=True)
class PageFacts:
    versions: int
    supported: bool
    votes: dict[int, int]  # the viewer's votes on its comments: comment id -> +1 or -1
    mine: dict[int, bool]  # the viewer's comments on it: id -> whether not visible to all


async def page_facts(user: Any, proposal_id: int) -> PageFacts:
    """The number of versions of the proposal's text, whether `user` supports it, their
    votes on its comments and their own comments on it, in one statement."""
    viewer = user.id if user.is_authenticated else 0
    versions, supported, votes, mine = 0, False, {}, {}
    for row in await fetch_rows(PAGE_FACTS, [proposal_id, viewer]):
        fact, key, value = row["fact"], int(row["key"]), int(row["value"])
        if fact == "versions":
            versions = key
        elif fact == "support":
            supported = True
        elif fact == "mine":
            mine[key] = bool(value)
        else:
            votes[key] = value
    return PageFacts(versions, supported, votes, mine)


async def detail(
    user: Any,
    proposal: Proposal,
    with_versions: bool = False,
    thread: ThreadCursor | None = None,
    read_thread: bool = True,
    own: PageFacts | None = None,
) -> Detail:
    """Everything the proposal page shows, in a fixed number of statements whatever the number
    of comments (the viewer's own state in one: `page_facts`); `with_versions`: the versions
    themselves too (the history page); `thread`: which page of the comments (issue #23: a page
    of top-level comments with their replies, `comments.queries.thread_page`); not
    `read_thread`: no comments (the page shows the thread shared by every resident, read with
    it when it is rendered: participation/proposals/routes.py, `_shared_thread`); `own`: the
    viewer's own state read before (`page_facts`), not read again."""
    proposal_facts, coauthors = await facts(proposal)
    page = (
        await thread_page(user, "proposal", proposal.id, thread or ThreadCursor())
        if read_thread
        else ThreadPage([], False, False, 0, 0)
    )
    comments = page.comments
    if own is None:
        own = await page_facts(user, proposal.id)
    versions = (
        list(
            await ProposalVersion.filter(proposal_id=proposal.id)
            .select_related("author")
            .order_by("number")
        )
        if with_versions
        else []
    )
    amendments = list(
        await Amendment.filter(proposal_id=proposal.id).select_related("author").order_by("-id")
    )
    events = list(
        await ProposalEvent.filter(proposal_id=proposal.id).select_related("actor").order_by("id")
    )
    return Detail(
        proposal,
        proposal_facts,
        coauthors,
        comments,
        own.votes,
        versions,
        amendments,
        events,
        own.supported,
        own.versions,
        page,
        own.mine,
    )


# --- Atom feeds (Feature.feeds, participation/feeds.py) -------------------------------------


async def _newest_public(moment: str, limit: int) -> list[tuple[Proposal, datetime]]:
    """The public proposals whose `moment` ("published_at", "answered_at") is set, the newest
    first, each with that moment."""
    rows = (
        await public_proposals()
        .filter(**{f"{moment}__isnull": False})
        .order_by(f"-{moment}", "-id")
        .limit(limit)
    )
    return [(p, getattr(p, moment)) for p in rows]


async def feed_proposals(limit: int) -> list[FeedEntry]:
    """The newest public proposals, by publication."""
    return [
        FeedEntry(
            f"proposal/{p.id}", p.title, url("proposals:detail", id=p.id), at, at, excerpt(p.body)
        )
        for p, at in await _newest_public("published_at", limit)
    ]


async def feed_answers(limit: int) -> list[FeedEntry]:
    """The council's official answers to public proposals, the newest first."""
    return [
        FeedEntry(
            f"proposal/{p.id}/answer",
            gettext("Official answer") + colon() + " " + p.title,
            url("proposals:detail", id=p.id, anchor="answer"),
            at,
            at,
            excerpt(p.answer_body),
        )
        for p, at in await _newest_public("answered_at", limit)
    ]


async def outcomes(limit: int) -> list[features.Outcome]:
    """The latest official answers that everyone may read (`Feature.outcomes`, the home page)."""
    return await latest_published(
        visible_proposals(AnonymousUser()),
        "answered_at",
        N_("Official answer"),
        lambda p: url("proposals:detail", id=p.id, anchor="answer"),
        limit,
    )


async def participants(since: Since) -> set[str]:
    """The people who proposed (drafts aside) or supported a proposal since `since`, in one
    query (participation/participants.py)."""
    authors = Proposal.filter(created_at__gte=since.moment).exclude(state=ProposalState.DRAFT)
    supporters = Support.filter(created_at__gte=since.moment)
    ids = await User.filter(
        Q(id__in=Subquery(authors.values("author_id")))
        | Q(id__in=Subquery(supporters.values("user_id")))
    ).values_list("id", flat=True)
    return user_keys(ids)


async def activity(user_id: int, limit: int) -> list[features.ActivityItem]:
    """The person's proposals (drafts too: they are theirs) and supports, newest first, for
    "My activity" (`Feature.activity`): two queries."""
    proposals = (
        await Proposal.filter(author_id=user_id)
        .order_by("-created_at", "-id")
        .limit(limit)
        .values("id", "title", "state", "created_at")
    )
    supports = (
        await Support.filter(user_id=user_id)
        .order_by("-created_at", "-id")
        .limit(limit)
        .values("proposal_id", "proposal__title", "created_at")
    )
    items = [
        features.ActivityItem(
            p["created_at"],
            N_("Proposal written"),
            p["title"],
            url("proposals:detail", id=p["id"]),
            STATE_LABELS.get(p["state"], ""),
        )
        for p in proposals
    ] + [
        features.ActivityItem(
            s["created_at"],
            N_("Proposal supported"),
            s["proposal__title"],
            url("proposals:detail", id=s["proposal_id"]),
        )
        for s in supports
    ]
    return sorted(items, key=lambda item: item.at, reverse=True)[:limit]
