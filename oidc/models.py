"""OpenID Connect providers (configured by staff), the accounts linked to them, and the links
waiting for their e-mailed proof. No docstrings on models: Tortoise turns them into SQL
comments."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from participation.accounts.models import HashedToken


# An identity provider (FranceConnect, ProConnect...). The client secret is stored encrypted
# (oidc.secrets: a key derived from SECRET_KEY), never in clear.
class Provider(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80)  # shown on the button: "FranceConnect"
    issuer = fields.CharField(max_length=300)
    client_id = fields.CharField(max_length=200)
    client_secret_box = fields.BinaryField()  # encrypted; empty for a public client
    scopes = fields.CharField(max_length=300, default="openid email")
    acr_values = fields.CharField(max_length=100, default="")  # asked for: "eidas1"
    for_residents = fields.BooleanField(default=True)  # residents may log in (and sign up)
    for_staff = fields.BooleanField(default=False)  # moderators and staff may log in
    enabled = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "oidc_provider"


# An account's identity at a provider: one subject per provider, one account per subject.
class Link(Model):
    id = fields.IntField(primary_key=True)
    provider: fields.ForeignKeyRelation[Provider] = fields.ForeignKeyField(
        "oidc.Provider", related_name="links", on_delete=fields.CASCADE
    )
    provider_id: int
    user: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "participation.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: int
    subject = fields.CharField(max_length=255)  # the provider's `sub`
    acr = fields.CharField(max_length=100, default="")  # of the last log-in
    eidas_level = fields.CharField(max_length=20, default="")  # "eidas1"...; "" when unknown
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "oidc_link"
        unique_together = (("provider", "subject"), ("provider", "user"))


# A link waiting for the person to prove they own the account's e-mail address: the link sent
# there holds a token whose hash only is stored; single use (used_at), short-lived.
class PendingLink(HashedToken):
    id = fields.IntField(primary_key=True)
    provider: fields.ForeignKeyRelation[Provider] = fields.ForeignKeyField(
        "oidc.Provider", related_name=False, on_delete=fields.CASCADE
    )
    provider_id: int
    user: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "participation.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: int
    subject = fields.CharField(max_length=255)
    acr = fields.CharField(max_length=100, default="")
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "oidc_pending_link"
