"""Participatory budgets: budgets and their phases, projects, ballots and stored results (the
resident register they check voters against is participation/residents/).

Ballot secrecy by construction: `Ballot` holds no user and no census entry; `VoterRegister`
records who voted (one row per person and budget, UNIQUE) and nothing of how. The link between
the two exists only as a keyed hash that only the server can compute (see docs/security.md).
No docstrings on models: Tortoise turns them into SQL comments.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from tortoise import fields, timezone
from tortoise.models import Model

from participation import phases
from participation.contributions import ModerationState
from participation.residents.models import DISTRICT_NAME_LENGTH, CensusEntry


def _today() -> date:
    return timezone.now().date()  # UTC


class Phase(StrEnum):
    PREPARATION = "preparation"
    SUBMISSION = "submission"  # dépôt des projets
    REVIEW = "review"  # analyse
    VOTING = "voting"  # vote
    TALLY = "tally"  # dépouillement
    RESULTS = "results"  # résultats


class BallotKind(StrEnum):
    APPROVAL = "approval"
    KNAPSACK = "knapsack"
    CUMULATIVE = "cumulative"
    RANKING = "ranking"


class WinnerRule(StrEnum):
    GREEDY = "greedy"
    EQUAL_SHARES = "equal-shares"


class Feasibility(StrEnum):
    PENDING = "pending"
    FEASIBLE = "feasible"
    UNFEASIBLE = "unfeasible"


class Channel(StrEnum):
    WEB = "web"
    PAPER = "paper"


class Budget(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")  # sanitized HTML
    # the allow-list `description` was sanitised with (participation.richtext.ALLOW_LIST_VERSION:
    # shown as stored; 0, any other: cleaned again on output), set by every writer (issue #21)
    sanitized_with = fields.IntField(default=0, db_default=0)
    rich_text = ("description",)
    currency = fields.CharField(max_length=3, default="EUR")
    total_amount = fields.BigIntField()  # whole currency units
    phase = fields.CharEnumField(Phase, max_length=16, default=Phase.PREPARATION)
    phase_changed_at = fields.DatetimeField(null=True)
    submission_opens_at = fields.DatetimeField(null=True)
    review_opens_at = fields.DatetimeField(null=True)
    voting_opens_at = fields.DatetimeField(null=True)
    voting_closes_at = fields.DatetimeField(null=True)
    # the rules, locked once the first ballot exists
    ballot_kind = fields.CharEnumField(BallotKind, max_length=16, default=BallotKind.APPROVAL)
    min_choices = fields.IntField(default=1)
    max_choices = fields.IntField(null=True)
    min_spent_percent = fields.IntField(default=0)  # knapsack: minimum share to spend
    points_total = fields.IntField(default=10)  # cumulative
    points_per_project = fields.IntField(default=5)  # cumulative
    ranking_length = fields.IntField(default=3)  # ranking: top k
    winner_rule = fields.CharEnumField(WinnerRule, max_length=16, default=WinnerRule.GREEDY)
    minimum_age = fields.IntField(default=0)
    restricted_to_district = fields.CharField(max_length=DISTRICT_NAME_LENGTH, null=True)
    imported_from = fields.CharField(max_length=255, null=True)  # a Pabulib file name
    created_at = fields.DatetimeField(auto_now_add=True)
    results_published_at = fields.DatetimeField(null=True)
    # the sealed ballot box (budgets/urn.py): the public half of the election key, set by the
    # key ceremony before voting opens; the private half exists only as the trustees' shares
    ballot_public_key = fields.CharField(max_length=64, null=True)
    ballot_key_threshold = fields.IntField(null=True)  # shares needed to open the ballots
    ballots_opened_at = fields.DatetimeField(null=True)  # when the trustees opened them
    # the participatory space it belongs to (participation/spaces); a space holding it cannot
    # be deleted (archived instead)
    space: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.Space", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    space_id: int | None
    # when a column the public sees last changed (participation/touch.py, migration 0009)
    updated_at = fields.DatetimeField(auto_now=True, null=True)
    touched_by = (
        "title",
        "description",
        "currency",
        "total_amount",
        "phase",
        "ballot_kind",
        "winner_rule",
        "voting_opens_at",
        "voting_closes_at",
        "results_published_at",
        "space_id",
    )

    districts: fields.ReverseRelation[BudgetDistrict]
    categories: fields.ReverseRelation[BudgetCategory]

    class Meta:
        table = "budgets_budget"


class BudgetDistrict(Model):
    id = fields.IntField(primary_key=True)
    budget: fields.ForeignKeyRelation[Budget] = fields.ForeignKeyField(
        "budgets.Budget", related_name="districts", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=DISTRICT_NAME_LENGTH)  # a district name
    amount = fields.BigIntField()

    class Meta:
        table = "budgets_district"
        unique_together = (("budget", "name"),)


class BudgetCategory(Model):
    id = fields.IntField(primary_key=True)
    budget: fields.ForeignKeyRelation[Budget] = fields.ForeignKeyField(
        "budgets.Budget", related_name="categories", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)

    class Meta:
        table = "budgets_category"
        unique_together = (("budget", "name"),)


# Every phase switch of a budget (participation/phases.py).
class PhaseSwitch(phases.PhaseSwitch):
    budget: fields.ForeignKeyRelation[Budget] = fields.ForeignKeyField(
        "budgets.Budget", related_name="phase_switches", on_delete=fields.CASCADE
    )
    from_phase = fields.CharEnumField(Phase, max_length=16)
    to_phase = fields.CharEnumField(Phase, max_length=16)

    process_field = "budget"

    class Meta:
        table = "budgets_phase_switch"


class Project(Model):
    id = fields.IntField(primary_key=True)
    budget: fields.ForeignKeyRelation[Budget] = fields.ForeignKeyField(
        "budgets.Budget", related_name="projects", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    description = fields.TextField()  # sanitized HTML
    # the Markdown typed (`description` is its HTML); "" for a row written before (issue #21)
    description_source = fields.TextField(default="", db_default="")
    # the allow-list `description` was sanitised with (participation.richtext.ALLOW_LIST_VERSION:
    # shown as stored; 0, any other: cleaned again on output), set by every writer of it
    sanitized_with = fields.IntField(default=0, db_default=0)
    rich_text = ("description",)
    cost = fields.BigIntField()
    district: fields.ForeignKeyNullableRelation[BudgetDistrict] = fields.ForeignKeyField(
        "budgets.BudgetDistrict", related_name="projects", null=True, on_delete=fields.RESTRICT
    )
    category: fields.ForeignKeyNullableRelation[BudgetCategory] = fields.ForeignKeyField(
        "budgets.BudgetCategory", related_name="projects", null=True, on_delete=fields.SET_NULL
    )
    location = fields.CharField(max_length=200, default="")  # its address or place, as text
    # its point on the town's map (issue #20), optional: inside the town's box when typed
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    author: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    # its image (issue #22: participation/pictures), None: the pattern of its category is shown
    image: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.Picture", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    image_id: int | None
    feasibility = fields.CharEnumField(Feasibility, max_length=16, default=Feasibility.PENDING)
    feasibility_reason = fields.TextField(default="")
    adjusted_cost = fields.BigIntField(null=True)
    # counts the staff edits (budgets/project_services.py): a form carries the version it
    # showed, and a save over another's edit is told instead of losing it (issue #22)
    version = fields.IntField(default=1, db_default=1)
    external_id = fields.CharField(max_length=64, null=True)  # project id in an imported file
    # moderation (moderation/content.py): frozen once voting opens, see budgets.domain
    moderation_state = fields.CharEnumField(
        ModerationState,
        max_length=10,
        default=ModerationState.VISIBLE,
        db_default=ModerationState.VISIBLE,  # existing projects stay visible when migrating
    )
    budget_id: int
    district_id: int | None
    category_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    # when a column the public sees last changed (participation/touch.py, migration 0009)
    updated_at = fields.DatetimeField(auto_now=True, null=True)
    touched_by = (
        "budget_id",
        "title",
        "description",
        "cost",
        "adjusted_cost",
        "district_id",
        "category_id",
        "location",
        "feasibility",
        "moderation_state",
    )

    class Meta:
        table = "budgets_project"

    @property
    def ballot_cost(self) -> int:
        return self.adjusted_cost if self.adjusted_cost is not None else self.cost


# Who voted (never how): one row per person and budget, whatever the channel.
class VoterRegister(Model):
    id = fields.IntField(primary_key=True)
    budget: fields.ForeignKeyRelation[Budget] = fields.ForeignKeyField(
        "budgets.Budget", related_name="register", on_delete=fields.CASCADE
    )
    census_entry: fields.ForeignKeyRelation[CensusEntry] = fields.ForeignKeyField(
        "participation.CensusEntry", related_name="votes", on_delete=fields.CASCADE
    )
    channel = fields.CharEnumField(Channel, max_length=8)
    # the day only (UTC): a time would help to order the register; null only if a migrated row
    # had no time
    voted_on = fields.DateField(default=_today, null=True)

    class Meta:
        table = "budgets_voter_register"
        unique_together = (("budget", "census_entry"),)


# A trustee of a budget's election key: the position of their share and its commitment
# (SHA-256), never the share itself.
class BudgetTrustee(Model):
    id = fields.IntField(primary_key=True)
    budget: fields.ForeignKeyRelation[Budget] = fields.ForeignKeyField(
        "budgets.Budget", related_name="trustees", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    position = fields.IntField()
    commitment = fields.CharField(max_length=64)
    # when the trustee was shown their share (so holds it); null while it waits for them: voting
    # opens only once enough trustees hold theirs (budgets/domain.py::sealing_problem)
    kept_at = fields.DatetimeField(null=True)
    budget_id: int
    user_id: int | None

    class Meta:
        table = "budgets_trustee"
        unique_together = (("budget", "position"),)


# A ballot as cast, sealed to the budget's public key (budgets/urn.py): receipt, choices,
# district and channel are inside the ciphertext only. `token` (HMAC of budget and person,
# null on paper) lets the voter replace it; `receipt_box` is the receipt encrypted with a key
# derived from the voter's session token, which only their browser holds (the receipt page
# shows the stored ballot's receipt). Deleted when the trustees open the ballots.
class SealedBallot(Model):
    id = fields.UUIDField(primary_key=True)
    budget: fields.ForeignKeyRelation[Budget] = fields.ForeignKeyField(
        "budgets.Budget", related_name="sealed_ballots", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=64, unique=True, null=True)
    sealed = fields.BinaryField()
    receipt_box = fields.BinaryField(null=True)

    class Meta:
        table = "budgets_sealed_ballot"


# How someone voted (never who), in clear: the anonymised ballots that the trustees' count
# stored in a random order (random ids, no token, no date), ballots imported from Pabulib
# files, and the clear ballots of budgets whose vote opened before sealed ballots existed
# (`token` set). `receipt` lets the voter check their ballot once the results are out.
class Ballot(Model):
    # random, not autoincrement: an id sequence would follow the register's and link them
    id = fields.UUIDField(primary_key=True)
    budget: fields.ForeignKeyRelation[Budget] = fields.ForeignKeyField(
        "budgets.Budget", related_name="ballots", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=64, unique=True, null=True)  # null for imported ballots
    receipt = fields.CharField(max_length=32, unique=True)
    district = fields.CharField(max_length=DISTRICT_NAME_LENGTH, null=True)
    channel = fields.CharEnumField(Channel, max_length=8, default=Channel.WEB)
    choices = fields.TextField()  # JSON {project_id: points or rank}, 1 for approvals
    cast_on = fields.DateField(null=True)  # imported and legacy ballots; null once counted

    class Meta:
        table = "budgets_ballot"


# Stored tally: one row per budget and rule; rerunning replaces it with the same content.
class TallyResult(Model):
    id = fields.IntField(primary_key=True)
    budget: fields.ForeignKeyRelation[Budget] = fields.ForeignKeyField(
        "budgets.Budget", related_name="results", on_delete=fields.CASCADE
    )
    rule = fields.CharField(max_length=32)
    outcome = fields.TextField()  # JSON: envelopes, selected projects, explanations
    ballots_count = fields.IntField()
    input_digest = fields.CharField(max_length=64)  # SHA-256 of the ballots and projects
    computed_at = fields.DatetimeField(auto_now=True)
    is_official = fields.BooleanField(default=False)  # the published outcome of an import
    budget_id: int

    class Meta:
        table = "budgets_tally_result"
        unique_together = (("budget", "rule", "is_official"),)
