"""Settings edited in the browser (issue #18): one row of settings, and the logos by digest
(participation/sitesettings). Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("participation", "0010_spaces")]

    initial = False

    operations = [
        ops.CreateModel(
            name="SiteLogo",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("digest", fields.CharField(unique=True, max_length=64)),
                ("png", fields.BinaryField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "sitesettings_logo", "app": "participation", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SiteSettings",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("version", fields.IntField()),
                ("site_name", fields.CharField(max_length=80)),
                ("contact_email", fields.CharField(default="", max_length=254)),
                ("default_language", fields.CharField(max_length=5)),
                ("primary_colour", fields.CharField(max_length=7)),
                ("proposal_support_threshold", fields.IntField()),
                ("moderation_report_threshold", fields.IntField()),
                ("premoderated_content", fields.CharField(default="", max_length=200)),
                ("rate_limited_actions", fields.CharField(default="", max_length=200)),
                ("logo_digest", fields.CharField(default="", max_length=64)),
                ("logo_width", fields.IntField(default=0)),
                ("logo_height", fields.IntField(default=0)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_by_name", fields.CharField(default="", max_length=80)),
            ],
            options={"table": "sitesettings_settings", "app": "participation", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
