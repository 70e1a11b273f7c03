from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from participation.comments.domain import Stance
from participation.contributions import ModerationState
from participation.proposals.domain import AmendmentState, ProposalState


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Category",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=100)),
                ("slug", fields.CharField(unique=True, max_length=100)),
            ],
            options={"table": "territory_category", "app": "participation", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="District",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=100)),
                ("slug", fields.CharField(unique=True, max_length=100)),
            ],
            options={"table": "territory_district", "app": "participation", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Proposal",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="proposals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("title", fields.CharField(max_length=150)),
                ("body", fields.TextField(unique=False)),
                (
                    "category",
                    fields.ForeignKeyField(
                        "participation.Category",
                        source_field="category_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="proposals",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "district",
                    fields.ForeignKeyField(
                        "participation.District",
                        source_field="district_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="proposals",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("address", fields.CharField(default="", max_length=200)),
                ("latitude", fields.FloatField(null=True)),
                ("longitude", fields.FloatField(null=True)),
                (
                    "state",
                    fields.CharEnumField(
                        default=ProposalState.DRAFT,
                        description="DRAFT: draft\nPENDING: pending\nPUBLISHED: published\nTHRESHOLD_REACHED: threshold_reached\nUNDER_ANALYSIS: under_analysis\nACCEPTED: accepted\nREFUSED: refused\nDONE: done\nWITHDRAWN: withdrawn",  # noqa: E501
                        enum_type=ProposalState,
                        max_length=20,
                    ),
                ),
                (
                    "moderation_state",
                    fields.CharEnumField(
                        default=ModerationState.VISIBLE,
                        description="VISIBLE: visible\nPENDING: pending\nHIDDEN: hidden",
                        enum_type=ModerationState,
                        max_length=10,
                    ),
                ),
                ("version", fields.IntField(default=1)),
                ("support_count", fields.IntField(default=0)),
                ("comment_count", fields.IntField(default=0)),
                ("search_text", fields.TextField(default="", unique=False)),
                ("answer_body", fields.TextField(default="", unique=False)),
                (
                    "answered_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "answered_by",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="answered_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="answered_proposals",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "threshold_reached_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "published_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "proposals_proposal",
                "app": "participation",
                "indexes": [
                    Index(fields=["moderation_state", "state", "published_at"]),
                    Index(fields=["moderation_state", "support_count"]),
                    Index(fields=["moderation_state", "comment_count"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Amendment",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "participation.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="amendments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="amendments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("base_version", fields.IntField()),
                ("title", fields.CharField(max_length=150)),
                ("body", fields.TextField(unique=False)),
                ("reason", fields.TextField(default="", unique=False)),
                (
                    "state",
                    fields.CharEnumField(
                        default=AmendmentState.PENDING,
                        description="PENDING: pending\nACCEPTED: accepted\nREJECTED: rejected",
                        enum_type=AmendmentState,
                        max_length=10,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "proposals_amendment", "app": "participation", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Comment",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "participation.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="comments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="comments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "parent",
                    fields.ForeignKeyField(
                        "participation.Comment",
                        source_field="parent_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="replies",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("depth", fields.IntField(default=0)),
                ("body", fields.TextField(unique=False)),
                (
                    "stance",
                    fields.CharEnumField(
                        default=Stance.NEUTRAL,
                        description="FOR: for\nAGAINST: against\nNEUTRAL: neutral",
                        enum_type=Stance,
                        max_length=10,
                    ),
                ),
                (
                    "moderation_state",
                    fields.CharEnumField(
                        default=ModerationState.VISIBLE,
                        description="VISIBLE: visible\nPENDING: pending\nHIDDEN: hidden",
                        enum_type=ModerationState,
                        max_length=10,
                    ),
                ),
                ("upvotes", fields.IntField(default=0)),
                ("downvotes", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("edited_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "comments_comment",
                "app": "participation",
                "indexes": [Index(fields=["proposal_id", "created_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CommentVote",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "comment",
                    fields.ForeignKeyField(
                        "participation.Comment",
                        source_field="comment_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="votes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="comment_votes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("value", fields.SmallIntField()),
            ],
            options={
                "table": "comments_vote",
                "app": "participation",
                "unique_together": (("comment", "user"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(max_length=30)),
                ("event_key", fields.CharField(max_length=80)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "participation.Proposal",
                        source_field="proposal_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "comment",
                    fields.ForeignKeyField(
                        "participation.Comment",
                        source_field="comment_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("read_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "notifications_notification",
                "app": "participation",
                "unique_together": (("user", "event_key"),),
                "indexes": [Index(fields=["user_id", "read_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ProposalCoauthor",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "participation.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="coauthors",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("email", fields.CharField(max_length=254)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="coauthorships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("invited_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "accepted_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "proposals_coauthor",
                "app": "participation",
                "unique_together": (("proposal", "email"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ProposalEvent",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "participation.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="events",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="proposal_events",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("from_state", fields.CharField(max_length=20)),
                ("to_state", fields.CharField(max_length=20)),
                ("answered", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "proposals_event", "app": "participation", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ProposalVersion",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "participation.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="versions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("number", fields.IntField()),
                ("title", fields.CharField(max_length=150)),
                ("body", fields.TextField(unique=False)),
                (
                    "author",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="proposal_versions",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "amendment",
                    fields.ForeignKeyField(
                        "participation.Amendment",
                        source_field="amendment_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="versions",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "proposals_version",
                "app": "participation",
                "unique_together": (("proposal", "number"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Support",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "participation.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="supports",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="supports",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "proposals_support",
                "app": "participation",
                "unique_together": (("proposal", "user"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
