"""Proposals and what hangs on them: co-authors, versions, amendments, supports, state log.

Integrity lives in the database: one support per person per proposal, one version number per
proposal, one invitation per address per proposal; counters are updated atomically.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from participation.contributions import ModerationState
from participation.proposals.domain import (
    COLLECTION_TITLE_MAX,
    AmendmentState,
    CollectionRules,
    ProposalState,
)


# A proposals collection (issue #18): a participatory space's ideas box, with its own rules
# (participation/proposals/domain.py: CollectionRules). `accepting` is the switch; `opens_at` and
# `closes_at` bound when it takes new proposals (None: no bound). `version` rises on each save
# (the conditional UPDATE on it is the check against two staff editing at once).
class ProposalCollection(Model):
    id = fields.IntField(primary_key=True)
    space: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.Space", related_name="proposal_collections", on_delete=fields.RESTRICT
    )
    space_id: int
    title = fields.CharField(max_length=COLLECTION_TITLE_MAX)
    support_threshold = fields.IntField()
    premoderated = fields.BooleanField(default=False)
    amendments_open = fields.BooleanField(default=True)
    accepting = fields.BooleanField(default=True)
    opens_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "proposals_collection"

    def rules(self) -> CollectionRules:
        return CollectionRules(
            support_threshold=self.support_threshold,
            premoderated=self.premoderated,
            amendments_open=self.amendments_open,
            accepting=self.accepting,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
        )


# The categories a collection offers (issue #18). A collection with none offers the site's
# (participation/territory.py: Category, kept at /admin/classification): see
# participation/proposals/domain.py: offered_categories. Removing a site category removes it
# from the collections that offered it.
class ProposalCollectionCategory(Model):
    id = fields.IntField(primary_key=True)
    collection: fields.ForeignKeyRelation[ProposalCollection] = fields.ForeignKeyField(
        "participation.ProposalCollection", related_name="category_links", on_delete=fields.CASCADE
    )
    collection_id: int
    category: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.Category", related_name="collection_links", on_delete=fields.CASCADE
    )
    category_id: int

    class Meta:
        table = "proposals_collection_category"
        unique_together = (("collection", "category"),)


# A resident's proposal. `body` and `answer_body` hold sanitized rich text (participation.richtext);
# `search_text` is title + body without accents, lower-cased, for search on every database.
class Proposal(Model):
    id = fields.IntField(primary_key=True)
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.User", related_name="proposals", on_delete=fields.RESTRICT
    )
    author_id: int
    # its collection (issue #18); None: a site without collections (the site-wide rules)
    collection: fields.ForeignKeyNullableRelation[ProposalCollection] = fields.ForeignKeyField(
        "participation.ProposalCollection",
        related_name="proposals",
        null=True,
        on_delete=fields.RESTRICT,
    )
    collection_id: int | None
    title = fields.CharField(max_length=150)
    body = fields.TextField()
    # the Markdown the authors typed (`body` is its HTML); "" for a row written before (issue #21)
    body_source = fields.TextField(default="", db_default="")
    category: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.Category", related_name="proposals", null=True, on_delete=fields.SET_NULL
    )
    district: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.District", related_name="proposals", null=True, on_delete=fields.SET_NULL
    )
    address = fields.CharField(max_length=200, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    state = fields.CharEnumField(ProposalState, max_length=20, default=ProposalState.DRAFT)
    moderation_state = fields.CharEnumField(
        ModerationState, max_length=10, default=ModerationState.VISIBLE
    )
    version = fields.IntField(default=1)
    support_count = fields.IntField(default=0)
    comment_count = fields.IntField(default=0)
    search_text = fields.TextField(default="")
    answer_body = fields.TextField(default="")
    # the allow-list `body` and `answer_body` were both sanitised with (richtext.ALLOW_LIST_VERSION:
    # shown as stored; 0, any other: cleaned again on output). Set at creation and by the
    # migration that re-sanitises; a writer of one of the two leaves it as it is
    sanitized_with = fields.IntField(default=0, db_default=0)
    answered_at = fields.DatetimeField(null=True)
    answered_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.User",
        related_name="answered_proposals",
        null=True,
        on_delete=fields.SET_NULL,
    )
    threshold_reached_at = fields.DatetimeField(null=True)
    # how the proposal came in: "online", or taken by an agent (participation/counter/domain.py)
    channel = fields.CharField(max_length=10, default="online", db_default="online")
    # its image (issue #22: participation/pictures), None: the pattern of its category is shown
    image: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.Picture", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    image_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True)
    # when a column the public sees last changed, whoever wrote it: set by a database trigger on
    # `touched_by` (participation/touch.py, migration 0028); by Tortoise on INSERT
    updated_at = fields.DatetimeField(auto_now=True)
    touched_by = (
        "title",
        "body",
        "state",
        "moderation_state",
        "category_id",
        "district_id",
        "address",
        "latitude",
        "longitude",
        "author_id",
        "support_count",
        "comment_count",
        "published_at",
        "answered_at",
        "answer_body",
    )

    class Meta:
        table = "proposals_proposal"
        indexes = (
            Index(fields=("moderation_state", "state", "published_at")),
            # id last: "most supported" and "most commented" read the index in order, ties included
            Index(fields=("moderation_state", "support_count", "id")),
            Index(fields=("moderation_state", "comment_count", "id")),
            # an old `?page=N` address of the newest first (no cursor: OFFSET, queries._rows):
            # the ids read backwards from the index alone, the state checked there too (page
            # 900 of a big town's 20,000: 54 ms reading the whole table, 5 ms; issue #23)
            Index(fields=("moderation_state", "id", "state")),
        )


# An invitation to co-author a proposal, sent to an e-mail address; `user` is set on acceptance.
class ProposalCoauthor(Model):
    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "participation.Proposal", related_name="coauthors", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254)
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.User", related_name="coauthorships", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    invited_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "proposals_coauthor"
        unique_together = (("proposal", "email"),)


# One published text of a proposal; version 1 is the text at publication.
class ProposalVersion(Model):
    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "participation.Proposal", related_name="versions", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    title = fields.CharField(max_length=150)
    body = fields.TextField()
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.User", related_name="proposal_versions", on_delete=fields.RESTRICT
    )
    amendment: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.Amendment", related_name="versions", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "proposals_version"
        unique_together = (("proposal", "number"),)

    @classmethod
    async def record_first(cls, proposal: Proposal) -> ProposalVersion:
        """Version 1: the text as the author published it."""
        return await cls.create(
            proposal_id=proposal.id,
            number=1,
            title=proposal.title,
            body=proposal.body,
            author_id=proposal.author_id,
        )


# A suggested edit of a published proposal, based on one version; the authors decide.
class Amendment(Model):
    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "participation.Proposal", related_name="amendments", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.User", related_name="amendments", on_delete=fields.RESTRICT
    )
    author_id: int
    base_version = fields.IntField()
    title = fields.CharField(max_length=150)
    body = fields.TextField()
    body_source = fields.TextField(default="", db_default="")  # the Markdown typed, as Proposal's
    # the allow-list `body` was sanitised with, as Proposal's (shown as stored when current)
    sanitized_with = fields.IntField(default=0, db_default=0)
    reason = fields.TextField(default="")
    state = fields.CharEnumField(AmendmentState, max_length=10, default=AmendmentState.PENDING)
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "proposals_amendment"


# One support per person per proposal: the UNIQUE constraint is the guarantee.
class Support(Model):
    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "participation.Proposal", related_name="supports", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.User", related_name="supports", on_delete=fields.CASCADE
    )
    # "online", or taken by an agent (participation/counter/domain.py): still one per person
    channel = fields.CharField(max_length=10, default="online", db_default="online")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "proposals_support"
        unique_together = (("proposal", "user"),)


# The log of state changes and official answers (who, when, from, to).
class ProposalEvent(Model):
    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "participation.Proposal", related_name="events", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.User",
        related_name="proposal_events",
        null=True,
        on_delete=fields.SET_NULL,
    )
    from_state = fields.CharField(max_length=20)
    to_state = fields.CharField(max_length=20)
    answered = fields.BooleanField(default=False)  # the event carried an official answer
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "proposals_event"
