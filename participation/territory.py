"""Categories of the town (themes that contributions are filed under). Districts are part of
the resident register: participation/residents/models.py."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


# A theme (mobility, environment...) used to file contributions.
class Category(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    slug = fields.CharField(max_length=100, unique=True)

    class Meta:
        table = "territory_category"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
