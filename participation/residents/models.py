"""The resident register: who is a resident of the town, and in which district.

- `CensusEntry`: one row per person in the council's census file, stored hashed
  (participation/residents/census.py reads the file).
- `Residency`: an account verified against a census row (one per account AND per row).
- `District`: a district (quartier) of the town.

One district concept: a district is known by its name (at most DISTRICT_NAME_LENGTH characters),
the name the council's census file gives it. The census rows, a budget's restriction and its
ballots, a consultation's audience and a commitment's public filter hold that name
(`district` / `restricted_to_district` text columns); `District` rows list the named districts
that proposals are filed under, and a budget's envelopes (`budgets.BudgetDistrict`) give an
amount to a district name. The text columns stay text: census files name districts that no
`District` row lists, and turning them into foreign keys would change who may vote
(`lives_in` compares names).

The tables keep the names they had in the features that first needed them (`budgets_*`,
`territory_district`); participation/migrations/0007_core_models.py moved the models without
touching them. No docstrings on models: Tortoise turns them into SQL comments.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

DISTRICT_NAME_LENGTH = 100


# A district (quartier) of the town.
class District(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=DISTRICT_NAME_LENGTH)
    slug = fields.CharField(max_length=100, unique=True)

    class Meta:
        table = "territory_district"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The resident register: one row per person in the council's census file, stored hashed.
class CensusEntry(Model):
    id = fields.IntField(primary_key=True)
    lookup_hash = fields.CharField(max_length=64, unique=True)  # HMAC(identifier, birth, postcode)
    district = fields.CharField(max_length=DISTRICT_NAME_LENGTH, null=True)  # a district name
    # for age rules and age bands; not identifying alone (None: an anchor whose method gave none)
    birth_year = fields.IntField(null=True)
    imported_at = fields.DatetimeField(auto_now_add=True)
    # "census": a row of the council's file; otherwise the verification method that made this
    # row as the anchor of one verified person (participation/residents/methods): the voter
    # register and every count of "who" key on this row, whatever the method
    source = fields.CharField(max_length=20, default="census", db_default="census")

    class Meta:
        table = "budgets_census_entry"


# The "verified resident" record: one per account AND per census row (its anchor), whatever the
# method that verified it (participation/residents/methods): method, date, expiry, district and
# birth date when known, the agent who verified in person, and a revocation with its reason.
class Residency(Model):
    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "participation.User", related_name="residency", on_delete=fields.CASCADE
    )
    census_entry: fields.OneToOneRelation[CensusEntry] = fields.OneToOneField(
        "participation.CensusEntry", related_name="residency", on_delete=fields.CASCADE
    )
    census_entry_id: int
    birth_date = fields.DateField(null=True)  # None: the method gave none
    verified_at = fields.DatetimeField(auto_now_add=True)
    method = fields.CharField(max_length=20, default="census", db_default="census")
    expires_at = fields.DatetimeField(null=True)  # None: no expiry
    verified_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    verified_by_id: int | None
    proof = fields.CharField(max_length=40, null=True)  # the kind of proof seen, never the proof
    # the letter method: a keyed hash (HMAC) of the normalised recipient, street and postcode,
    # kept after the address is deleted: one letter verification per person at one address
    address_hash = fields.CharField(max_length=64, null=True, unique=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=500, null=True)  # shown to the resident
    revoked_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "budgets_residency"


# The postal address a resident gives to receive a verification letter (the letter method);
# deleted once the letter's code verified them (the district stays on the record) and with the
# account (docs/privacy.md).
class PostalAddress(Model):
    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "participation.User", related_name="postal_address", on_delete=fields.CASCADE
    )
    recipient = fields.CharField(max_length=100)  # the name on the letterbox
    street = fields.CharField(max_length=200)
    complement = fields.CharField(max_length=200, default="")
    postcode = fields.CharField(max_length=10)
    city = fields.CharField(max_length=100)
    district = fields.CharField(max_length=DISTRICT_NAME_LENGTH)  # one of the town's districts
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "residents_postal_address"


# The one-time code of a person's last printed letter: hashed (HMAC), single use, expires, locked
# after too many wrong tries; a new batch of letters replaces it.
class LetterCode(Model):
    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "participation.User", related_name="letter_code", on_delete=fields.CASCADE
    )
    code_hash = fields.CharField(max_length=64)
    printed_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)  # wrong codes typed
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "residents_letter_code"


# A birth date an identity provider vouched for (FranceConnect's verified `birthdate` claim),
# written at log-in by the oidc feature; it gives the birth date to a record whose method knows
# none (the letter), for age rules.
class BirthDateClaim(Model):
    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "participation.User", related_name="birth_date_claim", on_delete=fields.CASCADE
    )
    birth_date = fields.DateField()
    source = fields.CharField(max_length=100)  # the provider's name
    claimed_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "residents_birth_date_claim"
