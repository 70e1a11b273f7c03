"""The categories a proposals collection offers (issue #18): one row per (collection,
category). The collections that exist get none, so they keep offering the site's categories,
as before."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("participation", "0027_proposal_collections")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ProposalCollectionCategory",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "collection",
                    fields.ForeignKeyField(
                        "participation.ProposalCollection",
                        source_field="collection_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="category_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "category",
                    fields.ForeignKeyField(
                        "participation.Category",
                        source_field="category_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="collection_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "proposals_collection_category",
                "app": "participation",
                "unique_together": (("collection", "category"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
