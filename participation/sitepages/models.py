"""A content page's current text and every version it had. No docstrings on models: Tortoise
turns them into SQL table comments."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


# A published text: French, optional English, when and by whom (the name is kept if the
# account goes, as in the audit log). The texts are stored as shown (issue #21): sanitised, their
# tables stacking (participation.richtext.sanitize_page), with the allow-list they were
# sanitised with (`sanitized_with`: ALLOW_LIST_VERSION, shown as stored; 0, any other: cleaned
# again on output), set by every writer.
class PublishedText(Model):
    body_fr = fields.TextField()
    body_en = fields.TextField(default="")
    sanitized_with = fields.IntField(default=0, db_default=0)
    rich_text = ("body_fr", "body_en")
    published_at = fields.DatetimeField()
    author: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    author_name = fields.CharField(max_length=80, default="")

    class Meta:
        abstract = True


# The published text of one page (`slug` is its French address, e.g. "mentions-legales").
# No row yet: the page shows its default text as version 1 (participation/sitepages/defaults).
# `version` rises by one on each save; a save names the version it started from, and the
# conditional UPDATE on it is the version check (two staff members editing at once).
class SitePage(PublishedText):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40, unique=True)
    version = fields.IntField()

    class Meta:
        table = "sitepages_page"


# Every published version of a page, the current one included (its history). Version 1 is
# the default text when staff first edit a page; it is written then, with no author.
class SitePageVersion(PublishedText):
    id = fields.IntField(primary_key=True)
    page: fields.ForeignKeyRelation[SitePage] = fields.ForeignKeyField(
        "participation.SitePage", related_name="versions", on_delete=fields.CASCADE
    )
    page_id: int
    version = fields.IntField()
    restored_from = fields.IntField(null=True)  # the version this one brought back, if any

    class Meta:
        table = "sitepages_version"
        unique_together = (("page", "version"),)
