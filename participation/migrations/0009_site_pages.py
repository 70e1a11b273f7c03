"""Content pages (issue #18): the pages and their versions (both a `PublishedText`: the same
text, date and author columns); the version of the conditions of use each person accepted, and
when. Written from `participation makemigrations`'s output, the shared columns once."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


def published_text(name: str, table: str, own: list, **options: object) -> ops.CreateModel:
    """A model with the columns of `participation.sitepages.models.PublishedText` (abstract)."""
    shared = [
        ("body_fr", fields.TextField(unique=False)),
        ("body_en", fields.TextField(default="", unique=False)),
        ("published_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
        ("author", fields.ForeignKeyField("participation.User", source_field="author_id", null=True, db_constraint=True, to_field="id", related_name=False, on_delete=OnDelete.SET_NULL)),
        ("author_name", fields.CharField(default="", max_length=80)),
        ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
    ]
    options = {"table": table, "app": "participation", **options, "pk_attr": "id"}
    return ops.CreateModel(name=name, fields=shared + own, options=options, bases=["PublishedText"])


class Migration(migrations.Migration):
    dependencies = [("participation", "0008_target_kind")]

    initial = False

    operations = [
        ops.AddField(model_name="User", name="terms_accepted_at", field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        ops.AddField(model_name="User", name="terms_version", field=fields.IntField(null=True)),
        published_text("SitePage", "sitepages_page", [
            ("slug", fields.CharField(unique=True, max_length=40)),
            ("version", fields.IntField()),
        ]),
        published_text("SitePageVersion", "sitepages_version", [
            ("page", fields.ForeignKeyField("participation.SitePage", source_field="page_id", db_constraint=True, to_field="id", related_name="versions", on_delete=OnDelete.CASCADE)),
            ("version", fields.IntField()),
            ("restored_from", fields.IntField(null=True)),
        ], unique_together=(("page", "version"),)),
    ]
