"""Accounts: people, their server-side sessions and password-reset tokens."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    CITIZEN = "citizen"
    # a town-hall desk officer ("agent d'accueil", issue #19): verifies residents at the desk,
    # records paper ballots and contributions taken at the counter, and nothing else
    AGENT = "agent"
    MODERATOR = "moderator"
    ADMIN = "admin"  # council staff


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)  # stored lower-cased
    display_name = fields.CharField(max_length=80)
    password_hash = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16, default=Role.CITIZEN)
    language = fields.CharField(max_length=5, null=True)
    email_confirmed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)
    # set when the person deleted their account: the row stays, anonymised, so that their
    # public contributions, supports and counts stay consistent (docs/privacy.md)
    deleted_at = fields.DatetimeField(null=True)
    # the version of the conditions of use the person accepted, and when (participation/
    # sitepages): at sign-up, and again at sign-in after each new version
    terms_version = fields.IntField(null=True)
    terms_accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_user"

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_agent(self) -> bool:
        """Works at the town-hall desk (docs/administration.md): agents and administrators."""
        return self.role in (Role.AGENT, Role.ADMIN)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class AnonymousUser:
    """Stands for a visitor who has not logged in; same questions, negative answers."""

    id = None
    display_name = ""
    is_authenticated = False
    is_moderator = False
    is_agent = False
    is_admin = False


# A secret token given to a person's browser or mailbox: only its hash is stored, and it expires.
# (No docstrings on models: Tortoise turns them into SQL table comments.)
class HashedToken(Model):
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        abstract = True


# A logged-in browser; logout deletes the row.
class UserSession(HashedToken):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "participation.User", related_name="sessions", on_delete=fields.CASCADE
    )

    class Meta:
        table = "accounts_session"


# Single use (used_at) and short-lived.
class PasswordResetToken(HashedToken):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "participation.User", related_name="reset_tokens", on_delete=fields.CASCADE
    )
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_password_reset"


# A change of e-mail address waiting for its confirmation: the link goes to `new_email`; the
# account keeps its address until the link is opened (single use, expires).
class EmailChange(HashedToken):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "participation.User", related_name="email_changes", on_delete=fields.CASCADE
    )
    user_id: int
    new_email = fields.CharField(max_length=254)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_email_change"
